"""The engine: apply the chain rule from the output back to the leaves.

Every node (Context) carries `seq`, its place in recording order, and an operation's inputs are
always made before it. So backward can simply run the nodes newest first: when a node's turn
comes, every gradient it will ever receive has arrived. `backward` keeps the nodes that have
received a gradient in a heap ordered by seq, and the summed gradient of each in `pending`.
"""
from __future__ import annotations

from contextlib import contextmanager
from heapq import heappop, heappush

import numpy as np

from autograd import memory
from autograd.grad_mode import open_blocks, state
from autograd.tensor import Tensor

_observers = []  # callbacks watching every node's backward (see observe)


@contextmanager
def observe(callback):
    """Watch backward passes node by node: the one hook through which drawings and step pages see
    the engine at work. Inside `with observe(callback):` every node's backward, right after its
    rule ran, calls

        callback(tensor, upstream, sent, received)

    tensor    the tensor the node made (tensor.grad_fn is the node)
    upstream  the gradient that arrived at it (after its hooks), d loss / d tensor
    sent      per input, what the rule returned for it, in the output's broadcast shape
              (None for an input that needs no gradient)
    received  per input, that gradient summed back to the input's shape and cast to its dtype:
              what is added to the input's gradient (None likewise)

    Gradients are numpy arrays (numpy scalars for 0-d nodes) in an ordinary backward, Tensors
    with create_graph=True; the callback reads them and must not change them. It observes the
    backward passes of every thread."""
    _observers.append(callback)
    try:
        yield callback
    finally:
        _observers.remove(callback)


def toposort(roots, needs_grad_only: bool = True) -> list:
    """Every tensor the roots depend on, each after all of its inputs (iterative depth-first
    post-order, inputs visited in order, so the result is the same on every run and a
    100,000-step chain needs no recursion). With `needs_grad_only`, tensors that do not
    require grad (constants) are left out. (backward itself needs no sort: see the module
    docstring; drawings and autograd.grad use this one.)"""
    order, visited = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            tensor, inputs_done = stack.pop()
            if inputs_done:
                order.append(tensor)
                continue
            if id(tensor) in visited:
                continue
            visited.add(id(tensor))
            node = tensor._ctx
            if node is None:  # a leaf has no inputs to visit first
                order.append(tensor)
                continue
            stack.append((tensor, True))
            for parent in reversed(node.parents):
                if isinstance(parent, Tensor) and (parent._requires_grad or not needs_grad_only):
                    parent = version_used(parent, node)
                    if id(parent) not in visited:
                        stack.append((parent, False))
    return order


def version_used(tensor: Tensor, node) -> Tensor:
    """The version of `tensor` that `node` used: `tensor` itself, or, when tensor was changed in
    place after node was recorded, the tensor standing for its earlier value (the first input of
    the node that recorded the change, see Tensor._record_inplace)."""
    producer = tensor._ctx
    while producer is not None and producer.since is not None and producer.since > node._clock:
        tensor = producer.parents[0]
        producer = tensor._ctx
    return tensor


