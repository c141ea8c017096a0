"""The chat page: a routed and a named streamed answer with their routing traces, hostile model output
shown as text (stub backend), and the Markdown renderer's output."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import MODEL, wait


def open_chat(browser, server):
    browser.get(server + "/#/chat")
    # The picker is filled from /v1/models: "auto" plus the chat models.
    wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) > 1, 30)
    max_tokens = browser.find_element(By.ID, "max-tokens")
    max_tokens.clear()
    max_tokens.send_keys("24")


def ask(browser, text, model="auto"):
    """Sends `text` with Enter and waits for the finished answer; returns (content, trace) elements."""
    Select(browser.find_element(By.ID, "model")).select_by_value(model)
    before = len(browser.find_elements(By.CSS_SELECTOR, ".message.assistant .trace"))
    prompt = browser.find_element(By.ID, "prompt")
    prompt.send_keys(text)
    prompt.send_keys(Keys.ENTER)
    traces = wait(browser, lambda d: (t := d.find_elements(By.CSS_SELECTOR, ".message.assistant .trace"))
                  and len(t) > before and t, 120, "no finished answer")
    answer = browser.find_elements(By.CSS_SELECTOR, ".message.assistant")[-1]
    return answer.find_element(By.CSS_SELECTOR, ".content"), traces[-1]


def test_auto_chat_streams_an_answer_with_its_trace(browser, server):
    open_chat(browser, server)
    options = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#model option")]
    assert options[0] == "auto" and MODEL in options and "stub" in options
    assert "minilm-l6-v2" not in options   # embeddings only: not a chat model
    # Shift+Enter is a new line, not a send.
    prompt = browser.find_element(By.ID, "prompt")
    prompt.send_keys("Line one", Keys.SHIFT, Keys.ENTER, Keys.SHIFT)
    assert "\n" in prompt.get_attribute("value") and not browser.find_elements(By.CSS_SELECTOR, ".message.user")
    prompt.clear()

    content, trace = ask(browser, "Say hello to the user.")
    assert content.text.strip()
    assert trace.get_attribute("data-model")
    assert trace.get_attribute("data-cache") in ("hit", "miss")
    assert "latency" in trace.text and " ms" in trace.text
    assert "routed" in trace.text and "tokens" in trace.text
    assert browser.find_element(By.ID, "stop").get_attribute("disabled") is not None
    assert browser.find_element(By.ID, "send").is_enabled()
    # The conversation is listed in the sidebar, named after the question.
    assert "Say hello" in browser.find_element(By.ID, "conversations").text


def test_named_model_is_used(browser, server):
    open_chat(browser, server)
    content, trace = ask(browser, "What is the capital of France?", MODEL)
    assert content.text.strip()
    assert trace.get_attribute("data-model") == MODEL
    assert "named" in trace.text


def test_model_output_is_never_markup(browser, server):
    open_chat(browser, server)
    content, trace = ask(browser, "Anything.", "stub")
    assert trace.get_attribute("data-model") == "stub"
    text = content.text
    assert '<img src=x onerror="window.__xss=1">' in text
    assert "<script>window.__xss=2</script>" in text
    assert "[link](javascript:alert(1))" in text
    assert browser.execute_script("return typeof window.__xss") == "undefined"
    assert not content.find_elements(By.TAG_NAME, "img")
    assert not content.find_elements(By.TAG_NAME, "script")
    assert not content.find_elements(By.TAG_NAME, "a")
    assert [e.text for e in content.find_elements(By.TAG_NAME, "strong")] == ["bold"]
    assert [e.text for e in content.find_elements(By.TAG_NAME, "code")] == ["code"]
    # Reloading renders the stored conversation the same safe way.
    browser.refresh()
    content = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".message.assistant .content"))[-1]
    assert "<img src=x" in content.text and not content.find_elements(By.TAG_NAME, "img")
    assert browser.execute_script("return typeof window.__xss") == "undefined"


MARKDOWN = """# Title

