"""The figures behind design choices in the code: each comment that says "faster" or "costs" points
here, and this script measures it again (`python -m benchmarks.figures`, about a minute; `--quick`
only checks that every measurement runs). Medians of repeated timings in this process; the ratios
matter, not the absolute times, which depend on the machine and on how busy it is.
"""
from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import threading
import time
import timeit
from statistics import median

import numpy as np


def best(statement: str, names: dict, number: int) -> float:
    """Seconds per run of a tiny statement: the best of 5 timeit runs (for nanosecond-scale work
    the best is the least disturbed by other processes)."""
    return min(timeit.repeat(statement, globals=names, number=number, repeat=5)) / number


def timed(fn, repeats: int, number: int) -> float:
    """Median seconds per call of fn over `repeats` timings of `number` calls each."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return median(times)


def scalars(quick: bool):
    """tensor.py and engine.py keep a 0-d float64 value as a numpy scalar, not a 0-d array."""
    n = 1000 if quick else 200_000
    on_scalars = best("a * b + a", {"a": np.float64(1.5), "b": np.float64(-0.5)}, n)
    on_arrays = best("a * b + a", {"a": np.array(1.5), "b": np.array(-0.5)}, n)
    return "a * b + a on 0-d arrays / on numpy scalars", on_arrays / on_scalars, "x", "tensor.py, engine.py"


def erf_per_element(quick: bool):
    """ops/erf.py computes erf with numpy polynomials instead of calling math.erf per element."""
    x = np.random.default_rng(0).standard_normal(1000 if quick else 100_000)
    per_element = np.vectorize(math.erf, otypes=[np.float64])
    return "math.erf element by element / np.exp", timed(lambda: per_element(x), 3, 1) / timed(lambda: np.exp(x), 3, 10), "x", "ops/erf.py"


def erf_polynomials(quick: bool):
    from autograd.ops.erf import erf

    x = np.random.default_rng(0).standard_normal(1000 if quick else 100_000) * 3
    return "chalkgrad's erf / np.exp", timed(lambda: erf(x), 3, 10) / timed(lambda: np.exp(x), 3, 10), "x", "ops/erf.py"


def erf_positions(quick: bool):
    """ops/erf.py picks each piece's elements by position (take/put), not by boolean masks."""
    x = np.random.default_rng(0).standard_normal(1000 if quick else 100_000) * 3
    mask = np.abs(x) < 1
    where = np.flatnonzero(mask)
    out = np.empty_like(x)

    def by_mask():
        out[mask] = x[mask] * 2.0

    def by_position():
        np.put(out, where, np.take(x, where) * 2.0)

    return "one piece by boolean mask / by take and put", timed(by_mask, 5, 20) / timed(by_position, 5, 20), "x", \
        "ops/erf.py"


def thread_local_read(quick: bool):
    """grad_mode.py: while no anomaly or scope block is open, operations skip the thread-local reads."""
    local = threading.local()
    local.scope = ()

    class Shared:
        scope = 0

    n = 1000 if quick else 1_000_000
    return "thread-local attribute read / class attribute read", \
        best("state.scope", {"state": local}, n) / best("state.scope", {"state": Shared}, n), "x", "grad_mode.py"


def _in_fresh_processes(code: str, settings: dict, rounds: int) -> dict:
    """Median seconds that `code` (a script printing one time) reports under each setting of
    memory.collector_enabled, each run in a fresh process, the settings taking turns."""
    times = {name: [] for name in settings}
    for _ in range(rounds):
        for name, enabled in settings.items():
            script = f"from autograd import memory\nmemory.collector_enabled = {enabled}\n{code}"
            result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
            times[name].append(float(result.stdout.split()[-1]))
    return {name: median(values) for name, values in times.items()}


CHAIN = """
import time, numpy as np
from autograd import Tensor
x = Tensor(np.random.default_rng(0).normal(size=16), requires_grad=True)
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    y = x
    for _ in range({links}):
        y = (0.5 * y + 0.1).tanh()
    y.sum().backward()
    del y
    times.append(time.perf_counter() - start)
print(sorted(times)[len(times) // 2])
"""


def collector_on_chain(quick: bool):
    """memory.py: while a graph is recorded, a full collection freezes it instead of scanning it."""
    links = 1000 if quick else 100_000
    code = CHAIN.format(repeats=1 if quick else 3, links=links)
    t = _in_fresh_processes(code, {"off": False, "on": True}, 1 if quick else 3)
    return f"{links:,}-link chain (forward + backward), collector policy off / on", t["off"] / t["on"], "x", \
        "memory.py"


SCALAR_NETWORK = """
import time
from benchmarks import w1_scalar
step, _ = w1_scalar.setup("chalkgrad", points={points})
step()
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    step()
    times.append(time.perf_counter() - start)
print(sorted(times)[len(times) // 2])
"""


def collector_on_scalar_network(quick: bool):
    code = SCALAR_NETWORK.format(points=10 if quick else 100, repeats=1 if quick else 9)
    t = _in_fresh_processes(code, {"off": False, "on": True}, 1 if quick else 3)
    return "W1 scalar network step, collector policy off / on", t["off"] / t["on"], "x", "memory.py"


def dot_layout(quick: bool):
    """viz/limits.py refuses graphs whose long edges need more than 40 bend points per allowed node."""
    if shutil.which("dot") is None:
        return "dot -Tsvg of a graph with long edges (Graphviz missing)", math.nan, "s", "viz/limits.py"
    from autograd import Tensor, draw_graph
    from autograd.viz.collapse import drawn_edges
    from autograd.viz.graph import trace
    from autograd.viz.limits import _count_bends

    uses = 20 if quick else 141  # y = x * x * ... * x: x is used by operations far apart
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(uses):
        y = y * x
    bends = _count_bends(drawn_edges(trace(y), {}))
    source = draw_graph(y, max_nodes=None).source
    start = time.perf_counter()
    subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True, timeout=600)
    return f"dot -Tsvg of a graph with {bends:,} bend points", time.perf_counter() - start, "s", "viz/limits.py"


FIGURES = (scalars, erf_per_element, erf_polynomials, erf_positions, thread_local_read, collector_on_chain,
           collector_on_scalar_network, dot_layout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: only check that every measurement runs")
    args = parser.parse_args(argv)
    print("| measured | value | used in |\n|---|---|---|")
    for figure in FIGURES:
        what, value, unit, where = figure(args.quick)
        print(f"| {what} | {value:.3g} {unit} | `{where}` |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
