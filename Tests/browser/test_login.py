"""A server with api_keys: the console shows only the login until a valid key is given, and the metrics
WebSocket refuses a connection without the key."""
import base64

import pytest
from selenium.webdriver.common.by import By
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from conftest import API_KEY, wait


@pytest.mark.console_allows(r"status of 401")   # the console's own key check; Chrome logs every 401
def test_login_gates_the_console(browser, auth_server):
    browser.get(auth_server + "/")
    login = wait(browser, lambda d: (el := d.find_element(By.ID, "login")).is_displayed() and el, 15)
    assert not browser.find_element(By.ID, "app").is_displayed()
    assert not browser.find_element(By.ID, "prompt").is_displayed()
    assert not browser.find_element(By.TAG_NAME, "nav").is_displayed()
    assert login.find_element(By.CSS_SELECTOR, 'label[for="api-key"]').text
    assert browser.find_element(By.ID, "api-key").get_attribute("type") == "password"

    browser.find_element(By.ID, "api-key").send_keys("wrong-key")
    browser.find_element(By.ID, "login-submit").click()
    error = wait(browser, lambda d: (el := d.find_element(By.ID, "login-error")).is_displayed() and el, 15)
    assert "refused" in error.text
    assert not browser.find_element(By.ID, "prompt").is_displayed()

    key = browser.find_element(By.ID, "api-key")
    key.clear()
    key.send_keys(API_KEY)
    browser.find_element(By.ID, "login-submit").click()
    wait(browser, lambda d: d.find_element(By.ID, "prompt").is_displayed(), 15)
    assert not browser.find_element(By.ID, "login").is_displayed()
    assert browser.execute_script("return localStorage.getItem('groupqwen.apiKey')") == API_KEY
    # The stored key is used for later calls: the model picker was filled.
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) > 1, 15)
    # The live dashboard authenticates its WebSocket with the key subprotocol.
    browser.find_element(By.CSS_SELECTOR, 'nav a[data-route="dashboard"]').click()
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#m-total-requests .value"), 15)

    # A reload keeps the session; "Sign out" forgets the key.
    browser.refresh()
    sign_out = wait(browser, lambda d: (el := d.find_element(By.ID, "sign-out")).is_displayed() and el, 15)
    sign_out.click()
    wait(browser, lambda d: d.find_element(By.ID, "login").is_displayed(), 15)
    assert browser.execute_script("return localStorage.getItem('groupqwen.apiKey')") is None


def ws_url(base):
    return base.replace("http://", "ws://") + "/v1/ws/metrics"


def test_metrics_websocket_needs_the_key(auth_server):
    with pytest.raises(InvalidStatus) as refused:
        with connect(ws_url(auth_server), subprotocols=["groupqwen.v1"], open_timeout=10):
            pass
    # Any answer but 101 is a refusal (today's server answers 400 to a refused upgrade; 401 would be nicer).
    assert refused.value.response.status_code >= 400
    wrong = "bearer." + base64.urlsafe_b64encode(b"nope").decode().rstrip("=")
    with pytest.raises(InvalidStatus):
        with connect(ws_url(auth_server), subprotocols=["groupqwen.v1", wrong], open_timeout=10):
            pass
    right = "bearer." + base64.urlsafe_b64encode(API_KEY.encode()).decode().rstrip("=")
    with connect(ws_url(auth_server), subprotocols=["groupqwen.v1", right], open_timeout=10) as ws:
        assert ws.subprotocol == "groupqwen.v1"
        assert '"type":"metrics"' in ws.recv(timeout=10).replace(" ", "")