Some *italic*, **bold**, `code`, [safe](https://example.com/a?b=1) and [bad](javascript:alert(1)).

- one
- two

1. first
2. second

```python
print("<b>hi</b>")
```
"""


def test_markdown_renderer_builds_safe_nodes(browser, server):
    browser.get(server + "/#/chat")
    wait(browser, lambda d: d.find_element(By.ID, "prompt").is_displayed(), 30)
    html = browser.execute_async_script("""
        const [source, done] = arguments;
        import('/ui/js/markdown.js').then((m) => {
            const box = document.createElement('div');
            box.id = 'md-test';
            box.append(m.renderMarkdown(source));
            document.body.append(box);
            done(box.innerHTML);
        }, (e) => done('import failed: ' + e));""", MARKDOWN)
    assert not html.startswith("import failed"), html
    box = browser.find_element(By.ID, "md-test")
    assert box.find_element(By.TAG_NAME, "h3").text == "Title"
    assert box.find_element(By.TAG_NAME, "em").text == "italic"
    links = box.find_elements(By.TAG_NAME, "a")
    assert len(links) == 1 and links[0].get_attribute("href") == "https://example.com/a?b=1"
    assert links[0].get_attribute("rel") == "noopener noreferrer" and links[0].get_attribute("target") == "_blank"
    assert "[bad](javascript:alert(1))" in box.text
    assert [li.text for li in box.find_elements(By.CSS_SELECTOR, "ul > li")] == ["one", "two"]
    assert [li.text for li in box.find_elements(By.CSS_SELECTOR, "ol > li")] == ["first", "second"]
    code = box.find_element(By.CSS_SELECTOR, ".code-block pre code")
    assert code.text == 'print("<b>hi</b>")' and not code.find_elements(By.TAG_NAME, "b")
    assert box.find_element(By.CSS_SELECTOR, ".code-block .lang").text == "python"
    assert box.find_element(By.CSS_SELECTOR, ".code-block button.copy").text == "Copy"


def test_stop_aborts_the_stream_and_conversations_are_kept(browser, server):
    open_chat(browser, server)
    max_tokens = browser.find_element(By.ID, "max-tokens")
    max_tokens.clear()
    max_tokens.send_keys("1500")
    Select(browser.find_element(By.ID, "model")).select_by_value(MODEL)
    browser.find_element(By.ID, "prompt").send_keys("Write a very long story about a dragon, with many chapters.")
    browser.find_element(By.ID, "send").click()
    stop = browser.find_element(By.ID, "stop")
    wait(browser, lambda d: stop.is_enabled() and d.find_element(By.CSS_SELECTOR, ".message.assistant .content").text, 60)
    assert not browser.find_element(By.ID, "send").is_enabled()
    stop.click()
    wait(browser, lambda d: not stop.is_enabled(), 15, "Stop did not end the stream")
    answer = browser.find_elements(By.CSS_SELECTOR, ".message.assistant")[-1]
    assert "Stopped." in answer.text and answer.find_element(By.CSS_SELECTOR, ".content").text

    # A second conversation, then back to the first; deleting the second leaves the first.
    browser.find_element(By.ID, "new-chat").click()
    assert not browser.find_elements(By.CSS_SELECTOR, ".message")
    ask(browser, "Hi there.", MODEL)
    titles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#conversations .select-chat")]
    assert titles[0] == "Hi there." and titles[1].startswith("Write a very long story")
    browser.find_elements(By.CSS_SELECTOR, "#conversations .select-chat")[1].click()
    assert "dragon" in browser.find_element(By.CSS_SELECTOR, ".message.user").text
    browser.find_elements(By.CSS_SELECTOR, "#conversations .delete-chat")[0].click()
    titles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#conversations .select-chat")]
    assert len(titles) == 1 and titles[0].startswith("Write a very long story")