def sum_to(grad, shape: tuple):
    """Undo numpy broadcasting: sum `grad` over the dimensions that broadcasting added to or
    stretched in an input of `shape`. This is the one place where that happens."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead < 0 or any(n not in (1, g) for n, g in zip(shape, grad.shape[lead:])):
        raise ValueError(f"a gradient of shape {grad.shape} does not broadcast from an input of shape {shape}")
    stretched = tuple(lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1)
    return grad.sum(axis=tuple(range(lead)) + stretched, keepdims=True).reshape(shape)


def backward(outputs, gradients, retain_graph=False, create_graph=False, inputs=None):
    """Back-propagate from `outputs` (seeded with `gradients`, ones for scalars).

    Without `inputs`: add each leaf's gradient into leaf.grad (and into .grad of tensors that
    called retain_grad()). With `inputs`: return their gradients instead, touching no .grad.

    Gradients travel as plain arrays (numpy scalars for 0-d ones) in an ordinary backward, and
    as Tensors (so the walk is itself recorded) with create_graph=True.
    """
    walk = _Walk(retain_graph, create_graph)
    for output, gradient in zip(outputs, gradients):
        seed = _seed(output, gradient, create_graph)
        walk.handed_out.add(id(seed._data if isinstance(seed, Tensor) else seed))  # the caller's own
        walk.send(output, seed)
    if inputs is not None:
        walk.wanted = {}  # id(input) -> its positions in `inputs` (an input may be asked for twice)
        for i, t in enumerate(inputs):
            walk.wanted.setdefault(id(t), []).append(i)
        walk.results = [None] * len(inputs)
        walk.passes_on = _between(outputs, walk.wanted)
    recording, state.grad_enabled = state.grad_enabled, create_graph
    try:
        walk.run()
    finally:
        state.grad_enabled = recording
        memory.after_backward()
    return walk.results


class _Walk:
    """One backward pass: the nodes waiting for their turn, newest first, and the gradients
    that have reached each node (or leaf) so far."""

    def __init__(self, retain_graph, create_graph):
        self.retain_graph = retain_graph
        self.on_arrays = not create_graph
        self.pending = {}  # node (or leaf tensor) -> the sum of the gradients that reached it
        self.heap = []  # (-seq, tensor, node) for every node that has received a gradient
        self.leaves = []  # leaves that have received a gradient, in order of arrival
        self.handed_out = set()  # ids of the arrays some .grad already holds (and the caller's seeds)
        self.wanted = self.results = self.passes_on = None  # for autograd.grad(outputs, inputs)

    def run(self):
        """The chain rule, newest node first: a node's rule turns the gradient that reached it
        into one gradient per input, and each is added to what that input has received (a
        tensor's node gets its turn after every node that used the tensor: they are newer)."""
        heap, pending, leaves = self.heap, self.pending, self.leaves
        while heap:
            _, tensor, node = heappop(heap)
            grad = pending.pop(node)
            if tensor._watched or self.wanted is not None:
                grad = self.arrive(tensor, node, grad)
                if self.passes_on is not None and node not in self.passes_on:
                    continue
            grad, returned = self.call_rule(tensor, node, grad)
            received = [] if _observers else None
            for parent, needs, input_grad in zip(node.parents, node.needs_input_grad, returned):
                if input_grad is None or not needs:
                    if received is not None:
                        received.append(None)
                    continue
                data = parent._data
                if type(input_grad) is not type(data) or (type(input_grad) is np.ndarray and (
                        input_grad.shape != data.shape or input_grad.dtype != data.dtype)):
                    input_grad = self.to_input(node, parent, input_grad)  # sum back, cast
                if received is not None:
                    received.append(input_grad)
                producer = parent._ctx
                if producer is not None and producer.since is not None:  # changed in place later on
                    parent = version_used(parent, node)
                    producer = parent._ctx
                key = parent if producer is None else producer
                earlier = pending.get(key)
                if earlier is not None:
                    pending[key] = earlier + input_grad
                    continue
                pending[key] = input_grad
                if producer is None:
                    leaves.append(parent)
                else:
                    heappush(heap, (-producer.seq, parent, producer))
            if received is not None:
                _tell_observers(tensor, node, grad, returned, received)
            if not self.retain_graph:
                node._saved = None  # node.release(): its saved values are not needed any more
        for leaf in leaves:
            self.arrive(leaf, None, pending.pop(leaf))

    def send(self, tensor, grad):
        """Start the walk: `grad` reaches `tensor` (an output)."""
        node = tensor._ctx
        key = tensor if node is None else node
        earlier = self.pending.get(key)
        self.pending[key] = grad if earlier is None else earlier + grad
        if earlier is None:
            if node is None:
                self.leaves.append(tensor)
            else:
                heappush(self.heap, (-node.seq, tensor, node))

    def call_rule(self, tensor, node, grad) -> tuple:
        """Run the node's backward rule on `grad` (the gradient of `tensor`, its output): returns
        the gradient as the rule got it, and one gradient per input as the rule gave them."""
        function = node.function
        arrays_in = self.on_arrays and function.backward_on_arrays
        if arrays_in:
            if type(grad) is np.ndarray and not grad.shape:
                grad = grad[()]  # a 0-d node computes with numpy scalars, much faster (benchmarks/README.md)
        else:
            grad = _as_tensor(grad)
        node._output, node._as_arrays = tensor, arrays_in
        checking = open_blocks.anomaly and state.anomaly
        if checking:
            state.anomaly = False  # blame this node, not the operations inside its backward rule
        try:
            returned = function.backward(node, grad)
        finally:
            node._output, node._as_arrays = None, False  # (_output would keep the tensor alive in a cycle)
            if checking:
                state.anomaly = True
        if type(returned) is not tuple:
            returned = (returned,)
        if len(returned) != len(node.parents) or checking:
            _check_returned(node, returned, checking)
        return grad, returned

    def to_input(self, node, parent, grad):
        """A gradient as backward returned it, made fit for its input: an array (or numpy scalar)
        in an ordinary backward, a Tensor with create_graph; summed back to the input's shape
        (undoing broadcasting) and cast to its dtype."""
        if self.on_arrays:
            if type(grad) is not np.ndarray and not isinstance(grad, np.generic):
                grad = np.asarray(grad._array() if isinstance(grad, Tensor) else grad)  # a Tensor or a number
        elif not isinstance(grad, Tensor):
            grad = Tensor._make(np.asarray(grad))
        data = parent._data
        if grad.shape != data.shape:
            grad = _sum_to_input(node, grad, parent)
        if grad.dtype is not data.dtype and grad.dtype != data.dtype:
            grad = grad.astype(data.dtype)
        return grad

    def arrive(self, tensor, node, grad):
        """The full gradient has reached `tensor`: run its hooks, hand it to autograd.grad's
        caller or keep it in .grad (leaves, and tensors that called retain_grad())."""
        current = tensor._ctx is node  # not an older version of a tensor changed in place since
        if tensor._hooks and current:
            grad = _run_hooks(tensor, grad)
        if self.wanted is not None:
            for i in self.wanted.get(id(tensor), ()) if current else ():
                self.results[i] = _as_tensor(grad)
        elif (node is None or tensor._retains_grad) and current:
            tensor.grad = self.keep(grad) if tensor.grad is None else tensor.grad + grad
        return grad

    def keep(self, grad):
        """A .grad of its own, safe to change in place. Backward rules may hand one array, or views
        of it, to several inputs (Add, Reshape) and read-only broadcasts (Sum): a gradient whose
        memory another .grad already has, or that is read-only, is copied; otherwise (a matmul's
        fresh result, say) it is handed over as it is."""
        if isinstance(grad, Tensor):  # create_graph: a gradient that is part of a graph stays that node
            return grad if grad._requires_grad else Tensor._make(np.array(grad._data))
        if type(grad) is not np.ndarray:  # a numpy scalar (from a 0-d node)
            return Tensor._make(np.float64(grad) if grad.dtype == np.float64 else np.array(grad))
        memory_of = grad
        while memory_of.base is not None:  # views: what matters is the memory they look at
            memory_of = memory_of.base
        if not grad.flags.writeable or id(memory_of) in self.handed_out:
            grad = memory_of = grad.copy()
        self.handed_out.add(id(memory_of))
        return Tensor._make(grad)


def _tell_observers(tensor, node, grad, returned, received) -> None:
    sent = tuple(g if needs else None for g, needs in zip(returned, node.needs_input_grad))
    for callback in list(_observers):
        callback(tensor, grad, sent, tuple(received))


def _check_returned(node, returned, checking) -> None:
    """A backward rule must return one gradient per input; under detect_anomaly none is NaN/Inf."""
    if len(returned) != len(node.parents):
        raise RuntimeError(
            f"{node.name}.backward returned {len(returned)} gradient(s) but the operation had "
            f"{len(node.parents)} input(s); return one per input (None for inputs without a gradient)."
        )
    if checking:
        from autograd.anomaly import check_backward

        check_backward(node, returned)


def _between(outputs, wanted) -> set:
    """For autograd.grad: the nodes whose backward must run, those with an input that leads to a
    wanted tensor; the rest of the graph is neither walked nor freed."""
    leads, passes_on = set(wanted), set()
    for tensor in toposort(outputs):
        node = tensor._ctx
        if node is not None and any(isinstance(p, Tensor) and id(version_used(p, node)) in leads
                                    for p in node.parents):
            leads.add(id(tensor))
            passes_on.add(node)
    return passes_on


def _as_tensor(grad):
    return grad if isinstance(grad, Tensor) else Tensor._make(np.asarray(grad))


def _sum_to_input(node, grad, parent):
    try:
        return sum_to(grad, parent.shape)
    except ValueError:
        raise RuntimeError(
            f"{node.name}.backward returned a gradient of shape {grad.shape} for an input of shape "
            f"{parent.shape}; a gradient must have its input's shape (or the output's, which the "
            "engine sums back)."
        ) from None


def _seed(output, gradient, create_graph):
    """The gradient backward starts from: an array, or a Tensor when create_graph is set."""
    if not isinstance(output, Tensor):
        raise TypeError(f"backward: expected a Tensor to differentiate, got {type(output).__name__}")
    if not output._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad, so there is nothing to differentiate. "
            "Give a leaf requires_grad=True before computing with it (and not under no_grad)."
        )
    if gradient is None:
        if output._data.size != 1:
            raise RuntimeError(
                f"backward: the output has shape {output.shape}, not a single number, so its gradient "
                "is not defined without `gradient=` (a tensor of that shape, the v in v^T J). Call "
                ".sum().backward() or pass gradient=ones of the same shape."
            )
        seed = np.ones(output.shape, dtype=output.dtype)
        return Tensor._make(seed) if create_graph else seed
    if isinstance(gradient, Tensor):
        seed = gradient if create_graph else gradient._array()
    else:
        seed = np.asarray(gradient)
        if seed.dtype.kind not in "fiub":  # None would become NaN, complex numbers lose their imaginary part
            raise TypeError(
                f"backward: `gradient` must hold real numbers (an array or Tensor of the output's shape "
                f"{output.shape}), got {type(gradient).__name__} of dtype {seed.dtype}."
            )
        seed = seed.astype(output.dtype, copy=False)
        seed = Tensor._make(seed) if create_graph else seed
    if seed.shape != output.shape:
        raise RuntimeError(
            f"backward: `gradient` has shape {seed.shape} but the output has shape {output.shape}; "
            "they must match."
        )
    return seed


