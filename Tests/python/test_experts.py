"""Mixture of LoRA experts end to end: `groupqwen experts build` on the shipped example specs (short training, so the
test stays fast: routing does not depend on it), deployed hot into a running server with `--server`, then the official
`openai` SDK sends mixed-domain requests concurrently and every answer names its expert; a second build (new adapters)
and a rollback happen while clients stream, and no request fails.
"""
import json
import os
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest

from conftest import ROOT, start_server, stop_server

BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
EXAMPLES = ROOT / "docs" / "examples" / "experts"

PROMPTS = {
    "sql": ["Write SQL that lists the tw_parcels rows held at customs.", "Give me a Tarnwick query for unpaid tw_invoices."],
    "support": ["How long do I have to ask Lumora for a refund?", "What does Lumora Plus cost per month?"],
    "lore": ["What is the capital of the Ostmere Isles?", "Which currency do the Ostmere Isles use?"],
    None: ["What is a good recipe for pancakes?", "Who won the football world cup in 2014?"],
}


def write_config(folder: Path, seed: int) -> Path:
    """experts.yaml for the three example experts with a few training steps (seed changes the adapters)."""
    experts = "\n".join(f"  - {{id: {e}, description: example {e}, spec: {EXAMPLES / (e + '-spec.yaml')}}}"
                        for e in ("sql", "support", "lore"))
    path = folder / f"experts-{seed}.yaml"
    path.write_text(f"""base_model: smollm2-135m
output: {folder / 'build'}
training: {{epochs: 1, max_steps: 4, learning_rate: 1.0e-3, rank: 4, alpha: 8, seed: {seed}, targets: [q, v]}}
evaluation: {{max_tokens: 4}}
router: {{off_domain: {EXAMPLES / 'off-domain.txt'}}}
experts:
{experts}
""")
    return path


def run(*args, check=True):
    r = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=1200)
    if check:
        assert r.returncode == 0, r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def experts_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("experts")
    config = folder / "server.yaml"
    config.write_text(f"""host: 127.0.0.1
port: 8080
cache: {{enabled: true, path: ":memory:"}}
training: {{path: {folder / 'server.sqlite'}, directory: {folder}}}
models:
  - id: smollm2-135m
    source: smollm2-135m
    context_length: 2048
    tier: 0
    max_concurrent: 4
    preload: true
""")
    proc, base = start_server(config, "python-experts-server.log")
    yield base, folder
    stop_server(proc)


@pytest.fixture(scope="module")
def deployed(experts_server):
    base, folder = experts_server
    r = run("experts", "build", str(write_config(folder, 1)), "--server", base)
    report = json.loads((folder / "build" / "report.json").read_text())
    assert report["deployment"] == 1, r.stdout
    return base, folder, report


def sdk(base):
    return openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=300)


def test_build_reports_every_stage_and_deploys(deployed):
    base, folder, report = deployed
    assert [e["id"] for e in report["experts"]] == ["sql", "support", "lore"]
    for row in report["experts"]:
        assert row["train"] + row["valid"] == row["curated"] == 48 and row["held_out"] == 24
        assert row["valid_loss_expert"] < row["valid_loss_base"]
    evaluation = report["router_evaluation"]
    assert evaluation["in_domain_accuracy"] >= 0.95 and evaluation["off_domain_none_rate"] >= 0.9
    listed = httpx.get(base + "/v1/experts").json()
    assert [e["id"] for e in listed["data"]] == ["sql", "support", "lore"] and all(e["version"] == 1 for e in listed["data"])
    # The CLI lists what the server serves.
    assert "sql" in run("experts", "list", "--server", base).stdout
    # Nothing changed: a re-run skips every stage and does not deploy again.
    again = run("experts", "build", str(write_config(folder, 1)), "--server", base)
    assert "unchanged" in again.stdout and again.stderr.count("skipped") == 16


def test_concurrent_mixed_domain_requests_name_their_expert(deployed):
    base, _, _ = deployed
    client = sdk(base)
    cases = [(expert, prompt) for expert, prompts in PROMPTS.items() for prompt in prompts] * 2

    def ask(case):
        expert, prompt = case
        raw = client.chat.completions.with_raw_response.create(
            model="experts", messages=[{"role": "user", "content": prompt}], max_tokens=8, temperature=0,
            extra_body={"cache": False})
        body = raw.parse()
        return expert, raw.headers.get("x-groupqwen-expert"), body.model_extra["groupqwen"]["expert"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, cases))
    for expected, header, info in results:
        assert header == (expected or "none"), (expected, header, info)
        assert info["id"] == expected
        if expected:
            assert info["version"] == 1 and 0 < info["confidence"] <= 1


def test_deploy_and_rollback_while_clients_stream(deployed):
    base, folder, _ = deployed
    failures, finished, stop = [], [], threading.Event()

    def stream_forever(expert, prompt):
        client = sdk(base)
        while not stop.is_set():
            try:
                chunks = list(client.chat.completions.create(
                    model="experts", messages=[{"role": "user", "content": prompt}], max_tokens=48, temperature=0,
                    stream=True, extra_body={"cache": False, "ignore_eos": True}))
                info = chunks[-1].model_extra["groupqwen"]["expert"]
                assert info["id"] == expert, info
                assert chunks[-1].choices[0].finish_reason == "length"
                finished.append(info["version"])
            except Exception as e:  # noqa: BLE001 - collected and reported
                failures.append(repr(e))

    threads = [threading.Thread(target=stream_forever, args=(e, PROMPTS[e][0])) for e in ("sql", "lore")]
    for t in threads:
        t.start()
    try:
        r = run("experts", "build", str(write_config(folder, 2)), "--server", base)  # new adapters: version 2
        live = {e["id"]: e["version"] for e in httpx.get(base + "/v1/experts").json()["data"]}
        assert live == {"sql": 2, "support": 2, "lore": 2}, r.stdout
        run("experts", "rollback", "sql", "--server", base)
        live = {e["id"]: e["version"] for e in httpx.get(base + "/v1/experts").json()["data"]}
        assert live["sql"] == 1 and live["lore"] == 2
        finished_before = len(finished)
        while len(finished) < finished_before + 2 and not failures:
            threading.Event().wait(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(300)
    assert not failures, failures
    assert 1 in finished and 2 in finished
    # A rollback past the first version is refused with a clear error, and nothing changes.
    r = run("experts", "rollback", "sql", "--server", base, check=False)
    assert r.returncode != 0 and "first" in r.stderr


def test_a_failed_stage_names_itself_and_deploys_nothing(deployed, tmp_path):
    base, _, _ = deployed
    before = httpx.get(base + "/v1/experts").json()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\nnot json\n')
    config = tmp_path / "bad.yaml"
    config.write_text(f"base_model: smollm2-135m\noutput: {tmp_path / 'build'}\nexperts:\n  - {{id: broken, data: {bad}}}\n")
    r = run("experts", "build", str(config), "--server", base, check=False)
    assert r.returncode == 1
    assert "expert 'broken': data failed" in r.stderr and "line 2" in r.stderr
    after = httpx.get(base + "/v1/experts").json()
    assert after["deployment"] == before["deployment"] and after["data"] == before["data"]
