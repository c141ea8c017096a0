#!/usr/bin/env bash
# Browser tests of the web console: Debian's chromium + chromedriver driven by Selenium (PyPI) against a
# real `groupqwen serve` ($GROUPQWEN_BIN, default .build/release/groupqwen). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "The browser tests need ${missing[*]}: apt-get install -y chromium chromium-driver" >&2
    exit 1
fi

if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c "import selenium, httpx, websockets, pytest" 2>/dev/null; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check "selenium>=4.20" "pytest>=8" "httpx>=0.27" "websockets>=13"
fi
GROUPQWEN_BIN="${GROUPQWEN_BIN:-$PWD/.build/release/groupqwen}" .venv/bin/pytest -q Tests/browser "$@"
