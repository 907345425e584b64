"""The step pages in a real headless Chromium at 1280×720 (selenium), for the four graphs they are made
for: the gate, the two-layer MLP with cross-entropy, a CNN and an MLP with batch norm. On every step
the active element is measured (text at least 12 CSS px), the highlight must move, and the gradients
shown must be the engine's. The quiz, the layer view, pan and zoom, and the page's isolation
(no network, nothing but its own script) are checked too."""
import shutil

import numpy as np
import pytest

from autograd import backprop_steps, graph_scope
from lecture_graphs import GRAPHS

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None or shutil.which("chromedriver", path="/usr/bin") is None:
    pytest.skip("needs Debian's chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)",
                allow_module_level=True)
if shutil.which("dot") is None:
    pytest.skip("needs Graphviz `dot` to lay out the overview", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs the selenium package")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

# What the page shows now: the highlighted node in the visible overview and the size of its text,
# the smallest text in the focus view, the expression, the rules, and the gradient matrices.
STATE = """
var pane = [...document.querySelectorAll('.pane')].find(p => !p.hidden);
var node = pane.querySelector('g.node.current');
var texts = node ? [...node.querySelectorAll('text')].map(t => t.getBoundingClientRect().height) : [];
var focus = document.getElementById('focus');
var walker = document.createTreeWalker(focus, NodeFilter.SHOW_TEXT);
var smallest = 1e9, range = document.createRange();
while (walker.nextNode()) {
  if (!walker.currentNode.textContent.trim()) continue;
  range.selectNodeContents(walker.currentNode);
  for (const r of range.getClientRects()) smallest = Math.min(smallest, r.height);
}
var cards = [...document.querySelectorAll('#cards .card')].map(c => ({
  node: c.getAttribute('data-node'),
  grad: [...c.querySelectorAll('.grad-value tr')].map(tr => [...tr.children].map(td => td.textContent))
        .concat([...c.querySelectorAll('.grad-value .scalar-value')].map(v => [v.textContent]))}));
var r = node ? node.getBoundingClientRect() : null;
return {node: node ? node.querySelector('title').textContent : null, nodeText: texts.length ? Math.min(...texts) : 0,
        visible: r ? r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight && r.top >= 0 : false,
        focusText: smallest, expression: document.getElementById('expression').textContent,
        rules: [...document.querySelectorAll('#rules li')].map(li => li.textContent), cards: cards,
        counter: document.getElementById('counter').textContent,
        title: document.getElementById('step-title').textContent,
        hidden: focus.scrollHeight - focus.clientHeight};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,720",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
    yield driver
    driver.quit()


def open_page(browser, path):
    browser.get(path.resolve().as_uri())
    return browser.find_element(By.TAG_NAME, "body")


def press(body, key, times=1):
    for _ in range(times):
        body.send_keys(key)


def shown_matches(cells, array):
    """The gradient matrix on the page shows the engine's array: the corner entries (never elided)."""
    array = np.asarray(array)
    matrix = array.reshape(1, 1) if array.ndim == 0 else array.reshape(1, -1) if array.ndim == 1 else \
        array[(0,) * (array.ndim - 2)]
    corners = [((0, 0), (0, 0)), ((0, -1), (0, matrix.shape[1] - 1)), ((-1, -1), (-1, -1))]
    for (i, j), index in corners:
        text = cells[i][j]
        assert float(text) == pytest.approx(float(matrix[index]), rel=1e-3, abs=1e-6), (text, matrix[index])


@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_step_is_readable_highlighted_and_shows_the_engines_gradients(browser, tmp_path, name):
    loss, params = GRAPHS[name]()
    steps = backprop_steps(loss)
    for label, p in params.items():
        assert p.grad is not None, label  # backward really ran
    page = steps.save_html(tmp_path / f"{name}.html", title=name)
    body = open_page(browser, page)
    seen = []
    for k in range(len(steps) + 1):
        state = browser.execute_script(STATE)
        assert state["counter"] == f"{k + 1} / {len(steps) + 1}"
        assert state["nodeText"] >= 12, f"{name} step {k}: overview text {state['nodeText']:.1f} px"
        assert state["focusText"] >= 12, f"{name} step {k}: focus text {state['focusText']:.1f} px"
        assert state["visible"], f"{name} step {k}: the active node is outside the window"
        assert state["hidden"] <= 1, f"{name} step {k}: {state['hidden']} px of the focus view scrolled out of sight"
        if k == 0:
            assert state["node"] == steps.graph.outputs[0]
        else:
            step = steps[k - 1]
            assert state["title"] == f"Step {k} of {len(steps)}"
            assert state["node"] == step.node and state["expression"] == step.expression
            assert [r for r in step.rules if r] == state["rules"][:len([r for r in step.rules if r])]
            cards = {c["node"]: c["grad"] for c in state["cards"]}
            shown_matches(cards[step.output], step.upstream)
            for input_id, received in zip(step.inputs, step.received):
                if received is not None:
                    shown_matches(cards[input_id], received)
        seen.append(state["node"])
        press(body, Keys.ARROW_RIGHT)
    assert all(a != b for a, b in zip(seen, seen[1:])), "the highlight must move at every step"
    press(body, Keys.PAGE_UP)  # a presenter's clicker
    assert browser.execute_script(STATE)["node"] == seen[-2]
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_matrix_rules_name_the_tensors_with_their_shapes(browser, tmp_path):
    loss, _ = GRAPHS["mlp"]()
    steps = backprop_steps(loss)
    by_expression = {step.expression: step for step in steps}
    first = by_expression["t1 = X @ W1"]
    assert first.rules == (None, "dW1 = Xᵀ · dt1   (3×5 = 3×4 · 4×5)")  # X is data: no gradient, no rule
    second = by_expression["t4 = t3 @ W2"]
    assert second.rules == ("dt3 = dt4 · W2ᵀ   (4×5 = 4×3 · 3×5)", "dW2 = t3ᵀ · dt4   (5×3 = 5×4 · 4×3)")
    bias = by_expression["t2 = t1 + b1"]
    assert bias.notes == ("b1 gets dt2 summed over the batch axis (4×5 → 5)",)
    np.testing.assert_allclose(bias.received[1], bias.upstream.sum(axis=0))
    relu = by_expression["t3 = relu(t2)"]
    assert relu.rules == ("dt2 = dt3 where t2 > 0, else 0",) and relu.locals_ == ("1 where t2 > 0, else 0",)
    page = steps.save_html(tmp_path / "mlp.html")
    body = open_page(browser, page)
    press(body, Keys.END)
    state = browser.execute_script(STATE)
    assert state["rules"] == ["dW1 = Xᵀ · dt1   (3×5 = 3×4 · 4×5)"]


def test_quiz_accepts_a_right_answer_and_rejects_a_wrong_one(browser, tmp_path):
    loss, _ = GRAPHS["gate"]()
    page = backprop_steps(loss).save_html(tmp_path / "quiz.html", quiz=True)
    body = open_page(browser, page)
    press(body, Keys.ARROW_RIGHT)  # f = q × z: what do q and z receive?
    assert browser.execute_script("return document.querySelectorAll('.grad-value').length") == 1  # only df, given
    assert "grad ?" in browser.execute_script("return document.querySelector('.pane:not([hidden]) svg').textContent")
    inputs = browser.find_elements(By.CSS_SELECTOR, ".quiz input")
    inputs[0].send_keys("-4")
    inputs[1].send_keys("3")
    inputs[1].send_keys(Keys.ENTER)
    verdicts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".verdict")]
    assert verdicts == ["✓ right", "✓ right"]
    assert browser.find_element(By.ID, "score").text == "score 2 / 2"
    press(body, Keys.ARROW_RIGHT)  # q = x + y
    inputs = browser.find_elements(By.CSS_SELECTOR, ".quiz input")
    inputs[0].send_keys("4")  # wrong: x receives -4
    inputs[1].send_keys("-4")
    inputs[1].send_keys(Keys.ENTER)
    verdicts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".verdict")]
    assert verdicts == ["✗ wrong: -4", "✓ right"]
    assert browser.find_element(By.ID, "score").text == "score 3 / 4"


