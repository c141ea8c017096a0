"""LoRA adapters as the official `openai` package sees them, on a real `groupqwen serve` (adapter-config.yaml:
SmolLM2-135M with the fixture adapter as `qkvo` and, at half scale, `qkvo-half`): listing, chatting with
`base:adapter`, hot adds and removals while another client streams, errors, the semantic cache."""
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, start_server, stop_server

BASE = "smollm2-135m"
FIXTURES = ROOT / "Tests" / "Fixtures" / "lora"
BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
QUESTION = [{"role": "user", "content": "Write one sentence about the sea."}]


@pytest.fixture(scope="module")
def adapter_server():
    proc, base = start_server(Path(__file__).with_name("adapter-config.yaml"), "python-adapter-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def sdk(adapter_server):
    return openai.OpenAI(base_url=adapter_server + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def api(adapter_server):
    with httpx.Client(base_url=adapter_server, timeout=120) as c:
        yield c


def random_adapter(directory: Path, seed: int) -> Path:
    """A seeded random adapter for SmolLM2-135M that visibly changes its answers (`groupqwen lora random`)."""
    path = directory / f"random-{seed}.gguf"
    subprocess.run([BINARY, "lora", "random", "-m", BASE, "--rank", "8", "--seed", str(seed), "--b-std", "0.05",
                    "-o", str(path)], check=True, capture_output=True)
    return path


def ask(sdk, model, messages=QUESTION, **kw):
    kw.setdefault("max_tokens", 16)
    return sdk.chat.completions.with_raw_response.create(model=model, messages=messages, temperature=0, **kw)


def error_of(response):
    err = response.json()["error"]
    assert {"message", "type", "param", "code"} <= set(err)
    return err


def test_sdk_lists_adapter_models(sdk):
    models = {m.id: m for m in sdk.models.list().data}
    assert list(models) == [BASE, f"{BASE}:qkvo", f"{BASE}:qkvo-half", "minilm-l6-v2"]
    qkvo = models[f"{BASE}:qkvo"]
    assert qkvo.object == "model" and qkvo.owned_by == "groupqwen"
    assert qkvo.parent == BASE
    assert qkvo.rank == 8 and qkvo.targets == ["q", "k", "v", "o"] and qkvo.scale == 1
    assert qkvo.tier is None and qkvo.labels == ["fixture"] and qkvo.state == "loaded"
    assert models[f"{BASE}:qkvo-half"].scale == 0.5
    assert not hasattr(models[BASE], "parent") or models[BASE].model_extra.get("parent") is None
    # The adapter id alone is unique here, so it names the adapter-model too.
    assert sdk.models.retrieve("qkvo").id == f"{BASE}:qkvo"


def test_chat_with_adapter_model_differs_from_base_and_matches_other_forms(sdk):
    base = ask(sdk, BASE)
    adapted = ask(sdk, f"{BASE}:qkvo")
    assert adapted.headers["x-groupqwen-adapter"] == "qkvo@1.0"
    assert "x-groupqwen-adapter" not in base.headers
    r = adapted.parse()
    assert r.model == f"{BASE}:qkvo"
    text = r.choices[0].message.content
    assert text and text != base.parse().choices[0].message.content
    assert r.model_extra["groupqwen"]["adapters"] == [{"id": "qkvo", "scale": 1.0}]
    assert base.parse().model_extra["groupqwen"]["adapters"] == []
    # The same adapter through the body fields (openai's extra_body), and by its id alone.
    by_field = ask(sdk, BASE, extra_body={"adapters": [{"id": "qkvo"}]}).parse()
    assert by_field.choices[0].message.content == text and by_field.model == BASE
    by_index = ask(sdk, BASE, extra_body={"lora": [{"id": 0, "scale": 1.0}]}).parse()
    assert by_index.choices[0].message.content == text
    assert ask(sdk, "qkvo").parse().choices[0].message.content == text
    # The PEFT folder at scale 0.5, raised to 1: the same adapter again.
    doubled = ask(sdk, BASE, extra_body={"adapters": [{"id": "qkvo-half", "scale": 1.0}]}).parse()
    assert doubled.choices[0].message.content == text


def test_streamed_adapter_answer(sdk):
    whole = ask(sdk, f"{BASE}:qkvo", extra_body={"cache": False}).parse()
    chunks = list(sdk.chat.completions.create(model=f"{BASE}:qkvo", messages=QUESTION, max_tokens=16, temperature=0,
                                              stream=True, extra_body={"cache": False}))
    assert all(c.model == f"{BASE}:qkvo" for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == whole.choices[0].message.content
    assert chunks[-1].model_extra["groupqwen"]["adapters"] == [{"id": "qkvo", "scale": 1.0}]


def test_hot_add_and_remove_while_another_client_streams(sdk, api, adapter_server, tmp_path):
    first, second = random_adapter(tmp_path, 11), random_adapter(tmp_path, 12)
    r = api.post("/v1/adapters", json={"id": "hot", "path": str(first), "model": BASE, "description": "hot"})
    assert r.status_code == 200, r.text
    assert r.json()["served_as"] == f"{BASE}:hot" and r.json()["source"] == "api"
    assert f"{BASE}:hot" in [m.id for m in sdk.models.list().data]

    # Another client streams a long answer with the hot adapter …
    lines, started, failure = [], threading.Event(), []

    def stream():
        try:
            other = openai.OpenAI(base_url=adapter_server + "/v1", api_key="unused", max_retries=0, timeout=120)
            for chunk in other.chat.completions.create(
                    model=f"{BASE}:hot", messages=QUESTION, max_tokens=400, temperature=0, stream=True,
                    stream_options={"include_usage": True}, extra_body={"ignore_eos": True, "cache": False}):
                lines.append(chunk)
                started.set()
        except Exception as e:  # noqa: BLE001 - reported below
            failure.append(e)
        started.set()

    t = threading.Thread(target=stream)
    t.start()
    assert started.wait(60)
    # … while this one adds a second adapter, uses it, and removes the first.
    r = api.post("/v1/adapters", json={"id": "hot2", "path": str(second), "model": BASE})
    assert r.status_code == 200, r.text
    assert ask(sdk, f"{BASE}:hot2", max_tokens=4).parse().model == f"{BASE}:hot2"
    r = api.delete(f"/v1/adapters/{BASE}:hot")
    assert r.status_code == 200 and r.json() == {"id": "hot", "object": "adapter", "model": BASE, "deleted": True}
    assert t.is_alive(), "the stream should still be running when its adapter is removed"
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model=f"{BASE}:hot", messages=QUESTION, max_tokens=4)
    t.join(120)

    assert not failure, failure
    assert lines[-1].usage.completion_tokens == 400
    assert [c.choices[0].finish_reason for c in lines if c.choices and c.choices[0].finish_reason] == ["length"]
    assert all(c.model == f"{BASE}:hot" for c in lines)
    ids = [a["served_as"] for a in api.get("/v1/adapters").json()["data"]]
    assert f"{BASE}:hot" not in ids and f"{BASE}:hot2" in ids
    assert api.delete("/v1/adapters/hot2").status_code == 200


def test_unknown_adapter_is_404(sdk, api):
    with pytest.raises(openai.NotFoundError) as e:
        sdk.chat.completions.create(model=f"{BASE}:nope", messages=QUESTION, max_tokens=4)
    assert e.value.code == "model_not_found"
    assert f"{BASE}:qkvo" in e.value.message   # the message lists what exists
    with pytest.raises(openai.NotFoundError) as e:
        sdk.chat.completions.create(model=BASE, messages=QUESTION, max_tokens=4, extra_body={"adapters": [{"id": "nope"}]})
    assert e.value.body["param"] == "adapters[0].id"
    with pytest.raises(openai.NotFoundError):
        sdk.chat.completions.create(model=BASE, messages=QUESTION, max_tokens=4, extra_body={"lora": [{"id": 7}]})
    assert api.get("/v1/adapters/nope").status_code == 404
    assert api.delete("/v1/adapters/nope").status_code == 404


def test_bad_adapter_files_are_400_naming_the_problem(api, adapter_server, tmp_path):
    before = metric(adapter_server, "groupqwen_adapter_load_failures_total", model=BASE)
    truncated = tmp_path / "truncated.gguf"
    data = (FIXTURES / "smollm2-r8-qkvo.gguf").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    r = api.post("/v1/adapters", json={"id": "cut", "path": str(truncated), "model": BASE})
    assert r.status_code == 400
    err = error_of(r)
    assert err["param"] == "path" and err["code"] == "invalid_adapter"
    assert "truncated or corrupt" in err["message"]

    r = api.post("/v1/adapters", json={"id": "qwen", "path": str(FIXTURES / "qwen-r2-all-f16.gguf"), "model": BASE})
    assert r.status_code == 400
    err = error_of(r)
    assert err["param"] == "path"
    assert err["message"] == "the adapter is for architecture 'qwen2' but the model is 'llama'"

    peft = tmp_path / "peft"
    shutil.copytree(FIXTURES / "smollm2-r8-qkvo-peft", peft)
    (peft / "adapter_config.json").write_text("{not json")
    r = api.post("/v1/adapters", json={"id": "badpeft", "path": str(peft), "model": BASE})
    assert r.status_code == 400 and error_of(r)["param"] == "path"

    r = api.post("/v1/adapters", json={"id": "x", "path": str(FIXTURES / "smollm2-r8-qkvo.gguf"), "model": "nope"})
    assert r.status_code == 404 and error_of(r)["code"] == "model_not_found"
    r = api.post("/v1/adapters", json={"id": "qkvo", "path": str(FIXTURES / "smollm2-r8-qkvo.gguf"), "model": BASE})
    assert r.status_code == 409 and error_of(r)["code"] == "adapter_exists"
    assert metric(adapter_server, "groupqwen_adapter_load_failures_total", model=BASE) == before + 3
    assert [a["id"] for a in api.get("/v1/adapters").json()["data"]] == ["qkvo", "qkvo-half"]


def test_cached_answers_never_cross_adapters(sdk, api, tmp_path):
    r = api.post("/v1/adapters", json={"id": "other", "path": str(random_adapter(tmp_path, 21)), "model": BASE})
    assert r.status_code == 200, r.text
    try:
        question = [{"role": "user", "content": f"Describe a lighthouse keeper's morning ({uuid.uuid4().hex[:6]})."}]

        def cache_of(model, **kw):
            r = ask(sdk, model, messages=question, **kw)
            return r.headers["x-groupqwen-cache"], r.parse()

        state, first = cache_of(f"{BASE}:qkvo")
        assert state == "miss"
        for _ in range(100):   # the answer is stored in the background
            state, again = cache_of(f"{BASE}:qkvo")
            if state == "hit":
                break
        assert state == "hit" and again.choices[0].message.content == first.choices[0].message.content
        assert again.model == f"{BASE}:qkvo"
        for model, kw in [(f"{BASE}:other", {}), (BASE, {}), (f"{BASE}:qkvo-half", {}),
                          (BASE, {"extra_body": {"adapters": [{"id": "qkvo", "scale": 0.25}]}})]:
            state, reply = cache_of(model, **kw)
            assert state == "miss", (model, kw)
            assert reply.model_extra["groupqwen"]["cache"]["hit"] is False
    finally:
        api.delete(f"/v1/adapters/{BASE}:other")


def test_completions_are_labelled_by_adapter(sdk, adapter_server):
    labels = dict(endpoint="chat", model=BASE, tier="0", status="ok")
    before = {a: metric(adapter_server, "groupqwen_completions_total", adapter=a, **labels) for a in ("qkvo", "none")}
    ask(sdk, f"{BASE}:qkvo", max_tokens=2, extra_body={"cache": False})
    ask(sdk, BASE, max_tokens=2, extra_body={"cache": False})
    for a in ("qkvo", "none"):
        assert metric(adapter_server, "groupqwen_completions_total", adapter=a, **labels) == before[a] + 1
    assert metric(adapter_server, "groupqwen_adapters_loaded", model=BASE) == 2


def test_a_bad_configured_adapter_stops_the_server(tmp_path):
    truncated = tmp_path / "truncated.gguf"
    data = (FIXTURES / "smollm2-r8-qkvo.gguf").read_bytes()
    truncated.write_bytes(data[:4096])
    config = tmp_path / "bad.yaml"
    config.write_text(f"models:\n  - id: {BASE}\n    adapters:\n      - id: broken\n        path: truncated.gguf\n")
    result = subprocess.run([BINARY, "serve", "--config", str(config), "--port", "0"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "models[0].adapters[0]" in errors[0] and "'broken'" in errors[0] and "truncated or corrupt" in errors[0]
    assert str(truncated) in errors[0]   # relative to the configuration file


def metric(base, name, **labels):
    text = httpx.get(base + "/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0
