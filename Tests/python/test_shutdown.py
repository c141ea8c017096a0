"""SIGTERM while a chat streams: the stream finishes with [DONE], new connections are refused, and
the process exits cleanly."""
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx

from conftest import ROOT, free_port


def test_sigterm_lets_running_stream_finish():
    binary = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
    port = free_port()
    config = Path(__file__).with_name("server-config.yaml")
    proc = subprocess.Popen([binary, "serve", "--config", str(config), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        lines, first = [], threading.Event()

        def stream():
            body = {"model": "smollm2", "messages": [{"role": "user", "content": "Count from one to twenty."}],
                    "max_tokens": 60, "temperature": 0, "stream": True, "ignore_eos": True}
            with httpx.Client(timeout=120) as c, c.stream("POST", base + "/v1/chat/completions", json=body) as r:
                for line in r.iter_lines():
                    if line:
                        lines.append(line)
                        first.set()

        t = threading.Thread(target=stream)
        t.start()
        assert first.wait(60)
        proc.send_signal(signal.SIGTERM)
        t.join(120)
        assert lines[-1] == "data: [DONE]"
        assert sum('"finish_reason":"length"' in line for line in lines) == 1
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
