"""The server as the official `openai` package sees it: shapes, streaming order, usage, stops,
logprobs, JSON mode and every error status."""
import json
import threading

import httpx
import openai
import pytest

CHAT = [{"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"}]


def test_models_lists_configured_ids(client):
    ids = [m.id for m in client.models.list().data]
    assert ids == ["smollm2", "smollm2-tight", "minilm-l6-v2"]


def test_chat_completion_shape_and_usage(client):
    r = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=24, temperature=0)
    assert r.object == "chat.completion"
    assert r.id.startswith("chatcmpl-")
    assert r.model == "smollm2"
    assert len(r.choices) == 1
    choice = r.choices[0]
    assert choice.message.role == "assistant"
    assert "Paris" in choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert r.usage.prompt_tokens > 10
    assert 0 < r.usage.completion_tokens <= 24
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens


def test_greedy_is_deterministic_and_max_tokens_gives_length(client):
    a = client.chat.completions.create(model="smollm2", messages=CHAT, max_completion_tokens=5, temperature=0)
    b = client.chat.completions.create(model="smollm2", messages=CHAT, max_completion_tokens=5, temperature=0)
    assert a.choices[0].message.content == b.choices[0].message.content
    assert a.choices[0].finish_reason == "length"
    assert a.usage.completion_tokens == 5


def test_streaming_chunks_order_usage_and_done(client):
    stream = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=24, temperature=0,
                                            stream=True, stream_options={"include_usage": True})
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == [] and usage_chunk.usage.completion_tokens > 0
    assert chunks.index(finals[0]) == len(chunks) - 2
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    whole = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=24, temperature=0)
    assert text == whole.choices[0].message.content
    assert usage_chunk.usage.completion_tokens == whole.usage.completion_tokens


def test_stream_ends_with_done_line(http):
    body = {"model": "smollm2", "messages": CHAT, "max_tokens": 4, "stream": True}
    with http.stream("POST", "/v1/chat/completions", json=body) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]"
    assert all(line.startswith("data: ") for line in lines)


def test_stop_sequence_cuts_before_it(client):
    r = client.completions.create(model="smollm2", prompt="The capital of France is", max_tokens=24,
                                  temperature=0, stop=["\n"])
    assert r.object == "text_completion"
    assert r.choices[0].text == " Paris."
    assert r.choices[0].finish_reason == "stop"
    r2 = client.completions.create(model="smollm2", prompt="The capital of France is", max_tokens=24,
                                   temperature=0, stop=["Paris"])
    assert r2.choices[0].text == " "


def test_streamed_completion_matches_whole(client):
    whole = client.completions.create(model="smollm2", prompt="Once upon a time", max_tokens=16, temperature=0)
    parts = client.completions.create(model="smollm2", prompt="Once upon a time", max_tokens=16, temperature=0,
                                      stream=True)
    assert "".join(c.choices[0].text for c in parts if c.choices) == whole.choices[0].text


def test_logprobs_shape(client):
    r = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=6, temperature=0,
                                       logprobs=True, top_logprobs=3)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens
    for entry in content:
        assert entry.logprob <= 0
        assert len(entry.top_logprobs) == 3
        # Greedy: the chosen token is the most likely one.
        assert entry.top_logprobs[0].logprob == pytest.approx(entry.logprob, abs=1e-4)
        assert entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob >= entry.top_logprobs[2].logprob


def test_json_object_response_parses(client):
    r = client.chat.completions.create(
        model="smollm2", max_tokens=200, temperature=0, response_format={"type": "json_object"},
        messages=[{"role": "user", "content": "Give the name and age of a person as JSON."}])
    json.loads(r.choices[0].message.content)


def test_n_gives_that_many_choices(client):
    r = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=8, temperature=0.9, seed=7, n=3)
    assert [c.index for c in r.choices] == [0, 1, 2]
    assert all(c.message.content for c in r.choices)
    assert 3 <= r.usage.completion_tokens <= 24


def test_content_parts_and_tool_role_are_accepted(client):
    r = client.chat.completions.create(model="smollm2", max_tokens=4, temperature=0, messages=[
        {"role": "user", "content": [{"type": "text", "text": "What is the capital"}, {"type": "text", "text": " of France?"}]},
    ])
    assert r.choices[0].message.content


def test_seed_makes_sampling_repeatable(client):
    kw = dict(model="smollm2", messages=CHAT, max_tokens=12, temperature=1.0, seed=1234)
    assert client.chat.completions.create(**kw).choices[0].message.content == \
        client.chat.completions.create(**kw).choices[0].message.content


