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
