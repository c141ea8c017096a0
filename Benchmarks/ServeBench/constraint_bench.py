"""Decode speed with and without constrained decoding, through a running `groupqwen serve` (cache off or bypassed).

Each prompt asks for JSON, so both runs write JSON-like text; the constrained run sends `response_format` (a schema or
json_object). Decode rate = (streamed tokens - 1) / (last token time - first token time), so prompt processing is
left out. Usage: python constraint_bench.py --base http://127.0.0.1:8080 --model qwen2.5-coder-0.5b [--rounds 3]
"""
import argparse
import json
import statistics
import time

import httpx

SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 130},
    "hobbies": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
    "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["city", "zip"], "additionalProperties": False}},
    "required": ["name", "age", "hobbies", "address"], "additionalProperties": False}
PROMPTS = ["Describe a fictional person as JSON with name, age, hobbies and address.",
           "Invent a customer record in JSON: name, age, hobbies, address with city and zip.",
           "Write JSON for a made-up musician: name, age, hobbies, address (city, zip)."]


def decode_rate(client, base, model, prompt, response_format):
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 160, "temperature": 0,
            "stream": True, "cache": False}
    if response_format:
        body["response_format"] = response_format
    times = []
    with client.stream("POST", base + "/v1/chat/completions", json=body, headers={"X-GroupQwen-Cache": "bypass"}) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("choices") and chunk["choices"][0]["delta"].get("content"):
                times.append(time.perf_counter())
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 2 else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    formats = {"free": None, "json_object": {"type": "json_object"},
               "json_schema": {"type": "json_schema", "json_schema": {"name": "person", "schema": SCHEMA, "strict": True}}}
    rates = {name: [] for name in formats}
    with httpx.Client(timeout=600) as client:
        decode_rate(client, args.base, args.model, PROMPTS[0], formats["json_schema"])   # warm-up (builds the token trie)
        for _ in range(args.rounds):
            for prompt in PROMPTS:
                for name, response_format in formats.items():
                    rates[name].append(decode_rate(client, args.base, args.model, prompt, response_format))
    free = statistics.median(rates["free"])
    print(f"model {args.model}: decode tokens/s, median of {len(rates['free'])} streams")
    for name, values in rates.items():
        m = statistics.median(values)
        print(f"  {name:12s} {m:7.1f}  ({m / free:.3f}x free)")


if __name__ == "__main__":
    main()
