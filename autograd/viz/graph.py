"""Trace a recorded graph into plain records that drawings and step-by-step views read.

    graph = trace(f)          # f = (x + y) * z
    [n.label for n in graph.nodes]   ->  ['x', 'y', '+', 'q', 'z', '×', 'f']

Every tensor becomes a node, every operation becomes a node between its inputs and its
result, and a raw number passed to an operation (the 3 in `a * 3`) becomes a small
constant node. Nodes come in topological order (inputs first) with ids n0, n1, ...,
so tracing the same computation twice gives the same records. Tracing only reads the
graph; it never changes it.
"""
from __future__ import annotations

import functools
import gc
from dataclasses import dataclass, field

import numpy as np

from autograd.engine import toposort
from autograd.formatting import format_number
from autograd.tensor import Tensor

# Node kinds, in the order a drawing's legend lists them.
LEAF, PARAMETER, CONSTANT, OP, VALUE, OUTPUT = "leaf", "parameter", "constant", "op", "value", "output"

# How the lecture writes the common gates; other operations show their lower-case name.
OP_SYMBOLS = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "÷", "Neg": "neg", "Pow": "**", "MatMul": "@",
              "Maximum": "max", "Relu": "relu", "GetItem": "[ ]", "BroadcastTo": "broadcast"}


@dataclass(slots=True)
class Node:
    """One node of a traced graph.

    id      'n0', 'n1', ... in topological order
    kind    leaf | parameter | constant | op | value (an intermediate result) | output
    op      the operation's class name for op nodes ('Mul'), else None
    label   the tensor's name (an automatic 't3' when it has none), or the op's symbol
    value   a short summary of the value ('-12', or '[0.1, 0.2, …]'); None for ops
    grad    a short summary of .grad when the tensor has one, else None
    shape, dtype   of the tensor (None for ops)
    scope   the module path: graph scopes active when the op ran (empty outside modules)
    """

    id: str
    kind: str
    op: str | None
    label: str
    value: str | None = None
    grad: str | None = None
    shape: tuple | None = None
    dtype: str | None = None
    scope: tuple = ()
    inputs: tuple = field(default=())  # for op nodes: the ids of the inputs, in argument order
    is_tensor: bool = True  # False for ops and for raw numbers/arrays passed straight to an op


@dataclass
class Graph:
    """The traced graph: nodes in topological order and edges (from_id, to_id) in order.

    `outputs` are the ids of the traced roots; `tensor_ids` maps id(tensor) to its node id
    and `op_ids` maps a tensor's node id to the id of the op node that produced it."""

    nodes: list
    edges: list
    outputs: tuple
    tensor_ids: dict
    op_ids: dict

    def __post_init__(self):
        self._by_id = {node.id: node for node in self.nodes}

    def __getitem__(self, node_id: str) -> Node:
        return self._by_id[node_id]

    def __len__(self) -> int:
        return len(self.nodes)

    def node_of(self, tensor: Tensor) -> Node:
        """The node drawn for `tensor` (KeyError if it is not part of this graph)."""
        return self._by_id[self.tensor_ids[id(tensor)]]


