"""Collapsed drawings: which nodes of a traced graph are drawn as one box per module."""
from __future__ import annotations

from autograd.viz.graph import Graph


def _collapse_depth_or_names(graph, collapse):
    if collapse is True:
        return _model_depth(graph), None
    if collapse is False or collapse is None:
        return None, None
    if isinstance(collapse, int):
        if collapse < 1:
            raise ValueError(f"draw_graph: collapse depth must be 1 or more, got {collapse}")
        return collapse, None
    names = {collapse} if isinstance(collapse, str) else set(collapse)
    return None, names


def _model_depth(graph) -> int:
    """The depth collapse=True draws: 1 (the outermost modules); but while a single module holds
    all the others (a whole model, e.g. an nn.Sequential), the modules one level inside it."""
    scopes = {node.scope for node in graph.nodes if node.scope}
    depth = 1
    while len({scope[:depth] for scope in scopes}) == 1 and any(len(scope) > depth for scope in scopes):
        depth += 1
    return depth


def collapsed_groups(graph: Graph, collapse) -> dict:
    """node id -> (box id, module scope, member ids) for every node drawn inside a collapsed module."""
    depth, names = _collapse_depth_or_names(graph, collapse)
    if depth is None and names is None:
        return {}
    members = {}
    for node in graph.nodes:
        scope = node.scope
        if names is not None:
            cut = next((i + 1 for i, name in enumerate(scope) if name in names), None)
            key = scope[:cut] if cut else None
        else:
            key = scope[:depth] if len(scope) >= depth else None
        if key:
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
