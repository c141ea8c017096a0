"""Starts a real `groupqwen serve` for the tests and hands out clients.

The server binary comes from $GROUPQWEN_BIN (default .build/release/groupqwen); it serves SmolLM2-135M
under two ids (see server-config.yaml): `smollm2` for normal requests and `smollm2-tight` with one
slot and no queue, to provoke 429s.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(config: Path, log_name: str):
    """Starts `groupqwen serve --config config` on a free port and waits for /health; returns (process, base URL)."""
    binary = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
    port = free_port()
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


@pytest.fixture(scope="session")
def server():
    proc, base = start_server(Path(__file__).with_name("server-config.yaml"), "python-tests-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def client(server):
    return openai.OpenAI(base_url=server + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="session")
def http(server):
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c
