"""The command line: python -m autograd draw / steps / demo, and its safe expression parser."""
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import pytest

import autograd.viz.dot
from autograd.cli import main
from autograd.cli.expression import ExpressionError, evaluate, parse_variables
from autograd.viz import GraphvizTimeoutError

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def page_steps(page: str) -> list:
    """The steps a step page carries as data."""
    data = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1)
    return json.loads(data)["views"]["ops"]["steps"]


def run(*args, cwd, env=None, timeout=120):
    """`python -m autograd ...` with this environment's Python, in `cwd`."""
    return subprocess.run([sys.executable, "-m", "autograd", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@needs_dot
def test_draw_writes_an_svg_with_values_and_gradients(tmp_path):
    done = run("draw", "(x + y) * z", "x=-2", "y=5", "z=-4", "-o", "graph.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "graph.svg" in done.stdout
    texts = [t.text for t in ET.parse(tmp_path / "graph.svg").getroot().iter("{http://www.w3.org/2000/svg}text")]
    assert {"x", "y", "z", "f", "-12", "3", "grad -4", "grad 3", "grad 1"} <= set(texts)


@needs_dot
def test_steps_prints_the_table_and_writes_the_page(tmp_path):
    done = run("steps", "(x + y) * z", "x=-2", "y=5", "z=-4", "-o", "backprop.html", "--frames", "frames",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["step", "node", "upstream", "input", "local", "sent"]
    assert lines[1].split()[-3:] == ["t1", "-4", "-4"] and lines[3].split()[:2] == ["2", "t1"]
    page = (tmp_path / "backprop.html").read_text()
    assert len(page_steps(page)) == 3 and page.count("<svg") == 1 and "https://" not in page
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == ["step_00.svg", "step_01.svg", "step_02.svg"]


@needs_dot
def test_demo_prints_the_lecture_numbers_and_writes_both_files(tmp_path):
    done = run("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "f = (x + y) * z  at x=-2, y=5, z=-4" in out
    assert "forward:  q = x + y = 3,  f = q * z = -12" in out
    assert "backward: df/dx = -4,  df/dy = -4,  df/dz = 3" in out
    assert "1  f = q × z         1  q         -4    -4" in out
    assert str(tmp_path / "graph.svg") in out and str(tmp_path / "backprop.html") in out
    ET.parse(tmp_path / "graph.svg")
    assert len(page_steps((tmp_path / "backprop.html").read_text())) == 6  # forward + backward


@needs_dot
def test_a_variable_used_by_many_operations_is_drawn_without_hanging(tmp_path):
    # 100 multiplications by the same x (201 nodes): Graphviz's layout used to run for many minutes.
    done = run("draw", "*".join(["x"] * 101), "x=1", "-o", "chain.svg", cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    ET.parse(tmp_path / "chain.svg")


def test_large_graphs_are_refused_with_the_command_line_flag_to_allow_them(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    chain = "*".join(["x"] * 200)  # 399 nodes, but x's long edges would take Graphviz minutes
    assert main(["draw", chain, "x=1", "-o", "g.svg"]) == 2
    err = capsys.readouterr().err
    assert "--max-nodes 986 (or --max-nodes 0 for no limit)" in err and "max_nodes=" not in err
    assert main(["draw", "x*x*x", "x=1", "--max-nodes", "4", "-o", "-"]) == 2
    assert "has 5 nodes to draw (2 operations), more than the limit of 4" in capsys.readouterr().err
    assert main(["steps", "x*x*x", "x=1", "--max-nodes", "4", "-o", "s.html"]) == 2
    assert "--max-nodes 5" in capsys.readouterr().err
    assert main(["draw", chain, "x=1", "--max-nodes", "0", "-o", "g.gv"]) == 0
    assert (tmp_path / "g.gv").read_text().count("->") == 3 * 199


def test_a_graphviz_timeout_exits_1_with_advice(tmp_path, capsys, monkeypatch):
    def too_slow(command, source, timeout):
        raise GraphvizTimeoutError("stopped")

    monkeypatch.setattr(autograd.viz.dot, "run_graphviz", too_slow)
    assert main(["draw", "x * 2", "x=1", "-o", str(tmp_path / "g.svg")]) == 1
    err = capsys.readouterr().err
    assert "could not lay the graph out within 60 s" in err and "-o graph.gv" in err and "Traceback" not in err


def test_a_malicious_expression_is_refused_and_runs_nothing(tmp_path):
    done = run("draw", "__import__('os').system('touch PWNED')", "-o", "out.svg", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "is not allowed" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []  # no PWNED, no out.svg


@pytest.mark.parametrize("expression", [
    "x.__class__.__mro__",
    "(lambda: __import__('os').system('touch PWNED'))()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "open('PWNED', 'w')",
    "exp(x, y=__import__('os').system('touch PWNED'))",
    "exp(*[x])",
    "__builtins__",
])
def test_other_escapes_are_refused_too(tmp_path, capsys, monkeypatch, expression):
    monkeypatch.chdir(tmp_path)
    assert main(["steps", expression, "x=1"]) == 2
    assert "not allowed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv, message", [
    (["draw", "x * w", "x=1"], "'w' has no value; give one on the command line, e.g. w=1.5"),
    (["draw", "x +", "x=1"], "not a valid expression"),
    (["draw", "x", "x=abc"], "must be a number"),
    (["draw", "x", "x"], "name=value"),
    (["draw", "3 * 4"], "does not depend on any variable"),
    (["draw", "w * 2", "w=1,2,3"], "wrap it in sum(...)"),
    (["draw", "x * 2", "x=1", "-o", "graph.txt"], "use a file name ending in .svg"),
    (["draw", "max(x)", "x=1"], "max() takes 2 argument(s)"),
    (["draw", "x // 2", "x=1"], "'//' is not allowed"),
    (["draw", "x * 1" + " + x" * 200, "x=1"], "at most 500 are accepted"),
    (["draw", "x + 10 ** 400", "x=1"], "overflow"),
    (["draw", "x * y", "x=1", "y=2", "x=3,4"], "x is given twice (x=1 and x=3,4); give each variable once"),
    (["draw", "--", "-x", "x=1", "-o", "out.svg"], "'-o' came after the expression and --, so it was read as a "
                                                 "variable; put the options first: draw -o out.svg -- \"-x\" x=1"),
])
def test_bad_input_exits_2_with_a_clear_message(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, expression, value", [
    ("draw", "x / 0", "x=1"), ("draw", "log(x)", "x=-1"), ("draw", "x**x**x**x**x", "x=10"),
    ("steps", "sqrt(x)", "x=0"),
])
def test_inf_and_nan_get_one_note_instead_of_numpy_warnings(capsys, command, expression, value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test
        assert main([command, expression, value, "-o", "-" if command == "draw" else ""]) == 0
    err = capsys.readouterr().err
    assert err.count("note: some values or gradients are inf or nan") == 1 and "Warning" not in err


def test_expressions_starting_with_minus_or_a_space(capsys):
    assert main(["draw", "-o", "-", "--", "-x * y", "x=1", "y=2"]) == 0
    assert "grad -2" in capsys.readouterr().out
    assert main(["draw", " -x", "x=1", "-o", "-"]) == 0  # no "unexpected indent"
    assert "grad -1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["draw", "--help"])
    assert 'draw -o out.svg -- "-x * y" x=1 y=2' in " ".join(capsys.readouterr().out.split())


def test_draw_to_stdout_and_a_vector_variable(capsys):
    assert main(["draw", "sum(w * w)", "w=1,2,3", "-o", "-"]) == 0
    source = capsys.readouterr().out
    assert source.startswith("digraph") and "[1, 2, 3]" in source and "3 float64" in source
    assert "grad [2, 4, 6]" in source


def test_missing_dot_exits_1_with_install_advice(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no `dot` on this PATH
    done = run("draw", "x * 2", "x=1", "-o", "g.svg", cwd=tmp_path, env=env)
    assert done.returncode == 1 and "apt-get install graphviz" in done.stderr and "Traceback" not in done.stderr
    done = run("draw", "x * 2", "x=1", "-o", "g.gv", cwd=tmp_path, env=env)  # DOT text needs no Graphviz
    assert done.returncode == 0 and (tmp_path / "g.gv").read_text().startswith("digraph")


def test_help_explains_the_commands():
    done = run("--help", cwd=".")
    assert done.returncode == 0 and "draw" in done.stdout and "steps" in done.stdout and "demo" in done.stdout
    assert "(x + y) * z" in done.stdout


def test_the_parser_builds_the_same_graph_as_python():
    f, leaves = evaluate("sigmoid(w0*x0 + w1*x1 + w2) - max(x0, -x1) / 2 ** x0",
                         parse_variables(["w0=2", "x0=-1", "w1=-3", "x1=-2", "w2=-3"]))
    f.backward()
    w0, x0, w1, x1, w2 = (leaves[n] for n in ("w0", "x0", "w1", "x1", "w2"))
    from autograd import Tensor
    v = {n: Tensor(float(leaves[n].item()), requires_grad=True) for n in leaves}
    g = (v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]).sigmoid() - v["x0"].maximum(-v["x1"]) / 2 ** v["x0"]
    g.backward()
    assert f.item() == pytest.approx(g.item())
    for name in leaves:
        assert leaves[name].grad.item() == pytest.approx(v[name].grad.item())
    with pytest.raises(ExpressionError):
        evaluate("x ** 0.5 if x else 1", {"x": 1.0})


LECTURE_MLP = ["steps", "h = relu(X @ W1 + b1); loss = cross_entropy(h @ W2 + b2, y)", "X=randn(4,3)",
               "W1=0.5*randn(3,5)", "b1=zeros(5)", "W2=0.5*randn(5,3)", "b2=[0.1,0,-0.1]", "y=[0,2,1,0]",
               "--constant", "X"]


def test_the_lecture_mlp_runs_from_one_command_line(tmp_path, capsys, monkeypatch):
    import numpy as np

    from autograd import Tensor
    from nn import functional as F

    monkeypatch.chdir(tmp_path)
    assert main(LECTURE_MLP + ["-o", "mlp.html"]) == 0
    out = capsys.readouterr().out
    # the same network built in Python, with the same seeded values
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((4, 3)))
    W1 = Tensor(0.5 * rng.standard_normal((3, 5)), requires_grad=True)
    b1 = Tensor(np.zeros(5), requires_grad=True)
    W2 = Tensor(0.5 * rng.standard_normal((5, 3)), requires_grad=True)
    b2 = Tensor([0.1, 0, -0.1], requires_grad=True)
    F.cross_entropy((X @ W1 + b1).relu() @ W2 + b2, np.array([0, 2, 1, 0])).backward()
    assert "dW2 = hᵀ · dt3   (5×3 = 5×4 · 4×3)" in out and "dh = dt3 · W2ᵀ   (4×5 = 4×3 · 3×5)" in out
    assert "b1 gets dt2 summed over the batch axis (4×5 → 5)" in out
    block = out[out.index("  W1 receives: (3×5)"):].splitlines()[1]
    assert [float(v) for v in block.split()] == pytest.approx([float(f"{v:.4g}") for v in W1.grad.data[0]])
    assert "X receives" not in out  # data: no gradient
    steps = page_steps((tmp_path / "mlp.html").read_text())
    assert steps[-1]["expression"] == "t1 = X @ W1"


def test_variables_from_a_npz_file_and_refused_values(tmp_path, capsys, monkeypatch):
    import numpy as np

    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "data.npz", X=np.ones((2, 3)), W=np.full((3, 2), 0.5))
    assert main(["draw", "sum(X @ W)", "--load", "data.npz", "--constant", "X", "-o", "-"]) == 0
    source = capsys.readouterr().out
    assert "<b>X</b>" in source and "grad [2, 2, 2, 2, …]" in source and "2×3 float64" in source
    np.savez(tmp_path / "evil.npz", X=np.array([{"a": 1}], dtype=object))
    assert main(["draw", "sum(X)", "--load", "evil.npz", "-o", "-"]) == 2
    assert capsys.readouterr().err.startswith("error: cannot load 'evil.npz'")
    for value, message in (("X=[[1,2],[3]]", "nested lists"), ("X=randn(1000,1000)", "at most 100,000"),
                           ("X=__import__('os')", "must be a number")):
        assert main(["draw", "sum(X)", value, "-o", "-"]) == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["steps", "sigmod(x)", "x=1"], "calling 'sigmod' is not allowed (did you mean sigmoid?)"),
    (["steps", "x * wieght", "x=1", "weight=2"], "'wieght' has no value (did you mean weight?)"),
    (["steps", "x * 2", "x=1", "-o", "out.svg"], "steps writes an HTML page, so 'out.svg' should end in .html"),
    (["steps", "x * 2", "x=1", "--constant", "z"], "--constant names z, which is not given a value"),
    (["steps", "import os", "x=1"], "import is not allowed"),
])
def test_command_line_mistakes_get_one_clear_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, output", [("steps", "missing/dir/page.html"), ("draw", "missing/dir/graph.svg"),
                                             ("draw", "missing/dir/graph.gv")])
def test_an_unwritable_output_path_is_one_error_line_not_a_traceback(tmp_path, command, output):
    done = run(command, "x * 2", "x=1", "-o", output, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"error: cannot write {output}: No such file or directory"]


def test_assignments_name_intermediates_as_the_demo_does(capsys):
    assert main(["steps", "q = x + y; f = q * z", "x=-2", "y=5", "z=-4", "-o", ""]) == 0
    table = capsys.readouterr().out
    assert "1  f = q × z         1  q         -4    -4" in table and "2  q = x + y        -4  x          1    -4" in table
