#!/usr/bin/env python3
"""Writes a synthetic ChatGPT export `conversations.json` of about the requested size, for benchmarks.

Usage: make_chatgpt_export.py --size-mb 500 -o /tmp/conversations.json [--seed 7] [--zip]

The file has the shape of a real export: an array of conversations, each a `mapping` tree rooted at a node
with a null message, with `current_node`. Mixed in, at realistic rates: hidden system turns, user profile
context (`user_editable_context`), edited user turns and regenerated answers (abandoned branches), tool calls
(assistant turns addressed to `python` or `browser`, tool outputs), `thoughts`, images in `multimodal_text`,
user-written system messages, text with quotes, backslashes, code blocks and non-ASCII characters, personal
data (emails, phones, card numbers, API keys), refusals and one-word answers, about 3% exact duplicates
(same turns under new ids) and about 3% near-duplicates (a few words changed). Python 3 standard library
only; the same seed gives the same file.
"""
import argparse
import json
import os
import random
import sys
import time
import uuid
import zipfile

WORDS = (
    "the a an of to and in is it that for on with as this be are was by at from or have not but can will "
    "model data file system value function server request memory thread cache query index table column "
    "error result option setting user account password network address port token batch layer weight "
    "training dataset example answer question because however therefore instead usually often rarely "
    "simple complex fast slow large small first second last next previous new old good better best "
    "kitchen recipe garden travel budget invoice meeting schedule project report draft summary chapter "
    "python swift rust script compiler build test release branch commit merge review deploy monitor "
    "explain describe compare improve rewrite translate calculate estimate check verify choose create "
    "café naïve résumé déjà Zürich Ελλάδα 東京 données straße año smörgåsbord"
).split()
TOPICS = [
    "Planning a trip to Lisbon", "Fixing a flaky unit test", "Weekly meal plan", "Explain attention in transformers",
    "Rewrite my cover letter", "SQL query is slow", "Budget spreadsheet formulas", "Birthday party ideas",
    "Swift concurrency question", "Translate an email to German", "Garden layout for tomatoes", "Résumé feedback",
    "Kubernetes pod keeps restarting", "Summarize this article", "Learning Japanese kanji", "Tax deduction question",
]
REFUSALS = [
    "I'm sorry, but I can't help with that.", "I can't assist with that request.",
    "As an AI language model, I cannot provide that information.", "I apologize, but I'm unable to do that.",
]
ONE_WORD = ["Yes.", "No.", "Sure.", "Done.", "Correct.", "Thanks!"]
CODE = [
    "```python\ndef mean(xs):\n    return sum(xs) / len(xs)\n\nprint(mean([1, 2, 3]))\n```",
    "```swift\nlet names = [\"a\", \"b\"]\nprint(names.joined(separator: \"\\\\n\"))\n```",
    "```bash\ngrep -rn \"TODO\" src/ | wc -l\n```",
    "Use a path like `C:\\\\Users\\\\me\\\\file.txt` or a regex such as `\\d{3}-\\d{4}`.",
]


def make_pii(rng):
    kind = rng.randrange(5)
    if kind == 0:
        return f"{rng.choice(['jane', 'li.wei', 'o.brien', 'max'])}{rng.randrange(100)}@{rng.choice(['example.com', 'mail.co.uk', 'corp.io'])}"
    if kind == 1:
        return f"+1 415-555-{rng.randrange(10000):04d}"
    if kind == 2:
        return rng.choice(["4111 1111 1111 1111", "5500 0000 0000 0004", "4012 8888 8888 1881"])
    if kind == 3:
        return "sk-proj-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(32))
    return "ghp_" + "".join(rng.choice("ABCDEFabcdef0123456789") for _ in range(36))


class TextMaker:
    """Paragraphs built from a pool of generated sentences, so the text varies without costing much."""

    def __init__(self, rng):
        self.rng = rng
        self.sentences = []
        for _ in range(20000):
            n = rng.randrange(6, 22)
            words = [rng.choice(WORDS) for _ in range(n)]
            s = " ".join(words)
            s = s[0].upper() + s[1:]
            if rng.random() < 0.1:
                s += ' "quoted"'
            self.sentences.append(s + rng.choice([".", ".", ".", "?", "!"]))

    def paragraph(self):
        return " ".join(self.rng.choice(self.sentences) for _ in range(self.rng.randrange(2, 7)))

    def message(self, paragraphs):
        parts = [self.paragraph() for _ in range(paragraphs)]
        r = self.rng.random()
        if r < 0.08:
            parts.insert(self.rng.randrange(len(parts) + 1), self.rng.choice(CODE))
        if r > 0.96:
            parts.append("You can reach me at " + make_pii(self.rng) + ".")
        return "\n\n".join(parts)


