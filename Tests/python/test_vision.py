"""Images in chat requests and `/v1/vision/analyze`: OpenAI `image_url` / `input_image` content parts are checked (format by magic bytes, size
and dimensions) and routed only to a model with the `vision` capability — here a recording OpenAI-compatible stub
peer configured as a remote vision backend — which receives the parts exactly as sent; the local text model never
gets an image (400 naming the capability), and bad images are 400s naming the part and the problem."""
import base64
import json
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from server_process import start_server, stop_server


class RecordingBackend(BaseHTTPRequestHandler):
    """A stub vision backend: records each request body and answers one fixed chat completion."""
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        RecordingBackend.received.append(body)
        # A detection request (json_schema) gets detection JSON, with a box given corner-swapped and out of range.
        content = ('{"objects": [{"label": "square", "box": [0.9, 0.1, 0.2, 1.4]}, {"label": "bad", "box": [1]}]}'
                   if body.get("response_format") else "A red square.")
        reply = {"id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body.get("model"),
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                              "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def png(width, height):
    """A valid RGB PNG of one colour."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def data_url(data, mime="image/png"):
    return f"data:{mime};base64," + base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def backend():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def gateway(backend, tmp_path_factory):
    config = tmp_path_factory.mktemp("vision") / "vision.yaml"
    config.write_text(f"""
cache:
  enabled: true
  path: ":memory:"
training:
  path: ":memory:"
models:
  - id: smollm2
    source: smollm2-135m
    tier: 0
  - id: vlm
    url: {backend}/v1
    remote_model: Qwen/Qwen2.5-VL-3B-Instruct
    capabilities: [chat, vision]
    tier: 1
    attempts: 1
""")
    proc, base = start_server(config, "python-vision-server.log")
    yield base
    stop_server(proc)


def post(base, messages, **extra):
    return httpx.post(base + "/v1/chat/completions", json={"messages": messages, "max_tokens": 16, **extra}, timeout=120)


def image_message(*urls, kind="image_url"):
    parts = [{"type": "text", "text": "What is in this image?"}]
    for url in urls:
        parts.append({"type": kind, "image_url": {"url": url, "detail": "low"}} if kind == "image_url"
                     else {"type": kind, "image_url": url})
    return [{"role": "user", "content": parts}]


def test_an_image_request_is_routed_to_the_vision_backend_with_its_parts_intact(gateway):
    RecordingBackend.received.clear()
    messages = image_message(data_url(png(4, 3)), "https://example.invalid/cat.jpg")
    r = post(gateway, messages, cache=False)
    assert r.status_code == 200, r.text
    assert r.headers["x-groupqwen-model"] == "vlm"
    assert r.json()["choices"][0]["message"]["content"] == "A red square."
    sent = RecordingBackend.received[-1]
    assert sent["model"] == "Qwen/Qwen2.5-VL-3B-Instruct"
    assert sent["messages"] == messages, "the content parts reach the backend exactly as the client sent them"


def test_input_image_parts_are_accepted(gateway):
    RecordingBackend.received.clear()
    r = post(gateway, image_message(data_url(png(2, 2)), kind="input_image"), cache=False)
    assert r.status_code == 200, r.text
    assert RecordingBackend.received[-1]["messages"][0]["content"][1]["type"] == "input_image"


def test_a_text_model_never_receives_an_image(gateway):
    r = post(gateway, image_message(data_url(png(4, 3))), model="smollm2")
    assert r.status_code == 400
    error = r.json()["error"]
    assert "'vision' capability" in error["message"] and error["param"] == "model", error


@pytest.mark.parametrize("url, code, words", [
    ("data:image/png;base64,!!!not-base64!!!", "invalid_image", "base64"),
    (data_url(b"hello, I am a text file", "image/png"), "invalid_image", "not a PNG, JPEG, WebP or GIF"),
    (data_url(png(4, 3)[:20]), "invalid_image", "not a PNG, JPEG, WebP or GIF"),
    ("data:image/png," + "abc", "invalid_image", "base64-encoded"),
    ("ftp://example.invalid/cat.png", "invalid_image", "data: URL"),
])
def test_bad_images_are_400s_naming_the_part(gateway, url, code, words):
    r = post(gateway, image_message(url))
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == code and words in error["message"], error
    assert error["param"] == "messages[0].content[1].image_url", error


def test_an_image_too_large_in_pixels_is_refused(gateway):
    # A PNG header announcing 20000 × 10 pixels (the check reads the header, not the pixels).
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 20000, 10, 8, 2, 0, 0, 0)
    r = post(gateway, image_message(data_url(header + b"\x00" * 16)))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "image_too_large" and "20000×10" in r.json()["error"]["message"]


def test_the_semantic_cache_keys_images_by_content(gateway):
    RecordingBackend.received.clear()
    red, other = data_url(png(5, 5)), data_url(png(6, 5))
    first = post(gateway, image_message(red), temperature=0)
    again = post(gateway, image_message(red), temperature=0)
    different = post(gateway, image_message(other), temperature=0)
    assert first.status_code == again.status_code == different.status_code == 200
    assert again.headers["x-groupqwen-cache"] == "hit"
    assert different.headers["x-groupqwen-cache"] == "miss", "another image is another question"
    assert len(RecordingBackend.received) == 2


def analyze(base, **body):
    return httpx.post(base + "/v1/vision/analyze", json=body, timeout=120)


@pytest.mark.parametrize("task, prompt_words", [("describe", "Describe this image"), ("ocr", "Transcribe all text")])
def test_analyze_builds_the_task_prompt_and_returns_text(gateway, task, prompt_words):
    RecordingBackend.received.clear()
    r = analyze(gateway, image=data_url(png(3, 3)), task=task)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["object"] == "vision.analysis" and result["task"] == task
    assert result["text"] == "A red square." and result["model"] == "vlm"
    assert result["usage"]["total_tokens"] == 14
    parts = RecordingBackend.received[-1]["messages"][0]["content"]
    assert prompt_words in parts[0]["text"] and parts[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_analyze_vqa_asks_the_question(gateway):
    RecordingBackend.received.clear()
    r = analyze(gateway, image="https://example.invalid/cat.jpg", task="vqa", question="What colour is the cat?")
    assert r.status_code == 200, r.text
    parts = RecordingBackend.received[-1]["messages"][0]["content"]
    assert parts[0]["text"] == "What colour is the cat?" and parts[1]["image_url"]["url"] == "https://example.invalid/cat.jpg"


def test_analyze_detect_returns_checked_boxes(gateway):
    RecordingBackend.received.clear()
    r = analyze(gateway, image=data_url(png(3, 3)), task="detect")
    assert r.status_code == 200, r.text
    assert r.json()["objects"] == [{"label": "square", "box": [0.2, 0.1, 0.9, 1.0]}]
    sent = RecordingBackend.received[-1]
    assert sent["response_format"]["type"] == "json_schema" and sent["response_format"]["json_schema"]["strict"] is True


@pytest.mark.parametrize("body, param", [
    ({"task": "describe"}, "image"),
    ({"image": "data:image/png;base64,AAAA", "task": "describe"}, "image"),
    ({"image": "https://example.invalid/a.png", "task": "count"}, "task"),
    ({"image": "https://example.invalid/a.png", "task": "vqa"}, "question"),
    ({"image": "https://example.invalid/a.png", "colour": "red"}, "colour"),
])
def test_analyze_errors_name_the_field(gateway, body, param):
    r = analyze(gateway, **body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == param, r.json()
