#!/usr/bin/env python3
"""Soak test: mixed traffic against a real `groupqwen serve` for a given time, checking that it holds.

    python Tests/soak/soak.py --seconds 3600 [--clients 4] [--json FILE]

Traffic, from `--clients` threads picking at random: chats (fresh prompts, non-streamed and streamed), repeated
prompts (semantic-cache hits), embeddings, bad requests (malformed JSON, unknown model, over the body limit, a bad
parameter) and client disconnects (a stream dropped after its first chunk, a non-streamed request abandoned).

Checks (exit 1 when one fails): no good request fails; after warm-up (the first 20 % of the run, at least 30 s)
the server's RSS grows less than 5 % and its open file descriptors do not grow (a slack of 4); the p99 latency of
each kind in the last third of the run is within 2× (+ 0.25 s) of the first third's. Prints a table per window.
"""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
WORDS = ("river mountain lantern copper orchard violin harbor meadow falcon pepper glacier candle ribbon "
         "compass thistle marble saddle walnut beacon quartz").split()
REPEATED = ["What is the capital of France?", "Name a primary colour.", "How many legs does a spider have?"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Soak:
    def __init__(self, base, pid, seconds, clients, seed):
        self.base, self.pid, self.seconds, self.clients = base, pid, seconds, clients
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.samples = []          # (t, kind, seconds, ok)
        self.failures = []         # (t, kind, detail)
        self.resources = []        # (t, rss KiB, fds)
        self.start = 0.0

    def record(self, kind, started, ok, detail=""):
        with self.lock:
            t = time.monotonic() - self.start
            self.samples.append((t, kind, time.monotonic() - started, ok))
            if not ok:
                self.failures.append((round(t, 1), kind, detail[:300]))

    def prompt(self, rng):
        return "Write one sentence about " + " and ".join(rng.sample(WORDS, 3)) + "."

    def chat(self, client, rng, stream=False, text=None, max_tokens=24):
        body = {"model": "smollm2-135m", "messages": [{"role": "user", "content": text or self.prompt(rng)}],
                "max_tokens": max_tokens, "temperature": 0.7, "seed": rng.randrange(1 << 30)}
        if text:   # a repeated question, asked the same way: answered from the semantic cache after its first time
            body.update(temperature=0, seed=1)
        started = time.monotonic()
        kind = "stream" if stream else ("cached" if text else "chat")
        try:
            if stream:
                body["stream"] = True
                done = False
                with client.stream("POST", "/v1/chat/completions", json=body) as r:
                    if r.status_code != 200:
                        return self.record(kind, started, False, f"{r.status_code} {r.read()[:200]!r}")
                    for line in r.iter_lines():
                        if line == "data: [DONE]":
                            done = True
                        elif line.startswith("data: ") and '"error"' in line:
                            return self.record(kind, started, False, line)
                self.record(kind, started, done, "" if done else "stream ended without [DONE]")
            else:
                r = client.post("/v1/chat/completions", json=body)
                ok = r.status_code == 200 and r.json()["choices"][0]["message"]["content"] is not None
                self.record(kind, started, ok, "" if ok else f"{r.status_code} {r.text[:200]}")
        except httpx.HTTPError as e:
            self.record(kind, started, False, repr(e))

    def embed(self, client, rng):
        started = time.monotonic()
        try:
            r = client.post("/v1/embeddings", json={"model": "minilm-l6-v2", "input": [self.prompt(rng), self.prompt(rng)]})
            ok = r.status_code == 200 and len(r.json()["data"]) == 2
            self.record("embed", started, ok, "" if ok else f"{r.status_code} {r.text[:200]}")
        except httpx.HTTPError as e:
            self.record("embed", started, False, repr(e))

    def bad(self, client, rng):
        cases = [
            (lambda: client.post("/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}), 400),
            (lambda: client.post("/v1/chat/completions", json={"model": "no-such-model", "messages": [{"role": "user", "content": "x"}]}), 404),
            (lambda: client.post("/v1/chat/completions", json={"model": "smollm2-135m", "messages": [{"role": "user", "content": "x" * 70000}]}), 413),
            (lambda: client.post("/v1/chat/completions", json={"model": "smollm2-135m", "temperature": 9, "messages": [{"role": "user", "content": "x"}]}), 400),
        ]
        send, expected = rng.choice(cases)
        started = time.monotonic()
        try:
            r = send()
            ok = r.status_code == expected and "error" in r.json()
            self.record("bad", started, ok, "" if ok else f"expected {expected}, got {r.status_code} {r.text[:200]}")
        except httpx.HTTPError as e:
            self.record("bad", started, False, repr(e))

    def disconnect(self, rng):
        """A client that leaves: a stream dropped after its first chunk, or a request abandoned after 0.2 s."""
        started = time.monotonic()
        body = {"model": "smollm2-135m", "messages": [{"role": "user", "content": self.prompt(rng)}], "max_tokens": 200}
        try:
            with httpx.Client(base_url=self.base, timeout=httpx.Timeout(60, read=0.2 if rng.random() < 0.5 else 60)) as c:
                try:
                    if rng.random() < 0.5:
                        with c.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as r:
                            for _ in r.iter_lines():
                                break
                    else:
                        c.post("/v1/chat/completions", json=body)
                except httpx.ReadTimeout:
                    pass   # the client gives up: that is the point
            self.record("disconnect", started, True)
        except httpx.HTTPError as e:
            self.record("disconnect", started, False, repr(e))

    def client_loop(self, index, stop):
        rng = random.Random(self.rng.random() + index)
        with httpx.Client(base_url=self.base, timeout=120) as client:
            while not stop.is_set():
                roll = rng.random()
                if roll < 0.30:
                    self.chat(client, rng)
                elif roll < 0.50:
                    self.chat(client, rng, stream=True)
                elif roll < 0.65:
                    self.chat(client, rng, text=rng.choice(REPEATED), max_tokens=16)
                elif roll < 0.80:
                    self.embed(client, rng)
                elif roll < 0.92:
                    self.bad(client, rng)
                else:
                    self.disconnect(rng)

    def run(self):
        self.start = time.monotonic()
        stop = threading.Event()
        threads = [threading.Thread(target=self.client_loop, args=(i, stop), daemon=True) for i in range(self.clients)]
        for t in threads:
            t.start()
        while time.monotonic() - self.start < self.seconds:
            self.resources.append((time.monotonic() - self.start, rss_kib(self.pid), open_fds(self.pid)))
            time.sleep(min(5.0, max(1.0, self.seconds / 60)))
        stop.set()
        for t in threads:
            t.join(180)
        time.sleep(1)   # let closed connections go
        self.resources.append((time.monotonic() - self.start, rss_kib(self.pid), open_fds(self.pid)))

    def report(self):
        warm = max(30.0, 0.2 * self.seconds)
        after = [r for r in self.resources if r[0] >= warm] or self.resources[-1:]
        rss0, fds0 = after[0][1], min(r[2] for r in after[:3])
        rss_growth = (self.resources[-1][1] - rss0) / rss0
        fd_growth = self.resources[-1][2] - fds0
        third = self.seconds / 3
        p99 = {}
        for kind in sorted({s[1] for s in self.samples}):
            def q(xs):
                return statistics.quantiles(xs, n=100)[98] if len(xs) >= 10 else (max(xs) if xs else 0.0)
            first = [s[2] for s in self.samples if s[1] == kind and s[3] and s[0] < third]
            last = [s[2] for s in self.samples if s[1] == kind and s[3] and s[0] >= 2 * third]
            p99[kind] = (len([s for s in self.samples if s[1] == kind]), q(first), q(last))
        latency_ok = all(last <= 2 * first + 0.25 for kind, (_, first, last) in p99.items() if kind != "disconnect")
        result = {
            "seconds": self.seconds, "clients": self.clients, "requests": len(self.samples),
            "failed": len(self.failures), "failures": self.failures[:20],
            "rss_mib": {"after_warmup": round(rss0 / 1024, 1), "end": round(self.resources[-1][1] / 1024, 1),
                        "growth_percent": round(100 * rss_growth, 2)},
            "fds": {"after_warmup": fds0, "end": self.resources[-1][2]},
            "rss_timeline_mib": [[round(t), round(r / 1024, 1), f] for t, r, f in self.resources],
            "p99_seconds": {k: {"requests": n, "first_third": round(a, 3), "last_third": round(b, 3)} for k, (n, a, b) in p99.items()},
        }
        result["passed"] = not self.failures and rss_growth < 0.05 and fd_growth <= 4 and latency_ok
        print(f"\nsoak: {self.seconds:.0f} s, {self.clients} clients, {len(self.samples)} requests, {len(self.failures)} failed")
        print("| kind | requests | p99 first third (s) | p99 last third (s) |\n|---|---:|---:|---:|")
        for k, (n, a, b) in p99.items():
            print(f"| {k} | {n} | {a:.3f} | {b:.3f} |")
        print(f"RSS after warm-up {rss0 / 1024:.1f} MiB → end {self.resources[-1][1] / 1024:.1f} MiB ({100 * rss_growth:+.2f} %); "
              f"fds {fds0} → {self.resources[-1][2]}; latency stable: {latency_ok}")
        for f in self.failures[:20]:
            print("failed:", f)
        print("PASSED" if result["passed"] else "FAILED")
        return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--binary", default=os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen")))
    args = parser.parse_args()
    port = free_port()
    (ROOT / ".build").mkdir(exist_ok=True)
    log = open(ROOT / ".build" / "soak-server.log", "w")
    proc = subprocess.Popen([args.binary, "serve", "--config", str(Path(__file__).with_name("soak-config.yaml")),
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300
        while True:
            if proc.poll() is not None:
                sys.exit(f"server exited with {proc.returncode}; see .build/soak-server.log")
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                sys.exit("server did not become healthy")
            time.sleep(0.2)
        soak = Soak(base, proc.pid, args.seconds, args.clients, args.seed)
        soak.run()
        result = soak.report()
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    sys.exit(0 if result["passed"] else 1)


if __name__ == "__main__":
    main()