class ConversationMaker:
    def __init__(self, rng):
        self.rng = rng
        self.text = TextMaker(rng)
        self.clock = 1_650_000_000.0

    def node_id(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def message(self, role, content, t, recipient="all", metadata=None, name=None):
        return {
            "id": self.node_id(), "author": {"role": role, "name": name, "metadata": {}},
            "create_time": t, "update_time": None, "content": content,
            "status": "finished_successfully", "end_turn": role == "assistant" or None, "weight": 1.0,
            "metadata": metadata or {}, "recipient": recipient, "channel": None,
        }

    def conversation(self):
        rng = self.rng
        self.clock += rng.uniform(60, 90_000)
        t = self.clock
        mapping = {}

        def add(message, parent):
            nid = message["id"] if message else self.node_id()
            mapping[nid] = {"id": nid, "message": message, "parent": parent, "children": []}
            if parent:
                mapping[parent]["children"].append(nid)
            return nid

        root = add(None, None)
        parent = add(self.message("system", {"content_type": "text", "parts": [""]}, None,
                                  metadata={"is_visually_hidden_from_conversation": True}), root)
        if rng.random() < 0.3:
            parent = add(self.message("user", {"content_type": "user_editable_context",
                                               "user_profile": "I am a software developer in Berlin.",
                                               "user_instructions": "Be concise."}, None,
                                      metadata={"is_visually_hidden_from_conversation": True}), parent)
        if rng.random() < 0.05:
            parent = add(self.message("system", {"content_type": "text", "parts": ["Always answer in British English."]},
                                      t, metadata={"is_user_system_message": True}), parent)
        for turn in range(rng.randrange(1, 7)):
            t += rng.uniform(5, 300)
            question = self.text.message(rng.randrange(1, 3))
            if rng.random() < 0.07:
                content = {"content_type": "multimodal_text", "parts": [
                    {"content_type": "image_asset_pointer", "asset_pointer": "file-service://file-" + self.node_id()[:12],
                     "size_bytes": rng.randrange(50_000, 900_000), "width": 1024, "height": 768},
                    question]}
            else:
                content = {"content_type": "text", "parts": [question]}
            if rng.random() < 0.08:   # an edited question: the first version keeps an abandoned answer
                old = add(self.message("user", {"content_type": "text", "parts": [question[: len(question) // 2]]}, t), parent)
                add(self.message("assistant", {"content_type": "text", "parts": [self.text.message(1)]}, t + 3), old)
                t += 30
            parent = add(self.message("user", content, t), parent)
            if rng.random() < 0.1:
                parent = add(self.message("assistant", {"content_type": "thoughts", "thoughts": [
                    {"summary": "Thinking", "content": self.text.paragraph()}], "source_analysis_msg_id": self.node_id()}, t + 1), parent)
            if rng.random() < 0.08:   # a tool call and its output
                parent = add(self.message("assistant", {"content_type": "code", "language": "unknown",
                                                        "text": "print(sum(range(10)))"}, t + 2, recipient="python"), parent)
                parent = add(self.message("tool", {"content_type": "execution_output", "text": "45"}, t + 3, name="python"), parent)
            r = rng.random()
            if r < 0.02:
                answer = rng.choice(REFUSALS)
            elif r < 0.04:
                answer = rng.choice(ONE_WORD)
            else:
                answer = self.text.message(rng.randrange(1, 6))
            if rng.random() < 0.06:   # a regenerated answer: the older one is abandoned
                add(self.message("assistant", {"content_type": "text", "parts": [self.text.message(1)]}, t + 5), parent)
            parent = add(self.message("assistant", {"content_type": "text", "parts": [answer]}, t + 10), parent)
        conversation_id = self.node_id()
        return {
            "title": rng.choice(TOPICS), "create_time": self.clock, "update_time": t,
            "mapping": mapping, "moderation_results": [], "current_node": parent, "plugin_ids": None,
            "conversation_id": conversation_id, "conversation_template_id": None, "gizmo_id": None,
            "is_archived": False, "safe_urls": [], "default_model_slug": rng.choice(["gpt-4o", "gpt-4o-mini", "o3"]),
            "id": conversation_id,
        }


def renamed(conversation, rng, near):
    """A copy under new ids; with `near`, a few words of the last answer are changed."""
    text = json.dumps(conversation, ensure_ascii=False)
    copy = json.loads(text)
    new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    copy["conversation_id"] = copy["id"] = new_id
    copy["create_time"] += rng.uniform(100, 10_000)
    if near:
        node = copy["mapping"][copy["current_node"]]["message"]
        parts = node["content"]["parts"]
        words = parts[0].split(" ")
        for _ in range(max(1, len(words) // 40)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        parts[0] = " ".join(words)
    return copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=float, default=500, help="approximate size in MB (10^6 bytes)")
    parser.add_argument("-o", "--output", required=True, help="path of conversations.json to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--zip", action="store_true", help="also write OUTPUT.zip with the file inside a folder")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    maker = ConversationMaker(rng)
    target = int(args.size_mb * 1_000_000)
    start = time.time()
    written = 0
    count = 0
    recent = []
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("[")
        while written < target:
            r = rng.random()
            if r < 0.03 and recent:
                conversation = renamed(rng.choice(recent), rng, near=False)
            elif r < 0.06 and recent:
                conversation = renamed(rng.choice(recent), rng, near=True)
            else:
                conversation = maker.conversation()
                if len(recent) < 200:
                    recent.append(conversation)
                else:
                    recent[rng.randrange(200)] = conversation
            chunk = ("," if count else "") + "\n" + json.dumps(conversation, ensure_ascii=False)
            out.write(chunk)
            written += len(chunk.encode("utf-8")) if not chunk.isascii() else len(chunk)
            count += 1
        out.write("\n]\n")
    size = os.path.getsize(args.output)
    print(f"wrote {count} conversations, {size / 1e6:.1f} MB to {args.output} in {time.time() - start:.1f} s", file=sys.stderr)
    if args.zip:
        with zipfile.ZipFile(args.output + ".zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(args.output, "chatgpt-export/conversations.json")
        print(f"wrote {args.output}.zip", file=sys.stderr)


if __name__ == "__main__":
    main()
