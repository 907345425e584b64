"""Collapsed drawings and the layer view: which nodes of a traced graph are drawn as one box per
module (or per loss function).

    collapse=True      one box per layer: the innermost modules (a module whose only sub-scopes
                       are functions such as cross_entropy counts as innermost), and every
                       function scope (cross_entropy) outside a module; containers such as
                       nn.Sequential are opened
    collapse=2         the modules at that nesting depth
    collapse=["0", "features.conv1"]   those modules (their path as named_modules() gives it, or
                       their label "0 (Conv2d)")

The traced outputs (the loss) always stay visible as their own nodes.
"""
from __future__ import annotations

from autograd.viz.graph import Graph


def _is_function(name) -> bool:
    return getattr(name, "kind", None) == "function"


def _layer_boxes(scopes: set) -> dict:
    """scope -> its box for collapse=True (None: not inside any box)."""
    modules = {scope[:d] for scope in scopes for d in range(1, len(scope) + 1) if not _is_function(scope[d - 1])}
    containers = {scope[:-1] for scope in modules if len(scope) > 1}
    boxes = {}
    for scope in scopes:
        boxes[scope] = None
        for d in range(1, len(scope) + 1):
            prefix = scope[:d]
            if _is_function(prefix[-1]) or prefix not in containers:
                boxes[scope] = prefix
                break
    return boxes


def _names(collapse) -> set | None:
    if collapse is True or collapse is False or collapse is None or isinstance(collapse, int):
        return None
    return {collapse} if isinstance(collapse, str) else set(collapse)


def box_scopes(graph: Graph, collapse) -> dict:
    """scope -> the scope of the box its nodes are drawn in, for every scope in the graph (None for
    scopes drawn as they are)."""
    scopes = {node.scope for node in graph.nodes if node.scope}
    if collapse is True:
        return _layer_boxes(scopes)
    if isinstance(collapse, int) and not isinstance(collapse, bool):
        if collapse < 1:
            raise ValueError(f"collapse: a depth must be 1 or more, got {collapse}")
        return {scope: scope[:collapse] if len(scope) >= collapse else None for scope in scopes}
    names = _names(collapse)
    if not names:
        return {}
    boxes, found = {}, set()
    for scope in scopes:
        cut = next((i + 1 for i, s in enumerate(scope) if s in names or getattr(s, "label", s) in names), None)
        boxes[scope] = scope[:cut] if cut else None
        found.update(s for s in scope[:cut or 0] if s in names)
        found.update(getattr(s, "label", s) for s in scope[:cut or 0] if getattr(s, "label", s) in names)
    missing = names - found
    if missing:
        known = sorted({str(s) for scope in scopes for s in scope})
        raise ValueError(f"collapse: no module or scope named {', '.join(map(repr, sorted(missing)))} in this graph; "
                         f"its scopes are {', '.join(known) or 'none'} (module paths as named_modules() gives them)")
    return boxes


def collapsed_groups(graph: Graph, collapse) -> dict:
    """node id -> (box id, module scope, member ids) for every node drawn inside a collapsed module."""
    if collapse is False or collapse is None:
        return {}
    boxes = box_scopes(graph, collapse)
    outputs = set(graph.outputs)
    members = {}
    for node in graph.nodes:
        key = boxes.get(node.scope) if node.scope else None
        if key and node.id not in outputs:
            members.setdefault(key, []).append(node.id)
    groups = {}
    for index, (scope, ids) in enumerate(members.items()):
        for node_id in ids:
            groups[node_id] = (f"m{index}", scope, ids)
    return groups


def moved(node_id, groups):
    group = groups.get(node_id)
    return group[0] if group else node_id


def drawn_edges(graph, groups) -> list:
    """The edges as drawn: edges into and out of a collapsed module box are drawn once."""
    if not groups:
        return list(graph.edges)
    ends = ((moved(tail, groups), moved(head, groups)) for tail, head in graph.edges)
    return list(dict.fromkeys((tail, head) for tail, head in ends if tail != head))


def count_drawn(graph, groups) -> int:
    return len(graph.nodes) - len(groups) + len({g[0] for g in groups.values()})
