"""Prefix caching through the server (`prefix-cache-config.yaml`: on): a continued conversation reuses the keys and
values of the turn before, reports them as OpenAI's `usage.prompt_tokens_details.cached_tokens`, answers as without
the cache (up to near-ties, as batching), and `/metrics` counts the reused tokens."""
from pathlib import Path

import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server_process import start_server, stop_server


@pytest.fixture(scope="module")
def server():
    proc, base = start_server(Path(__file__).with_name("prefix-cache-config.yaml"), "python-prefix-cache-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c

SYSTEM = ("You are a patient tutor. Explain things simply, give one example, and finish with a short question "
          "that checks the student understood. Keep every answer under eighty words.")
TURNS = ["What is a prime number?", "Is 51 prime?", "And 53?"]


def conversation(client, model, turns):
    """Plays `turns` as a conversation, greedy, and returns each reply's content and usage."""
    messages = [{"role": "system", "content": SYSTEM}]
    replies = []
    for question in turns:
        messages.append({"role": "user", "content": question})
        r = client.chat.completions.create(model=model, messages=messages, max_tokens=40, temperature=0,
                                           logprobs=True, top_logprobs=2)
        messages.append({"role": "assistant", "content": r.choices[0].message.content})
        replies.append((r.choices[0].message.content, r.usage, r.choices[0].logprobs.content))
    return replies


def metric(http, name, **labels):
    for family in text_string_to_metric_families(http.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def test_a_continued_conversation_reuses_the_turn_before(client, http):
    before = metric(http, "groupqwen_prefix_cache_prompt_tokens", model="smollm2", kind="cached") or 0
    replies = conversation(client, "smollm2", TURNS)
    first_usage = replies[0][1]
    assert first_usage.prompt_tokens_details.cached_tokens == 0 or first_usage.prompt_tokens_details.cached_tokens < first_usage.prompt_tokens
    for (_, previous, _), (_, usage, _) in zip(replies, replies[1:]):
        # The earlier turns (system prompt, questions and answers) come from the cache; only the new turn is read.
        cached = usage.prompt_tokens_details.cached_tokens
        assert cached >= previous.prompt_tokens, (cached, previous.prompt_tokens)
        assert cached < usage.prompt_tokens
    after = metric(http, "groupqwen_prefix_cache_prompt_tokens", model="smollm2", kind="cached")
    assert after - before >= sum(u.prompt_tokens_details.cached_tokens for _, u, _ in replies)
    assert metric(http, "groupqwen_prefix_cache_bytes", model="smollm2") > 0


def test_answers_are_the_same_without_the_prefix_cache(client):
    # `smollm2-cold` is the same model on its own scheduler, which never saw this conversation: it reads the whole
    # prompt. Greedy answers follow each other token by token; where they part, the cold run's two best tokens must be
    # within 0.2 nats (the prefix is read in other passes, whose float rounding differs, as with batching), never a
    # real difference (wrong keys or values would part at once and by far).
    warm = conversation(client, "smollm2", TURNS)
    assert warm[-1][1].prompt_tokens_details.cached_tokens > 0
    messages = [{"role": "system", "content": SYSTEM}]
    for question, (answer, _, _) in zip(TURNS, warm[:-1]):
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    messages.append({"role": "user", "content": TURNS[-1]})
    cold = client.chat.completions.create(model="smollm2-cold", messages=messages, max_tokens=40, temperature=0,
                                          logprobs=True, top_logprobs=2)
    assert cold.usage.prompt_tokens_details.cached_tokens == 0
    assert cold.usage.prompt_tokens == warm[-1][1].prompt_tokens
    cold_steps, warm_steps = cold.choices[0].logprobs.content, warm[-1][2]
    for step, (c, w) in enumerate(zip(cold_steps, warm_steps)):
        if c.token != w.token:
            top = c.top_logprobs
            assert top[0].logprob - top[1].logprob < 0.2, f"parted at step {step}, not a near-tie: {c} vs {w}"
            break
