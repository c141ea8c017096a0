#!/usr/bin/env bash
# The whole test suite: builds optimised, fetches the test models (cached under $GROUPQWEN_HOME,
# default ~/.groupqwen), runs every Swift test target, then drives a real `groupqwen serve` with
# the official `openai` and `mcp` Python packages (installed into .venv/ from PyPI), and finally the web console in
# Debian's chromium driven by Selenium (Tests/browser/run.sh; `apt-get install chromium chromium-driver`).
set -euo pipefail
cd "$(dirname "$0")/.."
# One optimised build of everything, tests included (the CLI fetches the models the tests need).
swift build -c release -Xswiftc -enable-testing --build-tests
.build/release/groupqwen models fetch smollm2-135m qwen2.5-coder-0.5b qwen2.5-coder-1.5b gemma3-270m minilm-l6-v2 lingua-profiles
swift test -c release -Xswiftc -enable-testing --skip-build "$@"

if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c "import openai, httpx, prometheus_client, yaml, jsonschema, langchain_openai, mcp" 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check "openai>=1.40" "httpx>=0.27" "pytest>=8" "prometheus-client>=0.20" "pyyaml>=6" "jsonschema>=4" "langchain-openai>=0.3" "mcp>=2.3"
fi
GROUPQWEN_BIN="$PWD/.build/release/groupqwen" .venv/bin/pytest -q Tests/python
GROUPQWEN_BIN="$PWD/.build/release/groupqwen" Tests/browser/run.sh
