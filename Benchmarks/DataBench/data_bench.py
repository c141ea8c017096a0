#!/usr/bin/env python3
"""Fine-tuning data pipeline benchmark: a synthetic ChatGPT export of --size-mb megabytes (made by
make_chatgpt_export.py, seeded) goes through `groupqwen data import`, `data curate` and `data split`.
Prints each step's wall time and peak resident memory, and the totals against the goals (< 180 s for all
three steps, < 3 GB peak).

    python3 Benchmarks/DataBench/data_bench.py [--size-mb 500] [--bin .build/release/groupqwen] [--keep DIR]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run(step, argv):
    """Runs argv; returns (seconds, peak RSS in MB) of that process alone."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    stderr = proc.stderr.read()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{step} failed with exit code {code}:\n{stderr}")
    summary = [line for line in stderr.splitlines() if line.strip()][-1:] or [""]
    return seconds, usage.ru_maxrss / 1024, summary[0].split("\r")[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "release" / "groupqwen"))
    parser.add_argument("--keep", help="work in this folder and keep the files (default: a temporary folder)")
    args = parser.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="groupqwen-data-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        export = work / "conversations.json"
        start = time.monotonic()
        subprocess.run([sys.executable, str(HERE / "make_chatgpt_export.py"), "--size-mb", str(args.size_mb),
                        "--seed", str(args.seed), "-o", str(export)], check=True, stdout=subprocess.DEVNULL)
        made = time.monotonic() - start
        size = export.stat().st_size / 1e6
        print(f"synthetic ChatGPT export: {size:.0f} MB in {made:.1f} s ({export})")

        steps = [
            ("import", [args.bin, "data", "import", "--from", "chatgpt", str(export), "-o", str(work / "raw.jsonl")]),
            ("curate", [args.bin, "data", "curate", str(work / "raw.jsonl"), "-o", str(work / "clean.jsonl"),
                        "--report", str(work / "report.json")]),
            ("split", [args.bin, "data", "split", str(work / "clean.jsonl"), "--out", str(work / "dataset"),
                       "--format", "mlx", "--seed", "1"]),
        ]
        total, peak = 0.0, 0.0
        print(f"{'step':<8} {'seconds':>8} {'MB/s':>7} {'peak RSS MB':>12}  summary")
        for name, argv in steps:
            seconds, rss, summary = run(name, argv)
            total += seconds
            peak = max(peak, rss)
            print(f"{name:<8} {seconds:8.1f} {size / seconds:7.1f} {rss:12.0f}  {summary}")
        ok = total < 180 and peak < 3072
        print(f"total {total:.1f} s (goal < 180 s), peak RSS {peak:.0f} MB (goal < 3072 MB): {'met' if ok else 'NOT met'}")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
