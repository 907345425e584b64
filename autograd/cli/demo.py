"""The built-in lecture example: `python -m autograd demo`."""
from __future__ import annotations

import sys
from pathlib import Path

from autograd import Tensor
from autograd.cli.commands import EXIT_GRAPHVIZ, write_drawing
from autograd.viz import DotNotFoundError, backprop_steps, draw_graph


def gate_example() -> tuple:
    """The lecture's gate example f = (x + y) * z at x=-2, y=5, z=-4, freshly built."""
    x = Tensor(-2.0, requires_grad=True, name="x")
    y = Tensor(5.0, requires_grad=True, name="y")
    z = Tensor(-4.0, requires_grad=True, name="z")
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return x, y, z, q, f


def demo(directory: str | Path = ".") -> int:
    """Print the gate example's values, gradients and step table; write graph.svg and backprop.html."""
    x, y, z, q, f = gate_example()
    q.retain_grad()
    f.retain_grad()
    f.backward()
    print("f = (x + y) * z  at x=-2, y=5, z=-4")
    print(f"forward:  q = x + y = {q.item():g},  f = q * z = {f.item():g}")
    print(f"backward: df/dx = {x.grad.item():g},  df/dy = {y.grad.item():g},  df/dz = {z.grad.item():g}")
    print()
    steps = backprop_steps(gate_example()[-1])
    print(steps.table())
    print()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    drawing = draw_graph(f)
    try:
        svg = write_drawing(drawing, directory / "graph.svg")
        page = steps.save_html(directory / "backprop.html", mode="both", title="f = (x + y) * z, step by step")
    except DotNotFoundError as error:
        source = directory / "graph.gv"
        source.write_text(drawing.source, encoding="utf-8")
        print(f"wrote the graph's DOT text to {source.resolve()}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_GRAPHVIZ
    print(f"graph:        {svg.resolve()}")
    print(f"step by step: {page.resolve()}   (open it in a browser; keys ← →)")
    return 0
