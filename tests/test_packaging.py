"""The distribution as a user gets it: a built wheel holds every package and works outside the source tree;
a foreign package named `autograd` (HIPS autograd) is refused with advice."""
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("autograd", "nn", "optim")


def run(command, cwd, timeout=300, env=None, check=True):
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=env)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def clean_env():
    """The environment without anything that would put the source tree on the path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def source_files() -> set[str]:
    """Every file of the three import packages, as paths inside the wheel (autograd/cli/__init__.py, ...)."""
    return {p.relative_to(ROOT).as_posix() for name in PACKAGES for p in (ROOT / name).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built with pip from a copy of the source tree (the copy keeps build/ out of the worktree)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp / "dist", source], cwd=tmp)
    (built,) = (tmp / "dist").glob("chalkgrad-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh virtual environment (no system site-packages) and an empty folder to run in."""
    tmp = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", tmp / "env"], cwd=tmp, timeout=120)
    (tmp / "run").mkdir()
    return tmp / "env" / "bin" / "python", tmp / "run"


def test_the_wheel_holds_every_package_and_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(source_files() - names)
    assert not missing, f"the wheel lacks {missing}: check [tool.setuptools] in pyproject.toml"
    packages = {p.parent.relative_to(ROOT).as_posix() for name in PACKAGES for p in (ROOT / name).rglob("__init__.py")}
    assert {"autograd/cli", "nn/data", "nn/training"} <= packages  # the subpackages a hand-kept list once missed
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "notebooks/", "docs/"))]
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: numpy" in metadata and "Requires-Dist: graphviz" in metadata


WITHOUT_GRAPHVIZ = """
import importlib.util, sys
import autograd
from autograd import Tensor, draw_graph
assert importlib.util.find_spec("graphviz") is None, "graphviz is installed"
assert autograd.__file__.startswith(sys.prefix), autograd.__file__
assert not any(p and {root!r} in p for p in sys.path), sys.path
x, y, z = Tensor(-2.0, requires_grad=True), Tensor(5.0, requires_grad=True), Tensor(-4.0, requires_grad=True)
f = (x + y) * z
f.backward()
print("grads", x.grad.item(), y.grad.item(), z.grad.item())
try:
    draw_graph(f)
except ImportError as error:
    print("draw_graph:", error)
"""

TRAINING = """
import numpy as np
import nn, optim
from nn.data import make_moons
from nn.training import fit, predict
X, y = make_moons(200, noise=0.1, seed=0)
nn.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=30,
              batch_size=32, verbose=False, seed=0)
print("accuracy", float(np.mean(predict(model, X) == y)), nn.__file__)
"""


def test_the_wheel_installs_and_works_outside_the_source_tree(wheel, venv):
    """Installed with numpy only, autograd imports and backpropagates, and draw_graph says how to get
    graphviz; with graphviz added, the demo runs and a small network trains."""
    python, cwd = venv
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "--no-deps", wheel], cwd=cwd)
    run([*pip, f"numpy=={importlib.metadata.version('numpy')}"], cwd=cwd)

    out = run([python, "-c", WITHOUT_GRAPHVIZ.format(root=str(ROOT))], cwd=cwd, env=clean_env()).stdout
    assert "grads -4.0 -4.0 3.0" in out
    assert "draw_graph: Drawing graphs needs the `graphviz` Python package" in out and "pip install graphviz" in out

    run([*pip, f"graphviz=={importlib.metadata.version('graphviz')}"], cwd=cwd)
    run([python, "-m", "pip", "check"], cwd=cwd)  # every declared dependency is there
    out = run([python, "-c", TRAINING], cwd=cwd, env=clean_env()).stdout
    accuracy, location = out.split()[1:3]
    assert float(accuracy) > 0.9 and location.startswith(str(python.parents[1])), out

    if shutil.which("dot") is None:
        pytest.skip("the demo's drawings need Graphviz `dot` (apt-get install graphviz)")
    demo = run([python, "-m", "autograd", "demo"], cwd=cwd, env=clean_env())
    assert "df/dx = -4,  df/dy = -4,  df/dz = 3" in demo.stdout
    assert (cwd / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    page = (cwd / "backprop.html").read_text()
    assert "step by step" in page and "<svg" in page


FOREIGN_AUTOGRAD = '"""Stands in for HIPS autograd: same import name, no Tensor."""\n\ndef grad(fun):\n    return fun\n'


@pytest.mark.parametrize("package", ["nn", "optim"])
def test_a_foreign_autograd_is_refused_with_advice(tmp_path, package):
    (tmp_path / "shadow" / "autograd").mkdir(parents=True)
    (tmp_path / "shadow" / "autograd" / "__init__.py").write_text(FOREIGN_AUTOGRAD)
    env = clean_env() | {"PYTHONPATH": os.pathsep.join([str(tmp_path / "shadow"), str(ROOT)])}
    result = run([sys.executable, "-c", f"import {package}"], cwd=tmp_path, env=env, timeout=60, check=False)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: chalkgrad's") and "found another package" in last, result.stderr
    assert "shadow" in last and "pip uninstall autograd" in last and "separate virtual environments" in last

    env["PYTHONPATH"] = str(ROOT)  # the same command with chalkgrad's autograd first works
    assert run([sys.executable, "-c", f"import {package}"], cwd=tmp_path, env=env, timeout=60).returncode == 0


def test_the_makefile_puts_the_build_backend_in_the_venv():
    """`make` installs with --no-build-isolation, so the venv must hold what pyproject.toml's [build-system] needs."""
    requires = re.search(r"^\[build-system\]\nrequires = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(), re.M)[1]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^BUILD_REQUIRES := (.*)$", makefile, re.M)[1].split() == requires.split(", ")
    assert "--no-build-isolation" in makefile