def test_tensor_quiz_asks_shape_rule_and_entries(browser, tmp_path):
    loss, _ = GRAPHS["mlp"]()
    steps = backprop_steps(loss)
    page = steps.save_html(tmp_path / "quiz.html", quiz=True)
    body = open_page(browser, page)
    last = steps[-1]  # t1 = X @ W1: W1 receives Xᵀ · dt1
    press(body, Keys.END)
    data = browser.execute_script("return window.chalkgrad.item().cards[1].quiz")
    assert data["shape"] == "3×5" and data["rules"][data["rule"]] == "dW1 = Xᵀ · dt1"
    form = browser.find_element(By.CSS_SELECTOR, ".quiz")
    browser.execute_script("arguments[0].value = '3×5'", form.find_element(By.CSS_SELECTOR, "[data-answer=shape]"))
    browser.execute_script("arguments[0].value = arguments[1]", form.find_element(By.CSS_SELECTOR, "[data-answer=rule]"),
                           str(data["rule"]))
    for k, entry in enumerate(data["entries"]):
        index = tuple(int(i) for i in entry["index"].strip("[]").split(","))
        form.find_element(By.CSS_SELECTOR, f"[data-answer=entry{k}]").send_keys(f"{last.received[1][index]:.4g}")
    form.find_element(By.CSS_SELECTOR, "[data-answer=entry0]").send_keys(Keys.ENTER)
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text.startswith("✓ shape right · rule right · entry")
    assert browser.find_element(By.ID, "score").text == "score 1 / 1"


