"""A tiny OpenAI-compatible backend (http.server in a thread) that always answers with hostile Markdown.

The console must show that text literally: the <img>/<script> tags as text, the javascript: link as
text, and only the **bold** and `code` as formatting. Serves GET /v1/models (the server's health check)
and POST /v1/chat/completions, whole or streamed (SSE with a usage chunk, then [DONE]).
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ANSWER = ('Here: <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> and '
          '[link](javascript:alert(1)) and **bold** and `code`')


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output quiet
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            self.send_json(200, {"object": "list", "data": [{"id": "stub", "object": "model", "created": 0,
                                                             "owned_by": "stub"}]})
        else:
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error",
                                           "param": None, "code": None}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error",
                                                  "param": None, "code": None}})
        created = int(time.time())
        model = request.get("model", "stub")
        usage = {"prompt_tokens": 5, "completion_tokens": 20, "total_tokens": 25}
        if not request.get("stream"):
            return self.send_json(200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": created, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER},
                             "finish_reason": "stop"}],
                "usage": usage})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

        def event(obj):
            self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
            self.wfile.flush()

        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": created, "model": model}
        event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                    "finish_reason": None}]})
        # Split into a few pieces so tags are cut across chunks, as a real model would.
        pieces = [ANSWER[i:i + 17] for i in range(0, len(ANSWER), 17)]
        for piece in pieces:
            event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (request.get("stream_options") or {}).get("include_usage"):
            event({**base, "choices": [], "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


def start_stub():
    """Starts the stub on a free port in a daemon thread; returns (server, base URL ending in /v1)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/v1"


if __name__ == "__main__":
    server, url = start_stub()
    print(url, flush=True)
    threading.Event().wait()
