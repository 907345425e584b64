"""Layering: nn and optim are built on the public autograd API only, with no hand-written
backward passes (every gradient comes from the engine)."""
import ast
from pathlib import Path

import autograd

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = set(autograd.__all__)


def violations(source: str, filename: str = "<source>") -> list[str]:
    """Every import of a non-public autograd name, and every function named backward."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names if a.name.startswith("autograd.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("autograd."):
                found.append(f"{where}: from {node.module} import ...")
            elif node.module == "autograd":
                found += [f"{where}: from autograd import {a.name}" for a in node.names if a.name not in PUBLIC]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "autograd":
            if node.attr not in PUBLIC:
                found.append(f"{where}: autograd.{node.attr}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "backward":
            found.append(f"{where}: def backward")
    return found


def test_the_checker_catches_each_kind_of_violation():
    bad = (
        "import autograd.ops\nfrom autograd.engine import toposort\nfrom autograd import Tensor, _private\n"
        "import autograd\nx = autograd.function\nclass F:\n    def backward(ctx, grad):\n        return grad\n"
    )
    assert len(violations(bad)) == 5
    good = "import autograd\nfrom autograd import Tensor, no_grad\nx = autograd.Tensor\nfrom . import module\n"
    assert violations(good) == []


def test_nn_and_optim_use_only_public_autograd_names_and_define_no_backward():
    files = sorted((ROOT / "nn").rglob("*.py")) + sorted((ROOT / "optim").rglob("*.py"))
    assert any(f.name == "functional.py" for f in files)
    found = [v for f in files for v in violations(f.read_text(), str(f.relative_to(ROOT)))]
    assert found == [], "nn/optim must use only `from autograd import <public name>`:\n" + "\n".join(found)
