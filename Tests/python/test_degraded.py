"""Degrade instead of failing (`routing.fallback`): a real remote `groupqwen serve` is the routed top tier; once it
is stopped mid-run, `model: auto` requests are answered by the lower local tier, marked degraded in the body, a header
and /metrics, and never stored in the semantic cache; a client that named the remote model gets the 503, and
`routing.fallback: none` turns the fallback off."""
import httpx
import pytest

from conftest import ROOT, start_server, stop_server

TINY = ROOT / "Tests" / "Fixtures" / "qwen3-tiny-random.gguf"


def gateway_config(path, remote_url, fallback):
    path.write_text(f"""
training: {{path: ":memory:"}}
cache: {{path: ":memory:"}}
routing:
  tier_thresholds: [0, 0]        # every request is routed to the top tier: the remote
  fallback: {fallback}
models:
  - {{id: local, source: {TINY}, tier: 0, preload: true}}
  - {{id: remote, url: {remote_url}/v1, remote_model: backend, tier: 1, attempts: 1}}
""")
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("degraded")
    backend_config = folder / "backend.yaml"
    backend_config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: backend, source: {TINY}, tier: 0, preload: true}}
""")
    backend, backend_url = start_server(backend_config, "python-tests-degraded-backend.log")
    gateway, base = start_server(gateway_config(folder / "gateway.yaml", backend_url, "lower"), "python-tests-degraded.log")
    strict, strict_base = start_server(gateway_config(folder / "strict.yaml", backend_url, "none"), "python-tests-degraded-none.log")
    yield {"backend": backend, "base": base, "strict": strict_base}
    for proc in (gateway, strict, backend):
        stop_server(proc)


def chat(base, content, **extra):
    return httpx.post(base + "/v1/chat/completions", timeout=120, json={
        "messages": [{"role": "user", "content": content}], "max_tokens": 4, "temperature": 0, **extra})


def test_the_lower_tier_answers_when_the_routed_remote_stops(setup):
    base = setup["base"]
    up = chat(base, "What is the capital of France?")
    assert up.status_code == 200, up.text
    assert up.headers["x-groupqwen-model"] == "remote" and "x-groupqwen-degraded" not in up.headers
    assert "degraded" not in up.json()["groupqwen"]

    stop_server(setup["backend"])   # the remote goes away mid-run

    down = chat(base, "Name a large river in Africa.")
    assert down.status_code == 200, down.text
    body = down.json()
    assert down.headers["x-groupqwen-model"] == "local" and down.headers["x-groupqwen-degraded"] == "true"
    assert body["model"] == "local" and body["groupqwen"]["degraded"] is True
    assert body["groupqwen"]["escalations"][0]["from"] == "remote"
    assert body["groupqwen"]["escalations"][0]["reason"] == "backend_error"
    assert body["choices"][0]["message"]["content"] is not None

    # Streams degrade the same way.
    with httpx.stream("POST", base + "/v1/chat/completions", timeout=120, json={
            "messages": [{"role": "user", "content": "Count to three."}], "max_tokens": 4, "stream": True}) as r:
        assert r.status_code == 200 and r.headers["x-groupqwen-degraded"] == "true"
        assert any(line.startswith("data: [DONE]") for line in r.iter_lines())

    # A degraded answer is not cached: the same question again is generated again (and still degraded).
    again = chat(base, "Name a large river in Africa.")
    assert again.headers["x-groupqwen-cache"] == "miss" and again.json()["groupqwen"]["degraded"] is True

    metrics = httpx.get(base + "/metrics", timeout=30).text
    counted = [line for line in metrics.splitlines() if line.startswith("groupqwen_degraded_requests_total")]
    assert counted and 'model="local"' in counted[0] and 'routed_tier="1"' in counted[0], counted
    assert sum(float(line.rsplit(" ", 1)[1]) for line in counted) >= 3


def test_a_named_model_does_not_fail_over(setup):
    r = chat(setup["base"], "Hello", model="remote")
    assert r.status_code == 503, r.text
    assert r.json()["error"]["code"] == "backend_unavailable"


def test_fallback_none_fails(setup):
    r = chat(setup["strict"], "Hello again")
    assert r.status_code == 503, r.text
