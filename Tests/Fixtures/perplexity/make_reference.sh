#!/usr/bin/env bash
# Writes llama-perplexity.json: what llama.cpp's llama-perplexity prints for lighthouse.txt with each model.
# Usage: LLAMA_BIN=/path/to/llama.cpp/build/bin bash make_reference.sh [CTX]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${LLAMA_BIN:-/work/llama/build/bin}
ctx=${1:-512}
groupqwen=${GROUPQWEN_BIN:-$here/../../../.build/release/groupqwen}
out=$here/llama-perplexity.json
echo "{" > "$out.tmp"
first=1
# MODEL or MODEL+ADAPTER (an adapter of Tests/Fixtures/lora, applied with --lora).
for entry in smollm2-135m qwen2.5-coder-0.5b qwen2.5-coder-1.5b gemma3-270m \
             smollm2-135m+smollm2-r8-qkvo qwen2.5-coder-0.5b+qwen-r2-all-f16; do
  model=${entry%%+*}
  lora=()
  [ "$entry" = "$model" ] || lora=(--lora "$here/../lora/${entry#*+}.gguf")
  path=$("$groupqwen" models path "$model")
  log=$(LD_LIBRARY_PATH=$bin "$bin/llama-perplexity" -m "$path" "${lora[@]}" -f "$here/lighthouse.txt" -c "$ctx" -b "$ctx" -t 2 2>&1)
  line=$(grep "Final estimate" <<<"$log")
  ppl=$(sed -E 's/.*PPL = ([0-9.]+) \+\/- ([0-9.]+).*/\1/' <<<"$line")
  err=$(sed -E 's/.*PPL = ([0-9.]+) \+\/- ([0-9.]+).*/\2/' <<<"$line")
  chunks=$(grep -oE "calculating perplexity over [0-9]+ chunks" <<<"$log" | grep -oE "[0-9]+")
  [ $first = 1 ] || echo "," >> "$out.tmp"
  first=0
  printf '  "%s": {"ctx": %d, "chunks": %d, "perplexity": %s, "error": %s}' "$entry" "$ctx" "$chunks" "$ppl" "$err" >> "$out.tmp"
  echo "$entry: PPL $ppl +/- $err over $chunks chunks" >&2
done
printf '\n}\n' >> "$out.tmp"
mv "$out.tmp" "$out"
