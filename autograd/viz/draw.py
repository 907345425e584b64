"""draw_graph: trace the graph behind a tensor and render it with Graphviz.

    from autograd import Tensor, draw_graph
    x, y, z = (Tensor(v, requires_grad=True, name=n) for v, n in ((-2.0, "x"), (5.0, "y"), (-4.0, "z")))
    f = (x + y) * z
    f.backward()
    draw_graph(f)                        # shows inline in Jupyter
    draw_graph(f).render("gate", format="svg")

The `graphviz` Python package is imported only when a drawing is made (autograd.viz.dot), so
`import autograd` works without it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from autograd.viz.graph import trace
from autograd.viz.limits import DEFAULT_MAX_NODES

if TYPE_CHECKING:
    from autograd.viz.dot import Drawing


def draw_graph(
    root,
    *,
    rankdir: str = "LR",
    show_values: bool = True,
    show_grads: bool = True,
    show_shapes: bool = True,
    number_format: str = ".4g",
    clusters: bool = True,
    collapse: bool | int | str | Iterable[str] = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Drawing:
    """Draw the graph that computed `root` (a Tensor, or a list of Tensors).

    rankdir        'LR' (left to right) or 'TB' (top to bottom)
    show_values    print each tensor's value (a number, or the first few values of an array)
    show_grads     print .grad where backward has filled it in (in red)
    show_shapes    print shape and dtype of non-scalar tensors
    number_format  a format spec for numbers: '.4g' (default), '.2f', ...
    clusters       group operations recorded inside a module (graph_scope) in labelled boxes
    collapse       draw modules as one box each: True (one box per layer: the innermost modules and
                   loss functions; containers such as nn.Sequential are opened), an int (modules at
                   that nesting depth), or module names as named_modules() gives them ("0",
                   "features.conv1"; labels such as "0 (Conv2d)" work too). The traced output (the
                   loss) and named inputs always stay visible.
    max_nodes      refuse (with advice) to draw more nodes than this, or long edges (a value used by
                   many operations far apart) with more than 40 × max_nodes bends; None for no limit

    Returns a `graphviz.Digraph`: `.source` is the DOT text, `.render(path, format='svg')`
    and `.pipe(format='png')` make images, and Jupyter displays it inline. Graphviz is
    stopped after 60 s (GraphvizTimeoutError); pass timeout=... to render/pipe for more.
    """
    from autograd.viz.dot import render_graph  # needs the graphviz package

    graph = trace(root, number_format=number_format)
    return render_graph(graph, rankdir=rankdir, show_values=show_values, show_grads=show_grads,
                        show_shapes=show_shapes, clusters=clusters, collapse=collapse, max_nodes=max_nodes)
