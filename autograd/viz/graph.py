"""Trace a recorded graph into plain records that drawings and step-by-step views read.

    graph = trace(f)          # f = (x + y) * z
    [n.label for n in graph.nodes]   ->  ['x', 'y', '+', 'q', 'z', '×', 'f']

Every tensor becomes a node, every operation becomes a node between its inputs and its
result, and a raw number passed to an operation (the 3 in `a * 3`) becomes a small
constant node. Nodes come in topological order (inputs first) with ids n0, n1, ...,
so tracing the same computation twice gives the same records. Tracing only reads the
graph; it never changes it.

Labels: a tensor's own name wins (`name=`, `t.name = "h"`, a module's output "fc1 out");
unnamed intermediate results are numbered t1, t2, ... in the order they were computed
(no gaps), unnamed leaves leaf1, leaf2, ...; a constant made inside an operation (the
detached max of a stable softmax) is drawn as a constant "const 4×1"; the unnamed result
of a loss function (F.cross_entropy) is "loss"; a tensor changed in place (`d[i] -= 1`) is
drawn twice, its earlier value as "d (before)". An operation is labelled by its primitive's
`symbol`; `notation_of` writes it out as the step pages show it (t[range(4), [0, 2, 1, 0]]).
"""
from __future__ import annotations

import functools
import gc
from dataclasses import dataclass, field

import numpy as np

from autograd.engine import toposort, version_used
from autograd.formatting import format_number
from autograd.tensor import Tensor

# Node kinds, in the order a drawing's legend lists them.
LEAF, PARAMETER, CONSTANT, OP, VALUE, OUTPUT = "leaf", "parameter", "constant", "op", "value", "output"



@dataclass(slots=True)
class Node:
    """One node of a traced graph.

    id      'n0', 'n1', ... in topological order
    kind    leaf | parameter | constant | op | value (an intermediate result) | output
    op      the operation's class name for op nodes ('Mul'), else None
    label   the tensor's name (an automatic 't3' when it has none), or the op's symbol
    function  for op nodes, the Function class (its symbol, notation, rule, local)
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
    function: type | None = None
    requires_grad: bool = False
    notation: str | None = None  # for op nodes: the primitive's notation with what its … stands for


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

    arrays: dict = field(default_factory=dict)  # node id -> a copy of the value, when traced with keep_values

    def __post_init__(self):
        self._by_id = {node.id: node for node in self.nodes}

    def __getitem__(self, node_id: str) -> Node:
        return self._by_id[node_id]

    def __len__(self) -> int:
        return len(self.nodes)

    def node_of(self, tensor: Tensor) -> Node:
        """The node drawn for `tensor` (KeyError if it is not part of this graph)."""
        return self._by_id[self.tensor_ids[id(tensor)]]


def trace(roots, number_format: str = ".4g", max_items: int = 4, keep_values: bool = False) -> Graph:
    """Turn the graph behind `roots` (a Tensor or a list of them) into a `Graph` of records.

    `number_format` is a format spec for numbers ('.4g' shows -12 and 0.3333);
    arrays show their first `max_items` values. With `keep_values`, `graph.arrays` holds a
    copy of every value (step pages show them as matrices)."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in the engine: a walk over a big graph makes many objects; skip rescanning them
    try:
        return _trace(roots, number_format, max_items, keep_values)
    finally:
        if gc_was_enabled:
            gc.enable()


