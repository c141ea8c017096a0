"""Injected faults, each with the behaviour it must show: a remote backend killed mid-stream gives the client an
error event (not a hang); a semantic cache whose database cannot be written turns itself off with one log line
while serving goes on; a disk that fills during `data import` gives a clean error and no partial output; SIGTERM
under load lets every in-flight request finish; an interrupted data command leaves no partial output; a client
that leaves cancels the remote backend's generation. (The degraded fallback with a remote stopped mid-run:
test_degraded.py.)

The disk faults use a small tmpfs; they are skipped, saying so, where mounting one is not allowed."""
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from conftest import ROOT, start_server, stop_server

TINY = ROOT / "Tests" / "Fixtures" / "qwen3-tiny-random.gguf"
BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))


def small_disk(path: Path, size: str):
    """Mounts a tmpfs of `size` at `path`, or skips the test when this host does not allow it."""
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip() or result.returncode}): disk-full faults not tested")


def unmount(path: Path):
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(path: Path):
    """Writes to `path` until the disk is full."""
    with open(path / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def test_remote_backend_killed_mid_stream_gives_an_error_event(tmp_path):
    backend_config = tmp_path / "backend.yaml"
    backend_config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: backend, source: {TINY}, tier: 0, preload: true}}
""")
    backend, backend_url = start_server(backend_config, "python-tests-faults-backend.log")
    gateway_config = tmp_path / "gateway.yaml"
    gateway_config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: remote, url: {backend_url}/v1, remote_model: backend, tier: 0, attempts: 1}}
""")
    gateway, base = start_server(gateway_config, "python-tests-faults-gateway.log")
    try:
        client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0, timeout=30)
        stream = client.chat.completions.create(model="remote", messages=[{"role": "user", "content": "Go on forever."}],
                                                max_tokens=4000, stream=True, extra_body={"ignore_eos": True})
        chunks = 0
        start = None
        with pytest.raises(openai.APIError) as caught:
            for _ in stream:
                chunks += 1
                if chunks == 5:
                    backend.send_signal(signal.SIGKILL)   # the backend dies mid-stream
                    start = time.monotonic()
        assert start is not None, "the stream ended before the backend was killed"
        assert time.monotonic() - start < 10
        assert "mid-stream" in str(caught.value)
        # The gateway itself is fine.
        assert httpx.get(base + "/health", timeout=5).status_code in (200, 503)
    finally:
        if backend.poll() is None:
            backend.kill()
        stop_server(gateway)


def test_unwritable_cache_database_turns_the_cache_off_and_serving_goes_on(tmp_path):
    disk = tmp_path / "disk"
    small_disk(disk, "4m")
    config = tmp_path / "cache.yaml"
    config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: true, path: {disk / 'cache.sqlite'}}}
models:
  - {{id: tiny, source: {TINY}, tier: 0, preload: true}}
