#!/usr/bin/env python3
"""Semantic-cache hits through a real `groupqwen serve` with N entries stored.

`groupqwen bench-cache --entries N --path FILE` fills a cache file (and prints the in-process numbers);
then a server is started on that file, one question is answered by SmolLM2 (a miss, stored), and its
paraphrase is asked --requests times. Printed: the server-side latency of the hits (`groupqwen.latency_ms`
of each response, request parsed to response built) p50/p99/max, the round trip seen by the client, and
the entry count the server loaded.

    python3 Benchmarks/ServeBench/cache_hit_bench.py [--entries 100000] [--requests 200]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "groupqwen"))
    parser.add_argument("--port", type=int, default=18187)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="groupqwen-cache-hit-"))
    cache = work / "cache.sqlite"
    subprocess.run([args.bin, "bench-cache", "--entries", str(args.entries), "--path", str(cache)], check=True)
    config = work / "serve.yaml"
    config.write_text(f"port: {args.port}\ncache:\n  path: {cache}\nmodels:\n  - id: smol\n    source: smollm2-135m\n    preload: true\n")
    server = subprocess.Popen([args.bin, "serve", "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        deadline = time.time() + 300
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                sys.exit("server did not start")
            time.sleep(0.2)

        client = httpx.Client(timeout=120)   # one keep-alive connection, as a real client

        def ask(question):
            start = time.perf_counter()
            r = client.post(base + "/v1/chat/completions", json={
                "model": "smol", "messages": [{"role": "user", "content": question}], "max_tokens": 16, "temperature": 0})
            r.raise_for_status()
            return r.headers["x-groupqwen-cache"], r.json()["groupqwen"]["latency_ms"], (time.perf_counter() - start) * 1000

        first = ask("What is the capital of France?")
        assert first[0] == "miss", first
        server_ms, client_ms = [], []
        for _ in range(args.requests):
            state, latency, round_trip = ask("Which city is France's capital?")
            assert state == "hit", state
            server_ms.append(latency)
            client_ms.append(round_trip)
        entries = httpx.get(base + "/v1/cache/stats").json()["entries"]
        server_ms.sort()
        client_ms.sort()
        p99 = lambda v: v[min(len(v) - 1, len(v) * 99 // 100)]
        print(f"server loaded {entries} entries; {len(server_ms)} hits")
        print(f"hit, server-side (groupqwen.latency_ms): p50 {statistics.median(server_ms):.0f} ms, p99 {p99(server_ms):.0f} ms, "
              f"max {server_ms[-1]:.0f} ms (goal < 10 ms)")
        print(f"hit, client round trip over loopback (keep-alive, Python httpx): p50 {statistics.median(client_ms):.1f} ms, p99 {p99(client_ms):.1f} ms")
    finally:
        server.terminate()
        server.wait(timeout=30)
        for f in work.iterdir():
            f.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
