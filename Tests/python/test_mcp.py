"""The MCP server through the official `mcp` Python SDK: over stdio (`groupqwen mcp`, spawned like Claude Desktop
does) and over streamable HTTP (`POST /mcp` of a running `groupqwen serve`, behind API keys).

Real models (SmolLM2-135M answers `chat`), real MiniLM embeddings, real SQLite memory files in a temporary folder.
"""
import json
import os
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from server_process import ROOT, start_server, stop_server

BINARY = os.environ.get("GROUPQWEN_BIN", str(ROOT / ".build" / "release" / "groupqwen"))
PARAPHRASES = json.loads((Path(__file__).parent / "data" / "memory_paraphrases.json").read_text())["memories"]
TOOLS = {"chat", "embed", "memory_store", "memory_search", "memory_delete", "list_models", "cache_stats"}
KEY_A, KEY_B = "mcp-key-a", "mcp-key-b"


def write_config(folder: Path, memory_file: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yaml"
    config.write_text(f"""
host: 127.0.0.1
port: 8080
api_keys: [{KEY_A}, {KEY_B}]
cache:
  path: ":memory:"
training:
  enabled: false
  path: ":memory:"
experts:
  enabled: false
mcp:
  memory_path: {folder / memory_file}
  ephemeral_ttl_seconds: 3600
models:
  - id: smollm2
    source: smollm2-135m
    context_length: 2048
    tier: 0
    labels: [chat, small]
    preload: true
""")
    return config


@pytest.fixture(scope="module")
def http_server(tmp_path_factory):
    config = write_config(tmp_path_factory.mktemp("mcp-http"), "http-memory.sqlite")
    proc, base = start_server(config, "python-mcp-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def stdio_config(tmp_path_factory):
    return write_config(tmp_path_factory.mktemp("mcp-stdio"), "stdio-memory.sqlite")


@asynccontextmanager
async def stdio_session(config: Path, scope: str | None = KEY_A):
    args = ["mcp", "--config", str(config)] + (["--scope", scope] if scope else [])
    with open(ROOT / ".build" / "python-mcp-stdio.log", "a") as errlog:
        async with stdio_client(StdioServerParameters(command=BINARY, args=args), errlog=errlog) as (read, write):
            async with ClientSession(read, write, read_timeout_seconds=300) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def http_session(base: str, key: str):
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=300) as client:
        async with streamable_http_client(base + "/mcp", http_client=client) as (read, write):
            async with ClientSession(read, write, read_timeout_seconds=300) as session:
                await session.initialize()
                yield session


def run(coroutine_function, *args):
    return anyio.run(coroutine_function, *args)


async def check_tools_and_chat(session: ClientSession):
    tools = await session.list_tools()
    assert {t.name for t in tools.tools} == TOOLS
    chat = next(t for t in tools.tools if t.name == "chat")
    assert "prompt" in chat.input_schema["properties"]

    result = await session.call_tool("chat", {"prompt": "What is the capital of France?", "max_tokens": 24, "temperature": 0})
    assert not result.is_error, result.content
    data = result.structured_content
    assert data["model"] == "smollm2" and data["tier"] == 0
    assert data["cache"] in ("miss", "hit", "bypass")
    assert isinstance(data["answer"], str) and data["answer"].strip()
    assert data["usage"]["completion_tokens"] >= 1
    assert data["routing"]["routed"] is True   # model "auto" by default
    assert result.content[0].text.startswith(data["answer"])

    forced = await session.call_tool("chat", {"messages": [{"role": "system", "content": "Answer briefly."},
                                                           {"role": "user", "content": "Say hi."}],
                                              "model": "smollm2", "max_tokens": 8})
    assert not forced.is_error and forced.structured_content["routing"]["routed"] is False

    embedded = await session.call_tool("embed", {"texts": ["hello world", "good morning"]})
    vectors = embedded.structured_content["embeddings"]
    assert len(vectors) == 2 and all(len(v) == 384 for v in vectors)
    assert abs(sum(x * x for x in vectors[0]) - 1) < 1e-3

    models = await session.call_tool("list_models", {})
    assert "smollm2" in [m["id"] for m in models.structured_content["data"]]
    stats = await session.call_tool("cache_stats", {})
    assert stats.structured_content["enabled"] is True and "hit_rate" in stats.structured_content

    resources = await session.list_resources()
    assert "groupqwen://models" in [str(r.uri) for r in resources.resources]
    read = await session.read_resource("groupqwen://models")
    assert "smollm2" in [m["id"] for m in json.loads(read.contents[0].text)["data"]]


async def paraphrase_accuracy(session: ClientSession, tag: str) -> float:
    """Stores the labelled memories, asks each paraphrase for its top-1; returns the share found first."""
    ids = {}
    for item in PARAPHRASES:
        stored = await session.call_tool("memory_store", {"text": item["text"], "tags": item["tags"] + [tag]})
        assert not stored.is_error, stored.content
        ids[item["key"]] = stored.structured_content["id"]
        assert stored.structured_content["preservation"] == "permanent" and stored.structured_content["expires_at"] is None
    correct = 0
    for item in PARAPHRASES:
        found = await session.call_tool("memory_search", {"query": item["query"], "top_k": 1, "tags": [tag]})
        memories = found.structured_content["memories"]
        if memories and memories[0]["id"] == ids[item["key"]]:
            correct += 1
        else:
            print(f"paraphrase miss: {item['query']!r} -> {memories[0]['text'] if memories else None!r}")
    accuracy = correct / len(PARAPHRASES)
    print(f"memory paraphrase top-1 ({tag}): {correct}/{len(PARAPHRASES)} = {accuracy:.0%}")

    # Defaults: top 5, threshold 0.0, results best first.
    found = await session.call_tool("memory_search", {"query": PARAPHRASES[0]["query"], "tags": [tag]})
    similarities = [m["similarity"] for m in found.structured_content["memories"]]
    assert len(similarities) == 5 and similarities == sorted(similarities, reverse=True) and min(similarities) >= 0

    # The memory is a resource; deleting it removes it.
    uri = "memory://" + ids["dog"]
    assert uri in [str(r.uri) for r in (await session.list_resources()).resources]
    assert "golden retriever" in json.loads((await session.read_resource(uri)).contents[0].text)["text"]
    deleted = await session.call_tool("memory_delete", {"id": ids["dog"]})
    assert deleted.structured_content == {"id": ids["dog"], "deleted": True}
    found = await session.call_tool("memory_search", {"query": PARAPHRASES[0]["query"], "top_k": 12, "tags": [tag]})
    assert ids["dog"] not in [m["id"] for m in found.structured_content["memories"]]
    return accuracy


async def check_bad_arguments(session: ClientSession):
    bad_calls = [
        ("memory_search", {"query": "x", "top_k": "five"}),
        ("memory_search", {}),
        ("memory_store", {"text": "x", "preservation": "forever"}),
        ("memory_store", {"text": "   "}),
        ("memory_delete", {"id": "mem_does_not_exist"}),
        ("chat", {}),
        ("chat", {"prompt": "hi", "model": "no-such-model"}),
        ("chat", {"prompt": "hi", "temperature": 7}),
        ("embed", {"texts": [1, 2]}),
        ("list_models", {"verbose": True}),
        ("no_such_tool", {}),
    ]
    for name, arguments in bad_calls:
        with pytest.raises(MCPError) as caught:
            await session.call_tool(name, arguments)
        assert caught.value.error.code == -32602, (name, arguments, caught.value.error)
    with pytest.raises(MCPError):
        await session.read_resource("memory://mem_does_not_exist")
    # The server is still there.
    assert {t.name for t in (await session.list_tools()).tools} == TOOLS


def test_stdio_tools_chat_and_resources(stdio_config):
    run(lambda: _with(stdio_session(stdio_config), check_tools_and_chat))


def test_stdio_memory_paraphrases(stdio_config):
    accuracy = run(lambda: _with(stdio_session(stdio_config), paraphrase_accuracy, "stdio"))
    assert accuracy >= 0.9


def test_stdio_bad_arguments_are_mcp_errors(stdio_config):
    run(lambda: _with(stdio_session(stdio_config), check_bad_arguments))


def test_stdio_scope_comes_from_the_key(stdio_config):
    async def body():
        async with stdio_session(stdio_config, scope="stdio-key-1") as one:
            stored = await one.call_tool("memory_store", {"text": "The stdio secret is purple-otter.", "preservation": "session"})
            assert stored.structured_content["expires_at"] - stored.structured_content["created_at"] == 86400
        async with stdio_session(stdio_config, scope="stdio-key-2") as two:
            found = await two.call_tool("memory_search", {"query": "stdio secret"})
            assert found.structured_content["memories"] == []
        async with stdio_session(stdio_config, scope="stdio-key-1") as again:
            found = await again.call_tool("memory_search", {"query": "stdio secret", "top_k": 1})
            assert found.structured_content["memories"][0]["text"] == "The stdio secret is purple-otter."
    run(body)


def test_http_tools_chat_and_resources(http_server):
    run(lambda: _with(http_session(http_server, KEY_A), check_tools_and_chat))


def test_http_memory_paraphrases(http_server):
    accuracy = run(lambda: _with(http_session(http_server, KEY_A), paraphrase_accuracy, "http"))
    assert accuracy >= 0.9


def test_http_bad_arguments_are_mcp_errors(http_server):
    run(lambda: _with(http_session(http_server, KEY_A), check_bad_arguments))


def test_http_memories_of_key_a_are_invisible_to_key_b(http_server):
    async def body():
        async with http_session(http_server, KEY_A) as a:
            stored = await a.call_tool("memory_store", {"text": "Key A's vault combination is 31-7-22.", "tags": ["vault"]})
            memory_id = stored.structured_content["id"]
        async with http_session(http_server, KEY_B) as b:
            found = await b.call_tool("memory_search", {"query": "vault combination", "top_k": 10})
            assert memory_id not in [m["id"] for m in found.structured_content["memories"]]
            assert "memory://" + memory_id not in [str(r.uri) for r in (await b.list_resources()).resources]
            with pytest.raises(MCPError):
                await b.read_resource("memory://" + memory_id)
            with pytest.raises(MCPError):
                await b.call_tool("memory_delete", {"id": memory_id})
        async with http_session(http_server, KEY_A) as a:
            found = await a.call_tool("memory_search", {"query": "vault combination", "top_k": 1, "tags": ["vault"]})
            assert found.structured_content["memories"][0]["id"] == memory_id
    run(body)


def test_http_sessions_and_auth(http_server):
    url = http_server + "/mcp"
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
    accept = {"Accept": "application/json, text/event-stream"}
    # No key: the API's 401 in OpenAI's error shape.
    refused = httpx.post(url, json=initialize, headers=accept)
    assert refused.status_code == 401 and set(refused.json()["error"]) >= {"message", "type", "param", "code"}

    auth = {**accept, "Authorization": f"Bearer {KEY_A}"}
    opened = httpx.post(url, json=initialize, headers=auth)
    assert opened.status_code == 200 and opened.headers["content-type"].startswith("application/json")
    session = opened.headers["mcp-session-id"]
    assert opened.json()["result"]["serverInfo"]["name"] == "groupqwen"

    with_session = {**auth, "Mcp-Session-Id": session}
    listed = httpx.post(url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, headers=with_session)
    assert listed.status_code == 200 and {t["name"] for t in listed.json()["result"]["tools"]} == TOOLS
    # Another key cannot use the session; an unknown session is 404; no session at all needs initialize first.
    other = {**with_session, "Authorization": f"Bearer {KEY_B}"}
    assert httpx.post(url, json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, headers=other).status_code == 404
    unknown = {**auth, "Mcp-Session-Id": "nope"}
    assert httpx.post(url, json={"jsonrpc": "2.0", "id": 4, "method": "tools/list"}, headers=unknown).status_code == 404
    assert httpx.post(url, json={"jsonrpc": "2.0", "id": 5, "method": "tools/list"}, headers=auth).status_code == 400
    assert httpx.get(url, headers=with_session).status_code == 405
    assert httpx.delete(url, headers=with_session).status_code == 200
    assert httpx.post(url, json={"jsonrpc": "2.0", "id": 6, "method": "tools/list"}, headers=with_session).status_code == 404


async def _with(context, body, *args):
    async with context as session:
        return await body(session, *args)
