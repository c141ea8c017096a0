"""OpenAI's Files and Fine-tuning APIs through the official `openai` package, on a real `groupqwen serve` that
trains with its native trainer (SmolLM2-135M, 16 short examples, a few steps): upload, create, follow the
events, chat with the `fine_tuned_model`; cancel; a bad file is a 400 naming its line; serving stays
responsive while a job trains; a restarted server still serves the fine-tuned model."""
import json
import threading
import time
from pathlib import Path

import openai
import pytest

from conftest import start_server, stop_server

BASE = "smollm2-135m"
NAMES = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kai", "Lu", "Max", "Ned", "Oz", "Pat"]
TRAINING = "".join(json.dumps({"messages": [{"role": "user", "content": f"Greet {n}."},
                                            {"role": "assistant", "content": f"Ahoy, {n}! Welcome aboard, matey."}]}) + "\n"
                   for n in NAMES).encode()
# Our extensions: a small adapter and a short run, so a job takes seconds.
SMALL = {"lora": {"rank": 4, "targets": ["q", "v"]}, "training": {"max_seq_len": 64}}
FINAL = {"succeeded", "failed", "cancelled"}


def write_config(folder: Path) -> Path:
    config = folder / "fine-tuning-config.yaml"
    config.write_text(f"""
host: 127.0.0.1
port: 8080
keep_alive_seconds: 600
cache:
  enabled: false
training:
  path: {folder / 'fine-tuning.sqlite'}
  directory: {folder}
  threads: 1
  max_upload_bytes: 1048576
models:
  - id: {BASE}
    source: {BASE}
    context_length: 1024
    max_concurrent: 4
    preload: true
""")
    return config


@pytest.fixture(scope="module")
def ft_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fine-tuning")


