"""Starting and stopping a real `groupqwen serve` for the Python and browser tests.

The binary comes from $GROUPQWEN_BIN (default .build/release/groupqwen); each server's log goes to .build/LOG_NAME.
"""
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(config: Path, log_name: str):
    """Starts `groupqwen serve --config config` on a free port and waits for /health; returns (process, base URL)."""
    binary = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
    port = free_port()
    (ROOT / ".build").mkdir(exist_ok=True)
    log = open(ROOT / ".build" / log_name, "w")
    proc = subprocess.Popen([binary, "serve", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see .build/{log_name}")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"server did not become healthy within 300 s; see .build/{log_name}")
        time.sleep(0.2)


def stop_server(proc):
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
