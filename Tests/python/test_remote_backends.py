"""A second real `groupqwen serve` as a remote OpenAI-compatible backend: forced and routed requests
forwarded to it (whole and streamed), a dead backend skipped and taken out by the circuit breaker, and the
routing decision visible in headers, bodies, /v1/models and /metrics."""
import json
import time

import httpx
import pytest

from conftest import ROOT, free_port, start_server, stop_server

TINY = ROOT / "Tests" / "Fixtures" / "qwen3-tiny-random.gguf"


@pytest.fixture(scope="module")
def gateway(server, tmp_path_factory):
    dead_port = free_port()  # nothing listens there
    config = tmp_path_factory.mktemp("gateway") / "gateway.yaml"
    config.write_text(f"""
cache:
  enabled: false
models:
  - id: tiny                      # random weights: every answer has low confidence
    source: {TINY}
    tier: 0
  - id: dead
    url: http://127.0.0.1:{dead_port}/v1
    tier: 1
    attempts: 2
  - id: remote
    url: {server}/v1
    remote_model: smollm2
    tier: 2
""")
    proc, base = start_server(config, "python-tests-gateway.log")
    yield base
    stop_server(proc)


def chat(base, content="Say hello.", **extra):
    body = {"messages": [{"role": "user", "content": content}], "max_tokens": 6, "temperature": 0, **extra}
    r = httpx.post(base + "/v1/chat/completions", json=body, timeout=120)
    assert r.status_code == 200, r.text
    return r


def test_forced_remote_model_is_forwarded(gateway, server):
    r = chat(gateway, model="remote")
    body = r.json()
    assert r.headers["x-groupqwen-model"] == "remote" and r.headers["x-groupqwen-tier"] == "2"
    assert body["model"] == "remote" and body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"]
    assert body["usage"]["completion_tokens"] >= 1
    assert body["groupqwen"]["routed"] is False and body["groupqwen"]["escalations"] == []
    # The same request straight to the backend gives the same greedy text.
    direct = chat(server, model="smollm2").json()
    assert direct["choices"][0]["message"]["content"] == body["choices"][0]["message"]["content"]


def test_forced_remote_stream_passes_chunks_through(gateway):
    body = {"model": "remote", "messages": [{"role": "user", "content": "Count to three."}], "max_tokens": 8,
            "temperature": 0, "stream": True, "stream_options": {"include_usage": True}}
    with httpx.stream("POST", gateway + "/v1/chat/completions", json=body, timeout=120) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-groupqwen-model"] == "remote"
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["model"] == "remote" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text
    assert any(c.get("usage") for c in chunks)
    assert chunks[-1]["groupqwen"]["model"] == "remote"


def test_dead_backend_is_skipped_then_taken_out(gateway):
    # "auto": the tiny model answers first with low confidence, the dead tier-1 backend fails, the
    # remote tier-2 backend answers.
    first = chat(gateway).json()
    steps = first["groupqwen"]["escalations"]
    assert [(s["from"], s["to"], s["reason"]) for s in steps] == [
        ("tiny", "dead", "low_confidence"), ("dead", "remote", "backend_error")]
    assert first["model"] == "remote"
    for _ in range(3):
        chat(gateway)
    last = chat(gateway).json()
    assert "circuit open" in last["groupqwen"]["escalations"][1]["detail"]
    states = {m["id"]: m["state"] for m in httpx.get(gateway + "/v1/models").json()["data"]}
    assert states == {"tiny": "loaded", "dead": "remote_down", "remote": "remote", "minilm-l6-v2": "available"}
    metrics = httpx.get(gateway + "/metrics").text
    assert 'groupqwen_backend_up{model="dead"' in metrics and any(
        line.startswith('groupqwen_backend_up{model="dead"') and line.endswith(" 0.0") for line in metrics.splitlines())
    assert any(line.startswith('groupqwen_escalations_total{from="dead",to="remote",reason="backend_error"}')
               for line in metrics.splitlines())


def test_device_profile_keeps_requests_local(gateway):
    r = chat(gateway, device_profile="mobile")
    assert r.headers["x-groupqwen-model"] == "tiny"
    assert r.json()["groupqwen"]["profile"] == "mobile"


@pytest.fixture(scope="module")
def judging_gateway(gateway, server, tmp_path_factory):
    """Two remote tiers: `shaky` forwards to the random-weight model of the first gateway (every answer
    unsure), `steady` to SmolLM2 on the test server. Remote answers are judged like local ones."""
    config = tmp_path_factory.mktemp("judging") / "judging.yaml"
    config.write_text(f"""
cache:
  enabled: false
models:
  - id: shaky
    url: {gateway}/v1
    remote_model: tiny
    tier: 0
  - id: steady
    url: {server}/v1
    remote_model: smollm2
    tier: 1
""")
    proc, base = start_server(config, "python-tests-judging-gateway.log")
    yield base
    stop_server(proc)


