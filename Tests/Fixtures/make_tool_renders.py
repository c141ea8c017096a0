"""Renders tool conversations with Qwen2.5-Coder's chat template the way transformers does (jinja2 with
trim_blocks/lstrip_blocks, tojson = json.dumps(ensure_ascii=False), tool-call arguments as objects), for
ChatTemplateToolTests. Run: python make_tool_renders.py > templates/qwen2.5-tool-renders.json (needs jinja2)."""
import json, pathlib, jinja2

here = pathlib.Path(__file__).parent
source = (here / "templates" / "qwen2.5-coder-0.5b-instruct-q4_k_m.jinja").read_text()
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
env.filters["tojson"] = lambda v: json.dumps(v, ensure_ascii=False)
template = env.from_string(source)

weather = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city, °C",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}
search = {"type": "function", "function": {"name": "search", "description": "Search the web",
          "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer"}}}}}
call = lambda i, name, args: {"id": i, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
cases = [
    {"tools": [weather], "messages": [{"role": "user", "content": "Weather in Paris?"}]},
    {"tools": [weather, search], "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris and Oslo, then news?"},
        {"role": "assistant", "content": "", "tool_calls": [call("c1", "get_weather", {"city": "Paris"}), call("c2", "get_weather", {"city": "Oslo", "unit": "celsius"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "{\"t\": 18}"},
        {"role": "tool", "tool_call_id": "c2", "content": "{\"t\": 3}"},
        {"role": "assistant", "content": "Paris 18, Oslo 3.", "tool_calls": [call("c3", "search", {"query": "news \"today\"", "limit": 2})]},
        {"role": "tool", "tool_call_id": "c3", "content": "nothing"}]},
    {"tools": None, "messages": [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "", "tool_calls": [call("c1", "search", {"query": "hi"})]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"}]},
]
out = []
for case in cases:
    # transformers passes arguments through; templates expect objects, so parse them as llama.cpp does.
    messages = json.loads(json.dumps(case["messages"]))
    for m in messages:
        for c in m.get("tool_calls", []):
            c["function"]["arguments"] = json.loads(c["function"]["arguments"])
    prompt = template.render(messages=messages, tools=case["tools"], add_generation_prompt=True)
    out.append({**case, "prompt": prompt})
print(json.dumps(out, ensure_ascii=False, indent=1))
