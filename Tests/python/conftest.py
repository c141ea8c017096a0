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


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
    port = free_port()
    log = open(ROOT / ".build" / "python-tests-server.log", "w")
    proc = subprocess.Popen(
        [binary, "serve", "--config", str(Path(__file__).with_name("server-config.yaml")),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        if proc.poll() is not None:
            log.flush()
            raise RuntimeError(f"server exited with {proc.returncode}; see .build/python-tests-server.log")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError("server did not become healthy within 300 s")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    log.close()


@pytest.fixture(scope="session")
def client(server):
    return openai.OpenAI(base_url=server + "/v1", api_key="unused", max_retries=0, timeout=120)


@pytest.fixture(scope="session")
def http(server):
    with httpx.Client(base_url=server, timeout=120) as c:
        yield c