def test_unsure_remote_answer_escalates(judging_gateway):
    r = chat(judging_gateway)
    body = r.json()
    steps = body["groupqwen"]["escalations"]
    assert [(s["from"], s["to"], s["reason"]) for s in steps] == [("shaky", "steady", "low_confidence")]
    assert steps[0]["confidence"] < 0.3
    assert body["model"] == "steady" and r.headers["x-groupqwen-model"] == "steady"
    # The judge asked the backend for log-probabilities; the client did not, so it gets none.
    assert body["choices"][0]["logprobs"] is None
    metrics = httpx.get(judging_gateway + "/metrics").text
    assert any(line.startswith('groupqwen_escalations_total{from="shaky",to="steady",reason="low_confidence"}')
               for line in metrics.splitlines())


def test_unsure_remote_stream_escalates_before_sending(judging_gateway):
    body = {"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 12, "temperature": 0, "stream": True}
    with httpx.stream("POST", judging_gateway + "/v1/chat/completions", json=body, timeout=120) as r:
        assert r.status_code == 200
        assert r.headers["x-groupqwen-model"] == "steady"
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["model"] == "steady" for c in chunks)
    assert all(choice.get("logprobs") is None for c in chunks for choice in c["choices"])
    steps = chunks[-1]["groupqwen"]["escalations"]
    assert [(s["from"], s["reason"]) for s in steps] == [("shaky", "low_confidence")]
    assert steps[0]["detail"].startswith("first ")
    # Nothing of the rejected answer reached the client: the text equals steady's own greedy answer.
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    direct = chat(judging_gateway, model="steady", max_tokens=12).json()
    assert text == direct["choices"][0]["message"]["content"]


def test_client_logprobs_survive_remote_judging(judging_gateway):
    body = chat(judging_gateway, logprobs=True, top_logprobs=2).json()
    assert body["model"] == "steady"
    content = body["choices"][0]["logprobs"]["content"]
    assert content and len(content[0]["top_logprobs"]) == 2
    assert 0 < body["groupqwen"]["escalations"][0]["confidence"] < 0.3


@pytest.fixture(scope="module")
def caching_gateway(server, tmp_path_factory):
    """A remote-only gateway with the semantic cache on (in memory)."""
    config = tmp_path_factory.mktemp("caching") / "caching.yaml"
    config.write_text(f"""
cache:
  path: ":memory:"
models:
  - id: remote
    url: {server}/v1
    remote_model: smollm2
""")
    proc, base = start_server(config, "python-tests-caching-gateway.log")
    yield base
    stop_server(proc)


def ask_until_hit(base, question, attempts=20):
    """The answer is stored just after the first response is sent: ask again until it is there."""
    for _ in range(attempts):
        r = chat(base, question, model="remote", max_tokens=12)
        if r.headers["x-groupqwen-cache"] == "hit":
            return r
        time.sleep(0.1)
    raise AssertionError(f"no cache hit for {question!r}")


def test_remote_answers_are_cached(caching_gateway):
    first = chat(caching_gateway, "What is the capital of France?", model="remote", max_tokens=12)
    assert first.headers["x-groupqwen-cache"] == "miss" and first.json()["groupqwen"]["cache"]["hit"] is False
    hit = ask_until_hit(caching_gateway, "Which city is France's capital?")
    body = hit.json()
    assert body["model"] == "remote" and hit.headers["x-groupqwen-model"] == "remote"
    assert body["groupqwen"]["cache"]["hit"] is True and body["groupqwen"]["cache"]["similarity"] >= 0.9
    assert body["choices"][0]["message"]["content"] == first.json()["choices"][0]["message"]["content"]


def test_streamed_remote_answers_are_cached(caching_gateway):
    body = {"model": "remote", "messages": [{"role": "user", "content": "How many legs does a spider have?"}],
            "max_tokens": 12, "temperature": 0, "stream": True}
    with httpx.stream("POST", caching_gateway + "/v1/chat/completions", json=body, timeout=120) as r:
        assert r.headers["x-groupqwen-cache"] == "miss"
        events = [line[6:] for line in r.iter_lines() if line.startswith("data: ")]
    chunks = [json.loads(e) for e in events[:-1]]
    streamed = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    hit = ask_until_hit(caching_gateway, "What is the number of legs on a spider?")
    assert hit.json()["choices"][0]["message"]["content"] == streamed
