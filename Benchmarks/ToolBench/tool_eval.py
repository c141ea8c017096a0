#!/usr/bin/env python3
"""ToolBench runner: graded tool-calling evaluation for an OpenAI-compatible server.

Usage:
    python tool_eval.py --base-url http://127.0.0.1:8791/v1 --model qwen2.5-coder-0.5b
    python tool_eval.py --base-url URL --model M1 --model M2 [--set FILE] [--tools FILE]
                        [--limit N] [--json] [--details OUT.jsonl]

Every case in the set is sent once with temperature 0, the tools named by the case
(definitions from tools.json) and the default tool_choice ("auto"). Metrics, per model:

  well-formed      cases expecting a call: the response has tool_calls, every call names
                   one of the offered tools, and its arguments parse as a JSON object
                   that validates against that function's parameters schema (jsonschema)
  right function   cases expecting a call: first call's name == expect.call
  args correct     cases expecting a call: right function and expect.arguments hold for
                   the first call (strings: case-insensitive substring; numbers: equal
                   within 1e-6, numeric strings accepted; null: key present, any value;
                   lists: each expected item matches some actual item; objects: recursive)
  no-call acc.     cases expecting null: the response has no tool_calls
  pass             a case passes if (call expected) well-formed and right function and
                   args correct, or (null expected) no tool_calls

The exit code is always 0 (request errors are counted as failures), so the runner can be
used in scripts that collect numbers from several models.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections import Counter, OrderedDict
from pathlib import Path

import jsonschema
from openai import APIConnectionError, InternalServerError, OpenAI

HERE = Path(__file__).resolve().parent
CATEGORY_ORDER = ["direct", "indirect", "system_prompt", "non_english", "complex_args", "multi_turn", "no_call"]

# Text in message.content that looks like a tool call the server failed to parse.
TOOL_MARKUP = re.compile(r"<tool_call>|<\|tool_call|\"name\"\s*:\s*\"[a-z_]+\"\s*,\s*\"arguments\"|```json\s*\{\s*\"name\"", re.I)


# ---------------------------------------------------------------------------------------
# argument matching
def _num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def value_matches(expected, actual) -> bool:
    if expected is None:
        return True
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual == expected
        return isinstance(actual, str) and actual.strip().lower() == str(expected).lower()
    if isinstance(expected, (int, float)):
        a = _num(actual)
        return a is not None and math.isfinite(a) and abs(a - float(expected)) <= 1e-6
    if isinstance(expected, str):
        if isinstance(actual, list):
            return any(value_matches(expected, a) for a in actual)
        if isinstance(actual, dict) or actual is None:
            return False
        return expected.lower() in str(actual).lower()
    if isinstance(expected, list):
        if isinstance(actual, str):
            actual = [actual]
        if not isinstance(actual, list):
            return False
        return all(any(value_matches(e, a) for a in actual) for e in expected)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return all(k in actual and value_matches(v, actual[k]) for k, v in expected.items())
    return expected == actual


def args_mismatches(expected: dict, actual: dict) -> list[str]:
    bad = []
    for k, v in expected.items():
        if k not in actual:
            bad.append(f"{k}: missing")
        elif not value_matches(v, actual[k]):
            bad.append(f"{k}: expected {json.dumps(v, ensure_ascii=False)} got {json.dumps(actual[k], ensure_ascii=False)}")
    return bad


# ---------------------------------------------------------------------------------------
def load_set(path: Path, limit: int | None) -> list[dict]:
    cases = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                cases.append(json.loads(line))
    return cases[:limit] if limit else cases


def check_call(call, tools_by_name: dict, offered: list[str]) -> tuple[bool, str | None, dict | None]:
    """Return (well_formed, problem, parsed_arguments) for one tool call."""
    name = call["name"]
    try:
        args = json.loads(call["arguments"]) if call["arguments"] not in (None, "") else None
    except (json.JSONDecodeError, TypeError) as e:
        return False, f"arguments not JSON ({e.msg if hasattr(e, 'msg') else e})", None
    if not isinstance(args, dict):
        return False, f"arguments not a JSON object ({type(args).__name__})", None
    if name not in offered or name not in tools_by_name:
        return False, f"unknown/unoffered function {name!r}", args
    schema = tools_by_name[name]["function"].get("parameters") or {"type": "object"}
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(args), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.path) or "(root)"
        return False, f"schema: {where}: {e.message}", args
    return True, None, args


def wait_for_server(client: OpenAI, max_wait: float) -> None:
    deadline = time.monotonic() + max_wait
    time.sleep(3.0)
    while time.monotonic() < deadline:
        try:
            client.models.list(timeout=5.0)
            return
        except Exception:  # noqa: BLE001
            time.sleep(3.0)


def run_case(client: OpenAI, model: str, case: dict, tools_by_name: dict, max_tokens: int, timeout: float,
             retries: int = 0) -> dict:
    offered = case["tools"]
    tools = [tools_by_name[t] for t in offered]
    exp_call = case["expect"].get("call")
    exp_args = case["expect"].get("arguments") or {}
    rec = {"id": case["id"], "category": case["category"], "expect_call": exp_call,
           "expect_arguments": exp_args, "calls": [], "content": None, "finish_reason": None,
           "latency_s": None, "error": None, "failure": None, "detail": None}
    resp = None
    for attempt in range(retries + 1):
        rec["attempts"] = attempt + 1
        t0 = time.perf_counter()
        try:
            resp = client.chat.completions.create(
                model=model, messages=case["messages"], tools=tools, temperature=0,
                max_tokens=max_tokens, timeout=timeout)
        except (APIConnectionError, InternalServerError) as e:
            # server restarting / transient: wait for it to come back, then retry the case
            rec["latency_s"] = time.perf_counter() - t0
            rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            if attempt < retries:
                wait_for_server(client, 120.0)
            continue
        except Exception as e:  # noqa: BLE001 - any other error counts as a failed case
            rec["latency_s"] = time.perf_counter() - t0
            rec["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            break
        rec["latency_s"] = time.perf_counter() - t0
        rec["error"] = None
        break
    if resp is not None:
        ch = resp.choices[0] if resp.choices else None
        if ch is None:
            rec["error"] = "no choices in response"
        else:
            rec["finish_reason"] = ch.finish_reason
            rec["content"] = ch.message.content
            for tc in ch.message.tool_calls or []:
                fn = getattr(tc, "function", None)
                rec["calls"].append({"name": getattr(fn, "name", None), "arguments": getattr(fn, "arguments", None)})

    calls = rec["calls"]
    has_calls = bool(calls)
    rec["finish_reason_ok"] = (rec["error"] is None) and ((rec["finish_reason"] == "tool_calls") == has_calls)
    rec["content_has_tool_markup"] = bool(rec["content"] and TOOL_MARKUP.search(rec["content"]))

    if exp_call is None:
        rec["no_call_ok"] = rec["error"] is None and not has_calls
        rec["passed"] = rec["no_call_ok"]
        if rec["error"]:
            rec["failure"] = "request_error"; rec["detail"] = rec["error"]
        elif has_calls:
            rec["failure"] = "spurious_call"
            rec["detail"] = f"{calls[0]['name']}({calls[0]['arguments']})"
        return rec

    # a call is expected
    problems = []
    parsed_first = None
    well_formed = has_calls
    for i, c in enumerate(calls):
        ok, prob, parsed = check_call(c, tools_by_name, offered)
        if i == 0:
            parsed_first = parsed
        if not ok:
            well_formed = False
            problems.append(f"call[{i}] {c['name']}: {prob}")
    right_fn = has_calls and calls[0]["name"] == exp_call
    args_ok = bool(right_fn and isinstance(parsed_first, dict) and not args_mismatches(exp_args, parsed_first))
    rec.update(well_formed=well_formed, right_function=right_fn, args_correct=args_ok,
               passed=well_formed and right_fn and args_ok, problems=problems)
    if rec["error"]:
        rec["failure"] = "request_error"; rec["detail"] = rec["error"]
    elif not has_calls:
        rec["failure"] = "tool_markup_in_content" if rec["content_has_tool_markup"] else "missed_call"
        rec["detail"] = (rec["content"] or "")[:200]
    elif not right_fn:
        rec["failure"] = "wrong_function"
        rec["detail"] = f"called {calls[0]['name']}({calls[0]['arguments']})"
    elif parsed_first is None:
        rec["failure"] = "malformed_arguments"; rec["detail"] = "; ".join(problems)
    elif not args_ok:
        rec["failure"] = "wrong_arguments"
        rec["detail"] = "; ".join(args_mismatches(exp_args, parsed_first))
    elif not well_formed:
        rec["failure"] = "schema_invalid"; rec["detail"] = "; ".join(problems)
    return rec


# ---------------------------------------------------------------------------------------
def pct(num: int, den: int):
    return None if den == 0 else round(100.0 * num / den, 1)


def summarize(recs: list[dict]) -> dict:
    call = [r for r in recs if r["expect_call"] is not None]
    nocall = [r for r in recs if r["expect_call"] is None]
    lat = [r["latency_s"] for r in recs if r["latency_s"] is not None]
    return OrderedDict(
        n=len(recs), n_call=len(call), n_no_call=len(nocall),
        well_formed_pct=pct(sum(r["well_formed"] for r in call), len(call)),
        right_function_pct=pct(sum(r["right_function"] for r in call), len(call)),
        args_correct_pct=pct(sum(r["args_correct"] for r in call), len(call)),
        no_call_pct=pct(sum(r["no_call_ok"] for r in nocall), len(nocall)),
        pass_pct=pct(sum(r["passed"] for r in recs), len(recs)),
        errors=sum(1 for r in recs if r["error"]),
        finish_reason_mismatch=sum(1 for r in recs if r["error"] is None and not r["finish_reason_ok"]),
        mean_latency_s=round(statistics.fmean(lat), 3) if lat else None,
    )


def build_result(model: str, recs: list[dict]) -> dict:
    cats = OrderedDict()
    present = {r["category"] for r in recs}
    for c in CATEGORY_ORDER + sorted(present - set(CATEGORY_ORDER)):
        if c in present:
            cats[c] = summarize([r for r in recs if r["category"] == c])
    return OrderedDict(model=model, overall=summarize(recs), categories=cats,
                       failure_counts=dict(Counter(r["failure"] for r in recs if r["failure"]).most_common()),
                       cases=recs)


def evaluate_model(client, model, cases, tools_by_name, args, details_fh=None) -> dict:
    recs = []
    for i, case in enumerate(cases, 1):
        r = run_case(client, model, case, tools_by_name, args.max_tokens, args.timeout, args.retries)
        recs.append(r)
        if details_fh:  # written as we go, so an interrupted run can still be summarized (--summarize)
            details_fh.write(json.dumps({"model": model, **r}, ensure_ascii=False) + "\n")
            details_fh.flush()
        if not args.quiet:
            mark = "ok " if r["passed"] else "FAIL"
            print(f"[{model}] {i:3d}/{len(cases)} {mark} {r['id']:<16} {r['latency_s']:.2f}s"
                  + (f"  {r['failure']}: {r['detail']}" if r["failure"] else ""), file=sys.stderr)
    return build_result(model, recs)


def fmt(v):
    return "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


def print_table(result: dict, out=sys.stdout):
    cols = ["  n", "well-formed %", "right fn %", "args %", "no-call %", "pass %", "mean s/req"]
    keys = ["n", "well_formed_pct", "right_function_pct", "args_correct_pct", "no_call_pct", "pass_pct", "mean_latency_s"]
    rows = [("overall", result["overall"])] + list(result["categories"].items())
    w0 = max(len(r[0]) for r in rows) + 2
    print(f"\nModel: {result['model']}", file=out)
    print("| " + "category".ljust(w0) + " | " + " | ".join(cols) + " |", file=out)
    print("|" + "-" * (w0 + 2) + "|" + "|".join("-" * (len(c) + 2) for c in cols) + "|", file=out)
    for name, s in rows:
        cells = [fmt(s[k]).rjust(max(len(c), 3)) for k, c in zip(keys, cols)]
        print("| " + name.ljust(w0) + " | " + " | ".join(cells) + " |", file=out)
    o = result["overall"]
    print(f"\ncases needing a retry: {sum(1 for r in result['cases'] if r.get('attempts', 1) > 1)}   "
          f"request errors: {o['errors']}   finish_reason mismatches: {o['finish_reason_mismatch']}", file=out)
    if result["failure_counts"]:
        print("failures: " + ", ".join(f"{k}={v}" for k, v in result["failure_counts"].items()), file=out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base-url", default="http://127.0.0.1:8791/v1", help="e.g. http://127.0.0.1:8791/v1 (a missing /v1 is added)")
    ap.add_argument("--model", action="append", help="model id; repeat for several models")
    ap.add_argument("--set", default=str(HERE / "tool_set.jsonl"))
    ap.add_argument("--tools", default=None, help="tool definitions (default: tools.json next to the set)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N cases")
    ap.add_argument("--json", action="store_true", help="print JSON results (summary + per case) instead of the table")
    ap.add_argument("--details", default=None, help="also write per-case records (JSONL) to this file")
    ap.add_argument("--api-key", default="none")
    ap.add_argument("--max-tokens", type=int, default=512)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--retries", type=int, default=3,
                    help="retries per case after a connection error / 5xx (waits for the server to come back)")
    ap.add_argument("--quiet", action="store_true", help="no per-case progress on stderr")
    ap.add_argument("--summarize", default=None, metavar="DETAILS",
                    help="no requests: rebuild the table/JSON from a --details file (e.g. of an interrupted run)")
    args = ap.parse_args(argv)
    if not args.model and not args.summarize:
        ap.error("--model is required (unless --summarize)")

    base = args.base_url.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    set_path = Path(args.set)
    tools_path = Path(args.tools) if args.tools else set_path.parent / "tools.json"
    tools_by_name = json.loads(tools_path.read_text(encoding="utf-8"))
    cases = load_set(set_path, args.limit)
    client = OpenAI(base_url=base, api_key=args.api_key, max_retries=0)

    if args.summarize:
        by_model: dict[str, list] = OrderedDict()
        with open(args.summarize, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    by_model.setdefault(r.pop("model"), []).append(r)
        results = [build_result(m, rs) for m, rs in by_model.items()]
    else:
        details_fh = open(args.details, "w", encoding="utf-8") if args.details else None
        try:
            results = [evaluate_model(client, m, cases, tools_by_name, args, details_fh) for m in args.model]
        finally:
            if details_fh:
                details_fh.close()
    if args.json:
        json.dump({"set": str(set_path), "n_cases": len(cases), "base_url": base,
                   "date": time.strftime("%Y-%m-%d"), "results": results},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for res in results:
            print_table(res)
    return 0


if __name__ == "__main__":
    try:
        main()
    except SystemExit as e:  # argparse errors keep their own code
        raise
    sys.exit(0)
