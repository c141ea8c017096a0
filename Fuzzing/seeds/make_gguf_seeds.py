"""Writes small, complete GGUF files for the gguf fuzz target's seeds (scripts/fuzz.sh): a byte-level BPE and a
SentencePiece tokenizer with special tokens and a chat template, and a few tiny tensors, so that mutations start
from files that parse all the way to the tokenizer and template. Usage: make_gguf_seeds.py OUT_DIR TEMPLATE..."""
import os
import struct
import sys

UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64 = 4, 5, 6, 7, 8, 9, 10


def string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def value(kind, v):
    if kind == UINT32: return struct.pack("<I", v)
    if kind == INT32: return struct.pack("<i", v)
    if kind == FLOAT32: return struct.pack("<f", v)
    if kind == BOOL: return struct.pack("<B", 1 if v else 0)
    if kind == STRING: return string(v)
    if kind == UINT64: return struct.pack("<Q", v)
    raise ValueError(kind)


def array(kind, items):
    return struct.pack("<IQ", kind, len(items)) + b"".join(value(kind, i) for i in items)


def gguf(metadata, tensors):
    """metadata: [(key, kind, value)] (kind ARRAY: value = (item kind, items)); tensors: [(name, shape, type, bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for key, kind, v in metadata:
        out += string(key) + struct.pack("<I", kind) + (array(*v) if kind == ARRAY else value(kind, v))
    offset, data = 0, b""
    for name, shape, ggml_type, raw in tensors:
        out += string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in shape)
        out += struct.pack("<IQ", ggml_type, offset)
        data += raw + bytes((-len(raw)) % 32)
        offset = len(data)
    out += bytes((-len(out)) % 32)
    return out + data


def byte_level_alphabet():
    """GPT-2's bytes_to_unicode: the 256 byte symbols of a byte-level BPE vocabulary."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, n = keep[:], 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return [chr(c) for c in chars]


def main():
    out, templates = sys.argv[1], [open(p, encoding="utf-8").read() for p in sys.argv[2:]]
    tensors = [("token_embd.weight", [4, 2], 0, struct.pack("<8f", *range(8))),
               ("output_norm.weight", [32], 1, bytes(64)),
               ("blk.0.attn_q.weight", [32, 1], 8, bytes(34))]
    common = [("general.architecture", STRING, "llama"), ("general.name", STRING, "fuzz seed"),
              ("general.alignment", UINT32, 32), ("llama.context_length", UINT32, 128),
              ("llama.rope.freq_base", FLOAT32, 10000.0)]

    # Byte-level BPE (Qwen2 pre-tokenizer), ChatML special tokens.
    tokens = byte_level_alphabet()
    merges = ["Ġ t", "h e", "Ġt he", "l l", "e ll", "h ell", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d"]
    for m in merges:
        tokens.append(m.replace(" ", ""))
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    types = [1] * len(tokens) + [3] * len(specials)
    tokens += specials
    bpe = common + [
        ("tokenizer.ggml.model", STRING, "gpt2"), ("tokenizer.ggml.pre", STRING, "qwen2"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, tokens)), ("tokenizer.ggml.token_type", ARRAY, (INT32, types)),
        ("tokenizer.ggml.merges", ARRAY, (STRING, merges)),
        ("tokenizer.ggml.bos_token_id", UINT32, len(tokens) - 3), ("tokenizer.ggml.eos_token_id", UINT32, len(tokens) - 1),
        ("tokenizer.ggml.add_bos_token", BOOL, False),
    ]
    # SentencePiece (llama): unknown, control and byte tokens, scores.
    sp_tokens = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)] + ["▁", "▁H", "ello", "▁world", "o", "l", "e", "H"]
    sp_types = [2, 3, 3] + [6] * 256 + [1] * 8
    sp = common + [
        ("tokenizer.ggml.model", STRING, "llama"),
        ("tokenizer.ggml.tokens", ARRAY, (STRING, sp_tokens)), ("tokenizer.ggml.token_type", ARRAY, (INT32, sp_types)),
        ("tokenizer.ggml.scores", ARRAY, (FLOAT32, [0.0] * 259 + [-1.0, -2.0, -3.0, -4.0, -5.0, -5.0, -5.0, -5.0])),
        ("tokenizer.ggml.unknown_token_id", UINT32, 0), ("tokenizer.ggml.bos_token_id", UINT32, 1),
        ("tokenizer.ggml.eos_token_id", UINT32, 2), ("tokenizer.ggml.add_space_prefix", BOOL, True),
    ]
    for i, template in enumerate(templates or [""]):
        extra = [("tokenizer.chat_template", STRING, template)] if template else []
        with open(os.path.join(out, f"bpe-{i}.gguf"), "wb") as f:
            f.write(gguf(bpe + extra, tensors))
        with open(os.path.join(out, f"sentencepiece-{i}.gguf"), "wb") as f:
            f.write(gguf(sp + extra, tensors))


main()
