#!/usr/bin/env bash
# libFuzzer targets for the parsers of untrusted input (README, "Fuzzing").
#
#   scripts/fuzz.sh list                     the targets
#   scripts/fuzz.sh TARGET SECONDS [ARGS…]   build TARGET (Fuzzing/, libFuzzer + AddressSanitizer) and fuzz it for SECONDS
#
# Seeds come from the repository's fixtures (rebuilt into Fuzzing/.work/seeds/TARGET on every run); the corpus grows in
# Fuzzing/.work/corpus/TARGET; crashes, timeouts and out-of-memory inputs go to Fuzzing/findings/TARGET/. Extra ARGS go
# to libFuzzer (e.g. -jobs=2, -seed=1). The exit status is libFuzzer's: 0 when nothing was found.
# FUZZ_JOBS=N limits the build's parallel jobs; FUZZ_SKIP_BUILD=1 runs the last build. Reproduce a finding: Fuzzing/.build/debug/<Product> FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TARGETS="gguf safetensors chat-template importers chat-request"

product() {
    case "$1" in
        gguf) echo FuzzGGUF ;;
        safetensors) echo FuzzSafeTensors ;;
        chat-template) echo FuzzChatTemplate ;;
        importers) echo FuzzImporters ;;
        chat-request) echo FuzzChatRequest ;;
        *) echo "unknown target '$1' (scripts/fuzz.sh list)" >&2; exit 2 ;;
    esac
}

describe() {
    case "$1" in
        gguf) echo "GGUF reader: header, metadata, tensor index, accessors; the tokenizer and chat template of a file that parses" ;;
        safetensors) echo "safetensors reader: header length, JSON header, dtypes, shapes and data offsets" ;;
        chat-template) echo "Jinja chat templates: lexer, parser, evaluator (default limits) rendering a fixed conversation" ;;
        importers) echo "fine-tuning importers (7 formats) and the streaming JSON array / JSON Lines readers" ;;
        chat-request) echo "POST /v1/chat/completions bodies: JSON decoding, parameter checks, response_format schema" ;;
    esac
}

max_len() {
    case "$1" in
        gguf) echo 65536 ;;
        safetensors) echo 16384 ;;
        chat-template) echo 8192 ;;
        importers) echo 16384 ;;
        chat-request) echo 16384 ;;
    esac
}