def _run_hooks(tensor, grad):
    on_arrays = not isinstance(grad, Tensor)
    grad = _as_tensor(grad)
    for hook in list(tensor._hooks):
        replaced = hook(grad)
        if replaced is not None:
            replaced = replaced if isinstance(replaced, Tensor) else Tensor._make(_hook_result(tensor, replaced))
            if replaced.shape != grad.shape:
                raise RuntimeError(
                    f"a hook on a tensor of shape {tensor.shape} returned a gradient of shape "
                    f"{replaced.shape}; a hook may change the gradient's values, not its shape."
                )
            grad = replaced
    return grad._array() if on_arrays else grad


def _hook_result(tensor, replaced) -> np.ndarray:
    array = np.asarray(replaced)
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"a hook on a tensor of shape {tensor.shape} returned {type(replaced).__name__}; a hook returns "
            "None (to keep the gradient) or the new gradient, a Tensor of the same shape."
        )
    return array


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """The gradients of `outputs` with respect to `inputs`, returned as a tuple (nothing is
    added to any .grad). With create_graph=True they are themselves differentiable."""
    single_input = isinstance(inputs, Tensor)
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if single_input else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad: {len(outputs)} output(s) but {len(grad_outputs)} grad_outputs; give one per output "
            "(None for a scalar output)."
        )
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so it has no gradient to return.")
    retain = create_graph if retain_graph is None else retain_graph
    results = backward(outputs, list(grad_outputs), retain_graph=retain, create_graph=create_graph, inputs=inputs)
    for i, (t, g) in enumerate(zip(inputs, results)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used to compute the outputs. "
                "Pass allow_unused=True to get None for it."
            )
    return tuple(results)
