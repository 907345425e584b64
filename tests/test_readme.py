"""The README's Python examples run as written (in order, in one namespace, in a temporary folder)."""
import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib").use("Agg")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 4
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["f"].item() == -12.0 and namespace["z"].grad.item() == 3.0 and namespace["q"].grad is None
    assert os.path.exists("backprop.html") and os.path.exists("graph.png")
    assert namespace["history"].history["loss"][-1] < namespace["history"].history["loss"][0]
    assert namespace["accuracy"] >= 0.95  # the PyTorch training loop of "Coming from PyTorch"


def layout_section() -> str:
    text = README.read_text()
    start = text.index("\n## Layout\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def test_the_layout_names_every_module_and_package_of_the_three_packages():
    """The README's Layout is written from the tree: each module and subpackage of autograd/, nn/
    and optim/ has its line, and every file or folder it names exists."""
    root = README.parent
    named = set(re.findall(r"`([\w./]+)`", layout_section()))
    missing = []
    for package in ("autograd", "nn", "optim"):
        for path in sorted((root / package).iterdir()):
            if path.name.startswith("__") or path.name.startswith("."):
                continue  # __init__.py, __main__.py, __pycache__
            if path.suffix == ".py" and path.name not in named:
                missing.append(f"{package}/{path.name}")
            elif path.is_dir() and (path / "__init__.py").exists() and f"{path.name}/" not in named:
                missing.append(f"{package}/{path.name}/")
    assert not missing, f"README.md's Layout does not name: {missing}"
    tracked = {p.name for p in root.rglob("*") if ".venv" not in p.parts}
    built = {"site/"}  # written by `make docs`
    stale = [name for name in named - built
             if name.endswith((".py", "/")) and name.rstrip("/").split("/")[-1] not in tracked]
    assert not stale, f"README.md's Layout names what is not in the tree: {stale}"
