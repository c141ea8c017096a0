"""Tool calling through a real server with the official `openai` SDK and LangChain: the two-step tool loop
(call → tool result → final answer), streamed and not; `tool_choice` required, named and none; routing only to
tool-capable models; no semantic-cache answers for requests with tools; the 400s for bad tool fields. Calls are
held to their parameter schemas by constrained decoding, so every returned call validates (`jsonschema`)."""
import json

import httpx
import jsonschema
import openai
import pytest

from conftest import start_server, stop_server

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                   "required": ["city"], "additionalProperties": False}}}
SEARCH = {"type": "function", "function": {
    "name": "search_web", "description": "Search the web for recent news",
    "parameters": {"type": "object", "properties": {"query": {"type": "string", "maxLength": 80}, "max_results": {"type": "integer", "minimum": 1, "maximum": 10}},
                   "required": ["query"], "additionalProperties": False}}}
TOOLS = [WEATHER, SEARCH]
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    config = tmp_path_factory.mktemp("tools") / "config.yaml"
    config.write_text("""
training: {path: ":memory:"}
models:
  - {id: smollm2-135m, source: smollm2-135m, tier: 0, preload: true}
  - {id: qwen2.5-coder-0.5b, source: qwen2.5-coder-0.5b, tier: 1}
  - {id: qwen2.5-coder-1.5b, source: qwen2.5-coder-1.5b, tier: 2}
  - {id: smollm2-tools, source: smollm2-135m, tier: 3, capabilities: [chat, completion, tools]}
""")
    proc, url = start_server(config, "python-tests-tools.log")
    yield url
    stop_server(proc)


@pytest.fixture(scope="module")
def client(base):
    return openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=300)


def check_call(call, name=None):
    assert call.type == "function" and call.id.startswith("call_")
    assert name is None or call.function.name == name, call
    jsonschema.validate(json.loads(call.function.arguments), SCHEMAS[call.function.name])


def run_tool(call):
    args = json.loads(call.function.arguments)
    if call.function.name == "get_weather":
        return json.dumps({"city": args["city"], "temperature_celsius": 18, "sky": "cloudy"})
    return json.dumps({"results": ["No news today."]})


def test_two_step_tool_loop(client):
    messages = [{"role": "user", "content": "What's the weather like in Paris right now?"}]
    first = client.chat.completions.create(model="qwen2.5-coder-1.5b", messages=messages, tools=TOOLS, temperature=0)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls", choice.message
    assert len(choice.message.tool_calls) >= 1 and choice.message.content is None
    call = choice.message.tool_calls[0]
    check_call(call, "get_weather")
    assert "paris" in json.loads(call.function.arguments)["city"].lower()
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": run_tool(call)})
    final = client.chat.completions.create(model="qwen2.5-coder-1.5b", messages=messages, tools=TOOLS, temperature=0)
    assert final.choices[0].finish_reason == "stop"
    assert not final.choices[0].message.tool_calls
    assert "18" in final.choices[0].message.content, final.choices[0].message.content


def test_two_step_tool_loop_streamed(client):
    messages = [{"role": "user", "content": "What's the weather like in Oslo right now?"}]
    calls, finish = {}, None
    for chunk in client.chat.completions.create(model="qwen2.5-coder-1.5b", messages=messages, tools=TOOLS, temperature=0, stream=True):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        for piece in delta.tool_calls or []:           # assembled by index, as agents do
            entry = calls.setdefault(piece.index, {"id": None, "name": "", "arguments": ""})
            entry["id"] = piece.id or entry["id"]
            entry["name"] += piece.function.name or ""
            entry["arguments"] += piece.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls" and len(calls) >= 1
    call = calls[0]
    assert call["name"] == "get_weather" and call["id"].startswith("call_")
    jsonschema.validate(json.loads(call["arguments"]), SCHEMAS["get_weather"])
    messages.append({"role": "assistant", "content": None, "tool_calls": [
        {"id": call["id"], "type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}]})
    messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"temperature_celsius": 3, "sky": "snow"})})
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model="qwen2.5-coder-1.5b", messages=messages, tools=TOOLS, temperature=0, stream=True) if c.choices)
    assert "3" in text, text


