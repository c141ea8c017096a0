"""Speculative decoding through the server (`speculative-config.yaml`): a model configured with `draft:` answers a
lone greedy request with the draft's help, gives the same answer as the model without a draft, and reports what the
draft proposed and the model kept in the `groupqwen` object (whole answers and the last chunk of a stream)."""
from pathlib import Path

import json

import httpx
import pytest

from server_process import start_server, stop_server

PROMPTS = ["Write a Python function that reverses a string.", "List the planets of the solar system, in order."]


@pytest.fixture(scope="module")
def server():
    proc, base = start_server(Path(__file__).with_name("speculative-config.yaml"), "python-speculative-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c


def chat(http, model, prompt, **extra):
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 48, "temperature": 0, **extra}
    r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_drafted_model_answers_as_without_its_draft_and_reports_the_proposals(http, prompt):
    plain = chat(http, "smollm2", prompt)
    drafted = chat(http, "smollm2-drafted", prompt)
    assert drafted["choices"][0]["message"]["content"] == plain["choices"][0]["message"]["content"]
    assert "speculative" not in plain["groupqwen"]
    spec = drafted["groupqwen"]["speculative"]
    assert spec["proposed"] > 0 and 0 <= spec["accepted"] <= spec["proposed"], spec
    # The same model drafting for itself: nearly every proposal is kept.
    assert spec["accepted"] >= 0.8 * spec["proposed"], spec
    assert drafted["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"]


def test_a_stream_reports_the_proposals_in_its_last_chunk(http):
    body = {"model": "smollm2-drafted", "messages": [{"role": "user", "content": PROMPTS[0]}], "max_tokens": 32,
            "temperature": 0, "stream": True}
    text, last = "", None
    with http.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for c in chunk["choices"]:
                text += c["delta"].get("content") or ""
            if "groupqwen" in chunk:
                last = chunk["groupqwen"]
    assert last is not None and last["speculative"]["proposed"] > 0, last
    assert text == chat(http, "smollm2", PROMPTS[0], max_tokens=32)["choices"][0]["message"]["content"]


def test_a_draft_with_another_vocabulary_fails_the_load_with_a_clear_error(tmp_path):
    # Checked when the model loads: the request naming it gets the loader's message.
    config = tmp_path / "bad-draft.yaml"
    config.write_text("host: 127.0.0.1\nport: 8080\ncache:\n  enabled: false\ntraining:\n  path: \":memory:\"\n"
                      "models:\n  - id: smollm2\n    source: smollm2-135m\n    draft: qwen2.5-coder-0.5b\n")
    proc, base = start_server(config, "python-speculative-bad-server.log")
    try:
        r = httpx.post(base + "/v1/chat/completions", timeout=120,
                       json={"model": "smollm2", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4})
        assert r.status_code >= 500 and "same tokenizer" in r.text, r.text
    finally:
        stop_server(proc)
