"""`GET /metrics` parses with the reference Prometheus text-format parser, and its counters move as
requests are made."""
import httpx
from prometheus_client.parser import text_string_to_metric_families


def scrape(base):
    r = httpx.get(base + "/metrics", timeout=10)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_counters_move(server):
    before = scrape(server)
    chat = {"model": "smollm2", "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 4, "temperature": 0}
    for _ in range(2):
        assert httpx.post(server + "/v1/chat/completions", json=chat, timeout=60).status_code == 200
    stream = dict(chat, stream=True)
    with httpx.stream("POST", server + "/v1/chat/completions", json=stream, timeout=60) as r:
        assert r.status_code == 200
        r.read()
    assert httpx.get(server + "/no/such/path", timeout=10).status_code == 404
    after = scrape(server)

    route = dict(route="/v1/chat/completions", method="POST", status="200")
    assert value(after, "groupqwen_http_requests_total", **route) - value(before, "groupqwen_http_requests_total", **route) == 3
    missing = dict(route="NotFound", method="GET", status="404")
    assert value(after, "groupqwen_http_requests_total", **missing) >= value(before, "groupqwen_http_requests_total", **missing) + 1
    done = dict(endpoint="chat", model="smollm2", tier="0", status="ok", adapter="none")
    assert value(after, "groupqwen_completions_total", **done) - value(before, "groupqwen_completions_total", **done) == 3
    assert value(after, "groupqwen_completion_tokens_total", model="smollm2") > value(before, "groupqwen_completion_tokens_total", model="smollm2")
    assert value(after, "groupqwen_prompt_tokens_total", model="smollm2") >= value(before, "groupqwen_prompt_tokens_total", model="smollm2") + 3 * 5
    assert value(after, "groupqwen_time_to_first_token_seconds_count", model="smollm2") >= 1
    assert value(after, "groupqwen_completion_duration_seconds_count", endpoint="chat", model="smollm2") >= 3
    assert value(after, "groupqwen_cache_lookups_total", result="bypass") >= 3
    assert value(after, "groupqwen_model_loaded", model="smollm2") == 1
    assert value(after, "groupqwen_model_up", model="smollm2") == 1
    assert (("groupqwen_queue_depth", (("model", "smollm2"),)) in after)
