"""Connections are never held: early answers (413) are read to the end and released, slow heads get 408,
idle connections close, and a connection over `limits.max_connections` gets a clean 503.

Raw sockets, so that nothing between the test and the server reads or closes for us.
"""
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest

from server_process import start_server, stop_server


@pytest.fixture(scope="module")
def base():
    proc, base = start_server(Path(__file__).with_name("connection-config.yaml"), "connection-tests-server.log")
    yield base
    stop_server(proc)


def connect(base, timeout=5.0):
    host, port = base.removeprefix("http://").split(":")
    s = socket.create_connection((host, int(port)), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(s):
    """(status, headers, body) of one response, reading exactly its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, f"connection closed before a response head: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = s.recv(65536)
        assert chunk, "connection closed inside the body"
        rest += chunk
    return status, headers, rest[:length]


def closed_within(s, seconds):
    """True when the server closes the connection within `seconds` (EOF or reset)."""
    s.settimeout(seconds)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def upload_head(length, close=True, path="/v1/chat/completions"):
    head = f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n"
    if close:
        head += "Connection: close\r\n"
    return (head + "\r\n").encode()


def test_connection_close_oversized_upload_is_answered_and_released_within_a_second(base):
    body = b"x" * (8 << 20)   # 8 MiB against a 64 KiB limit
    s = connect(base)
    start = time.monotonic()
    s.sendall(upload_head(len(body)))
    s.sendall(body)   # blocked for good before: nobody read the body after the 413
    status, headers, payload = read_response(s)
    assert status == 413
    assert json.loads(payload)["error"]["type"] == "invalid_request_error"
    assert closed_within(s, 1.0)
    assert time.monotonic() - start < 1.0
    s.close()


def test_urllib_oversized_upload_gets_413_at_once(base):
    # The case as found: Python's urllib writes the whole body before it reads, and used to wait 60 s.
    request = urllib.request.Request(base + "/v1/chat/completions", data=b"{" + b" " * (4 << 20) + b"}",
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    start = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 413
    assert time.monotonic() - start < 1.0


def test_chunked_oversized_upload_is_answered_and_released(base):
    s = connect(base)
    start = time.monotonic()
    s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
    chunk = b"y" * 65536
    for _ in range(32):
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    s.sendall(b"0\r\n\r\n")
    status, _, _ = read_response(s)
    assert status == 413
    assert closed_within(s, 1.0)
    assert time.monotonic() - start < 1.0
    s.close()


def test_keep_alive_connection_serves_the_next_request_after_a_413(base):
    s = connect(base)
    body = b"z" * (1 << 20)
    s.sendall(upload_head(len(body), close=False) + body)
    status, _, _ = read_response(s)
    assert status == 413
    s.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    status, _, payload = read_response(s)
    assert status == 200, payload
    s.close()


def test_client_that_stops_uploading_is_closed_after_the_linger_time(base):
    s = connect(base)
    s.sendall(upload_head(1 << 30) + b"w" * (256 << 10))   # says 1 GiB, sends 256 KiB, then waits
    start = time.monotonic()
    status, _, _ = read_response(s)
    assert status == 413
    assert time.monotonic() - start < 1.0
    assert closed_within(s, 4.0)   # lingers at most 2 s
    s.close()


def test_slow_request_head_gets_408(base):
    s = connect(base)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n")
    start = time.monotonic()
    try:
        for _ in range(20):   # one header byte every 0.2 s: never done within header_timeout (1 s)
            s.sendall(b"X")
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.settimeout(2)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    assert data.startswith(b"HTTP/1.1 408"), data
    assert time.monotonic() - start < 3.0
    s.close()


def test_idle_keep_alive_connection_is_closed(base):
    s = connect(base)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    status, _, _ = read_response(s)
    assert status == 200
    start = time.monotonic()
    assert closed_within(s, 5.0)   # idle_timeout: 2 s
    assert 1.5 < time.monotonic() - start < 4.0
    s.close()


def test_connection_over_the_cap_gets_503_then_capacity_returns(base):
    held = [connect(base) for _ in range(4)]   # max_connections: 4
    for s in held:   # each sends a head and keeps the connection open
        s.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        assert read_response(s)[0] == 200
    extra = connect(base)
    extra.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    status, headers, payload = read_response(extra)
    assert status == 503
    assert headers["retry-after"] == "1"
    assert json.loads(payload)["error"]["code"] == "too_many_connections"
    assert closed_within(extra, 2.0)
    extra.close()
    for s in held:
        s.close()
    deadline = time.monotonic() + 5
    while True:
        try:
            r = httpx.get(base + "/metrics", timeout=5)
            if r.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "capacity did not come back"
        time.sleep(0.1)
    rejected = [line for line in r.text.splitlines() if line.startswith("groupqwen_rejected_connections")]
    assert rejected and float(rejected[0].split()[-1]) >= 1


def active_sequences(base):
    text = httpx.get(base + "/metrics", timeout=5).text
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("groupqwen_active_sequences") and 'model="smollm2"' in line)


def test_non_streamed_generation_stops_when_the_client_disconnects(base):
    # Warm the model so the timing below is about generation, not loading.
    warm = httpx.post(base + "/v1/chat/completions", timeout=120,
                      json={"model": "smollm2", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2})
    assert warm.status_code == 200
    body = json.dumps({"model": "smollm2", "messages": [{"role": "user", "content": "Count to ten thousand."}],
                       "max_tokens": 1500, "ignore_eos": True, "temperature": 0}).encode()
    s = connect(base)
    s.sendall(upload_head(len(body), close=False) + body)
    deadline = time.monotonic() + 10
    while active_sequences(base) < 1:   # generating (1,500 tokens take SmolLM2 well over 5 s here)
        assert time.monotonic() < deadline, "the generation did not start"
        time.sleep(0.05)
    s.close()   # the client gives up without reading
    start = time.monotonic()
    while active_sequences(base) > 0:
        assert time.monotonic() - start < 1.0, "the generation kept running after the client left"
        time.sleep(0.05)
