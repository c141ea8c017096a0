"""`groupqwen route eval` and `route calibrate` on a slice of the shipped graded set with the two smallest chat tiers:
answers are generated once and cached (a re-run generates nothing), the report carries every policy, calibration
writes a routing: block and a learned router the server accepts, and bad input is a clear error with exit code 1.
"""
import json
import os
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT

BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
SET = ROOT / "Benchmarks" / "RoutingBench" / "routing-set.jsonl"


def run(*args, cwd=None):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=900, cwd=cwd)


def test_route_eval_and_calibrate(tmp_path: Path):
    lines = [l for l in SET.read_text().splitlines() if l.strip()]
    # Every category, 5 prompts each (the first five of each), budgets capped so the test stays quick.
    picked, seen = [], {}
    for line in lines:
        item = json.loads(line)
        if seen.get(item["category"], 0) < 5:
            seen[item["category"]] = seen.get(item["category"], 0) + 1
            item["max_tokens"] = min(item["max_tokens"], 96)
            picked.append(json.dumps(item, ensure_ascii=False))
    subset = tmp_path / "subset.jsonl"
    subset.write_text("\n".join(picked) + "\n")
    config = tmp_path / "two-tiers.yaml"
    config.write_text("""models:
  - {id: smollm2-135m, tier: 0}
  - {id: qwen2.5-coder-0.5b, tier: 1}
  - {id: gemma3-270m, tier: 1}
""")
    cache = tmp_path / "answers"
    first = run("route", "eval", str(subset), "--config", str(config), "--cache", str(cache), "--json",
                "--output", str(tmp_path / "eval"))
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["prompts"] == len(picked) == 40
    # Gemma 3 270M is a base model: not a chat tier.
    assert [t["model"] for t in report["tiers"]] == ["smollm2-135m", "qwen2.5-coder-0.5b"]
    names = [p["name"] for p in report["policies"]]
    assert names == ["router (keywords, configured)", "always smollm2-135m", "always qwen2.5-coder-0.5b", "random", "oracle"]
    oracle = report["policies"][-1]
    assert oracle["quality"] >= max(t["quality"] for t in report["tiers"])
    assert report["template_token_answers"] == []
    outcomes = [json.loads(l) for l in (tmp_path / "eval" / "outcomes.jsonl").read_text().splitlines()]
    assert len(outcomes) == 40 and all(len(o["tiers"]) == 2 for o in outcomes)
    assert (tmp_path / "eval" / "curve.svg").read_text().startswith("<svg")

    # A re-run answers from the cache: nothing is generated, the report is the same.
    second = run("route", "eval", str(subset), "--config", str(config), "--cache", str(cache), "--json")
    assert second.returncode == 0, second.stderr
    assert "answered 40/40 (40 cached)" in second.stderr
    assert json.loads(second.stdout)["policies"] == report["policies"]

    # 30 % of 40 prompts holds out too few to judge on: a clear error, nothing written.
    too_few = run("route", "calibrate", str(subset), "--config", str(config), "--cache", str(cache),
                  "--output", str(tmp_path / "cal"))
    assert too_few.returncode == 1 and "too few prompts" in too_few.stderr and not (tmp_path / "cal").exists()
    calibrated = run("route", "calibrate", str(subset), "--config", str(config), "--cache", str(cache),
                     "--held-out-percent", "40", "--output", str(tmp_path / "cal"), "--json")
    assert calibrated.returncode == 0, calibrated.stderr
    summary = json.loads(calibrated.stdout)
    assert summary["chosen"] in ("keywords", "learned")
    assert summary["train_prompts"] + summary["held_out_prompts"] == 40
    block = yaml.safe_load((tmp_path / "cal" / "routing.yaml").read_text())["routing"]
    assert block["strategy"] == summary["chosen"] and len(block["tier_thresholds"]) == 1
    router = json.loads((tmp_path / "cal" / "learned-router.json").read_text())
    assert router["models"] == ["smollm2-135m", "qwen2.5-coder-0.5b"]

    # The block plus the models is a configuration the server accepts (checked by `serve --check`-like loading:
    # a bad learned_router path is named).
    bad = tmp_path / "bad.yaml"
    bad.write_text(config.read_text() + "routing: {strategy: learned, learned_router: missing.json}\n")
    refused = run("serve", "--config", str(bad), "--port", "1")
    assert refused.returncode != 0 and "routing.learned_router" in refused.stderr


def test_bad_sets_are_clear_errors(tmp_path: Path):
    missing = run("route", "eval", str(tmp_path / "none.jsonl"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "category": "x", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4, '
                   '"grader": {"type": "number"}}\n')
    result = run("route", "eval", str(bad))
    assert result.returncode == 1 and "bad.jsonl:1" in result.stderr and "value" in result.stderr
