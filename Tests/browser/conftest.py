"""Fixtures for the browser tests of the web console (Tests/browser).

Starts a stub OpenAI-compatible backend (stub_backend.py), a real `groupqwen serve` with SmolLM2-135M
(preloaded, semantic cache on) plus the stub as the remote model `stub`, and on demand a second server
with `api_keys`. Drives Debian's chromium through chromedriver (headless); after every test the
browser console must hold no SEVERE entry (tests may allow known ones with
@pytest.mark.console_allows(regex, …)).

The server binary comes from $GROUPQWEN_BIN (default .build/release/groupqwen). Set GROUPQWEN_UI_DIR
to Sources/Server/Console to test the files on disk instead of those embedded in the binary.
"""
import re
import shutil
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from stub_backend import start_stub

sys.path.append(str(Path(__file__).resolve().parents[1] / "python"))
from server_process import start_server, stop_server  # noqa: E402  (shared with Tests/python)

ROOT = Path(__file__).resolve().parents[2]
MODEL = "smollm2-135m"
API_KEY = "test-key-123"


MODELS_YAML = f"""
models:
  - id: {MODEL}
    source: {MODEL}
    tier: 0
    preload: true
    max_concurrent: 4
"""


@pytest.fixture(scope="session")
def stub():
    httpd, url = start_stub()
    yield url
    httpd.shutdown()


@pytest.fixture(scope="session")
def server(stub, tmp_path_factory):
    folder = tmp_path_factory.mktemp("console")
    config = folder / "console.yaml"
    config.write_text(f"""
cache:
  enabled: true
training:
  path: ":memory:"
  directory: {folder}
  threads: 1
{MODELS_YAML}
  - id: stub
    url: {stub}
    remote_model: stub
    tier: 5
""")
    proc, base = start_server(config, "browser-tests-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def auth_server(tmp_path_factory):
    config = tmp_path_factory.mktemp("console-auth") / "console-auth.yaml"
    config.write_text(f"""
api_keys: [{API_KEY}]
cache:
  enabled: false
training:
  path: ":memory:"
{MODELS_YAML}
""")
    proc, base = start_server(config, "browser-tests-auth-server.log")
    yield base
    stop_server(proc)


@pytest.fixture(scope="session")
def driver():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"]:
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit chromedriver: Selenium Manager would try to download one.
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    d = webdriver.Chrome(options=options, service=service)
    d.set_script_timeout(30)
    yield d
    d.quit()


@pytest.fixture
def browser(driver, request):
    """The shared browser, with an empty console log; fails the test on any SEVERE console entry."""
    driver.get("about:blank")
    driver.get_log("browser")   # drain what earlier tests left
    yield driver
    allowed = [re.compile(p) for m in request.node.iter_markers("console_allows") for p in m.args]
    entries = driver.get_log("browser")
    severe = [e for e in entries if e["level"] == "SEVERE" and not any(p.search(e["message"]) for p in allowed)]
    if driver.current_url.startswith("http"):
        driver.execute_script("localStorage.clear()")   # conversations and keys stay per test
    driver.get("about:blank")
    assert not severe, "browser console errors:\n" + "\n".join(e["message"] for e in severe)


def wait(driver, condition, timeout=60, message=""):
    """WebDriverWait(...).until(condition) with a default timeout suited to a small CPU model."""
    # Pages re-render their tables, so an element found a moment ago may be gone: look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)).until(condition, message)


def pytest_configure(config):
    config.addinivalue_line("markers", "console_allows(*regexes): SEVERE console entries the test expects")
