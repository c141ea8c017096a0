"""Routing with the default configuration, through a real `groupqwen serve` and the official `openai` SDK: every
prompt of the shipped graded set (Benchmarks/RoutingBench) goes to `model: "auto"`; no answer may carry chat-template
tokens, and none may come from a model that cannot chat. A base model is kept to /v1/completions.
"""
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from conftest import ROOT, start_server, stop_server

SET = ROOT / "Benchmarks" / "RoutingBench" / "routing-set.jsonl"
TEMPLATE_TOKENS = ["<|im_start|>", "<|im_end|>", "<start_of_turn>", "<end_of_turn>", "<|endoftext|>"]
CHAT_TIERS = {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
# The strategy calibration chose for the shipped defaults.
SHIPPED = yaml.safe_load((ROOT / "Benchmarks" / "RoutingBench" / "results" / "routing.yaml").read_text())["routing"]


@pytest.fixture(scope="module")
def default_server():
    proc, base = start_server(Path(__file__).with_name("default-config.yaml"), "python-tests-default.log")
    yield base
    stop_server(proc)


def test_default_routing_answers_the_shipped_set_without_template_tokens(default_server):
    prompts = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    assert len(prompts) >= 300
    client = openai.OpenAI(base_url=default_server + "/v1", api_key="unused", max_retries=0, timeout=600)

    def ask(prompt):
        raw = client.chat.completions.with_raw_response.create(
            model="auto", messages=prompt["messages"], max_tokens=prompt["max_tokens"], temperature=0)
        completion = raw.parse()
        return prompt["id"], completion.choices[0].message.content or "", completion.model_extra["groupqwen"]

    started = time.time()
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(ask, prompts))
    leaks = [(pid, tok, routing["model"]) for pid, text, routing in results for tok in TEMPLATE_TOKENS if tok in text]
    assert leaks == [], leaks
    models = {}
    for _, _, routing in results:
        assert routing["model"] in CHAT_TIERS, routing
        assert routing["strategy"] == SHIPPED["strategy"], routing
        if SHIPPED["strategy"] == "learned":
            assert set(routing["predicted_quality"]) == CHAT_TIERS
        models[routing["model"]] = models.get(routing["model"], 0) + 1
    assert len(models) >= 2, models   # the router uses more than one tier on a mixed set
    print(f"\n{len(prompts)} prompts in {time.time() - started:.0f} s; answered by {models}")


def test_a_base_model_completes_but_does_not_chat(default_server):
    with httpx.Client(base_url=default_server, timeout=120) as http:
        listing = {m["id"]: m for m in http.get("/v1/models").json()["data"]}
        assert listing["gemma3-270m"]["capabilities"] == ["completion"]
        assert listing["qwen2.5-coder-1.5b"]["capabilities"] == ["chat", "completion", "tools", "translation"]
        assert listing["smollm2-135m"]["capabilities"] == ["chat", "completion"]   # English-only: no translation
        chat = http.post("/v1/chat/completions", json={"model": "gemma3-270m", "max_tokens": 8,
                                                        "messages": [{"role": "user", "content": "Hi!"}]})
        assert chat.status_code == 400, chat.text
        error = chat.json()["error"]
        assert error["param"] == "model" and "chat" in error["message"] and "/v1/completions" in error["message"]
        completion = http.post("/v1/completions", json={"model": "gemma3-270m", "prompt": "The capital of France is",
                                                         "max_tokens": 4, "temperature": 0})
        assert completion.status_code == 200, completion.text
        assert completion.json()["choices"][0]["text"].strip()