def test_layer_view_has_one_box_per_layer_and_expands(browser, tmp_path):
    loss, _ = GRAPHS["cnn"]()
    steps = backprop_steps(loss, collapse=True)
    assert [getattr(item, "label", None) for item in steps.layers] == [
        "CrossEntropyLoss", "4 (Linear)", "3 (Flatten)", "2 (MaxPool2d)", "1 (ReLU)", "0 (Conv2d)"]
    page = steps.save_html(tmp_path / "layers.html")
    body = open_page(browser, page)
    drawn = browser.execute_script("return [...document.querySelectorAll('#pane-layers g.node')].map(g => "
                                   "[g.querySelector('title').textContent, g.querySelector('text').textContent])")
    boxes = [text for node_id, text in drawn if node_id.startswith("m")]  # the collapsed modules
    others = [text for node_id, text in drawn if not node_id.startswith("m")]
    assert sorted(boxes) == ["0 (Conv2d)", "1 (ReLU)", "2 (MaxPool2d)", "3 (Flatten)", "4 (Linear)", "CrossEntropyLoss"]
    assert sorted(others) == ["images (im2col)", "loss"]  # the named input and the loss stay visible
    press(body, Keys.ARROW_RIGHT)
    state = browser.execute_script(STATE)
    assert state["rules"] == ["d(4 out) = (softmax(4 out) − onehot(target)) / 8"]
    assert state["nodeText"] >= 12 and state["focusText"] >= 12
    press(body, Keys.ARROW_RIGHT)
    linear = browser.execute_script(STATE)
    assert linear["rules"][0] == "d(3 out) = d(4 out) · (4.weight)   (8×36 = 8×3 · 3×36)"
    assert linear["rules"][2] == "d(4.bias) = d(4 out) summed over the batch axis   (8×3 → 3)"
    cards = {c["node"]: c["grad"] for c in linear["cards"]}
    layer = steps.layers[1]
    for node_id, received in layer.received.items():
        shown_matches(cards[node_id], received)
    press(body, "e")  # expand: the Linear's primitives, one by one
    inside = browser.execute_script(STATE)
    assert inside["expression"] == layer.steps[0].expression and "inside" in browser.find_element(By.ID, "where").text
    press(body, Keys.ARROW_RIGHT, len(layer.steps))
    assert browser.execute_script(STATE)["expression"].startswith("3 (Flatten)")
    press(body, Keys.ARROW_LEFT)
    press(body, "e")  # collapse again
    assert browser.execute_script(STATE)["expression"].startswith("4 (Linear)")
    press(body, "l")  # the primitives' view
    assert browser.execute_script("return window.chalkgrad.state.view") == "ops"