@pytest.fixture(scope="module")
def ft_server(ft_folder):
    proc, base = start_server(write_config(ft_folder), "python-fine-tuning-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def sdk(ft_server):
    return openai.OpenAI(base_url=ft_server + "/v1", api_key="unused", max_retries=0, timeout=120)


def create_job(sdk, file_id, max_steps, **kw):
    extra = {"lora": SMALL["lora"], "training": {**SMALL["training"], "max_steps": max_steps}}
    return sdk.fine_tuning.jobs.create(model=BASE, training_file=file_id, seed=3,
                                       hyperparameters={"batch_size": 2, "learning_rate_multiplier": 10},
                                       extra_body=extra, **kw)


def wait(sdk, job_id, done, seconds=300):
    deadline = time.time() + seconds
    while True:
        job = sdk.fine_tuning.jobs.retrieve(job_id)
        if done(job) or time.time() > deadline:
            return job
        time.sleep(0.2)


def steps_of(events):
    return sorted(e.data["step"] for e in events if e.type == "metrics" and "train_loss" in (e.data or {}))


@pytest.fixture(scope="module")
def training_file(sdk):
    return sdk.files.create(file=("pirate.jsonl", TRAINING), purpose="fine-tune")


def test_upload_file_object(sdk, training_file):
    f = training_file
    assert f.id.startswith("file-") and f.object == "file" and f.purpose == "fine-tune" and f.status == "processed"
    assert f.filename == "pirate.jsonl" and f.bytes == len(TRAINING)
    assert sdk.files.retrieve(f.id).filename == "pirate.jsonl"
    assert f.id in [x.id for x in sdk.files.list()]
    assert sdk.files.content(f.id).read() == TRAINING


def test_bad_file_is_400_naming_the_line(sdk):
    bad = TRAINING.splitlines()[0] + b"\n{\"messages\": \"nope\"}\n" + TRAINING.splitlines()[1] + b"\n"
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.files.create(file=("bad.jsonl", bad), purpose="fine-tune")
    err = caught.value.body
    assert err["param"] == "file" and err["code"] == "invalid_file"
    assert 'bad.jsonl:2: "messages" is not an array' in err["message"], err
    assert "bad.jsonl:1:" not in err["message"] and "bad.jsonl:3:" not in err["message"], err
    assert "bad.jsonl" not in [f.filename for f in sdk.files.list()]
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.files.create(file=("x.jsonl", TRAINING), purpose="assistants")
    assert caught.value.body["param"] == "purpose"


def test_job_trains_and_its_model_answers(sdk, training_file):
    job = create_job(sdk, training_file.id, 6, suffix="pirate")
    assert job.object == "fine_tuning.job" and job.status in ("validating_files", "queued")
    assert job.model == BASE and job.training_file == training_file.id and job.seed == 3
    assert job.hyperparameters.batch_size == 2 and job.hyperparameters.n_epochs == 3
    assert job.method.type == "supervised"

    # Follow the events as a client would, newest first, until the job ends.
    seen = {}
    deadline = time.time() + 300
    while time.time() < deadline:
        for event in sdk.fine_tuning.jobs.list_events(job.id, limit=50).data:
            seen[event.id] = event
        status = sdk.fine_tuning.jobs.retrieve(job.id).status
        if status in FINAL:
            break
        time.sleep(0.3)
    for event in sdk.fine_tuning.jobs.list_events(job.id, limit=100).data:
        seen[event.id] = event
    done = sdk.fine_tuning.jobs.retrieve(job.id)
    assert done.status == "succeeded", done
    model = f"ft:{BASE}:pirate:{job.id}"
    assert done.fine_tuned_model == model
    assert done.trained_tokens > 0 and done.finished_at >= done.created_at and done.error is None
    events = list(seen.values())
    assert all(e.object == "fine_tuning.job.event" for e in events)
    assert steps_of(events) == [1, 2, 3, 4, 5, 6]
    assert any(e.message == "The job has successfully completed" for e in events)
    # Auto-pagination walks every event, newest first.
    paged = list(sdk.fine_tuning.jobs.list_events(job.id, limit=3))
    assert len(paged) == len({e.id for e in paged}) >= len(events)
    assert paged[0].message == "The job has successfully completed"

    checkpoints = sdk.fine_tuning.jobs.checkpoints.list(job.id).data
    assert checkpoints[0].step_number == 6 and checkpoints[0].fine_tuned_model_checkpoint == f"{model}:ckpt-step-6"
    assert checkpoints[0].metrics.train_loss is not None
    results = sdk.files.content(done.result_files[0]).read().decode()
    assert results.startswith("step,train_loss") and len(results.splitlines()) == 7

    models = {m.id: m for m in sdk.models.list().data}
    assert model in models and models[model].parent == BASE
    reply = sdk.chat.completions.create(model=model, messages=[{"role": "user", "content": "Greet Ada."}],
                                        max_tokens=16, temperature=0)
    assert reply.model == model and reply.choices[0].message.content
    assert job.id in [j.id for j in sdk.fine_tuning.jobs.list(limit=10).data]


def test_streaming_chat_completes_while_a_job_trains_then_cancel(sdk, training_file):
    job = create_job(sdk, training_file.id, 400)
    running = wait(sdk, job.id, lambda j: j.status in FINAL or (j.status == "running" and j.model_extra["training"]["step"] >= 1))
    assert running.status == "running", running
    started = time.time()
    stream = sdk.chat.completions.create(model=BASE, messages=[{"role": "user", "content": "Count from one to ten."}],
                                         max_tokens=32, temperature=0, stream=True)
    chunks = list(stream)
    assert chunks and chunks[-1].choices[0].finish_reason in ("stop", "length")
    assert time.time() - started < 60
    assert sdk.fine_tuning.jobs.retrieve(job.id).status == "running", "the job trained during the chat"

    # The step the cancel response reports (not a retrieve before it: the trainer may finish steps in between).
    cancelled = sdk.fine_tuning.jobs.cancel(job.id)
    assert cancelled.status == "cancelled" and cancelled.fine_tuned_model is None
    at_cancel = cancelled.model_extra["training"]["step"]

    def stopped():
        events = sdk.fine_tuning.jobs.list_events(job.id, limit=5).data
        return any(e.message.startswith("Training stopped after step") for e in events)
    deadline = time.time() + 120
    while not stopped() and time.time() < deadline:
        time.sleep(0.2)
    assert stopped()
    steps = steps_of(list(sdk.fine_tuning.jobs.list_events(job.id, limit=100)))
    assert steps[-1] <= at_cancel + 1, (at_cancel, steps)
    assert sdk.fine_tuning.jobs.retrieve(job.id).status == "cancelled"
    with pytest.raises(openai.ConflictError):
        sdk.fine_tuning.jobs.cancel(job.id)


def test_errors_of_job_creation(sdk, training_file):
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training_file.id)
    assert caught.value.body["param"] == "model"
    with pytest.raises(openai.NotFoundError) as caught:
        sdk.fine_tuning.jobs.create(model=BASE, training_file="file-nope")
    assert caught.value.body["param"] == "training_file"
    with pytest.raises(openai.BadRequestError) as caught:
        sdk.fine_tuning.jobs.create(model=BASE, training_file=training_file.id, hyperparameters={"n_epochs": 0})
    assert caught.value.body["param"] == "hyperparameters.n_epochs"


def test_fine_tuned_model_survives_a_restart(ft_folder, ft_server, sdk):
    succeeded = [j for j in sdk.fine_tuning.jobs.list(limit=50).data if j.status == "succeeded"]
    assert succeeded, "test_job_trains_and_its_model_answers ran first"
    model = succeeded[0].fine_tuned_model
    # A second server on the same database and folder (the first one keeps running).
    proc, base = start_server(write_config(ft_folder), "python-fine-tuning-server-2.log")
    try:
        other = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=120)
        assert model in [m.id for m in other.models.list().data]
        reply = other.chat.completions.create(model=model, messages=[{"role": "user", "content": "Greet Bo."}],
                                              max_tokens=8, temperature=0)
        assert reply.model == model
    finally:
        stop_server(proc)