# Errors: status and OpenAI's shape {"error": {"message", "type", "param", "code"}}.

def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert isinstance(err["message"], str) and err["message"]
    assert {"message", "type", "param", "code"} <= set(err)
    return err


def test_unknown_model_is_404(client, http):
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=CHAT)
    err = error_of(http.post("/v1/chat/completions", json={"model": "nope", "messages": CHAT}))
    assert err["code"] == "model_not_found"


def test_malformed_json_is_400(http):
    r = http.post("/v1/chat/completions", content=b'{"model": "smollm2", "messages": [', headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert error_of(r)["type"] == "invalid_request_error"


def test_oversized_body_is_413(http):
    big = {"model": "smollm2", "messages": [{"role": "user", "content": "x" * 200_000}]}
    r = http.post("/v1/chat/completions", json=big)
    assert r.status_code == 413
    error_of(r)


@pytest.mark.parametrize("field,value", [("temperature", 5), ("top_p", 0), ("n", 100), ("top_logprobs", 50),
                                         ("presence_penalty", 9), ("max_tokens", -1), ("messages", [])])
def test_invalid_parameter_names_it(client, field, value):
    kw = dict(model="smollm2", messages=CHAT, max_tokens=4)
    kw[field] = value
    if field == "top_logprobs":
        kw["logprobs"] = True
    with pytest.raises((openai.BadRequestError, openai.UnprocessableEntityError)) as e:
        client.chat.completions.create(**kw)
    assert e.value.status_code in (400, 422)
    assert e.value.body["param"] == field


def test_context_overflow_is_400(client):
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="smollm2-tight", max_tokens=4,
                                       messages=[{"role": "user", "content": "word " * 3000}])
    assert e.value.code == "context_length_exceeded"


def test_unknown_route_and_wrong_method(http):
    r = http.get("/v1/nothing-here")
    assert r.status_code == 404
    error_of(r)
    r = http.get("/v1/chat/completions")
    assert r.status_code in (404, 405)


def test_over_capacity_is_429_with_retry_after(server, http):
    started = threading.Event()
    done = threading.Event()

    def long_stream():
        body = {"model": "smollm2-tight", "messages": CHAT, "max_tokens": 400, "stream": True,
                "temperature": 0.8, "seed": 1}
        with httpx.Client(base_url=server, timeout=120) as c, c.stream("POST", "/v1/chat/completions", json=body) as r:
            for _ in r.iter_lines():
                started.set()
                if done.is_set():
                    break
        started.set()

    t = threading.Thread(target=long_stream)
    t.start()
    assert started.wait(60)
    r = http.post("/v1/chat/completions", json={"model": "smollm2-tight", "messages": CHAT, "max_tokens": 4})
    done.set()
    t.join(60)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    error_of(r)


def test_health_and_model_detail(http):
    assert http.get("/health").status_code == 200
    m = http.get("/v1/models/smollm2").json()
    assert m["id"] == "smollm2" and m["object"] == "model"
    assert http.get("/v1/models/nope").status_code == 404


def test_ignore_eos_extension_generates_max_tokens(client):
    r = client.chat.completions.create(model="smollm2", messages=CHAT, max_tokens=40, temperature=0,
                                       extra_body={"ignore_eos": True})
    assert r.usage.completion_tokens == 40
    assert r.choices[0].finish_reason == "length"


def test_embeddings_with_the_openai_client(client):
    texts = ["What is the capital of France?", "Which city is France's capital?", "How do I bake sourdough bread?"]
    r = client.embeddings.create(model="minilm-l6-v2", input=texts)   # the client asks for base64
    assert r.model == "minilm-l6-v2" and len(r.data) == 3
    v = [d.embedding for d in r.data]
    assert all(len(x) == 384 for x in v)
    dot = lambda a, b: sum(p * q for p, q in zip(a, b))
    assert abs(dot(v[0], v[0]) - 1) < 1e-4
    assert dot(v[0], v[1]) > 0.8 > 0.3 > dot(v[0], v[2])
    assert r.usage.prompt_tokens == 31
    single = client.embeddings.create(model="minilm-l6-v2", input=texts[0], encoding_format="float")
    assert max(abs(p - q) for p, q in zip(single.data[0].embedding, v[0])) < 1e-5
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="minilm-l6-v2", input=[])