def trace(roots, number_format: str = ".4g", max_items: int = 4) -> Graph:
    """Turn the graph behind `roots` (a Tensor or a list of them) into a `Graph` of records.

    `number_format` is a format spec for numbers ('.4g' shows -12 and 0.3333);
    arrays show their first `max_items` values."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in the engine: a walk over a big graph makes many objects; skip rescanning them
    try:
        return _trace(roots, number_format, max_items)
    finally:
        if gc_was_enabled:
            gc.enable()


def _trace(roots, number_format, max_items) -> Graph:
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    for root in roots:
        if not isinstance(root, Tensor):
            raise TypeError(f"trace/draw_graph: expected a Tensor (or a list of Tensors), got {type(root).__name__}")
    order = toposort(roots, needs_grad_only=False)
    outputs = {id(root) for root in roots}
    consumers_scope = _consumer_scopes(order)

    nodes, edges, tensor_ids, op_ids = [], [], {}, {}
    summary = _Summary(number_format, max_items)

    def add(kind, **fields) -> str:
        node_id = f"n{len(nodes)}"
        nodes.append(Node(id=node_id, kind=kind, **fields))
        return node_id

    for index, tensor in enumerate(order):
        ctx = tensor._ctx
        if ctx is not None:
            input_ids = []
            for parent in ctx.parents:
                if isinstance(parent, Tensor):
                    input_ids.append(tensor_ids[id(parent)])
                else:  # a raw number or array passed straight to the op
                    input_ids.append(add(CONSTANT, op=None, label=_constant_label(parent, summary),
                                         value=summary.of(parent), shape=np.shape(parent),
                                         dtype=_dtype_name(np.asarray(parent).dtype), scope=ctx.scope,
                                         is_tensor=False))
            op_id = add(OP, op=ctx.name, label=OP_SYMBOLS.get(ctx.name, ctx.name.lower()), scope=ctx.scope,
                        inputs=tuple(input_ids), is_tensor=False)
            edges.extend((input_id, op_id) for input_id in input_ids)
        kind = _tensor_kind(tensor, id(tensor) in outputs)
        scope = ctx.scope if ctx is not None else _leaf_scope(tensor, kind, consumers_scope)
        tensor_id = add(kind, op=None, label=tensor.name or f"t{index}", value=summary.of(tensor.data),
                        grad=summary.of(tensor.grad.data) if tensor.grad is not None else None,
                        shape=tensor.shape, dtype=_dtype_name(tensor.dtype), scope=scope)
        tensor_ids[id(tensor)] = tensor_id
        if ctx is not None:
            op_ids[tensor_id] = op_id
            edges.append((op_id, tensor_id))
    return Graph(nodes, edges, tuple(tensor_ids[id(r)] for r in roots), tensor_ids, op_ids)


def is_parameter(tensor) -> bool:
    """True for nn.Parameter (recognised by class name, so autograd need not import nn)."""
    return any(cls.__name__ == "Parameter" for cls in type(tensor).__mro__)


def _tensor_kind(tensor: Tensor, is_output: bool) -> str:
    if is_output and tensor._ctx is not None:
        return OUTPUT
    if tensor._ctx is not None:
        return VALUE
    if is_parameter(tensor):
        return PARAMETER
    return LEAF if tensor.requires_grad else CONSTANT


def _consumer_scopes(order) -> dict:
    """For every tensor: the common module path of the operations that use it."""
    scopes = {}
    for tensor in order:
        ctx = tensor._ctx
        if ctx is None:
            continue
        for parent in ctx.parents:
            if isinstance(parent, Tensor):
                key = id(parent)
                scopes[key] = _common_prefix(scopes[key], ctx.scope) if key in scopes else ctx.scope
    return scopes


def _leaf_scope(tensor, kind, consumer_scopes) -> tuple:
    """Parameters and unnamed constants are drawn inside the module that uses them; inputs
    (leaves that require grad, named data tensors) stay outside."""
    if kind == PARAMETER or (kind == CONSTANT and tensor.name is None):
        return consumer_scopes.get(id(tensor), ())
    return ()


def _common_prefix(a: tuple, b: tuple) -> tuple:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@functools.lru_cache(maxsize=None)
def _dtype_name(dtype) -> str:
    return str(dtype)


def _constant_label(value, summary) -> str:
    return summary.of(value) if np.ndim(value) == 0 else f"const {np.shape(value)}"


class _Summary:
    """Formats values for labels: one number, or the first few of an array."""

    def __init__(self, number_format: str, max_items: int):
        self.number_format = number_format
        self.max_items = max_items
        format(1.5, number_format)  # fail early on a bad format spec

    def number(self, x) -> str:
        x = x.item() if isinstance(x, np.generic) else x
        if isinstance(x, (bool, np.bool_)):
            return str(bool(x))
        return format_number(x, self.number_format)  # never "-0"

    def of(self, value) -> str:
        array = np.asarray(value)
        if array.ndim == 0:
            return self.number(array.item())
        items = [self.number(v) for v in array.flat[: self.max_items]]
        if array.size > self.max_items:
            items.append("…")
        return "[" + ", ".join(items) + "]"

    __call__ = of
