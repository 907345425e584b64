"""The documentation site (`make docs`): it builds in strict mode, covers every public name with its
docstring, renders the notebooks with their figures, and its pages open offline in a real browser."""
import importlib.util
import inspect
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs", reason="needs the docs extra: pip install -e '.[docs]'")
for plugin in ("material", "mkdocstrings_handlers.python", "mkdocs_jupyter", "latex2mathml"):
    pytest.importorskip(plugin, reason="needs the docs extra: pip install -e '.[docs]'")


def load_hooks():
    spec = importlib.util.spec_from_file_location("chalkgrad_docs_hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks


def mkdocs_build(config: Path, site: Path, timeout=600):
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if shutil.which("dot") is None:
        pytest.skip("the gallery needs Graphviz `dot` (apt-get install graphviz)")
    site = tmp_path_factory.mktemp("docs") / "site"
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-5000:]}"
    return site


# ----- without building ---------------------------------------------------------------------------
def test_every_public_name_has_a_docstring():
    assert load_hooks().undocumented() == []


def test_the_members_exempt_from_docstrings_still_lack_them():
    """Every Tensor method and property has a docstring; the few exempt members of Function and
    Context must really lack one (the exemption goes once they are written)."""
    hooks = load_hooks()
    for name in sorted(hooks.MEMBERS_EXEMPT):
        module, cls, member = name.rsplit(".", 2)
        assert member in hooks.undocumented_members(getattr(importlib.import_module(module), cls)), \
            f"{name} has a docstring now: take it out of MEMBERS_EXEMPT in docs/hooks.py"
    import autograd

    assert hooks.undocumented_members(autograd.Tensor) == []


def test_a_missing_docstring_is_a_warning_that_fails_the_strict_build(monkeypatch, caplog):
    hooks = load_hooks()
    import nn

    monkeypatch.setattr(nn.Linear, "__doc__", None)
    monkeypatch.setattr(nn.training.SearchResult.best, "__doc__", None)  # a property
    monkeypatch.setattr(nn.Module.parameters, "__doc__", None)  # and the methods that inherit its docstring
    assert {"nn.Linear", "nn.training.SearchResult.best", "nn.Module.parameters"} <= set(hooks.undocumented())
    hooks.anchors.update({page: set() for page in hooks.API_PAGES.values()})
    with caplog.at_level(logging.WARNING):
        hooks.on_post_build(config=None)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert all(r.name.startswith("mkdocs.") for r in warnings)  # mkdocs counts these; --strict then aborts
    assert "nn.Linear has no docstring" in caplog.text
    assert "api/autograd.md does not document these public names of autograd" in caplog.text


def test_a_broken_link_fails_the_strict_build(tmp_path):
    """The site's own settings (validation, strict) on a one-page site with a link to a missing page."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Test\n\nSee [the missing page](missing.md).\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {tmp_path / 'docs'}\nhooks: []\n"
                      "plugins: [search]\nnav: [index.md]\n")
    result = mkdocs_build(config, tmp_path / "site", timeout=120)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "contains a link 'missing.md'" in output and "Aborted with 1 warnings in strict mode" in output, output


def test_the_readme_sections_the_site_includes_exist():
    hooks = load_hooks()
    readme = (ROOT / "README.md").read_text()
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for path, section in hooks.INCLUDE.findall(page.read_text()):
            text = (ROOT / path).read_text() if path != "README.md" else readme
            assert hooks.section_of(text, section) if section else text, f"{page.name}: {path} {section!r}"
    assert hooks.section_of("# T\nintro\n## A\na\n### B\nb\n## C\nc\n", "A") == "a\n## B\nb\n"
    assert hooks.section_of("# T\nintro\n## A\na\n", "T") == "intro\n"


# ----- the built site ------------------------------------------------------------------------------
def test_the_site_has_every_page(site):
    names = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    expected = {"index.html", "tour.html", "cluster.html", "gallery.html", "benchmarks.html", "notebooks/index.html",
                *(f"api/{Path(page).stem}.html" for page in load_hooks().API_PAGES.values()),
                *(f"notebooks/{name}.html" for name in notebooks),
                *(f"gallery/{name}-steps.html" for name in ("gate", "neuron", "mlp"))}
    assert expected <= names, sorted(expected - names)
    benchmarks = (site / "benchmarks.html").read_text()
    assert "<table>" in benchmarks and "<td>W2 MLP step float32, <code>nn.Linear</code></td>" in benchmarks  # the README's table, rendered
    cluster = (site / "cluster.html").read_text()
    assert "LocalCluster" in cluster and "random_search" in cluster and "KilledWorker" in cluster


def test_the_notebooks_are_rendered_with_their_figures_and_formulas(site):
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        figures = sum("image/png" in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))
        page = (site / "notebooks" / f"{notebook.stem}.html").read_text()
        assert page.count('src="data:image/png;base64,') >= figures > 0 or figures == 0, notebook.name
        assert "<math" in page, notebook.name  # the formulas as MathML


def test_the_gallery_is_drawn_by_chalkgrad(site):
    svg = (site / "gallery" / "gate.svg").read_text()
    assert "<svg" in svg and "grad &#45;4" in svg  # Graphviz writes the minus sign as &#45;
    page = (site / "gallery" / "gate-steps.html").read_text()
    assert "default-src 'none'" in page and "<svg" in page
    assert 'src="gallery/gate.svg"' in (site / "gallery.html").read_text()
    for image in (ROOT / "docs" / "images").glob("*.png"):
        assert f'src="images/{image.name}"' in (site / "gallery.html").read_text()


def test_the_api_reference_documents_every_public_name(site):
    hooks = load_hooks()
    for module_name, page in hooks.API_PAGES.items():
        ids = set(re.findall(r'id="([\w.]+)"', (site / Path(page).with_suffix(".html")).read_text()))
        module = importlib.import_module(module_name)
        for name in hooks.public_names(module_name):
            obj = getattr(module, name)
            assert inspect.ismodule(obj) or {f"{module_name}.{name}", hooks.own_path(obj)} & ids, (module_name, name)


# ----- in the browser ------------------------------------------------------------------------------
try:
    from test_browser import browser  # noqa: F401 - the suite's headless Chromium (skips where it is missing)
except pytest.skip.Exception as reason:
    browser_missing = str(reason)
else:
    browser_missing = None

NETWORK = """
return performance.getEntriesByType('resource').map(e => e.name)
    .concat([...document.querySelectorAll('script[src], link[href], img[src], iframe[src]')]
            .map(e => e.src || e.href))
    .filter(url => !url.startsWith('file:') && !url.startsWith('data:'));
"""


@pytest.mark.skipif(browser_missing is not None, reason=browser_missing or "")
def test_the_index_and_an_api_page_open_offline_in_the_browser(site, browser):
    from autograd import Tensor

    browser.get((site / "index.html").as_uri())
    assert "chalkgrad" in browser.title
    assert browser.execute_script("return document.querySelector('article h1').firstChild.textContent") == "chalkgrad"
    assert browser.execute_script("return [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert browser.execute_script(NETWORK) == []

    browser.get((site / "api" / "autograd.html").as_uri())
    assert browser.title.startswith("autograd")
    heading = browser.execute_script("return document.getElementById('autograd.Tensor.backward').textContent")
    assert "backward" in heading
    entry = browser.execute_script(
        "return document.getElementById('autograd.Tensor.backward').closest('.doc-object').innerText")
    assert inspect.getdoc(Tensor.backward).splitlines()[0] in entry
    assert browser.execute_script(NETWORK) == []
