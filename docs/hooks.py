"""MkDocs hooks for chalkgrad's documentation site (mkdocs.yml: `hooks:`).

- The lecture notebooks (notebooks/README.md and every notebooks/*.ipynb) become pages, listed
  under "Lectures" in the order of their file names; a page in OPTIONAL_PAGES that is not
  written yet is left out of the navigation.
- `<!-- include FILE "Section" -->` in a page pastes a file of the repository, or one section of
  it (the README's tour, ...), so the README stays the one source; links are rewritten to work
  from the page.
- The gallery's drawings and step-by-step pages are made with chalkgrad itself while building.
- A public name without a docstring, or missing from the API reference, is a warning, which
  fails the build in strict mode (`make docs`, the test suite).
"""
from __future__ import annotations

import importlib
import inspect
import posixpath
import re
import sys
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

log = get_plugin_logger("chalkgrad")

# Pages other work adds; until they exist, the navigation leaves them out.
OPTIONAL_PAGES = {"coming-from-pytorch.md"}
# The module whose public names each API page documents (one `::: module` there).
API_PAGES = {
    "autograd": "api/autograd.md",
    "nn": "api/nn.md",
    "nn.functional": "api/nn-functional.md",
    "nn.init": "api/nn-init.md",
    "nn.data": "api/nn-data.md",
    "nn.training": "api/nn-training.md",
    "optim": "api/optim.md",
    "optim.lr_scheduler": "api/lr-scheduler.md",
}
# Members that need no docstring of their own (none today; tests/test_docs.py fails once one of
# them has a docstring, so the list only shrinks).
MEMBERS_EXEMPT = set()
# Repository files that a page of the site stands for, for links in included text.
PAGE_FOR = {"README.md": "index.md", "benchmarks/README.md": "benchmarks.md"}


