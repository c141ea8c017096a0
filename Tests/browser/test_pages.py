"""The dashboard (live metrics over the WebSocket), cache, models and fine-tuning pages."""
import json

import httpx
from selenium.webdriver.common.by import By

from conftest import MODEL, wait


def chat_over_http(server, content):
    body = {"model": MODEL, "messages": [{"role": "user", "content": content}], "max_tokens": 4, "temperature": 0}
    r = httpx.post(server + "/v1/chat/completions", json=body, timeout=120)
    assert r.status_code == 200, r.text


def tile_number(browser, tile_id):
    text = browser.find_element(By.CSS_SELECTOR, f"#{tile_id} .value").text
    return int(text.replace(",", ""))


def test_dashboard_follows_live_metrics(browser, server):
    browser.get(server + "/#/dashboard")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#m-total-requests .value"), 15, "no metrics shown")
    assert browser.find_element(By.ID, "ws-state").text == "live"
    before = tile_number(browser, "m-total-requests")
    for i in range(2):
        chat_over_http(server, f"Dashboard request {i}.")
    wait(browser, lambda d: tile_number(d, "m-total-requests") >= before + 2, 15, "the requests total did not grow")
    row = browser.find_element(By.CSS_SELECTOR, f'#model-metrics tr[data-model-id="{MODEL}"]')
    assert "loaded" in row.text and "up" in row.text
    for tile in ["m-requests-per-s", "m-tokens-per-s", "m-latency", "m-ttft", "m-cache", "m-escalations", "m-errors"]:
        assert browser.find_element(By.ID, tile).text
    assert len(browser.find_elements(By.CSS_SELECTOR, ".charts svg")) == 3
    # Leaving the page closes the socket.
    browser.find_element(By.CSS_SELECTOR, 'nav a[data-route="cache"]').click()
    wait(browser, lambda d: d.find_element(By.ID, "ws-state").get_attribute("textContent") == "offline", 5)


def test_cache_page_clears_after_confirmation(browser, server):
    chat_over_http(server, "Remember this cache entry.")
    browser.get(server + "/#/cache")
    entries = wait(browser, lambda d: d.find_elements(By.ID, "cache-entries"), 15)[0]
    assert int(entries.text.replace(",", "")) >= 1
    assert browser.find_element(By.ID, "cache-enabled").text == "yes"
    # Cancel keeps the entries.
    browser.find_element(By.ID, "cache-clear").click()
    dialog = browser.find_element(By.ID, "confirm-dialog")
    wait(browser, lambda d: dialog.get_attribute("open") is not None, 5)
    browser.find_element(By.ID, "confirm-cancel").click()
    wait(browser, lambda d: dialog.get_attribute("open") is None, 5)
    assert int(browser.find_element(By.ID, "cache-entries").text.replace(",", "")) >= 1
    # OK clears them.
    browser.find_element(By.ID, "cache-clear").click()
    wait(browser, lambda d: dialog.get_attribute("open") is not None, 5)
    browser.find_element(By.ID, "confirm-ok").click()
    wait(browser, lambda d: d.find_element(By.ID, "cache-entries").text == "0", 15, "entries did not drop to 0")
    assert "Deleted" in browser.find_element(By.ID, "cache-status").text


def model_state(browser, model_id):
    return browser.find_element(By.CSS_SELECTOR, f'#models-table tr[data-model-id="{model_id}"] .state').text


def test_models_page_unloads_and_loads(browser, server):
    browser.get(server + "/#/models")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, f'#models-table tr[data-model-id="{MODEL}"]'), 15)
    ids = [r.get_attribute("data-model-id") for r in browser.find_elements(By.CSS_SELECTOR, "#models-table tbody tr")]
    assert MODEL in ids and "stub" in ids
    assert model_state(browser, "stub") == "remote"
    assert model_state(browser, MODEL) == "loaded"
    row = f'#models-table tr[data-model-id="{MODEL}"]'
    browser.find_element(By.CSS_SELECTOR, f"{row} button.unload").click()
    wait(browser, lambda d: model_state(d, MODEL) != "loaded" and d.find_elements(By.CSS_SELECTOR, f"{row} button.load"),
         60, "the model was not unloaded")
    assert httpx.get(server + "/v1/models").json()["data"][0]["state"] != "loaded"
    browser.find_element(By.CSS_SELECTOR, f"{row} button.load").click()
    wait(browser, lambda d: model_state(d, MODEL) == "loaded", 120, "the model was not loaded again")
    assert "adapters" in browser.find_element(By.ID, "page-models").text.lower()


def test_fine_tuning_page_lists_base_models(browser, server):
    browser.get(server + "/#/finetune")
    select = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#ft-model option"), 15)
    assert MODEL in [o.get_attribute("value") for o in select]
    assert "stub" not in [o.get_attribute("value") for o in select]   # remote models cannot be trained here
    assert browser.find_element(By.CSS_SELECTOR, 'label[for="ft-file"]').text
    assert browser.find_element(By.ID, "ft-jobs").text


NAMES = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"]


def test_fine_tuning_job_from_the_page(browser, server, tmp_path):
    data = tmp_path / "greetings.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Greet {n}."},
                                                     {"role": "assistant", "content": f"Ahoy, {n}!"}]}) + "\n"
                            for n in NAMES))
    browser.get(server + "/#/finetune")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#ft-model option"), 15)
    browser.find_element(By.ID, "ft-file").send_keys(str(data))
    browser.find_element(By.ID, "ft-steps").send_keys("3")
    browser.find_element(By.ID, "ft-start").click()
    row = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#ft-job-table tbody tr"), 30, "no job listed")[0]
    job_id = row.get_attribute("data-job-id")
    assert job_id.startswith("ftjob-")
    status = f'#ft-job-table tr[data-job-id="{job_id}"] .badge'
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, status).text in ("succeeded", "failed", "cancelled"),
         240, "the job did not finish")
    assert browser.find_element(By.CSS_SELECTOR, status).text == "succeeded", browser.find_element(By.ID, "ft-detail").text
    # The loss curve has a line (three steps of train_loss), and the events are listed.
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#ft-detail .loss-chart path.line"), 10)
    assert browser.find_elements(By.CSS_SELECTOR, "#ft-detail .events li")
    job = httpx.get(f"{server}/v1/fine_tuning/jobs/{job_id}").json()
    assert job["fine_tuned_model"] and job["fine_tuned_model"] in browser.find_element(By.ID, "ft-jobs").text
