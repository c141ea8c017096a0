#!/usr/bin/env bash
# The whole test suite: builds optimised, fetches the test models (cached under $GROUPQWEN_HOME,
# default ~/.groupqwen), then runs every test target.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product groupqwen
.build/release/groupqwen models fetch smollm2-135m qwen2.5-coder-0.5b gemma3-270m
swift test -c release -Xswiftc -enable-testing "$@"