def _trace(roots, number_format, max_items, keep_values) -> Graph:
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    for root in roots:
        if not isinstance(root, Tensor):
            raise TypeError(f"trace/draw_graph: expected a Tensor (or a list of Tensors), got {type(root).__name__}")
    order = toposort(roots, needs_grad_only=False)
    outputs = {id(root) for root in roots}
    consumers_scope = _consumer_scopes(order)

    nodes, edges, tensor_ids, op_ids, arrays = [], [], {}, {}, {}
    summary = _Summary(number_format, max_items)

    def add(kind, value_of=None, **fields) -> str:
        node_id = f"n{len(nodes)}"
        nodes.append(Node(id=node_id, kind=kind, **fields))
        if keep_values and value_of is not None:
            arrays[node_id] = np.array(value_of, copy=True)
        return node_id

    labels = _labels(order, outputs)
    for tensor in order:
        node = tensor.grad_fn
        if node is not None:
            input_ids = []
            for parent in node.parents:
                if isinstance(parent, Tensor):  # the version it used: an in-place change made a new one
                    input_ids.append(tensor_ids[id(version_used(parent, node))])
                else:  # a raw number or array passed straight to the op
                    input_ids.append(add(CONSTANT, value_of=parent, op=None, label=_constant_label(parent, summary),
                                         value=summary.of(parent), shape=np.shape(parent),
                                         dtype=_dtype_name(np.asarray(parent).dtype), scope=node.scope,
                                         is_tensor=False))
            function = node.function
            op_id = add(OP, op=function.__name__, label=function.symbol or function.__name__.lower(),
                        scope=node.scope, inputs=tuple(input_ids), is_tensor=False, function=function,
                        notation=notation_of(node, [nodes[int(i[1:])].shape for i in input_ids], tensor.shape))
            edges.extend((input_id, op_id) for input_id in input_ids)
        kind = _tensor_kind(tensor, id(tensor) in outputs)
        scope = node.scope if node is not None else _leaf_scope(tensor, kind, consumers_scope)
        tensor_id = add(kind, value_of=tensor.data, op=None, label=labels[id(tensor)], value=summary.of(tensor.data),
                        grad=summary.of(tensor.grad.data) if tensor.grad is not None else None,
                        shape=tensor.shape, dtype=_dtype_name(tensor.dtype), scope=scope,
                        requires_grad=tensor.requires_grad)
        tensor_ids[id(tensor)] = tensor_id
        if node is not None:
            op_ids[tensor_id] = op_id
            edges.append((op_id, tensor_id))
    return Graph(nodes, edges, tuple(tensor_ids[id(r)] for r in roots), tensor_ids, op_ids, arrays)


def notation_of(node, input_shapes: list, output_shape: tuple) -> str | None:
    """The forward as written, with the arguments the primitive's notation leaves out ('…') when the
    node keeps them: t[range(4), [0, 2, 1, 0]], t.reshape(8, 36), t.transpose(1, 0, 2, 3) (a
    transpose that is not a matrix's), sum(t, axis=1, keepdims=True)."""
    function = node.function
    notation = function.notation
    if notation is None:
        return None
    index = getattr(node, "index", None)
    if "…" in notation and index is not None:
        return notation.replace("…", index_text(index))
    if "…" in notation and function.__name__ == "Reshape":
        return notation.replace("…", ", ".join(str(n) for n in output_shape))
    axes = getattr(node, "axes", None)
    if function.__name__ == "Transpose" and axes is not None and tuple(axes) != _matrix_transpose(len(axes)):
        return "{0}.transpose(" + ", ".join(str(a) for a in axes) + ")"
    kept = getattr(node, "keepdims_shape", None)  # a reduction (sum, max) over some axes
    if kept is not None and input_shapes and notation.endswith("({0})"):
        reduced = tuple(i for i, (n, k) in enumerate(zip(input_shapes[0], kept)) if k == 1 and n != 1)
        if 0 < len(reduced) < len(kept):
            axis = str(reduced[0]) if len(reduced) == 1 else "(" + ", ".join(map(str, reduced)) + ")"
            keep = ", keepdims=True" if tuple(output_shape) == tuple(kept) else ""
            return notation[:-1] + f", axis={axis}{keep})"
    return notation


def _matrix_transpose(ndim: int) -> tuple:
    return tuple(range(ndim - 2)) + (ndim - 1, ndim - 2) if ndim >= 2 else tuple(range(ndim))


def index_text(index) -> str:
    """An index as written: 'range(4), [0, 2, 1, 0]', '1:3, :', 'mask 4×3'."""
    parts = index if isinstance(index, tuple) else (index,)
    return ", ".join(_index_part(part) for part in parts)


def _index_part(part) -> str:
    if part is None:
        return "None"
    if part is Ellipsis:
        return "..."
    if isinstance(part, slice):
        text = ("" if part.start is None else str(part.start)) + ":" + ("" if part.stop is None else str(part.stop))
        return text + (f":{part.step}" if part.step is not None else "")
    array = np.asarray(part)
    if array.dtype == bool:
        return "mask " + shape_text(array.shape)
    if array.ndim == 0:
        return str(array.item())
    if array.ndim == 1 and array.size > 1 and np.array_equal(array, np.arange(array.size)):
        return f"range({array.size})"
    if array.ndim == 1:
        items = [str(v) for v in array[:6].tolist()]
        return "[" + ", ".join(items[:5] + ["…"] if array.size > 6 else items) + "]"
    return "an index array " + shape_text(array.shape)


