"""Starts a real `groupqwen serve` for the tests and hands out clients.

The server binary comes from $GROUPQWEN_BIN (default .build/release/groupqwen); it serves SmolLM2-135M
under two ids (see server-config.yaml): `smollm2` for normal requests and `smollm2-tight` with one
slot and no queue, to provoke 429s.
"""
from pathlib import Path

import httpx
import openai
import pytest

from server_process import ROOT, free_port, start_server, stop_server  # noqa: F401  (the test modules import them from here)


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
