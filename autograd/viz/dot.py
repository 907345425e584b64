"""Render traced records with Graphviz (draw_graph in draw.py is the public entry).

Tensors are boxes (value, and gradient in red once known), operations are small
ellipses between them. Leaves that require grad are blue, parameters amber with a
double border, constants dashed grey, the output green. Operations recorded inside
a module (`graph_scope`, entered by `nn.Module`) are grouped in labelled clusters,
or drawn as one box per module with `collapse=True`.
"""
from __future__ import annotations

import functools
import html
import json
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

try:
    import graphviz
except ImportError:
    raise ImportError(
        "Drawing graphs needs the `graphviz` Python package (and Graphviz's `dot` program): "
        "`pip install graphviz`, then install Graphviz itself (`sudo apt-get install graphviz`, "
        "`brew install graphviz` or `conda install graphviz`). Everything else in autograd works without it."
    ) from None

from autograd.viz.collapse import collapsed_groups, drawn_edges, moved
from autograd.viz.graph import CONSTANT, LEAF, OP, OUTPUT, PARAMETER, VALUE, Graph, Node, shape_text
from autograd.viz.limits import (
    DEFAULT_MAX_NODES,
    TIMEOUT,
    DotNotFoundError,
    GraphvizTimeoutError,
    check_size,
)

# Cap the network-simplex passes of `dot` at 2 × the node count: ordinary drawings need far fewer
# (and come out the same); tangled ones stop improving instead of running for minutes.
LAYOUT_LIMITS = {"nslimit": "2", "nslimit1": "2"}


