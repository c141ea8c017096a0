#!/usr/bin/env python3
"""Server throughput benchmark: one streaming client, then N concurrent streaming clients, against a
real `groupqwen serve`; compares with the engine's own `groupqwen bench` generation speed.

    python3 Benchmarks/ServeBench/serve_bench.py [--model qwen2.5-coder-0.5b] [--clients 4] [--tokens 128]

Needs only the standard library. Prints a table and, with --json, one JSON object.

The semantic cache is off in the server it starts, and every request also says `X-GroupQwen-Cache: bypass`: the
prompts repeat across runs, and a cached answer would arrive as one chunk in no time instead of being generated.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROMPTS = [
    "Write a Python module that implements a binary search tree with insert, delete, search and traversal methods.",
    "Write a C function that parses an IPv4 address string and explain each step in detail.",
    "Implement quicksort, mergesort and heapsort in JavaScript with comments.",
    "Write a bash script that backs up a directory, rotates old backups and logs what it did.",
    "Explain how a hash map works and write one in Go with resizing.",
    "Write a SQL schema for a library system and example queries for common tasks.",
    "Implement a tokenizer for arithmetic expressions in Rust and describe its design.",
    "Write a Swift struct for a matrix with addition, multiplication and transpose.",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stream_one(base, model, prompt, max_tokens, out, index):
    """Streams one chat; records (send time, first-token time, last-token time, completion tokens)."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": max_tokens,
                       "temperature": 0, "stream": True, "stream_options": {"include_usage": True},
                       "ignore_eos": True}).encode()
    req = urllib.request.Request(base + "/v1/chat/completions", data=body,
                                 headers={"Content-Type": "application/json", "X-GroupQwen-Cache": "bypass"})
    sent = time.perf_counter()
    first = last = None
    tokens = 0
    with urllib.request.urlopen(req, timeout=600) as r:
        for raw in r:
            line = raw.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                now = time.perf_counter()
                first = first or now
                last = now
    if first is None or last <= first or tokens < 2:
        raise RuntimeError(f"stream {index} was not generated token by token ({tokens} tokens): is the cache off?")
    out[index] = (sent, first, last, tokens)


def run_clients(base, model, count, max_tokens, offset=0):
    out = [None] * count
    threads = [threading.Thread(target=stream_one, args=(base, model, PROMPTS[(offset + i) % len(PROMPTS)], max_tokens, out, i))
               for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3, help="repetitions; medians are reported")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--binary", default=str(ROOT / ".build" / "release" / "groupqwen"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    engine = json.loads(subprocess.run([args.binary, "bench", "-m", args.model, "--threads", str(args.threads), "--json"],
                                       check=True, capture_output=True, text=True).stdout)
    port = free_port()
    config = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    config.write(f"threads: {args.threads}\ncache: {{enabled: false}}\nmodels:\n  - id: {args.model}\n    source: {args.model}\n"
                 f"    max_concurrent: {max(args.clients, 1)}\n    preload: true\n")
    config.close()
    server = subprocess.Popen([args.binary, "serve", "--config", config.name, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if urllib.request.urlopen(base + "/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        run_clients(base, args.model, 1, 8)  # warm-up
        single, single_wall, aggregate = [], [], []
        for run in range(args.runs):
            sent, first, last, tokens = run_clients(base, args.model, 1, args.tokens, offset=run)[0]
            single.append((tokens - 1) / (last - first))
            single_wall.append(tokens / (last - sent))
            results = run_clients(base, args.model, args.clients, args.tokens, offset=run)
            start = min(r[0] for r in results)
            end = max(r[2] for r in results)
            aggregate.append(sum(r[3] for r in results) / (end - start))
    finally:
        server.terminate()
        server.wait(timeout=60)
        os.unlink(config.name)

    # Two rates per client count: the stream's inter-token rate (first to last token; compared with the
    # engine's tg128, which also leaves the prompt out) and the request rate (tokens over the wall time from
    # sending the request to its last token, prompt processing included). The N-client aggregate can only be
    # measured the second way, so it is compared with the single client's request rate.
    s, sw = statistics.median(single), statistics.median(single_wall)
    a, e = statistics.median(aggregate), engine["tg128_tps"]
    result = {"model": args.model, "clients": args.clients, "threads": args.threads, "tokens": args.tokens,
              "engine_tg128_tps": round(e, 1), "single_stream_tps": round(s, 1), "single_request_tps": round(sw, 1),
              "aggregate_tps": round(a, 1), "single_vs_engine": round(s / e, 3),
              "aggregate_vs_single": round(a / sw, 3), "aggregate_vs_single_stream": round(a / s, 3)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"model {args.model}, {args.threads} threads, {args.tokens} tokens per request, median of {args.runs}")
        print(f"  engine bench tg128          {e:8.1f} tok/s")
        print(f"  1 client, stream (1st→last)  {s:8.1f} tok/s   {s / e:.2f}× engine (goal ≥ 0.9×)")
        print(f"  1 client, request (send→last){sw:8.1f} tok/s")
        print(f"  {args.clients} clients, total (send→last){a:8.1f} tok/s   {a / sw:.2f}× one request (goal ≥ 2×); "
              f"{a / s:.2f}× one stream")


if __name__ == "__main__":
    sys.exit(main())
