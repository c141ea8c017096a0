"""Structured output through a real server: `response_format` json_schema (strict) and json_object are enforced by
constrained decoding on every local model, so every answer parses and validates (checked with `jsonschema`),
while the same prompts without the constraint often do not (the constraint does the work)."""
import json
from pathlib import Path

import httpx
import jsonschema
import openai
import pytest

from conftest import start_server, stop_server

SCHEMAS = {
    "person": {"type": "object", "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 40},
                                                "age": {"type": "integer", "minimum": 0, "maximum": 130}},
               "required": ["name", "age"], "additionalProperties": False},
    "weather": {"type": "object", "properties": {"city": {"type": "string"},
                                                 "unit": {"enum": ["celsius", "fahrenheit"]},
                                                 "temperature": {"type": "number", "minimum": -90, "maximum": 60}},
                "required": ["city", "unit", "temperature"], "additionalProperties": False},
    "shopping": {"type": "object", "properties": {"items": {"type": "array", "minItems": 2, "maxItems": 4, "items": {
        "type": "object", "properties": {"name": {"type": "string", "maxLength": 30}, "qty": {"type": "integer", "minimum": 1, "maximum": 9}},
        "required": ["name", "qty"], "additionalProperties": False}}}, "required": ["items"], "additionalProperties": False},
    "review": {"type": "object", "properties": {"sentiment": {"enum": ["positive", "negative", "neutral"]},
                                                "score": {"type": "number", "minimum": 0, "maximum": 1},
                                                "keywords": {"type": "array", "items": {"type": "string"}, "maxItems": 3}},
               "required": ["sentiment", "score", "keywords"], "additionalProperties": False},
    "optional": {"type": "object", "properties": {"title": {"type": "string"}, "subtitle": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                                                  "pages": {"type": ["integer", "null"]}},
                 "required": ["title", "subtitle", "pages"], "additionalProperties": False},
    "nested": {"type": "object", "properties": {"user": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
                                                         "required": ["id", "email"], "additionalProperties": False},
                                                "roles": {"type": "array", "items": {"enum": ["admin", "editor", "viewer"]}, "minItems": 1}},
               "required": ["user", "roles"], "additionalProperties": False},
    "defs": {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                                 "required": ["x", "y"], "additionalProperties": False}},
             "type": "object", "properties": {"start": {"$ref": "#/$defs/point"}, "end": {"$ref": "#/$defs/point"}},
             "required": ["start", "end"], "additionalProperties": False},
    "flags": {"type": "object", "properties": {"enabled": {"type": "boolean"}, "level": {"const": "debug"}, "tags": {"type": "array", "items": {"type": "string", "maxLength": 10}}},
              "required": ["enabled", "level", "tags"], "additionalProperties": False},
    "event": {"type": "object", "properties": {"title": {"type": "string", "maxLength": 40}, "date": {"type": "string", "format": "date"},
                                               "id": {"type": "string", "format": "uuid"}, "organizer": {"type": "string", "format": "email"}},
              "required": ["title", "date", "id", "organizer"], "additionalProperties": False},
}
PROMPTS = {
    "person": "Describe a fictional person.",
    "weather": "What is the weather like in Oslo today?",
    "shopping": "I need ingredients for pancakes.",
    "review": "Review: the battery died after two days, very disappointing.",
    "optional": "Tell me about the book Moby-Dick.",
    "nested": "Create a user account for alice@example.com.",
    "defs": "Give me a line segment.",
    "flags": "Configure logging for a web service.",
    "event": "Schedule a team meeting on the first of March 2025, organised by Bob.",
}
MODELS = ["smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    config = tmp_path_factory.mktemp("structured") / "config.yaml"
    config.write_text("""
cache: {enabled: false}
training: {path: ":memory:"}
models:
  - {id: smollm2-135m, source: smollm2-135m, tier: 0, preload: true}
  - {id: qwen2.5-coder-0.5b, source: qwen2.5-coder-0.5b, tier: 1}
  - {id: qwen2.5-coder-1.5b, source: qwen2.5-coder-1.5b, tier: 2}
""")
    proc, url = start_server(config, "python-tests-structured.log")
    yield url
    stop_server(proc)


def ask(client, model, name, constrained):
    schema = SCHEMAS[name]
    messages = [{"role": "user", "content": f"{PROMPTS[name]}\nAnswer with JSON matching this schema: {json.dumps(schema)}"}]
    extra = {"response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}} if constrained else {}
    response = client.chat.completions.create(model=model, messages=messages, max_tokens=300, temperature=0, **extra)
    return response.choices[0]


def validates(text, schema):
    try:
        jsonschema.validate(json.loads(text), schema, format_checker=jsonschema.FormatChecker())
        return True
    except (ValueError, jsonschema.ValidationError):
        return False


@pytest.mark.parametrize("model", MODELS)
def test_strict_schemas_always_validate(base, model):
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=300)
    failures_without = 0
    for name, schema in SCHEMAS.items():
        choice = ask(client, model, name, constrained=True)
        assert choice.finish_reason == "stop", (name, choice.message.content)
        assert validates(choice.message.content, schema), (name, choice.message.content)
        if not validates(ask(client, model, name, constrained=False).message.content, schema):
            failures_without += 1
    # Without the constraint the same model misses the schema often: the constraint is what makes it hold.
    assert failures_without >= len(SCHEMAS) // 4, failures_without


def test_streamed_schema_and_json_object(base):
    client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=300)
    schema = SCHEMAS["weather"]
    stream = client.chat.completions.create(
        model="qwen2.5-coder-0.5b", messages=[{"role": "user", "content": PROMPTS["weather"]}], max_tokens=200, stream=True,
        response_format={"type": "json_schema", "json_schema": {"name": "weather", "schema": schema, "strict": True}})
    deltas = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert len([d for d in deltas if d]) > 3           # streamed token by token, not buffered into one delta
    jsonschema.validate(json.loads("".join(deltas)), schema)
    for model in MODELS:
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Give the name and age of a fictional person."}],
                                           max_tokens=300, temperature=0, response_format={"type": "json_object"})
        assert r.choices[0].finish_reason == "stop", r.choices[0].message.content
        assert isinstance(json.loads(r.choices[0].message.content), dict), r.choices[0].message.content


def test_unsupported_keyword_is_named(base):
    schema = {"type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}
    r = httpx.post(base + "/v1/chat/completions", timeout=60, json={
        "model": "smollm2-135m", "messages": [{"role": "user", "content": "hi"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "z", "schema": schema, "strict": True}}})
    assert r.status_code == 400
    error = r.json()["error"]
    assert "'pattern'" in error["message"] and "/properties/zip" in error["message"]
    assert error["param"] == "response_format.json_schema.schema"
    # Not strict: the schema is only shown to the model, and the answer is still a JSON object.
    r = httpx.post(base + "/v1/chat/completions", timeout=120, json={
        "model": "smollm2-135m", "messages": [{"role": "user", "content": "Give me a zip code."}], "max_tokens": 60,
        "response_format": {"type": "json_schema", "json_schema": {"name": "z", "schema": schema}}})
    assert r.status_code == 200
    assert isinstance(json.loads(r.json()["choices"][0]["message"]["content"]), dict)
