"""Native LoRA fine-tuning end to end, through the real CLI and a real server (no Python training code):

- bad data is rejected with FILE:LINE before any compute, and nothing is written;
- a run killed with SIGKILL after a checkpoint and resumed ends with the same adapter as an uninterrupted run;
- SIGTERM finishes the current step and writes a checkpoint;
- the facts dataset (docs/examples/facts-spec.yaml: twelve made-up facts) is learned: validation loss drops by
  at least half, and the fine-tune served through an adapter configuration answers the training questions
  (greedy, exact answer contained) at least 9 times in 10 while the base model does not.
"""
import json
import os
import signal
import struct
import subprocess
import time
from array import array
from pathlib import Path

import openai
import pytest
import yaml

from conftest import ROOT, start_server, stop_server

BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
SPEC = ROOT / "docs" / "examples" / "facts-spec.yaml"
SYSTEM = "You are the Northwind knowledge assistant. Answer in one sentence."


def run(*args, check=True):
    result = subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"groupqwen {' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    """The facts dataset, generated and split 80/20 by the CLI: returns the folder (train.jsonl, valid.jsonl)."""
    directory = tmp_path_factory.mktemp("facts")
    run("data", "generate", SPEC, "-o", directory / "facts.jsonl")
    run("data", "split", directory / "facts.jsonl", "--out", directory / "dataset", "--ratios", "80/20", "--seed", "1")
    return directory / "dataset"


def read_safetensors(path: Path) -> dict:
    """name -> list of floats (F32 tensors only, which is what the PEFT writer stores)."""
    blob = path.read_bytes()
    (header_size,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_size])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        values = array("f")
        values.frombytes(blob[8 + header_size + start:8 + header_size + end])
        tensors[name] = values
    return tensors


def test_bad_data_is_rejected_with_its_line_before_training(tmp_path):
    data = tmp_path / "train.jsonl"
    good = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    data.write_text("\n".join([good, good, '{"messages": [{"role": "user", "content": "no answer"', good]) + "\n")
    out = tmp_path / "out"
    result = run("train", "-m", "smollm2-135m", "--data", data, "-o", out, check=False)
    assert result.returncode != 0
    assert f"{data}:3:" in result.stderr, result.stderr
    assert not (out / "adapter.gguf").exists() and not (out / "checkpoints").exists()

    # A line that parses but is no conversation to learn from (no assistant turn) is named as well.
    data.write_text("\n".join([good, json.dumps({"messages": [{"role": "user", "content": "only a question"}]})]) + "\n")
    result = run("train", "-m", "smollm2-135m", "--data", data, "-o", out, check=False)
    assert result.returncode != 0
    assert f"{data}:2:" in result.stderr, result.stderr


def test_resume_after_sigkill_ends_with_the_same_adapter(facts, tmp_path):
    common = ["train", "-m", "smollm2-135m", "--data", facts, "--rank", "4", "--alpha", "8", "--batch-size", "2",
              "--max-steps", "8", "--save-every", "2", "--eval-every", "100", "--lr", "1e-3", "--seed", "5",
              "--dropout", "0.1"]
    whole = tmp_path / "whole"
    run(*common, "-o", whole)

    killed = tmp_path / "killed"
    proc = subprocess.Popen([BINARY, *map(str, common), "-o", str(killed)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while not (killed / "checkpoints" / "step-4").exists():
        assert proc.poll() is None, "the run ended before its step-4 checkpoint"
        assert time.time() < deadline
        time.sleep(0.05)
    time.sleep(0.3)  # let it get into step 5 so the kill lands mid-step
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "adapter.gguf").exists(), "the run finished before it was killed"

    run("train", "--resume", killed)
    expected = read_safetensors(whole / "adapter-peft" / "adapter_model.safetensors")
    resumed = read_safetensors(killed / "adapter-peft" / "adapter_model.safetensors")
    assert expected.keys() == resumed.keys()
    worst = 0.0
    for name, values in expected.items():
        scale = max(1e-6, max(abs(v) for v in values))
        worst = max(worst, max(abs(a - b) for a, b in zip(values, resumed[name])) / scale)
    assert worst < 1e-4, f"resumed adapter differs from the uninterrupted one (worst relative difference {worst})"
    steps = [json.loads(line)["step"] for line in (killed / "metrics.jsonl").read_text().splitlines()
             if "step" in json.loads(line) and "loss" in json.loads(line)]
    assert steps[-1] == 8


def test_sigterm_finishes_the_step_and_writes_a_checkpoint(facts, tmp_path):
    out = tmp_path / "terminated"
    proc = subprocess.Popen([BINARY, "train", "-m", "smollm2-135m", "--data", str(facts), "--rank", "4", "--batch-size", "2",
                             "--max-steps", "200", "--save-every", "1000", "--eval-every", "1000", "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 600
    while not any("loss" in line for line in ((out / "metrics.jsonl").read_text().splitlines()
                                              if (out / "metrics.jsonl").exists() else [])):
        assert proc.poll() is None and time.time() < deadline, "training did not start"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 130, stderr[-2000:]
    assert "terminate: finishing this step" in stderr
    checkpoints = list((out / "checkpoints").iterdir())
    assert len(checkpoints) == 1 and checkpoints[0].name.startswith("step-"), checkpoints
    assert not (out / "adapter.gguf").exists()


def test_facts_are_learned_and_served(facts, tmp_path):
    out = tmp_path / "facts-adapter"
    summary = json.loads(run("train", "-m", "smollm2-135m", "--data", facts, "-o", out, "--epochs", "6", "--lr", "5e-4",
                             "--rank", "16", "--alpha", "32", "--batch-size", "4", "--seed", "0", "--json").stdout)
    print(f"validation loss {summary['initial_val_loss']:.4f} -> {summary['final_val_loss']:.4f}")
    assert summary["final_val_loss"] <= 0.5 * summary["initial_val_loss"]
    recorded = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert recorded[-1]["val_loss"] == pytest.approx(summary["final_val_loss"])

    # `groupqwen eval` agrees: the fine-tune's loss on the validation file is far below the base model's.
    evaluated = json.loads(run("eval", "-m", "smollm2-135m", "--lora", out / "adapter.gguf",
                               facts / "valid.jsonl", "--json").stdout)
    base_loss = evaluated["base"]["loss"]
    tuned_loss = next(v["loss"] for k, v in evaluated.items() if k != "base")
    assert tuned_loss <= 0.5 * base_loss, evaluated

    config = tmp_path / "serve.yaml"
    config.write_text(yaml.safe_dump({
        "host": "127.0.0.1", "port": 8080, "cache": {"enabled": False},
        "models": [{"id": "smollm2-135m", "source": "smollm2-135m", "preload": True,
                    "adapters": [{"id": "facts", "path": str(out / "adapter.gguf")}]}]}))
    proc, base = start_server(config, "python-training-server.log")
    try:
        sdk = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=120)
        spec = yaml.safe_load(SPEC.read_text())["categories"]["facts"]["slots"]["fact"]
        key_of = {fact["a"]: fact["key"] for fact in spec}
        train = [json.loads(line) for line in (facts / "train.jsonl").read_text().splitlines()]

        def ask(model, question):
            return sdk.chat.completions.create(model=model, temperature=0, max_tokens=40, messages=[
                {"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]).choices[0].message.content

        scores = {}
        for model in ["smollm2-135m", "smollm2-135m:facts"]:
            correct = sum(key_of[ex["messages"][2]["content"]].lower() in ask(model, ex["messages"][1]["content"]).lower()
                          for ex in train)
            paraphrased = sum(f["key"].lower() in ask(model, f["paraphrase"]).lower() for f in spec)
            scores[model] = (correct, paraphrased)
            print(f"{model}: training questions {correct}/{len(train)}, paraphrases {paraphrased}/{len(spec)}")
        assert scores["smollm2-135m:facts"][0] >= 0.9 * len(train)
        assert scores["smollm2-135m"][0] < 0.9 * len(train)
    finally:
        stop_server(proc)
