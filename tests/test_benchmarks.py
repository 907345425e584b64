"""The benchmark code must keep running: every workload at a tiny size, through the same
entry point (`python -m benchmarks --quick`), and every implementation must compute the
same numbers as chalkgrad. No timing is asserted: speed is for `make bench` to show."""
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package: import it from the checkout
    sys.path.insert(0, str(ROOT))

from benchmarks import runner, w1_scalar, w2_mlp, w3_chain, w4_cnn, w5_overhead, w6_conv_ops  # noqa: E402


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One quick run of everything without PyTorch (its cases are checked in-process below,
    so the test does not pay a PyTorch import per fresh process)."""
    path = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--no-torch", "--json", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    return done, json.loads(path.read_text()) if path.exists() else None


def test_quick_run_succeeds_and_prints_the_table(quick_run):
    done, results = quick_run
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for heading in ("workload", "x numpy", "target", "met?", "W3 linearity", "memory", "drawing", "step page"):
        assert heading in done.stdout
    assert "AMD" in done.stdout or "machine:" in done.stdout
    assert results["quick"] is True and results["machine"]["cores"] >= 1


def test_quick_run_covers_every_workload_and_case(quick_run):
    _, results = quick_run
    seen = {(c["workload"], c["impl"]) for c in results["cases"]}
    for workload, impls in [("W1", ("chalkgrad", "micrograd")), ("W2", ("chalkgrad", "numpy")),
                            ("W3", ("chalkgrad", "numpy")), ("W4", ("chalkgrad", "numpy")),
                            ("W5", ("chalkgrad", "numpy")), ("W6", ("chalkgrad", "numpy")), ("drawing", ("chalkgrad",)),
                            ("pages", ("chalkgrad",))]:
        for impl in impls:
            assert (workload, impl) in seen
    for case in results["cases"]:
        assert "error" not in case, case
        if "skipped" in case:
            assert case["workload"] == "drawing", case  # only while draw_graph does not exist
            continue
        assert case["median_s"] > 0 and case["runs"] >= 1


def test_quick_run_implementations_agree(quick_run):
    _, results = quick_run
    rows = results["summary"]["rows"]
    compared = [r for r in rows if r["agree"] is not None]
    assert {r["workload"] for r in compared} >= {"W1", "W2", "W3", "W4", "W5", "W6"}
    assert {r["case"] for r in compared if r["workload"] == "W6"} == {"conv1d", "conv_transpose2d"}
    assert all(r["agree"] for r in compared), [r for r in compared if not r["agree"]]


def test_quick_run_measures_memory_without_growth(quick_run):
    _, results = quick_run
    memory = {(m["workload"], m["case"]): m for m in results["summary"]["memory"]}
    assert set(memory) == {("W2", f"{dtype} {style}") for dtype in ("float32", "float64")
                           for style in ("nn.Linear", "x @ W + b")} | {("W4", "float32, 1 thread"), ("W4", "float32, 2 threads")}
    for m in memory.values():
        assert set(m["memory"]) == {"chalkgrad", "numpy"}
        assert m["grew"] is False


def _three_steps(module, impl, **params):
    step, _ = module.setup(impl, **params)
    return [step() for _ in range(3)]


def _close(a, b, rtol):
    a, b = [list(v) if isinstance(v, tuple) else [v] for v in a], [list(v) if isinstance(v, tuple) else [v] for v in b]
    return all(math.isclose(x, y, rel_tol=rtol, abs_tol=1e-12) for u, v in zip(a, b) for x, y in zip(u, v))


@pytest.mark.parametrize("module, params, rtol", [
    (w1_scalar, {"points": 2}, 1e-9),
    (w2_mlp, {"dtype": "float32", "batch": 4, "sizes": (12, 8, 6, 10)}, 2e-3),
    (w2_mlp, {"dtype": "float64", "batch": 4, "sizes": (12, 8, 6, 10)}, 1e-9),
    (w3_chain, {"n": 20}, 1e-9),
    (w4_cnn, {"batch": 2}, 2e-3),
    (w5_overhead, {"mode": "forward+backward", "inner": 3}, 1e-12),
    (w6_conv_ops, {"op": "conv1d", "size": "quick"}, 2e-3),
    (w6_conv_ops, {"op": "conv_transpose2d", "size": "quick"}, 2e-3),
])
def test_pytorch_versions_compute_the_same(module, params, rtol):
    pytest.importorskip("torch")
    assert _close(_three_steps(module, "chalkgrad", **params), _three_steps(module, "torch", **params), rtol)


def test_numpy_reference_learns_like_chalkgrad():
    """Three SGD steps: the hand-written backward and update match chalkgrad's losses."""
    params = {"batch": 4, "sizes": (12, 8, 6, 10), "dtype": "float64"}
    losses = _three_steps(w2_mlp, "numpy", **params)
    assert losses[0] > losses[1] > losses[2]
    assert _close(losses, _three_steps(w2_mlp, "chalkgrad", **params), 1e-9)
    assert _close(losses, _three_steps(w2_mlp, "chalkgrad", style="x @ W + b", **params), 1e-9)