GRAD_COLOR = "#c0392b"
STYLES = {
    LEAF: {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#1d4ed8"},
    PARAMETER: {"shape": "box", "style": "rounded,filled", "fillcolor": "#fef3c7", "color": "#b45309",
                "peripheries": "2"},
    CONSTANT: {"shape": "box", "style": "rounded,dashed", "color": "#6b7280", "fontcolor": "#374151",
               "fontsize": "10"},
    OP: {"shape": "ellipse", "style": "filled", "fillcolor": "#e5e7eb", "color": "#4b5563", "fontsize": "12"},
    VALUE: {"shape": "box", "style": "rounded", "color": "#374151"},
    OUTPUT: {"shape": "box", "style": "rounded,filled,bold", "fillcolor": "#dcfce7", "color": "#15803d",
             "penwidth": "2"},
    "module": {"shape": "box3d", "style": "filled", "fillcolor": "#ede9fe", "color": "#6d28d9"},
}
HIGHLIGHT = {"style": "rounded,filled,bold", "fillcolor": "#fde047", "color": "#dc2626", "penwidth": "3",
             "class": "current"}



class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` (so it displays inline in Jupyter, and has .source, .render(),
    .pipe()) whose rendering stops Graphviz after `timeout` seconds and explains how to
    install Graphviz when `dot` is missing.

    A drawing made with a `Layout` carries fixed positions; it is rendered with
    `neato -n2`, which draws nodes and edges where they are instead of laying them out."""

    pinned = False

    def pipe(self, format: str | None = None, *, encoding: str | None = None, timeout: float = TIMEOUT):
        """The image as bytes (or text, given an `encoding`), e.g. drawing.pipe(format="png")."""
        command = ["neato", "-n2"] if self.pinned else [self.engine]
        image = run_graphviz(command + [f"-T{format or self.format}"], self.source, timeout)
        return image.decode(encoding) if encoding else image

    def render(self, filename=None, directory=None, view: bool = False, cleanup: bool = False,
               format: str | None = None, *, outfile=None, timeout: float = TIMEOUT) -> str:
        """Save the DOT text as `filename` and the image next to it (`filename`.svg) or as `outfile`;
        returns the image's path. As graphviz's render, with a time limit."""
        if outfile is not None:
            format = format or Path(outfile).suffix.lstrip(".")
        format = format or self.format
        source_path = self.save(filename, directory=directory)
        image_path = str(outfile) if outfile is not None else f"{source_path}.{format}"
        Path(image_path).write_bytes(self.pipe(format, timeout=timeout))
        if cleanup:
            os.remove(source_path)
        if view:
            graphviz.view(image_path)
        return image_path


def run_graphviz(command: list, source: str, timeout: float = TIMEOUT) -> bytes:
    """Run a Graphviz program on DOT text and return what it prints; stop it after `timeout` seconds."""
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, timeout=timeout,
                              check=False)
    except FileNotFoundError:
        raise DotNotFoundError() from None
    except subprocess.TimeoutExpired:
        raise GraphvizTimeoutError(
            f"Graphviz `{command[0]}` could not lay the graph out within {timeout:g} s and was stopped: the graph "
            "is too large or too tangled (a value used by many operations far apart makes long edges). Draw less "
            "of it (an intermediate tensor instead of the final one, or modules as one box each with "
            "collapse=True), or give it more time: .pipe(format, timeout=600) or .render(path, timeout=600)."
        ) from None
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz `{command[0]}` failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout


@dataclass
class Layout:
    """Positions computed once by `dot` (see `layout_of`), reused so that every frame of a
    step-by-step sequence has its nodes in the same place and needs no new layout."""

    bb: str
    nodes: dict  # node id -> (pos, width, height)
    edges: dict  # (tail, head, k-th such edge) -> pos
    clusters: dict  # cluster name -> bb


def layout_of(drawing: Drawing) -> Layout:
    """Lay `drawing` out with `dot` once and read the positions back (dot -Tjson)."""
    found = json.loads(pipe_many([drawing], format="json")[0])
    names = {obj["_gvid"]: obj["name"] for obj in found.get("objects", ()) if "pos" in obj}
    nodes = {obj["name"]: (obj["pos"], obj["width"], obj["height"]) for obj in found.get("objects", ()) if "pos" in obj}
    clusters = {obj["name"]: obj["bb"] for obj in found.get("objects", ()) if "bb" in obj}
    edges, count = {}, {}
    for edge in found.get("edges", ()):
        pair = (names[edge["tail"]], names[edge["head"]])
        count[pair] = count.get(pair, 0) + 1
        edges[pair + (count[pair],)] = edge["pos"]
    return Layout(found["bb"], nodes, edges, clusters)


def render_graph(
    graph: Graph,
    *,
    rankdir: str = "LR",
    show_values: bool = True,
    show_grads: bool = True,
    show_shapes: bool = True,
    clusters: bool = True,
    collapse: bool | int | str | Iterable[str] = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    values: dict | None = None,
    grads: dict | None = None,
    highlight: Iterable[str] = (),
    caption: str | None = None,
    layout: Layout | None = None,
    dtypes: bool = True,
) -> Drawing:
    """Draw traced records (see `draw_graph` for the options).

    For step-by-step frames: `values` / `grads` map node ids to the text to show instead of the
    traced one (None hides it, '?' marks it as not yet known); `highlight` lists node ids to mark
    as the current step; `caption` is printed under the graph; `layout` pins every node and
    edge where an earlier `layout_of` put them; without `dtypes` shapes are shown alone ('4×3',
    a little larger), as step pages do."""
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR' (left to right) or 'TB' (top to bottom), got {rankdir!r}")
    groups = collapsed_groups(graph, collapse)
    edges = drawn_edges(graph, groups)
    if max_nodes is not None:
        check_size(graph, groups, edges, max_nodes, collapse)

    drawing = _new_drawing(rankdir, caption, layout)
    highlight = {moved(node_id, groups) for node_id in highlight}  # inside a collapsed module: its box
    placed = _Clusters(drawing, clusters or bool(groups), layout)
    boxes = {group[1] for group in groups.values()}
    for node in graph.nodes:
        group = groups.get(node.id)
        if group is not None:
            box_id, scope, members = group
            if node.id == members[0]:  # draw the module box once, where its first member appears
                attrs = dict(STYLES["module"], **(HIGHLIGHT if box_id in highlight else {}))
                attrs["style"] = "filled,bold" if box_id in highlight else attrs["style"]
                placed.add(scope[:-1], box_id, _module_label(graph, scope, members), attrs)
            continue
        attrs = dict(STYLES[node.kind])
        if node.id in highlight:
            attrs.update(HIGHLIGHT)
        label = _label(node, show_values, show_grads, show_shapes, values, grads, dtypes)
        placed.add(_outside_boxes(node.scope, boxes), node.id, label, attrs)
    placed.close()
    _add_edges(drawing, edges, layout)
    return drawing


def _new_drawing(rankdir: str, caption: str | None, layout: Layout | None) -> Drawing:
    """An empty drawing with the house style; pinned to `layout` (neato keeps the positions) if given."""
    drawing = Drawing(name="autograd", graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "nodesep": "0.25",
                                                   "ranksep": "0.35", "bgcolor": "white", **LAYOUT_LIMITS},
                      node_attr={"fontname": "Helvetica", "fontsize": "11", "margin": "0.08,0.04"},
                      edge_attr={"color": "#6b7280", "arrowsize": "0.7"})
    if caption:
        drawing.attr(label=caption, labelloc="b", fontsize="12")
    if layout is not None:
        drawing.pinned = True
        drawing.engine = "neato"
        drawing.attr(bb=layout.bb)
    return drawing


def _add_edges(drawing: Drawing, edges: list, layout: Layout | None) -> None:
    """One edge statement per (tail, head) pair drawn (a + a draws two), routed as in `layout` if given."""
    seen = {}  # (tail, head) -> how many such edges so far
    for tail, head in edges:
        seen[(tail, head)] = seen.get((tail, head), 0) + 1
        pos = layout.edges.get((tail, head, seen[(tail, head)])) if layout is not None else None
        drawing.body.append(_edge_statement(tail, head, pos))


def _outside_boxes(scope: tuple, boxes: set) -> tuple:
    """Where a node that is not in a box is drawn: outside any collapsed module its scope is in
    (the loss computed inside CrossEntropyLoss is drawn next to that box, not in a cluster)."""
    for depth in range(1, len(scope) + 1):
        if scope[:depth] in boxes:
            return scope[:depth - 1]
    return scope


def pipe_many(drawings: list, format: str = "svg", timeout: float = TIMEOUT) -> list:
    """Render several drawings with ONE run of Graphviz (much faster than one run each);
    returns the images as text (svg or json) in order. Drawings made with a `Layout`
    are drawn where they are (`neato -n2`), the others laid out by `dot`."""
    if not drawings:
        return []
    pinned = {d.pinned for d in drawings}
    if len(pinned) != 1:
        raise ValueError("pipe_many: render drawings with and without a fixed layout separately")
    command = ["neato", "-n2"] if pinned.pop() else ["dot"]
    source = "\n".join(d.source for d in drawings)
    output = run_graphviz(command + [f"-T{format}"], source, timeout).decode("utf-8")
    if format == "json":
        parts = _split_json(output)
    else:
        marker = "<?xml"
        parts = [marker + part for part in output.split(marker)[1:]]
    if len(parts) != len(drawings):
        raise RuntimeError(f"Graphviz `dot` returned {len(parts)} images for {len(drawings)} graphs")
    return parts


def _split_json(text: str) -> list:
    """Graphviz writes one JSON document per graph, one after the other."""
    decoder, parts, index = json.JSONDecoder(), [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        start = index
        _, index = decoder.raw_decode(text, index)
        parts.append(text[start:index])
    return parts


# ----- labels ------------------------------------------------------------------------------------

def _label(node: Node, show_values, show_grads, show_shapes, values, grads, dtypes=True) -> str:
    """An HTML-like Graphviz label: name in bold, value, shape, gradient in red."""
    if node.kind == OP:
        return f"<<b>{_esc(node.label)}</b>>"
    value = values.get(node.id, node.value) if values is not None else node.value
    if not node.is_tensor:  # a raw number passed to an op: its value is its name
        return f"<{_esc(value if show_values and value is not None else node.label)}>"
    lines = [f"<b>{_esc(node.label)}</b>"]
    if show_values and value is not None:
        lines.append(_esc(value))
    if show_shapes and node.shape:
        shape = _shape_text(node) if dtypes else shape_text(node.shape)
        lines.append(f'<font point-size="{9 if dtypes else 10}">{_esc(shape)}</font>')
    grad = grads.get(node.id) if grads is not None else node.grad
    if show_grads and grad is not None:
        lines.append(f'<font color="{GRAD_COLOR}">grad {_esc(grad)}</font>')
    return "<" + "<br/>".join(lines) + ">"


def _module_label(graph, scope, members) -> str:
    """The box of a collapsed module: its label ("0 (Linear)"), its parameters and its output's shape."""
    nodes = [graph[i] for i in members]
    params = sum(n.kind == PARAMETER for n in nodes)
    inside = set(members)
    results = [n for n in nodes if n.kind != OP and n.is_tensor and any(
        tail == n.id and head not in inside for tail, head in graph.edges)]
    lines = [f"<b>{_esc(getattr(scope[-1], 'label', scope[-1]))}</b>"]
    detail = []
    if params:
        detail.append(f"{params} parameter{'s' * (params != 1)}")
    if len(results) == 1 and results[0].shape:
        detail.append("out " + _esc(shape_text(results[0].shape)))
    if detail:
        lines.append(" · ".join(detail))
    return "<" + "<br/>".join(lines) + ">"


def _shape_text(node: Node) -> str:
    return shape_text(node.shape) + f" {node.dtype}"


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


# ----- clusters and collapsed modules ------------------------------------------------------------

class _Clusters:
    """Puts each node into the nested cluster of its module path (or at the top level)."""

    def __init__(self, drawing, enabled: bool, layout=None):
        self.drawing = drawing
        self.enabled = enabled
        self.layout = layout
        self.members = {}  # scope tuple -> list of (id, label, attrs), in first-appearance order

    def add(self, scope, node_id, label, attrs):
        scope = tuple(scope) if self.enabled else ()
        self.members.setdefault(scope, []).append((node_id, label, attrs))
        for depth in range(len(scope)):  # make sure every enclosing cluster exists, outer first
            self.members.setdefault(scope[:depth], [])

    def close(self):
        """Write the nodes out: top level first, then each cluster with its sub-clusters inside."""
        self._emit(self.drawing, ())
        self._emit_children(self.drawing, ())

    def _emit(self, target, scope):
        for node_id, label, attrs in self.members.get(scope, ()):
            if self.layout is not None and node_id in self.layout.nodes:
                pos, width, height = self.layout.nodes[node_id]
                attrs = dict(attrs, pos=pos, width=width, height=height)
            target.body.append(_node_statement(node_id, label, tuple(sorted(attrs.items()))))

    def _emit_children(self, target, scope):
        children = [(i, s) for i, s in enumerate(self.members) if len(s) == len(scope) + 1 and s[:-1] == scope]
        for index, child in children:
            with target.subgraph(name=f"cluster_{index}") as cluster:
                # an HTML-like label whose text is escaped: a scope named "<<TABLE HREF=...>>" stays text
                cluster.attr(label=f"<{_esc(getattr(child[-1], 'label', child[-1]))}>", style="rounded,dashed",
                             color="#9ca3af", fontcolor="#4b5563", fontsize="11")
                if self.layout is not None and f"cluster_{index}" in self.layout.clusters:
                    cluster.attr(bb=self.layout.clusters[f"cluster_{index}"])
                self._emit(cluster, child)
                self._emit_children(cluster, child)


# Frames of a step-by-step sequence repeat most statements; quoting them once saves most of the time.
@functools.lru_cache(maxsize=100_000)
def _node_statement(node_id: str, label: str, attrs: tuple) -> str:
    scratch = graphviz.Digraph()
    scratch.node(node_id, label=label, **dict(attrs))
    return scratch.body[0]


@functools.lru_cache(maxsize=100_000)
def _edge_statement(tail: str, head: str, pos: str | None) -> str:
    scratch = graphviz.Digraph()
    scratch.edge(tail, head, **({"pos": pos} if pos else {}))
    return scratch.body[0]