# ----- public names and their docstrings ----------------------------------------------------------
def public_names(module_name: str) -> list[str]:
    """The module's `__all__`, or else the public names defined in it."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [name for name, obj in vars(module).items()
            if not name.startswith("_") and getattr(obj, "__module__", None) == module_name]


def undocumented() -> list[str]:
    """Every public function, class and public method or property (own or inherited docstring
    counts) of the documented modules that has no docstring."""
    missing, seen = [], set()
    for module_name in API_PAGES:
        module = importlib.import_module(module_name)
        if not inspect.getdoc(module):
            missing.append(module_name)
        for name in public_names(module_name):
            obj = getattr(module, name)
            qualified = f"{module_name}.{name}"
            if inspect.ismodule(obj) or id(obj) in seen:
                continue  # a module is documented on its own page; a name exported twice is checked once
            seen.add(id(obj))
            if not (obj.__doc__ if inspect.isclass(obj) else inspect.getdoc(obj)):
                missing.append(qualified)
            if inspect.isclass(obj):
                missing += [f"{qualified}.{member}" for member in undocumented_members(obj)
                            if f"{qualified}.{member}" not in MEMBERS_EXEMPT]
    return missing


def undocumented_members(cls) -> list[str]:
    missing = []
    for name, value in vars(cls).items():
        if name.startswith("_") or not (callable(value) or isinstance(value, (property, staticmethod, classmethod))):
            continue
        if isinstance(value, property):
            documented = value.__doc__ or any(isinstance(vars(base).get(name), property) and vars(base)[name].__doc__
                                              for base in cls.__mro__[1:])
        else:
            documented = inspect.getdoc(getattr(cls, name))
        if not documented:
            missing.append(name)
    return missing


# ----- navigation and files -----------------------------------------------------------------------
def on_config(config):
    config.nav = expand_nav(config.nav or [], Path(config.docs_dir))
    return config


def expand_nav(entries: list, docs: Path) -> list:
    expanded = []
    for entry in entries:
        title, target = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
        if isinstance(target, list):
            target = expand_nav(target, docs)
        elif target in OPTIONAL_PAGES and not (docs / target).exists():
            log.info(f"{target} is not written yet: left out of the navigation")
            continue
        elif target == "notebooks/README.md":
            target = [target] + [f"notebooks/{p.name}" for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
        expanded.append({title: target} if title else target)
    return expanded


@event_priority(100)  # before mkdocs-jupyter, which turns the .ipynb files into pages
def on_files(files: Files, config) -> Files:
    for path in [ROOT / "notebooks" / "README.md", *sorted((ROOT / "notebooks").glob("*.ipynb"))]:
        files.append(File(path.relative_to(ROOT).as_posix(), src_dir=str(ROOT), dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    for src_uri, content in gallery_files().items():
        files.append(File.generated(config, src_uri, content=content))
    return files


# ----- including the README's sections ------------------------------------------------------------
INCLUDE = re.compile(r'^<!-- include (\S+)(?: "([^"]+)")? -->$', re.MULTILINE)
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
HEADING = re.compile(r"^(#+) (.*?)\s*$")


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    markdown = INCLUDE.sub(lambda match: included(match[1], match[2], page, files), markdown)
    return markdown.replace("<!-- screenshots -->", screenshots(page))


def included(path: str, section: str | None, page, files: Files) -> str:
    source = ROOT / path
    text = source.read_text(encoding="utf-8")
    if section is not None:
        text = section_of(text, section)
        if text is None:
            log.warning(f"{page.file.src_uri}: {path} has no section {section!r} to include")
            return ""
    elif HEADING.match(text.splitlines()[0]):
        text = text.split("\n", 1)[1]  # the page has its own title
    return LINK.sub(lambda match: match[1] + link_from(page, source, match[2], files) + match[3], text)


def section_of(text: str, title: str) -> str | None:
    """The body under the heading `title`, up to the next heading of the same or a higher level
    (under the `#` title: up to the first heading, the introduction); its own subheadings move up
    one level (a `###` under `## Quick tour` becomes `##`)."""
    lines, body, level, fenced = text.splitlines(), None, 0, False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if body is None:
            if heading and heading[2] == title:
                body, level = [], len(heading[1])
            continue
        if heading and (len(heading[1]) <= level or level == 1):
            break
        body.append(line[1:] if heading else line)
    return None if body is None else "\n".join(body).strip() + "\n"


def link_from(page, source: Path, target: str, files: Files) -> str:
    """A link of `source` (relative to its folder), rewritten relative to the page that includes it."""
    if re.match(r"^[a-z]+:|^#|^/", target):
        return target
    path, _, anchor = target.partition("#")
    repo_path = (source.parent / path).resolve().relative_to(ROOT).as_posix()
    src_uri = PAGE_FOR.get(repo_path, repo_path.removeprefix("docs/"))
    if files.get_file_from_path(src_uri) is None:
        log.warning(f"{page.file.src_uri}: the included link {target!r} ({repo_path}) is not part of the site")
        return target
    relative = posixpath.relpath(src_uri, posixpath.dirname(page.file.src_uri) or ".")
    return relative + (f"#{anchor}" if anchor else "")


# ----- the gallery ------------------------------------------------------------------------------
def screenshots(page) -> str:
    """Every docs/images/*.png, as images on the page (new screenshots show up without editing it)."""
    images = sorted((ROOT / "docs" / "images").glob("*.png"))
    here = posixpath.dirname(page.file.src_uri) or "."
    return "\n\n".join(f"![{p.stem.replace('_', ' ')}]({posixpath.relpath('images/' + p.name, here)})" for p in images)


def gallery_examples() -> dict:
    """name -> a function that builds the example and returns its output tensor."""
    import numpy as np

    import nn
    from autograd import Tensor
    from autograd.cli import gate_example

    def neuron():
        w0, x0, w1, x1, w2 = (Tensor(v, requires_grad=True, name=n) for v, n in
                              ((2.0, "w0"), (-1.0, "x0"), (-3.0, "w1"), (-2.0, "x1"), (-3.0, "w2")))
        f = (w0 * x0 + w1 * x1 + w2).sigmoid()
        f.name = "f"
        return f

    def gate():
        *_, q, f = gate_example()
        q.retain_grad()  # the drawing shows the intermediate's gradient too
        return f

    def mlp():
        rng = np.random.default_rng(0)
        model = nn.Sequential(nn.Linear(3, 4, generator=0), nn.ReLU(), nn.Linear(4, 3, generator=1))
        X = Tensor(rng.normal(size=(5, 3)), name="X")
        loss = nn.functional.cross_entropy(model(X), np.array([0, 2, 1, 1, 0]))
        loss.name = "loss"
        return loss

    return {"gate": gate, "neuron": neuron, "mlp": mlp}


def gallery_files() -> dict[str, bytes]:
    """gallery/<name>.svg (the graph with values and gradients), gallery/<name>-steps.html (the
    step-by-step page), and gallery/mlp-layers.svg (the layer view)."""
    import shutil

    from autograd import backprop_steps, draw_graph
    if shutil.which("dot") is None:
        log.warning("the gallery needs Graphviz's `dot` program (apt-get install graphviz); it is left empty")
        return {}
    made = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in gallery_examples().items():
            page = backprop_steps(build()).save_html(Path(tmp, f"{name}.html"), mode="both")
            made[f"gallery/{name}-steps.html"] = page.read_bytes()
            output = build()
            output.backward()
            made[f"gallery/{name}.svg"] = draw_graph(output).pipe(format="svg")
            if name == "mlp":
                made["gallery/mlp-layers.svg"] = draw_graph(output, collapse=True).pipe(format="svg")
    return made


# ----- formulas in the notebooks --------------------------------------------------------------------
MARKDOWN_CELL = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(</div>)', re.S)
CODE = re.compile(r"(<(code|pre)\b.*?</\2>)", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)


def notebook_math(content: str) -> str:
    """$...$ and $$...$$ in the notebooks' text cells become MathML, which browsers draw without
    a script (MathJax would come from a CDN); a formula latex2mathml cannot read stays as TeX."""
    import html

    from latex2mathml.converter import convert

    def formula(match):
        tex = html.unescape(match[1] if match[1] is not None else match[2])
        try:
            return convert(tex, display="block" if match[1] is not None else "inline")
        except Exception as error:  # an unusual command: leave the TeX for the reader
            log.info(f"formula {tex!r} stays as TeX: {error}")
            return match[0]

    def cell(match):
        parts = CODE.split(match[2])  # [text, code, tag, text, code, tag, ...]
        text = "".join(part if i % 3 else MATH.sub(formula, part) for i, part in enumerate(parts) if i % 3 != 2)
        return match[1] + text + match[3]

    return MARKDOWN_CELL.sub(cell, content)


# ----- the API reference is complete --------------------------------------------------------------
anchors: dict[str, set[str]] = {}


def on_page_content(html: str, page, config, files) -> str:
    if page.file.src_uri.startswith("api/"):
        anchors[page.file.src_uri] = set(re.findall(r'id="([\w.]+)"', html))
    return html


@event_priority(-100)  # after mkdocs-jupyter has rendered the notebook
def on_post_page(output: str, page, config) -> str:
    return notebook_math(output) if page.file.src_uri.endswith(".ipynb") else output


def own_path(obj) -> str:
    """Where an object is defined (autograd.gradcheck.gradcheck), for names that a page documents there."""
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"


def on_post_build(config) -> None:
    for module_name, page in API_PAGES.items():
        module = importlib.import_module(module_name)
        found = anchors.get(page, set())
        missing = [name for name in public_names(module_name) if not inspect.ismodule(getattr(module, name))
                   and not {f"{module_name}.{name}", own_path(getattr(module, name))} & found]
        if missing:
            log.warning(f"{page} does not document these public names of {module_name}: {missing}")
    for name in undocumented():
        log.warning(f"{name} has no docstring")