def test_options_are_checked():
    with pytest.raises(SystemExit):
        runner.parse_args(["--only", "W9"])
    args, workloads = runner.parse_args(["--only", "W2, W4", "--quick"])
    assert workloads == ["W2", "W4"] and args.quick
    cases = runner.plan(quick=True, workloads=workloads, with_torch=False)
    assert {c["workload"] for c in cases} == {"W2", "W4"}
    assert all(c["impl"] != "torch" and c["repeat"] == 1 for c in cases)


def test_full_plan_has_every_workload_and_the_issue_sizes():
    cases = runner.plan(quick=False, workloads=runner.WORKLOADS, with_torch=True)
    assert {c["case"] for c in cases if c["workload"] == "W3"} == {
        "N=1,000 (16,)", "N=10,000 (16,)", "N=100,000 (16,)", "N=1,000,000 (16,)", "N=10,000 0-d", "N=100,000 0-d"}
    assert {c["params"].get("batch") for c in cases if c["workload"] == "W4"} == {64}
    assert {(c["params"]["threads"], c["env"]["OPENBLAS_NUM_THREADS"]) for c in cases if c["workload"] == "W4"} == {
        (1, "1"), (2, "2")}
    assert {c["impl"] for c in cases if c["workload"] == "W2"} == {"chalkgrad", "numpy", "torch"}
    assert {c["params"]["style"] for c in cases if c["workload"] == "W2"} == {"nn.Linear", "x @ W + b"}
    long = [c for c in cases if c.get("memory_steps", 0) >= 10_000]  # issue #14: no growth over 10^4 steps
    assert {(c["workload"], c["impl"]) for c in long} == {("W2", "chalkgrad"), ("W4", "chalkgrad")}


def test_w3_size_predicted_too_slow_is_capped():
    earlier = [{"workload": "W3", "impl": "chalkgrad", "median_s": 10.0, "params": {"n": 10**5}}]
    spec = {"workload": "W3", "impl": "chalkgrad", "params": {"n": 10**6}, "warmup": 0}
    assert runner._w3_cap(spec, earlier).startswith("capped")
    earlier[0]["median_s"] = 1.0
    assert runner._w3_cap(spec, earlier) is None


def test_w1_graph_has_the_demo_size():
    _, info = w1_scalar.setup("chalkgrad", points=100)
    assert 60_000 < info["nodes"] < 70_000 and info["parameters"] == 337


def test_w2_and_w4_run_in_three_processes_and_report_the_median_one(monkeypatch):
    plan = runner.plan(quick=False, workloads=("W2", "W4", "W5"), with_torch=True)
    assert {c["workload"] for c in plan if c.get("processes") == 3} == {"W2", "W4"}
    runs = iter([{"median_s": 0.011, "runs": 5, "which": "slow"}, {"median_s": 0.006, "runs": 5, "which": "fast"},
                 {"median_s": 0.007, "runs": 5, "which": "middle"}])
    monkeypatch.setattr(runner, "run_in_fresh_process", lambda spec, timeout: next(runs))
    result = runner._in_several_processes({"processes": 3}, 10.0)
    assert result["which"] == "middle" and result["process_medians_s"] == [0.006, 0.007, 0.011]
    failing = iter([{"median_s": 0.01, "runs": 1}, {"error": "boom"}])
    monkeypatch.setattr(runner, "run_in_fresh_process", lambda spec, timeout: next(failing))
    assert runner._in_several_processes({"processes": 2}, 10.0) == {"error": "boom"}


def test_the_figures_behind_the_code_are_measured_by_a_script():
    """benchmarks/README.md's "Figures behind the code" come from `python -m benchmarks.figures`:
    at a tiny size every figure is measured (a number, not nan) and names the file that relies on it."""
    from benchmarks import figures

    done = subprocess.run([sys.executable, "-m", "benchmarks.figures", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == len(figures.FIGURES)
    readme = (ROOT / "benchmarks" / "README.md").read_text()
    for row in rows:
        what, value, where = (cell.strip() for cell in row.strip("|").split("|"))
        assert float(value.split()[0]) > 0 or "Graphviz missing" in what, row
        assert all((ROOT / "autograd" / name.strip()).exists() for name in where.strip("`").split(",")), row
    assert "## Figures behind the code" in readme and "python -m benchmarks.figures" in readme
