"""PyTorch scripts run on chalkgrad with only their import lines changed (issue #18).

The scripts in tests/pytorch_scripts/ are plain PyTorch, written as a PyTorch user writes them;
each test runs one with PyTorch (so it is real PyTorch) and once more with chalkgrad's imports.
"""
import re
from pathlib import Path

import numpy as np
import pytest

import autograd
import nn

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "pytorch_scripts"
PORT = {  # the only lines that change
    "import torch": "import autograd as torch",
    "import torch.nn as nn": "import nn",
    "import torch.nn.functional as F": "import nn.functional as F",
    "import torch.optim as optim": "import optim",
}


def ported(source: str) -> str:
    return "\n".join(PORT.get(line, line) for line in source.splitlines()) + "\n"


def run(name: str, port: bool) -> dict:
    source = (SCRIPTS / name).read_text()
    if port:
        changed = [a for a, b in zip(source.splitlines(), ported(source).splitlines()) if a != b]
        assert changed and set(changed) <= set(PORT)
        source = ported(source)
    namespace = {"__name__": "__main__"}
    exec(compile(source, str(SCRIPTS / name), "exec"), namespace)  # noqa: S102 - our own test scripts
    return namespace


def test_the_training_script_runs_on_chalkgrad_with_only_the_imports_changed(capsys):
    ours = run("train_mlp.py", port=True)
    assert ours["torch"] is autograd and ours["nn"] is nn
    assert all(type(p) is nn.Parameter for p in ours["model"].parameters())
    assert isinstance(ours["loss"], autograd.Tensor)
    losses = ours["losses"]
    assert len(losses) == 20 and losses[-1] < 0.1 * losses[0], losses
    assert ours["accuracy"] >= 0.9
    assert ours["optimizer"].param_groups[0]["lr"] == pytest.approx(0.1 * 0.5**2)
    assert "259 parameters" in capsys.readouterr().out  # 2*32 + 32 + 2*32 + 32*3 + 3


def test_the_training_script_is_real_pytorch():
    torch = pytest.importorskip("torch")
    theirs = run("train_mlp.py", port=False)
    assert isinstance(theirs["loss"], torch.Tensor)
    assert theirs["losses"][-1] < 0.1 * theirs["losses"][0] and theirs["accuracy"] >= 0.9


def test_the_backprop_exercise_gets_every_gradient_right_on_chalkgrad():
    ours = run("backprop_by_hand.py", port=True)
    results = ours["results"]
    assert len(results) == 28
    for name, (_exact, approximate, maxdiff) in results.items():
        assert approximate and maxdiff < 1e-12, f"{name}: maxdiff {maxdiff}"
    assert abs(ours["loss_fast"].item() - ours["loss"].item()) < 1e-12
    assert ours["loss"].dtype == np.float64  # chalkgrad's default, where PyTorch's is float32


def test_the_backprop_exercise_is_real_pytorch():
    torch = pytest.importorskip("torch")
    theirs = run("backprop_by_hand.py", port=False)
    assert theirs["loss"].dtype == torch.float32
    assert all(approximate for _, approximate, _ in theirs["results"].values())


def python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)


def test_the_docs_page_port_runs_and_is_the_readme_port(capsys):
    page = python_blocks(ROOT / "docs" / "coming-from-pytorch.md")
    namespace = {"__name__": "__main__"}
    for block in page:
        exec(compile(block, "docs/coming-from-pytorch.md", "exec"), namespace)  # noqa: S102 - our own page
    assert namespace["torch"] is autograd and namespace["accuracy"] >= 0.95
    assert "accuracy 1.00" in capsys.readouterr().out
    assert page[-1] in python_blocks(ROOT / "README.md")
