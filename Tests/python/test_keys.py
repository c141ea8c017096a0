"""API keys with scopes and quotas, through the official `openai` package on a real server: a `user` key gets 403
on admin routes, quotas answer 429 with `Retry-After` and `x-ratelimit-*`, and one key never sees another's cache
entries, files or jobs (memories: test_mcp.py). Keys come from the file (one only as its SHA-256) and from
$GROUPQWEN_API_KEYS."""
import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import openai
import pytest

from server_process import ROOT, free_port

ADMIN, ALICE, BOB, CAROL = "sk-admin-1", "sk-alice-2", "sk-bob-3", "sk-carol-4"
MODEL = "smollm2-135m"
TRAINING = "".join(json.dumps({"messages": [{"role": "user", "content": f"Greet {n}."},
                                            {"role": "assistant", "content": f"Ahoy, {n}!"}]}) + "\n"
                   for n in ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]).encode()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    config = folder / "keys-config.yaml"
    config.write_text(f"""
host: 127.0.0.1
port: 8080
api_keys:
  - {ADMIN}
  - {{name: alice, key_sha256: {hashlib.sha256(ALICE.encode()).hexdigest()}, scope: user, requests_per_minute: 4}}
  - {{name: bob, key: {BOB}, scope: user}}
cache:
  enabled: true
  path: {folder / 'cache.sqlite'}
training:
  path: {folder / 'ft.sqlite'}
  directory: {folder}
  threads: 1
models:
  - id: {MODEL}
    source: {MODEL}
    tier: 0
    preload: true
""")
    binary = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
    port = free_port()
    log = open(ROOT / ".build" / "keys-tests-server.log", "w")
    env = {**os.environ, "GROUPQWEN_API_KEYS": f"{CAROL}:user::60"}   # carol: user, 60 tokens per minute
    proc = subprocess.Popen([binary, "serve", "--config", str(config), "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        assert proc.poll() is None, "server exited; see .build/keys-tests-server.log"
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.time() < deadline
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def sdk(base, key):
    return openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0, timeout=120)


def ask(client, text, max_tokens=8):
    return client.chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": text}], max_tokens=max_tokens, temperature=0)


def test_unknown_key_is_401(base):
    with pytest.raises(openai.AuthenticationError):
        sdk(base, "sk-nobody").models.list()


@pytest.mark.parametrize("method,path", [("post", "/models/smollm2-135m/load"), ("post", "/models/smollm2-135m/unload"),
                                         ("post", "/adapters"), ("delete", "/adapters/x"), ("delete", "/cache"),
                                         ("get", "/cache/stats"), ("post", "/experts/deploy")])
def test_user_key_cannot_call_admin_routes(base, method, path):
    client = sdk(base, BOB)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        getattr(client, method)(path, cast_to=httpx.Response, **({"body": {}} if method == "post" else {}))
    assert caught.value.status_code == 403
    assert caught.value.code == "insufficient_scope"
    assert httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {BOB}"}).status_code == 403


def test_admin_key_may_call_them(base):
    client = sdk(base, ADMIN)
    assert client.get("/cache/stats", cast_to=httpx.Response).status_code == 200
    assert httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {ADMIN}"}).status_code == 200


def test_user_key_infers(base):
    assert sdk(base, BOB).models.list().data
    assert ask(sdk(base, BOB), "Say hi.").parse().choices[0].message.content is not None


def test_requests_per_minute_quota_gives_429_with_headers(base):
    client = sdk(base, ALICE)
    remaining = []
    for i in range(4):
        raw = ask(client, f"Count to {i + 2}.")
        assert raw.headers["x-ratelimit-limit-requests"] == "4"
        remaining.append(int(raw.headers["x-ratelimit-remaining-requests"]))
    assert remaining == [3, 2, 1, 0]
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client, "One more.")
    headers = caught.value.response.headers
    assert caught.value.code == "rate_limit_exceeded"
    assert 1 <= int(headers["retry-after"]) <= 60
    assert headers["x-ratelimit-remaining-requests"] == "0"
    assert headers["x-ratelimit-reset-requests"].endswith("s")
    # Other keys are not affected.
    assert ask(sdk(base, BOB), "Still fine?").parse().choices


def test_tokens_per_minute_quota_from_the_environment(base):
    client = sdk(base, CAROL)
    raw = ask(client, "Tell me about the sea.", max_tokens=48)   # ~30 prompt + 48 completion tokens > 60
    assert raw.headers["x-ratelimit-limit-tokens"] == "60"
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client, "And the sky?")
    headers = caught.value.response.headers
    assert headers["x-ratelimit-remaining-tokens"] == "0"
    assert int(headers["retry-after"]) >= 1


def test_cache_entries_are_the_keys_own(base):
    question = "What colour is a ripe banana?"
    first = ask(sdk(base, ADMIN), question)
    again = ask(sdk(base, ADMIN), question)
    assert first.headers["x-groupqwen-cache"] == "miss" and again.headers["x-groupqwen-cache"] == "hit"
    assert ask(sdk(base, BOB), question).headers["x-groupqwen-cache"] == "miss"


def test_files_and_jobs_are_the_keys_own(base):
    bob, admin, carol = sdk(base, BOB), sdk(base, ADMIN), sdk(base, CAROL)
    upload = bob.files.create(file=("greet.jsonl", TRAINING), purpose="fine-tune")
    assert upload.id in [f.id for f in bob.files.list()]
    assert upload.id not in [f.id for f in carol.files.list()]
    assert upload.id in [f.id for f in admin.files.list()]   # admin sees all
    with pytest.raises(openai.NotFoundError):
        carol.files.retrieve(upload.id)
    with pytest.raises(openai.NotFoundError):
        carol.files.delete(upload.id)
    with pytest.raises(openai.NotFoundError):
        carol.fine_tuning.jobs.create(model=MODEL, training_file=upload.id)
    job = bob.fine_tuning.jobs.create(model=MODEL, training_file=upload.id,
                                      extra_body={"lora": {"rank": 2, "targets": ["q"]}, "training": {"max_steps": 1}})
    try:
        assert job.id in [j.id for j in bob.fine_tuning.jobs.list()]
        assert job.id not in [j.id for j in carol.fine_tuning.jobs.list()]
        assert job.id in [j.id for j in admin.fine_tuning.jobs.list()]
        for call in (lambda: carol.fine_tuning.jobs.retrieve(job.id), lambda: carol.fine_tuning.jobs.cancel(job.id),
                     lambda: carol.fine_tuning.jobs.list_events(job.id)):
            with pytest.raises(openai.NotFoundError):
                call()
    finally:
        try:
            bob.fine_tuning.jobs.cancel(job.id)
        except openai.ConflictError:
            pass   # already finished
