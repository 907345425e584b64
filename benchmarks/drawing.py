"""Drawing: time to build the picture of a graph with `autograd.draw_graph` and to render
it to SVG with Graphviz's `dot`, for graphs of about 10^2, 10^3 and 10^4 operations.

The graph is the W3 chain on a scalar, y = tanh(0.5 * y + 0.1), after backward (so the
drawing shows gradients too); one link records 3 operations. Timed separately:
    default  draw_graph(y): draws, or refuses a graph over its node limit (with advice);
             a refusal must be quick, never a hang
    draw     draw_graph(y, max_nodes=None): building the graphviz.Digraph in Python
    render   `dot -Tsvg` on its source (what digraph.pipe(format="svg") runs), cut off
             after `render_timeout_s`
"""
from __future__ import annotations

import subprocess
import time

IMPLEMENTATIONS = ("chalkgrad",)


def setup(impl: str, operations: int = 100, render_timeout_s: float = 60.0):
    if impl != "chalkgrad":
        raise ValueError(f"drawing has no implementation {impl!r}")
    from autograd import Tensor, draw_graph

    x = Tensor(0.3, requires_grad=True, name="x")
    y = x
    for _ in range(max(operations // 3, 1)):
        y = (0.5 * y + 0.1).tanh()
    y.backward()

    def step():
        result = {}
        start = time.perf_counter()
        try:
            draw_graph(y)
        except (ValueError, RuntimeError) as refusal:  # too large for the default limit
            result["refused"] = str(refusal).splitlines()[0]
        result["default_s"] = time.perf_counter() - start
        start = time.perf_counter()
        digraph = draw_graph(y, max_nodes=None)
        result["draw_s"] = time.perf_counter() - start
        start = time.perf_counter()
        try:
            svg = subprocess.run(["dot", "-Tsvg"], input=digraph.source.encode(), capture_output=True,
                                 check=True, timeout=render_timeout_s).stdout
            result["render_s"], result["svg_bytes"] = time.perf_counter() - start, len(svg)
        except subprocess.TimeoutExpired:
            result["render_s"], result["render_timed_out"] = None, render_timeout_s
        return result

    return step, {"operations": 3 * max(operations // 3, 1)}