def _labels(order, outputs=frozenset()) -> dict:
    """id(tensor) -> its label: its name; 'loss' for an unnamed output of a loss function
    (F.cross_entropy); else t1, t2, ... for results in the order they were computed, leaf1, ... for
    leaves that require grad, 'const 4×1' (or the number) for constants. A number a user's name
    already takes is skipped."""
    taken = {t.name for t in order if t.name}
    labels, counters = {}, {"t": 0, "leaf": 0}
    if "loss" not in taken:
        losses = [t for t in order if id(t) in outputs and not t.name and _is_loss(t)]
        if len(losses) == 1:
            labels[id(losses[0])] = "loss"

    def numbered(prefix):
        while True:
            counters[prefix] += 1
            label = f"{prefix}{counters[prefix]}"
            if label not in taken:
                return label

    results = sorted((t for t in order if t.grad_fn is not None and not t.name and id(t) not in labels),
                     key=lambda t: t.grad_fn.seq)
    for tensor in results:
        labels[id(tensor)] = numbered("t")
    for tensor in order:
        if id(tensor) in labels:
            continue
        if tensor.name:
            labels[id(tensor)] = str(tensor.name)
        elif tensor.requires_grad:
            labels[id(tensor)] = numbered("leaf")
        else:
            labels[id(tensor)] = _constant_label(tensor.data, None)
    labels.update(_earlier_versions(order))
    return labels


def _is_loss(tensor) -> bool:
    """Computed by a loss function (its graph scope, outermost, is of kind 'function')."""
    scope = tensor.grad_fn.scope if tensor.grad_fn is not None else ()
    return bool(scope) and getattr(scope[0], "kind", None) == "function"


def _earlier_versions(order) -> dict:
    """A named tensor changed in place (`d[i] -= 1`) keeps its name; the tensors standing for
    its earlier values are 'd (before)', or 'd (version 1)', 'd (version 2)', ... oldest first."""
    before = {}  # id(tensor) -> the tensor standing for its value before the in-place change
    for tensor in order:
        node = tensor.grad_fn
        if node is not None and node.since is not None and isinstance(node.parents[0], Tensor):
            before[id(tensor)] = node.parents[0]
    earlier = set(map(id, before.values()))
    labels = {}
    for tensor in order:
        if id(tensor) in earlier or not tensor.name or id(tensor) not in before:
            continue  # only the newest version of a named tensor starts a chain
        chain, current = [], tensor
        while id(current) in before and before[id(current)].name == tensor.name:
            current = before[id(current)]
            chain.append(current)
        for k, old in enumerate(reversed(chain), start=1):
            labels[id(old)] = f"{tensor.name} (before)" if len(chain) == 1 else f"{tensor.name} (version {k})"
    return labels


def is_parameter(tensor) -> bool:
    """True for nn.Parameter (recognised by class name, so autograd need not import nn)."""
    return any(cls.__name__ == "Parameter" for cls in type(tensor).__mro__)


def _tensor_kind(tensor: Tensor, is_output: bool) -> str:
    if is_output and tensor.grad_fn is not None:
        return OUTPUT
    if tensor.grad_fn is not None:
        return VALUE
    if is_parameter(tensor):
        return PARAMETER
    return LEAF if tensor.requires_grad else CONSTANT


def _consumer_scopes(order) -> dict:
    """For every tensor: the common module path of the operations that use it."""
    scopes = {}
    for tensor in order:
        node = tensor.grad_fn
        if node is None:
            continue
        for parent in node.parents:
            if isinstance(parent, Tensor):
                key = id(version_used(parent, node))
                scopes[key] = _common_prefix(scopes[key], node.scope) if key in scopes else node.scope
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
    """A number stands for itself ('3'); an array is 'const 4×1'."""
    if np.ndim(value) == 0:
        return (summary or _Summary(".4g", 4)).of(value)
    return "const " + shape_text(np.shape(value))


def shape_text(shape) -> str:
    """'4×3' for (4, 3), '5' for (5,), 'scalar' for ()."""
    return "×".join(str(n) for n in shape) if len(shape) else "scalar"


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