# Writes the seed inputs of target $1 into directory $2.
make_seeds() {
    local target=$1 dir=$2
    rm -rf "$dir" && mkdir -p "$dir"
    case "$target" in
        gguf)
            cp Tests/GGUFTests/Fixtures/reference.gguf "$dir/"
            # Whole small files with a byte-level BPE or a SentencePiece vocabulary and the fixtures' chat templates,
            # so that mutations start from files that reach the tokenizer and the template.
            python3 Fuzzing/seeds/make_gguf_seeds.py "$dir" Tests/Fixtures/templates/*.jinja
            # Real model and adapter files are megabytes: their first bytes hold the header and metadata.
            for n in 4096 16384 65536; do
                head -c $n Tests/Fixtures/qwen3-tiny-random.gguf > "$dir/qwen3-tiny-random.$n.gguf"
                head -c $n Tests/Fixtures/lora/qwen-r2-all-f16.gguf > "$dir/qwen-r2-all-f16.$n.gguf"
            done
            ;;
        safetensors)
            cp Tests/TrainingTests/Fixtures/python-written.safetensors "$dir/"
            # The PEFT adapters' headers (dtypes, shapes, __metadata__) with their first tensors only, re-laid out
            # over small zero-filled data so that the files are whole.
            python3 - "$dir" Tests/Fixtures/lora/*-peft/adapter_model.safetensors <<'PY'
import json, os, struct, sys
out = sys.argv[1]
sizes = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
for path in sys.argv[2:]:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    name = os.path.basename(os.path.dirname(path))
    with open(os.path.join(out, name + ".header.safetensors"), "wb") as f:  # header only: data truncated
        raw = json.dumps(header).encode()
        f.write(struct.pack("<Q", len(raw)) + raw)
    small, offset = {}, 0
    if "__metadata__" in header: small["__metadata__"] = header["__metadata__"]
    for key in [k for k in header if k != "__metadata__"][:4]:
        dtype = header[key]["dtype"]
        shape = [2, 3]
        size = 6 * sizes[dtype]
        small[key] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(small).encode()
    with open(os.path.join(out, name + ".small.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + bytes(offset))
PY
            ;;
        chat-template)
            cp Tests/Fixtures/templates/*.jinja "$dir/"
            printf '%s' "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] | trim + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}" > "$dir/chatml.jinja"
            printf '%s' "{% set ns = namespace(n=0, s='') %}{% macro show(x, sep=', ') %}{{ x | join(sep) }}{% endmacro %}{% for m in messages if m.role != 'tool' %}{% set ns.n = ns.n + 1 %}{% set ns.s = ns.s ~ m.role[:1] | upper %}{{ loop.index }}/{{ loop.length }} {{ m.content | replace('a', 'b') | length }}{% endfor %}{{ ns.s }} {{ show(range(3) | list) }} {{ tools | tojson(indent=2) if tools else 'none' }}{{ (messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list)[-1] }}" > "$dir/features.jinja"
            printf '%s' "{%- if messages[0]['role'] == 'system' -%}{%- set system = messages[0]['content'] -%}{%- else -%}{%- set system = 'default' -%}{%- endif -%}{{ bos_token }}{% for message in messages %}{% if message.tool_calls is defined and message.tool_calls %}{% for call in message.tool_calls %}<tool_call>{{ {'name': call.function.name, 'arguments': call.function.arguments} | tojson }}</tool_call>{% endfor %}{% elif message.role == 'tool' %}<tool_response>{{ message.content }}</tool_response>{% else %}{{ message.content.split(' ')[0] ~ (message.content|length > 3) }}{% endif %}{% endfor %}{{ raise_exception('done') if system == 'x' else strftime_now('%Y-%m-%d') }}{{ eos_token }}" > "$dir/tools.jinja"
            ;;
        importers)
            local f=Tests/FineTuningTests/Fixtures
            { printf '\x00'; cat $f/chatgpt-conversations.json; } > "$dir/chatgpt"
            { printf '\x01'; cat $f/claude-conversations.json; } > "$dir/claude"
            { printf '\x02'; cat $f/gemini-my-activity.json; } > "$dir/gemini"
            { printf '\x03'; cat $f/sharegpt.json; } > "$dir/sharegpt-json"
            { printf '\x03'; cat $f/sharegpt.jsonl; } > "$dir/sharegpt-jsonl"
            { printf '\x04'; cat $f/alpaca.jsonl; } > "$dir/alpaca"
            { printf '\x05'; cat $f/curation-input.jsonl; } > "$dir/openai"
            { printf '\x06'; cat $f/qa.txt; } > "$dir/text"
            { printf '\x07'; cat $f/sharegpt.jsonl; } > "$dir/records-jsonl"
            { printf '\x07'; cat $f/sharegpt.json; } > "$dir/records-array"
            { printf '\x08'; cat $f/chatgpt-conversations.json; } > "$dir/array"
            { printf '\x08'; printf '{"meta": {"a": [1, "]"]}, "conversations": [{"x": "\\"]"}, [], 2]}'; } > "$dir/array-key"
            ;;
        chat-request)
            printf '%s' '{"model": "auto", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}], "temperature": 0.7, "top_p": 0.9, "max_tokens": 64, "stream": false, "seed": 1, "stop": ["\n\n"]}' > "$dir/basic.json"
            printf '%s' '{"model": "qwen2.5-coder-0.5b", "messages": [{"role": "user", "content": [{"type": "text", "text": "Describe"}, {"type": "text", "text": "this"}]}], "stream": true, "stream_options": {"include_usage": true}, "logprobs": true, "top_logprobs": 3, "n": 1, "presence_penalty": 0.5, "frequency_penalty": 0.1, "user": "u1"}' > "$dir/parts.json"
            printf '%s' '{"model": "auto", "messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}, {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}], "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}}, "required": ["city"]}}}], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}, "parallel_tool_calls": false}' > "$dir/tools.json"
            printf '%s' '{"model": "auto", "messages": [{"role": "user", "content": "A person"}], "response_format": {"type": "json_schema", "json_schema": {"name": "person", "strict": true, "schema": {"type": "object", "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 20}, "age": {"type": "integer", "minimum": 0, "maximum": 150}, "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "minItems": 1, "maxItems": 3}, "kind": {"anyOf": [{"type": "null"}, {"const": "x"}]}, "score": {"type": "number"}, "ok": {"type": "boolean"}, "ref": {"$ref": "#/$defs/r"}}, "required": ["name", "age"], "additionalProperties": false, "$defs": {"r": {"type": "string", "pattern": "^[a-z]+$"}}}}}}' > "$dir/schema.json"
            printf '%s' '{"model": "auto", "messages": [{"role": "user", "content": "JSON please"}], "response_format": {"type": "json_object"}, "max_completion_tokens": 10, "tool_choice": "none", "adapters": ["facts"], "lora": [{"id": 0, "scale": 0.5}], "logit_bias": {"50256": -100}}' > "$dir/json-object.json"
            ;;
    esac
}

if [[ $# -ge 1 && $1 == list ]]; then
    for t in $TARGETS; do printf '%-14s %-18s %s\n' "$t" "$(product "$t")" "$(describe "$t")"; done
    exit 0
fi
if [[ $# -lt 2 || ! $2 =~ ^[0-9]+$ ]]; then
    echo "usage: scripts/fuzz.sh list | TARGET SECONDS [libFuzzer arguments…]" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
name=$(product "$target")

jobs=()
[[ -n ${FUZZ_JOBS:-} ]] && jobs=(-j "$FUZZ_JOBS")
# Every module is instrumented as -sanitize=fuzzer would; libFuzzer is linked into the targets only (see
# Fuzzing/Package.swift). Leak checking is off while building: the console-assets build tool runs with ASan too.
if [[ -z ${FUZZ_SKIP_BUILD:-} ]]; then
    ASAN_OPTIONS=detect_leaks=0 swift build --package-path Fuzzing -c debug "${jobs[@]}" --product "$name" \
        -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xswiftc -enable-testing
fi

work=Fuzzing/.work
seeds=$work/seeds/$target corpus=$work/corpus/$target findings=Fuzzing/findings/$target
mkdir -p "$corpus" "$findings" "$work/logs"
make_seeds "$target" "$seeds"
dict=()
[[ -f Fuzzing/dictionaries/$target.dict ]] && dict=(-dict="Fuzzing/dictionaries/$target.dict")
log=$work/logs/$target-$(date -u +%Y%m%dT%H%M%SZ).log

echo "fuzzing $target ($name) for $seconds s; corpus $corpus, findings $findings, log $log"
status=0
# Swift's own crash backtracer would race ASan's report; libFuzzer handles the signals. -timeout: one input
# running over 10 s is a finding (a hang), as is using more than 2 GB (-rss_limit_mb, -malloc_limit_mb).
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 \
    "Fuzzing/.build/debug/$name" "$corpus" "$seeds" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 "${dict[@]}" "$@" \
    > "$log" 2>&1 || status=$?
rm -f /dev/shm/groupqwen-fuzz-"${target}"-* /tmp/groupqwen-fuzz-"${target}"-* 2>/dev/null || true
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$log" || true
if [[ $status -ne 0 ]]; then
    grep -E 'ERROR: |SUMMARY: |Fatal error|Test unit written' "$log" | head -20 || true
    echo "$target: finding (exit $status); inputs in $findings, full log $log" >&2
else
    echo "$target: no crash, sanitizer report, timeout or out-of-memory in $seconds s"
fi
exit $status
