"""The step-by-step HTML page in a real headless Chromium (selenium): it navigates and stays offline."""
import shutil

import pytest

from autograd import backprop_steps
from autograd.cli import gate_example

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

if CHROMIUM is None or shutil.which("chromedriver", path="/usr/bin") is None:
    pytest.skip("needs Debian's chromium and /usr/bin/chromedriver (apt-get install chromium chromium-driver)",
                allow_module_level=True)
if shutil.which("dot") is None:
    pytest.skip("needs Graphviz `dot` to render the frames", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs the selenium package")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

CURRENT_NODE = """
var frame = document.querySelector("figure.frame:not([hidden])");
var node = frame.querySelector("g.node.current > title");
return [frame.id, node ? node.textContent : null, document.getElementById("caption").textContent];
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1000,700",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def gate_steps():
    *_, f = gate_example()
    return backprop_steps(f)


def test_next_walks_through_every_step_and_the_page_stays_offline(browser, tmp_path):
    steps = gate_steps()
    page = steps.save_html(tmp_path / "backprop.html")
    browser.get(page.resolve().as_uri())

    expected = [steps.graph.outputs[0]] + [step.node for step in steps]  # f, then the × gate, then the + gate
    seen = [browser.execute_script(CURRENT_NODE)]
    next_button = browser.find_element(By.ID, "next")
    assert browser.find_element(By.ID, "prev").get_attribute("disabled")
    for _ in range(len(expected) - 1):
        next_button.click()
        seen.append(browser.execute_script(CURRENT_NODE))
    assert [node for _, node, _ in seen] == expected
    assert all(a[1] != b[1] and a[0] != b[0] for a, b in zip(seen, seen[1:]))  # the highlight moved each time
    assert "multiply swaps" in seen[1][2] and "add distributes" in seen[2][2]
    assert browser.find_element(By.ID, "counter").text == f"{len(expected)} / {len(expected)}"
    assert next_button.get_attribute("disabled")

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    assert browser.execute_script(CURRENT_NODE)[1] == expected[-2]
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert browser.execute_script(CURRENT_NODE)[1] == expected[-1]

    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.execute_script("return document.querySelectorAll('[src], link[href]').length") == 0
    source = page.read_text()
    assert "http://" not in source and "https://" not in source
    csp = browser.find_element(By.CSS_SELECTOR, "meta[http-equiv='Content-Security-Policy']")
    assert "default-src 'none'" in csp.get_attribute("content")


def test_forward_and_backward_page_shows_values_then_gradients(browser, tmp_path):
    steps = gate_steps()
    page = steps.save_html(tmp_path / "both.html", mode="both")
    browser.get(page.resolve().as_uri())
    frames = browser.execute_script("return document.querySelectorAll('figure.frame').length")
    captions = [browser.execute_script(CURRENT_NODE)[2]]
    for _ in range(frames - 1):
        browser.find_element(By.ID, "next").click()
        captions.append(browser.execute_script(CURRENT_NODE)[2])
    assert captions[0].startswith("Forward pass") and "q = x + y = 3" in captions[1]
    assert captions[3].startswith("Backward pass") and captions[-1].startswith("Step 2 of 2")
    visible_text = browser.execute_script(
        "return document.querySelector('figure.frame:not([hidden]) svg').textContent")
    assert "grad -4" in visible_text and "grad 3" in visible_text