def test_overview_pans_and_zooms_with_keys(browser, tmp_path):
    loss, _ = GRAPHS["cnn"]()
    page = backprop_steps(loss).save_html(tmp_path / "zoom.html")
    body = open_page(browser, page)
    box = "return document.querySelector('.pane:not([hidden]) svg').getAttribute('viewBox').split(' ').map(Number)"
    before = browser.execute_script(box)
    press(body, "+")
    zoomed = browser.execute_script(box)
    assert zoomed[2] < before[2]
    press(body, "d")
    assert browser.execute_script(box)[0] > zoomed[0]
    press(body, "0")
    whole = browser.execute_script(box)
    assert whole[2] > before[2]  # the whole graph


def test_user_text_stays_text_and_the_page_runs_only_its_own_script(browser, tmp_path):
    from autograd import Tensor

    evil = '<<TABLE><TR><TD HREF="javascript:alert(1)">click</TD></TR></TABLE>>'
    x = Tensor(2.0, requires_grad=True, name='<img src=x onerror="alert(1)">')
    with graph_scope(evil):
        y = x * 3
    page = backprop_steps(y).save_html(tmp_path / "evil.html", title="<script>alert(1)</script>")
    text = page.read_text().lower()
    assert "<a " not in text and 'href="javascript' not in text and "<img" not in text
    body = open_page(browser, page)
    assert browser.execute_script("return document.querySelectorAll('a, img, [onerror]').length") == 0
    press(body, Keys.ARROW_RIGHT)
    assert '<img src=x onerror="alert(1)">' in browser.find_element(By.ID, "cards").text
    csp = browser.find_element(By.CSS_SELECTOR, "meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src 'sha256-" in csp


def test_collapsed_page_of_the_mlp_highlights_every_step_and_keeps_the_loss(browser, tmp_path):
    loss, _ = GRAPHS["mlp"]()
    steps = backprop_steps(loss, collapse=True)  # F.cross_entropy is one box; the layers are primitives
    page = steps.save_html(tmp_path / "collapsed.html")
    body = open_page(browser, page)
    seen = []
    for _ in range(len(steps.layers) + 1):
        state = browser.execute_script(STATE)
        assert state["node"] is not None and state["nodeText"] >= 12 and state["visible"]
        seen.append(state["node"])
        press(body, Keys.ARROW_RIGHT)
    assert all(a != b for a, b in zip(seen, seen[1:])) and seen[0] == steps.graph.outputs[0]
    drawn = browser.execute_script("return [...document.querySelectorAll('#pane-layers g.node title')]"
                                   ".map(t => t.textContent)")
    assert steps.graph.outputs[0] in drawn  # the loss is drawn
    outside = [item for item in steps.layers if hasattr(item, "function")]  # primitives outside the loss box
    assert outside and all(i in drawn for item in outside for i in (*item.inputs, item.output))  # all drawn


def test_quiz_runs_on_the_keyboard_alone(browser, tmp_path):
    """Keys only: choose the shape by typing it, the rule with ↓, type two entries, Enter checks;
    → from an empty field skips a question, R reveals one."""
    loss, _ = GRAPHS["mlp"]()
    steps = backprop_steps(loss)
    page = steps.save_html(tmp_path / "quiz.html", quiz=True)
    body = open_page(browser, page)
    press(body, Keys.END)  # t1 = X @ W1: W1 receives Xᵀ · dt1; the shape field has the focus
    quiz = browser.execute_script("return window.chalkgrad.item().cards[1].quiz")
    active = browser.switch_to.active_element
    assert active.get_attribute("data-answer") == "shape"
    keys = webdriver.ActionChains(browser)
    keys.send_keys(quiz["shape"]).send_keys(Keys.TAB)  # type-ahead picks the option
    keys.send_keys(*[Keys.ARROW_DOWN] * (quiz["rule"] + 1)).send_keys(Keys.TAB)  # option 0 is "choose…"
    for entry in quiz["entries"]:
        index = tuple(int(i) for i in entry["index"].strip("[]").split(","))
        keys.send_keys(f"{steps[-1].received[1][index]:.4g}").send_keys(Keys.TAB)
    keys.perform()
    webdriver.ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text == (
        "✓ shape right · rule right · " + " · ".join(f"entry {e['index']} right" for e in quiz["entries"]))
    assert browser.find_element(By.ID, "score").text == "score 1 / 1"
    press(body, Keys.HOME)
    press(body, Keys.ARROW_RIGHT)  # loss = t14 / 4: a number to type; the field has the focus
    assert browser.switch_to.active_element.get_attribute("data-answer") == "number"
    webdriver.ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()  # skip it
    assert browser.execute_script(STATE)["counter"] == "3 / 16"
    webdriver.ActionChains(browser).send_keys("r").perform()  # reveal: wrong, and the gradient is shown
    assert browser.find_element(By.CSS_SELECTOR, ".verdict").text == "✗ revealed"
    assert browser.find_element(By.ID, "score").text == "score 1 / 2"
    assert browser.find_elements(By.CSS_SELECTOR, ".grad-value")


def test_the_page_scales_with_a_larger_screen(browser, tmp_path):
    """At 1920×1080 the page is the 1280×720 page, 1.5 times larger: text and overview alike."""
    loss, _ = GRAPHS["mlp"]()
    page = backprop_steps(loss).save_html(tmp_path / "big.html")
    sizes = {}
    try:
        for width, height in ((1280, 720), (1920, 1080)):
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            body = open_page(browser, page)
            press(body, Keys.ARROW_RIGHT, 5)
            state = browser.execute_script(STATE)
            expression = browser.execute_script(
                "return parseFloat(getComputedStyle(document.getElementById('expression')).fontSize)")
            sizes[width] = (expression, state["focusText"], state["nodeText"], state["rules"])
    finally:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 1280, "height": 720, "deviceScaleFactor": 1, "mobile": False})
    small, large = sizes[1280], sizes[1920]
    assert large[0] == pytest.approx(1.5 * small[0], rel=1e-3) and large[1] >= 1.4 * small[1] and large[2] >= 1.4 * small[2]
    assert large[3] == small[3]  # the same step


@pytest.mark.parametrize("name", ["mlp", "batchnorm"])
def test_every_quiz_question_fits_without_scrolling(browser, tmp_path, name):
    """With the quiz on, a layer's two or three questions and its output all fit in the focus view at
    1280×720 (nothing the student must answer is scrolled out of sight)."""
    loss, _ = GRAPHS[name]()
    steps = backprop_steps(loss, collapse=name == "batchnorm")
    open_page(browser, steps.save_html(tmp_path / "quiz.html", quiz=True))
    for k in range(browser.execute_script("return window.chalkgrad.sequence().length")):
        browser.execute_script("window.chalkgrad.go(arguments[0])", k)
        scroll, height, forms = browser.execute_script(
            "var f = document.getElementById('focus');"
            "return [f.scrollHeight, f.clientHeight, document.querySelectorAll('#cards .quiz').length]")
        assert scroll <= height + 1, f"{name} quiz, state {k}: {forms} questions need {scroll} px, {height} px shown"