""")
    proc, base = start_server(config, "python-tests-faults-cache.log")
    try:
        def chat(text):
            return httpx.post(base + "/v1/chat/completions", timeout=60, json={
                "model": "tiny", "messages": [{"role": "user", "content": text}], "max_tokens": 4, "temperature": 0})

        assert chat("first question").status_code == 200
        fill(disk)   # the cache's disk is full from now on
        for i in range(6):
            r = chat(f"question number {i} about something else entirely")
            assert r.status_code == 200, r.text
        stats = httpx.get(base + "/v1/cache/stats", timeout=10).json()
        assert stats["enabled"] is False and "disabled" in stats
        assert chat("first question").headers["x-groupqwen-cache"] == "bypass"
    finally:
        stop_server(proc)
        unmount(disk)
    log = (ROOT / ".build" / "python-tests-faults-cache.log").read_text()
    assert log.count("semantic cache turned off") == 1, log[-2000:]


def test_disk_full_during_data_import_is_a_clean_error(tmp_path):
    fixture = json.loads((ROOT / "Tests" / "FineTuningTests" / "Fixtures" / "chatgpt-conversations.json").read_text())
    big = []
    for copy in range(400):
        for conversation in fixture["conversations"]:
            c = json.loads(json.dumps(conversation))
            c["conversation_id"] = f"{c.get('conversation_id', 'c')}-{copy}"
            c["title"] = f"{c.get('title', '')} {copy}"
            big.append(c)
    source = tmp_path / "conversations.json"
    source.write_text(json.dumps({"conversations": big}))
    disk = tmp_path / "disk"
    small_disk(disk, "32k")
    try:
        result = subprocess.run([BINARY, "data", "import", "--from", "chatgpt", str(source), "-o", str(disk / "raw.jsonl")],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode != 0
        errors = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("import [")]
        assert len(errors) == 1 and errors[0].startswith("error: cannot write") and "space" in errors[0], result.stderr
        assert os.listdir(disk) == [], os.listdir(disk)   # no output, no partial file
    finally:
        unmount(disk)


def test_sigterm_under_load_lets_every_in_flight_request_finish(tmp_path):
    config = tmp_path / "load.yaml"
    config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: smollm2, source: smollm2-135m, tier: 0, preload: true, max_concurrent: 4}}
""")
    proc, base = start_server(config, "python-tests-faults-sigterm.log")
    results, started = [], threading.Barrier(7)

    def request(stream):
        body = {"model": "smollm2", "messages": [{"role": "user", "content": "Count slowly."}], "max_tokens": 80,
                "ignore_eos": True, "temperature": 0, "stream": stream}
        with httpx.Client(timeout=120) as c:
            started.wait()
            if stream:
                with c.stream("POST", base + "/v1/chat/completions", json=body) as r:
                    lines = [line for line in r.iter_lines() if line]
                results.append((r.status_code, lines[-1] if lines else ""))
            else:
                r = c.post(base + "/v1/chat/completions", json=body)
                results.append((r.status_code, r.json()["choices"][0]["finish_reason"] if r.status_code == 200 else r.text))

    threads = [threading.Thread(target=request, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.5)   # all six are in flight (four generating, two queued)
    proc.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(180)
    assert proc.wait(timeout=120) == 0
    assert sorted(results) == sorted([(200, "data: [DONE]")] * 3 + [(200, "length")] * 3), results


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_data_import_leaves_no_partial_output(tmp_path, sig):
    fixture = json.loads((ROOT / "Tests" / "FineTuningTests" / "Fixtures" / "chatgpt-conversations.json").read_text())
    big = []
    for copy in range(6000):
        for conversation in fixture["conversations"]:
            c = dict(conversation)
            c["conversation_id"] = f"c-{copy}"
            big.append(c)
    source = tmp_path / "conversations.json"
    source.write_text(json.dumps({"conversations": big}))
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen([BINARY, "data", "import", "--from", "chatgpt", str(source), "-o", str(out / "raw.jsonl")],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()   # the first progress line: the import is under way
    assert line.startswith("import ["), line
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig
    assert os.listdir(out) == []   # neither the output nor its temporary file


def test_client_disconnect_cancels_the_remote_backend_request(tmp_path):
    backend_config = tmp_path / "backend.yaml"
    backend_config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: backend, source: smollm2-135m, tier: 0, preload: true}}
""")
    backend, backend_url = start_server(backend_config, "python-tests-faults-cancel-backend.log")
    gateway_config = tmp_path / "gateway.yaml"
    gateway_config.write_text(f"""
training: {{path: ":memory:"}}
cache: {{enabled: false}}
models:
  - {{id: remote, url: {backend_url}/v1, remote_model: backend, tier: 0, attempts: 1}}
""")
    gateway, base = start_server(gateway_config, "python-tests-faults-cancel-gateway.log")

    def generating():
        text = httpx.get(backend_url + "/metrics", timeout=5).text
        return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("groupqwen_active_sequences"))

    try:
        body = json.dumps({"model": "remote", "messages": [{"role": "user", "content": "Count to ten thousand."}],
                           "max_tokens": 1500, "ignore_eos": True}).encode()
        host, port = base.removeprefix("http://").split(":")
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        deadline = time.monotonic() + 20
        while generating() < 1:   # the backend generates (1,500 tokens: well over 5 s)
            assert time.monotonic() < deadline, "the backend never started generating"
            time.sleep(0.05)
        s.close()   # the client leaves; the gateway must cancel its upstream request
        start = time.monotonic()
        while generating() > 0:
            assert time.monotonic() - start < 2.0, "the backend kept generating after the client left"
            time.sleep(0.05)
    finally:
        stop_server(gateway)
        stop_server(backend)
