"""Language identification through a real server: `POST /v1/detect-language` (one text or many; ISO 639-1 codes,
ISO 15924 scripts, ranked candidates; 400s naming the field), and routing by the models' `languages` — SmolLM2 is
English-only, so `auto` sends a French prompt to the multilingual Qwen model while an English one stays on SmolLM2.
The identified language is reported in the `groupqwen` object."""
import httpx
import pytest

from server_process import start_server, stop_server


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    config = tmp_path_factory.mktemp("languages") / "languages.yaml"
    config.write_text("""
cache:
  enabled: false
training:
  path: ":memory:"
routing:
  tier_thresholds: [0.5, 0.9]   # simple prompts start on tier 0
  min_confidence: 0             # and stay there (no escalation)
models:
  - id: smollm2-135m
    tier: 0
  - id: qwen2.5-coder-0.5b
    tier: 1
""")
    proc, base = start_server(config, "python-languages-server.log")
    yield base
    stop_server(proc)


def detect(base, **body):
    return httpx.post(base + "/v1/detect-language", json=body, timeout=120)


def test_one_text(base):
    r = detect(base, text="Bonjour à tous, je voudrais réserver une table pour deux personnes ce soir.")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["language"] == "fr" and body["script"] == "Latn"
    assert 0.5 < body["confidence"] <= 1
    assert body["candidates"][0] == {"language": "fr", "confidence": body["confidence"]}
    assert len(body["candidates"]) == 3
    assert [c["confidence"] for c in body["candidates"]] == sorted((c["confidence"] for c in body["candidates"]), reverse=True)


def test_many_texts_in_order(base):
    texts = ["Der Hund schläft im Garten unter dem alten Baum.", "Собака спит в саду под старым деревом.",
             "犬は古い木の下の庭で寝ています。", "El perro duerme en el jardín bajo el viejo árbol.", "12345 + 67 = ?"]
    r = detect(base, texts=texts, candidates=1)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert [d["language"] for d in data] == ["de", "ru", "ja", "es", "und"]
    assert [d["script"] for d in data] == ["Latn", "Cyrl", "Jpan", "Latn", None]
    assert all(len(d["candidates"]) == (0 if d["language"] == "und" else 1) for d in data)


@pytest.mark.parametrize("body, param", [
    ({"text": "hi", "texts": ["hi"]}, "text"),
    ({}, "text"),
    ({"texts": []}, "texts"),
    ({"text": "hello", "candidates": 0}, "candidates"),
    ({"text": "hello", "lang": "en"}, "lang"),
])
def test_bad_requests_name_the_field(base, body, param):
    r = detect(base, **body)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == param


def test_bad_json_types(base):
    r = detect(base, text=42)
    assert r.status_code == 400 and "'text' must be a string" in r.json()["error"]["message"]


def chat(base, prompt):
    r = httpx.post(base + "/v1/chat/completions", timeout=300, json={
        "model": "auto", "messages": [{"role": "user", "content": prompt}], "max_tokens": 8, "temperature": 0})
    assert r.status_code == 200, r.text
    return r.json()["groupqwen"]


def test_routing_respects_model_languages(base):
    english = chat(base, "What colour is the sky on a clear summer day?")
    assert english["language"] == "en" and english["model"] == "smollm2-135m", english
    french = chat(base, "De quelle couleur est le ciel par une belle journée d'été ?")
    assert french["model"] == "qwen2.5-coder-0.5b" and french["language"] == "fr" and not french["escalations"], french
    # Naming the model is the client's choice: the language does not override it.
    r = httpx.post(base + "/v1/chat/completions", timeout=300, json={
        "model": "smollm2-135m", "messages": [{"role": "user", "content": "De quelle couleur est le ciel ?"}], "max_tokens": 4})
    assert r.status_code == 200 and r.json()["model"] == "smollm2-135m"
