"""How large a drawing may get, and what happens beyond: the size refusal (with advice), Graphviz's
time limit, and the errors drawings raise. Nothing here needs the `graphviz` package."""
from __future__ import annotations

from autograd.viz.collapse import collapsed_groups, count_drawn
from autograd.viz.graph import OP

DEFAULT_MAX_NODES = 500
# A tensor used by many operations far apart (x in x*x*...*x) gives long edges; `dot` routes each
# through one bend point per rank it crosses, and its layout time grows fast with their number.
# 20,000 of them (40 per node at the default max_nodes) take `dot` seconds (benchmarks/README.md).
BENDS_PER_NODE = 40  # refuse graphs needing more than 40 × max_nodes bend points
TIMEOUT = 60  # seconds Graphviz may take for one drawing (or one batch of frames)

INSTALL_ADVICE = (
    "Graphviz's `dot` program was not found, so the graph cannot be rendered to an image. Install "
    "Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install graphviz`, or see https://graphviz.org/download/ — then make sure `dot -V` works in a "
    "terminal. The DOT text is still available as `.source` (e.g. drawing.save('graph.gv'))."
)


class GraphTooLargeError(ValueError):
    """The graph is too large to lay out and read; the message says how to draw it anyway.

    `size` says what was too large ('has 20,005 nodes to draw, ...') and `max_nodes_needed`
    is the smallest max_nodes that draws it (for callers that word the advice themselves)."""

    def __init__(self, message: str, size: str, max_nodes_needed: int):
        super().__init__(message)
        self.size = size
        self.max_nodes_needed = max_nodes_needed


class GraphvizTimeoutError(RuntimeError):
    """Graphviz did not finish within the time limit and was stopped; the message gives advice."""


class DotNotFoundError(RuntimeError):
    """Graphviz's `dot` program is missing; the message says how to install it."""

    def __init__(self, message: str = INSTALL_ADVICE):
        super().__init__(message)


def _count_bends(edges) -> int:
    """The bend points `dot` will route long edges through: an edge crossing k ranks (columns
    in a left-to-right drawing) gets k - 1 of them. Ranks as dot assigns them: a node one after
    its latest input; a node without inputs (a leaf) just before its first use."""
    rank = {}
    for tail, head in edges:  # edges come in topological order
        rank[head] = max(rank.get(head, 0), rank.get(tail, 0) + 1)
    first_use = {}
    for tail, head in edges:
        if tail not in rank:
            first_use[tail] = min(first_use.get(tail, rank[head]), rank[head])
    rank.update((leaf, used - 1) for leaf, used in first_use.items())
    return sum(max(0, rank[head] - rank[tail] - 1) for tail, head in edges)


def check_size(graph, groups, edges, max_nodes, collapse) -> None:
    """Raise GraphTooLargeError (with advice) for too many nodes, or for long edges that would
    take Graphviz minutes to lay out."""
    count, bends = count_drawn(graph, groups), _count_bends(edges)
    if count > max_nodes:
        ops = sum(node.kind == OP for node in graph.nodes)
        size = f"has {count:,} nodes to draw ({ops:,} operations), more than the limit of {max_nodes}"
    elif bends > BENDS_PER_NODE * max_nodes:
        size = (f"has only {count:,} nodes, but values used by many operations far apart (like x in x*x*...*x) "
                f"make long edges with {bends:,} bends, more than {BENDS_PER_NODE} × {max_nodes} = "
                f"{BENDS_PER_NODE * max_nodes:,}")
    else:
        return
    needed = max(count, -(-bends // BENDS_PER_NODE))  # the smallest max_nodes that passes both checks
    raise GraphTooLargeError(_too_large_message(graph, size, needed, max_nodes, collapse), size, needed)


def _too_large_message(graph, size, needed, max_nodes, collapse) -> str:
    message = (f"draw_graph: this graph {size} (max_nodes={max_nodes}); it would be unreadable and Graphviz "
               "could take minutes to lay it out. ")
    has_modules = any(node.scope for node in graph.nodes)
    if has_modules and not collapse:
        collapsed = count_drawn(graph, collapsed_groups(graph, True))
        message += f"Pass collapse=True to draw each module as one box ({collapsed:,} nodes). "
    elif not has_modules:
        message += ("(It has no module scopes to collapse: operations recorded inside nn.Module calls or "
                    "`with autograd.graph_scope(name):` can be drawn as one box each with collapse=True.) ")
    message += (f"Pass max_nodes={needed} (or None) to draw it anyway, or draw a smaller part of the "
                "computation (an intermediate tensor instead of the final one).")
    return message
