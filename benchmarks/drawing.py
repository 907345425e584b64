"""Drawing: time to build the picture of a graph with `autograd.draw_graph` and to render
it to SVG with Graphviz's `dot`, for graphs of about 10^2, 10^3 and 10^4 operations.

The graph is the W3 chain on a scalar, y = tanh(0.5 * y + 0.1), after backward (so the
drawing shows gradients too); one link records 3 operations. Timed separately:
    draw    draw_graph(y)               (building the graphviz.Digraph in Python)
    render  digraph.pipe(format="svg")  (running dot)
A graph that draw_graph refuses as too large (with advice) is reported as refused.
"""
from __future__ import annotations

import time

IMPLEMENTATIONS = ("chalkgrad",)


def setup(impl: str, operations: int = 100):
    if impl != "chalkgrad":
        raise ValueError(f"drawing has no implementation {impl!r}")
    from autograd import Tensor, draw_graph

    x = Tensor(0.3, requires_grad=True, name="x")
    y = x
    for _ in range(max(operations // 3, 1)):
        y = (0.5 * y + 0.1).tanh()
    y.backward()

    def step():
        start = time.perf_counter()
        try:
            digraph = draw_graph(y)
        except (ValueError, RuntimeError) as refusal:  # too large: a clear refusal is allowed
            return {"refused": str(refusal).splitlines()[0][:200]}
        drawn = time.perf_counter()
        svg = digraph.pipe(format="svg")
        return {"draw_s": drawn - start, "render_s": time.perf_counter() - drawn, "svg_bytes": len(svg)}

    return step, {"operations": 3 * max(operations // 3, 1)}
