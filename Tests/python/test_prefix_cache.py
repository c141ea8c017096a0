"""Prefix caching through the server: a continued conversation reuses the keys and values of the turn before,
reports them as OpenAI's `usage.prompt_tokens_details.cached_tokens`, answers exactly as without the cache, and
`/metrics` counts the reused tokens."""
from prometheus_client.parser import text_string_to_metric_families

SYSTEM = ("You are a patient tutor. Explain things simply, give one example, and finish with a short question "
          "that checks the student understood. Keep every answer under eighty words.")
TURNS = ["What is a prime number?", "Is 51 prime?", "And 53?"]


def conversation(client, model, turns):
    """Plays `turns` as a conversation, greedy, and returns each reply's content and usage."""
    messages = [{"role": "system", "content": SYSTEM}]
    replies = []
    for question in turns:
        messages.append({"role": "user", "content": question})
        r = client.chat.completions.create(model=model, messages=messages, max_tokens=40, temperature=0)
        messages.append({"role": "assistant", "content": r.choices[0].message.content})
        replies.append((r.choices[0].message.content, r.usage))
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
    for (_, previous), (_, usage) in zip(replies, replies[1:]):
        # The earlier turns (system prompt, questions and answers) come from the cache; only the new turn is read.
        cached = usage.prompt_tokens_details.cached_tokens
        assert cached >= previous.prompt_tokens, (cached, previous.prompt_tokens)
        assert cached < usage.prompt_tokens
    after = metric(http, "groupqwen_prefix_cache_prompt_tokens", model="smollm2", kind="cached")
    assert after - before >= sum(u.prompt_tokens_details.cached_tokens for _, u in replies)
    assert metric(http, "groupqwen_prefix_cache_bytes", model="smollm2") > 0


def test_answers_are_the_same_without_the_prefix_cache(client):
    # `smollm2-tight` is the same model with its own scheduler, which never saw this conversation: it reads the whole
    # prompt. Greedy answers must not depend on whether the earlier tokens were computed now or taken from the cache.
    warm = conversation(client, "smollm2", TURNS)
    assert warm[-1][1].prompt_tokens_details.cached_tokens > 0
    messages = [{"role": "system", "content": SYSTEM}]
    for question, (answer, _) in zip(TURNS, warm[:-1]):
        messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    messages.append({"role": "user", "content": TURNS[-1]})
    cold = client.chat.completions.create(model="smollm2-tight", messages=messages, max_tokens=40, temperature=0)
    assert cold.usage.prompt_tokens_details.cached_tokens == 0
    assert cold.usage.prompt_tokens == warm[-1][1].prompt_tokens
    assert cold.choices[0].message.content == warm[-1][0]