@pytest.mark.parametrize("model", ["qwen2.5-coder-0.5b", "smollm2-tools"])
def test_required_and_named_calls_validate(client, model):
    # smollm2-tools has no tool template: it gets the fallback prompt, and the constraint still makes calls valid.
    for prompt in ["Tell me a joke.", "What's new in Berlin?", "Weather for Rome in fahrenheit please"]:
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}], tools=TOOLS,
                                           tool_choice="required", temperature=0)
        assert r.choices[0].finish_reason == "tool_calls"
        check_call(r.choices[0].message.tool_calls[0])
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}], tools=TOOLS,
                                           tool_choice={"type": "function", "function": {"name": "search_web"}}, temperature=0)
        assert len(r.choices[0].message.tool_calls) == 1
        check_call(r.choices[0].message.tool_calls[0], "search_web")


def test_tool_choice_none_answers_in_text(client):
    r = client.chat.completions.create(model="qwen2.5-coder-0.5b", messages=[{"role": "user", "content": "What's the weather in Paris?"}],
                                       tools=TOOLS, tool_choice="none", temperature=0, max_tokens=40)
    assert not r.choices[0].message.tool_calls and r.choices[0].message.content


def test_auto_routes_tools_only_to_capable_models_and_never_to_the_cache(client):
    body = dict(model="auto", messages=[{"role": "user", "content": "Hi!"}], tools=TOOLS, temperature=0, max_tokens=30)
    for _ in range(2):
        raw = client.chat.completions.with_raw_response.create(**body)
        assert raw.headers["x-groupqwen-model"] != "smollm2-135m"     # SmolLM2 has no tools capability
        assert raw.headers["x-groupqwen-cache"] == "bypass"


def test_bad_tool_fields_are_400s(base, client):
    def post(**extra):
        return httpx.post(base + "/v1/chat/completions", timeout=60, json={
            "model": "qwen2.5-coder-0.5b", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5, **extra})
    cases = [
        ({"tools": [{"type": "retrieval"}]}, "tools[0].type"),
        ({"tools": [WEATHER, WEATHER]}, "tools[1].function.name"),
        ({"tools": [{"type": "function", "function": {"name": "has space"}}]}, "tools[0].function.name"),
        ({"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
        ({"tools": TOOLS, "tool_choice": "sometimes"}, "tool_choice"),
        ({"tools": [{"type": "function", "function": {"name": "zip", "strict": True, "parameters": {
            "type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}}}]}, "tools[0].function.parameters"),
    ]
    for extra, param in cases:
        r = post(**extra)
        assert r.status_code == 400, (extra, r.text)
        assert r.json()["error"]["param"] == param, r.json()
    # The same keyword without strict: the arguments are held to "any object" instead.
    assert post(tools=[{"type": "function", "function": {"name": "zip", "parameters": {
        "type": "object", "properties": {"zip": {"type": "string", "pattern": "^[0-9]{5}$"}}}}}]).status_code == 200
    # A model without the tools capability, named with tools, is refused.
    with pytest.raises(openai.BadRequestError, match="tools"):
        client.chat.completions.create(model="smollm2-135m", messages=[{"role": "user", "content": "hi"}], tools=TOOLS)


def test_langchain_bind_tools(base):
    from langchain_core.messages import ToolMessage
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool
    def get_weather(city: str) -> str:
        """Get the current weather in a city."""
        return json.dumps({"city": city, "temperature_celsius": 21, "sky": "sunny"})

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    llm = ChatOpenAI(base_url=base + "/v1", api_key="unused", model="qwen2.5-coder-1.5b", temperature=0, max_retries=0, timeout=300)
    bound = llm.bind_tools([get_weather, add])
    question = ("human", "What is the weather in Madrid?")
    reply = bound.invoke([question])
    assert reply.tool_calls and reply.tool_calls[0]["name"] == "get_weather", reply
    assert "madrid" in reply.tool_calls[0]["args"]["city"].lower()
    result = get_weather.invoke(reply.tool_calls[0]["args"])
    final = bound.invoke([question, reply, ToolMessage(content=result, tool_call_id=reply.tool_calls[0]["id"])])
    assert not final.tool_calls and "21" in final.content, final
    forced = llm.bind_tools([get_weather, add], tool_choice="add").invoke("What is 40 plus 2?")
    assert forced.tool_calls[0]["name"] == "add" and set(forced.tool_calls[0]["args"]) == {"a", "b"}
