#!/usr/bin/env python3
"""Regenerates a llama.cpp parity reference file (Tests/Fixtures/<gguf name>.json) for one GGUF model.

Usage:
    python3 make_reference.py LLAMA_BIN_DIR MODEL.gguf TEMPLATE.json OUTPUT.json [--port 8199] [--threads 2]

    LLAMA_BIN_DIR  directory holding llama.cpp's `llama-server` (the references use commit 0c1e570, CPU build)
    MODEL.gguf     the model to run
    TEMPLATE.json  an existing reference file whose inputs are reused verbatim: its `tokenize[].text`,
                   `greedy[].prompt` and `chat_template[].messages` (e.g. the same family's reference)
    OUTPUT.json    where to write the new reference

Standard library only. It starts `llama-server -m MODEL --jinja -t 2` on 127.0.0.1, asks it over HTTP, stops it,
and writes the same schema (and layout: indent 1, logprobs rounded to 6 decimals) as the other reference files
(documented in shared/reference/README.md):

- `tokenize[]`: POST /tokenize {content, add_special: false, parse_special: false} -> ids (no BOS/EOS,
  special tokens not parsed).
- `greedy[]`: `prompt_ids` from POST /tokenize with add_special: true (so BOS exactly when the GGUF's
  `tokenizer.ggml.add_bos_token` asks for it), then POST /completion with those ids, temperature 0, n_predict 24,
  n_probs 10, post_sampling_probs false (natural-log softmax over the full vocabulary of the raw logits,
  temperature 1), all penalties off, cache_prompt false. `steps[i] = {id, top: [[id, logprob] x 10]}`.
- `chat_template[]`: POST /apply-template {messages} -> the GGUF's own Jinja template rendered with
  add_generation_prompt = true (`--jinja`).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

N_PREDICT = 24
N_PROBS = 10


def post(base, path, body, timeout=600):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def wait_ready(base, proc, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("llama-server exited early (code %s)" % proc.returncode)
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    sys.exit("llama-server did not become ready")


def tokenize(base, text, add_special):
    return post(base, "/tokenize", {"content": text, "add_special": add_special, "parse_special": False})["tokens"]


def logprob_of(entry):
    """Natural-log probability of one candidate, whether the server reports logprob or prob."""
    if "logprob" in entry:
        return entry["logprob"]
    p = entry["prob"]
    return math.log(p) if p > 0 else -math.inf


def greedy(base, prompt):
    prompt_ids = tokenize(base, prompt, True)
    body = {
        "prompt": prompt_ids,
        "n_predict": N_PREDICT,
        "temperature": 0,
        "n_probs": N_PROBS,
        "post_sampling_probs": False,
        "cache_prompt": False,
        "stream": False,
        "repeat_penalty": 1.0,
        "repeat_last_n": 0,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "dry_multiplier": 0.0,
        "top_k": 0,
        "top_p": 1.0,
        "min_p": 0.0,
        "typical_p": 1.0,
        "seed": 0,
    }
    out = post(base, "/completion", body)
    steps = []
    for p in out["completion_probabilities"]:
        tops = p.get("top_logprobs", p.get("top_probs"))
        top = [[t["id"], round(logprob_of(t), 6)] for t in tops[:N_PROBS]]
        steps.append({"id": p["id"], "top": top})
    ids = [s["id"] for s in steps]
    return {"prompt": prompt, "prompt_ids": prompt_ids, "ids": ids, "text": out["content"], "steps": steps}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bin_dir")
    ap.add_argument("gguf")
    ap.add_argument("template")
    ap.add_argument("output")
    ap.add_argument("--port", type=int, default=8199)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    with open(args.template, encoding="utf-8") as f:
        template = json.load(f)

    base = "http://127.0.0.1:%d" % args.port
    cmd = [os.path.join(args.bin_dir, "llama-server"), "-m", args.gguf, "--host", "127.0.0.1",
           "--port", str(args.port), "-t", str(args.threads), "-tb", str(args.threads), "-np", "1",
           "-c", "4096", "--jinja", "--no-warmup"]
    log = open(args.output + ".server.log", "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, proc)
        result = {
            "model_file": os.path.basename(args.gguf),
            "generator": "llama.cpp server",
            "tokenize": [{"text": c["text"], "ids": tokenize(base, c["text"], False)} for c in template["tokenize"]],
            "greedy": [],
            "chat_template": [],
        }
        for g in template["greedy"]:
            result["greedy"].append(greedy(base, g["prompt"]))
            print("greedy %r -> %r" % (g["prompt"], result["greedy"][-1]["text"]), file=sys.stderr)
        for c in template["chat_template"]:
            rendered = post(base, "/apply-template", {"messages": c["messages"]})["prompt"]
            result["chat_template"].append({"messages": c["messages"], "prompt": rendered})
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()

    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
    os.remove(args.output + ".server.log")


if __name__ == "__main__":
    main()
