"""The engine: order the graph, then apply the chain rule from the output back to the leaves."""
from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np

from autograd import collector
from autograd.function import plain
from autograd.grad_mode import state
from autograd.tensor import Tensor


# Gradients at least this big are reused in place when the engine alone holds them (smaller ones
# cost little to allocate, and malloc keeps their memory; big ones are handed back to the system
# and faulted in again on the next step).
REUSE_BYTES = 1 << 16


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
    with create_graph=True; the callback reads them and must not change them. While anyone
    observes, the engine overwrites no gradient array in place (see _propagate), so what the
    callback was given stays as it was. Observers see the backward passes of every thread."""
    _observers.append(callback)
    try:
        yield callback
    finally:
        _observers.remove(callback)


def toposort(roots, needs_grad_only: bool = True) -> list:
    """Every tensor the roots depend on, each after all of its inputs (iterative depth-first
    post-order, inputs visited in order, so the result is the same on every run and a
    100,000-step chain needs no recursion). With `needs_grad_only`, tensors that do not
    require grad (constants) are left out."""
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
            ctx = tensor._ctx
            if ctx is None:  # a leaf has no inputs to visit first
                order.append(tensor)
                continue
            stack.append((tensor, True))
            for parent in reversed(ctx.parents):
                if isinstance(parent, Tensor) and (parent._requires_grad or not needs_grad_only) and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def sum_to(grad: Tensor, shape: tuple) -> Tensor:
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

    Gradients travel as plain arrays in an ordinary backward, and as Tensors (so the walk is
    itself recorded) with create_graph=True.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a walk creates many objects; the cyclic collector would rescan the whole graph
    try:
        return _backward(outputs, gradients, retain_graph, create_graph, inputs)
    finally:
        collector.thaw(after_backward=True)  # what the collector froze while the graph was recorded
        if gc_was_enabled:
            gc.enable()


def _backward(outputs, gradients, retain_graph, create_graph, inputs):
    on_arrays = not create_graph
    grads = {}  # id(tensor) -> the sum of the gradients that have reached it so far
    scratch = set()  # ids of tensors whose gradient is an array only the engine holds (see _propagate)
    handed_out = set()  # ids of the arrays given to leaves as .grad (the seeds are the caller's)
    for output, gradient in zip(outputs, gradients):
        seed = _seed(output, gradient, create_graph)
        handed_out.add(id(seed.data if isinstance(seed, Tensor) else seed))
        grads[id(output)] = grads[id(output)] + seed if id(output) in grads else seed
    order, passes_on, wanted, results = toposort(outputs), None, None, None
    if inputs is not None:
        wanted = {}  # id(input) -> its positions in `inputs` (an input may be asked for twice)
        for i, t in enumerate(inputs):
            wanted.setdefault(id(t), []).append(i)
        results = [None] * len(inputs)
        order, passes_on = _between(order, wanted)

    recording, state.grad_enabled = state.grad_enabled, create_graph
    try:
        for tensor in reversed(order):
            grad = grads.pop(id(tensor), None)
            if grad is None:
                continue  # no gradient reached this tensor
            reusable = bool(scratch) and id(tensor) in scratch
            if tensor._hooks:
                grad, reusable = _run_hooks(tensor, grad), False
            if wanted is not None:
                for i in wanted.get(id(tensor), ()):
                    results[i], reusable = _as_tensor(grad), False
            elif tensor._ctx is None or tensor._retains_grad:
                tensor.grad = _own(grad, handed_out) if tensor.grad is None else tensor.grad + grad
                reusable = False
            if tensor._ctx is not None and (passes_on is None or id(tensor) in passes_on):
                _propagate(tensor, grad, grads, retain_graph, on_arrays, reusable, scratch)
    finally:
        state.grad_enabled = recording
    return results


def _between(order, wanted):
    """For autograd.grad: keep only the tensors between the outputs and the wanted inputs.
    Returns them in order, and the ids of those whose backward must run (an input of theirs
    leads to a wanted tensor); the rest of the graph is neither walked nor freed."""
    needed, passes_on = set(wanted), set()
    for tensor in order:
        ctx = tensor._ctx
        if ctx is not None and any(isinstance(p, Tensor) and id(p) in needed for p in ctx.parents):
            needed.add(id(tensor))
            passes_on.add(id(tensor))
    return [t for t in order if id(t) in needed], passes_on


def _propagate(tensor, grad, grads, retain_graph, on_arrays, reusable, scratch):
    """Call the node's backward and hand each input its share of the gradient.

    `reusable`: grad is an array nobody but the engine holds, so the backward rule may write its
    result into it (ctx.may_reuse_grad) instead of allocating one more array of its size. The
    inputs' gradients that are new arrays (not views, not given to two inputs) are noted in
    `scratch` as reusable in turn."""
    ctx = tensor._ctx
    arrays_in = on_arrays and ctx.function.backward_on_arrays
    if arrays_in and type(grad) is np.ndarray and not grad.shape:
        grad = grad[()]  # a 0-d node computes with numpy scalars: ~7x faster than with 0-d arrays
    may_reuse = reusable and arrays_in and type(grad) is np.ndarray and not _observers
    ctx._output, ctx._as_arrays, ctx.may_reuse_grad = tensor, arrays_in, may_reuse
    checking = state.anomaly
    if checking:
        state.anomaly = False  # blame this node, not the operations inside its backward rule
    try:
        input_grads = ctx.function.backward(ctx, grad if arrays_in else _as_tensor(grad))
    finally:
        ctx._output, ctx._as_arrays, ctx.may_reuse_grad = None, False, False
        if checking:
            state.anomaly = True
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    parents = ctx.parents
    received = [None] * len(parents) if _observers else None
    if len(input_grads) != len(parents):
        raise RuntimeError(
            f"{ctx.name}.backward returned {len(input_grads)} gradient(s) but the operation had "
            f"{len(parents)} input(s); return one per input (None for inputs without a gradient)."
        )
    if checking:
        from autograd.anomaly import check_backward

        check_backward(ctx, input_grads)
    for k, (parent, needs_grad, returned) in enumerate(zip(parents, ctx.needs_input_grad, input_grads)):
        if returned is None or not needs_grad:
            continue
        parent_grad = returned
        if on_arrays:
            if type(parent_grad) is not np.ndarray and not isinstance(parent_grad, np.generic):
                parent_grad = np.asarray(plain(parent_grad))  # a Tensor or a Python number
        elif not isinstance(parent_grad, Tensor):
            parent_grad = Tensor._make(np.asarray(parent_grad))
        data = parent.data
        if parent_grad.shape != data.shape:
            parent_grad = _sum_to_input(ctx, parent_grad, parent)
        if parent_grad.dtype is not data.dtype and parent_grad.dtype != data.dtype:
            parent_grad = parent_grad.astype(data.dtype)
        if received is not None:
            received[k] = parent_grad
        key = id(parent)
        earlier = grads.get(key)
        if earlier is None:
            grads[key] = parent_grad
            if arrays_in and not _observers and _only_ours(parent_grad, returned, grad, may_reuse, input_grads):
                scratch.add(key)
        else:
            grads[key] = total = earlier + parent_grad
            if on_arrays and type(total) is np.ndarray and total.nbytes >= REUSE_BYTES and not _observers:
                scratch.add(key)
    if received is not None:
        sent = tuple(g if needs and g is not None else None for g, needs in zip(input_grads, ctx.needs_input_grad))
        for callback in list(_observers):
            callback(tensor, grad, sent, tuple(received))
    if not retain_graph:
        ctx._saved = None  # ctx.release(): its saved values are not needed any more


def _only_ours(array, returned, grad, may_reuse, input_grads) -> bool:
    """Is `array`, an input's gradient as the backward rule returned it (`returned`) after the
    sum-back and dtype cast, a big array that nobody but the engine holds?"""
    if type(returned) is not np.ndarray or type(array) is not np.ndarray or array.base is not None:
        return False
    if array.nbytes < REUSE_BYTES:
        return False
    if array is not returned:  # the dtype cast made it: a copy of our own
        return True
    # a new array (or grad, if grad was ours), not handed to two inputs (Add's (grad, grad))
    return (returned is not grad or may_reuse) and sum(g is returned for g in input_grads) == 1


def _own(grad, handed_out):
    """A .grad of its own, safe to change in place. Backward rules may hand one array, or views
    of it, to several inputs (Add, Reshape) and read-only broadcasts (Sum): a gradient whose
    memory another leaf already has, or that is read-only, is copied; otherwise (a matmul's
    fresh result, say) it is handed over as it is."""
    if isinstance(grad, Tensor):  # create_graph: a gradient that is part of a graph stays that node
        return grad if grad._requires_grad else Tensor._make(np.array(grad.data))
    if isinstance(grad, np.generic):  # a numpy scalar (from a 0-d node): a fresh 0-d array
        return Tensor._make(np.array(grad))
    memory = grad
    while memory.base is not None:  # views: what matters is the memory they look at
        memory = memory.base
    if not grad.flags.writeable or id(memory) in handed_out:
        grad = memory = grad.copy()
    handed_out.add(id(memory))
    return Tensor._make(grad)


def _as_tensor(grad):
    return grad if isinstance(grad, Tensor) else Tensor._make(np.asarray(grad))


def _sum_to_input(ctx, grad, parent):
    try:
        return sum_to(grad, parent.shape)
    except ValueError:
        raise RuntimeError(
            f"{ctx.name}.backward returned a gradient of shape {grad.shape} for an input of shape "
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
        if output.data.size != 1:
            raise RuntimeError(
                f"backward: the output has shape {output.shape}, not a single number, so its gradient "
                "is not defined without `gradient=` (a tensor of that shape, the v in v^T J). Call "
                ".sum().backward() or pass gradient=ones of the same shape."
            )
        seed = np.ones(output.shape, dtype=output.dtype)
        return Tensor._make(seed) if create_graph else seed
    if isinstance(gradient, Tensor):
        seed = gradient if create_graph else gradient.data
    else:
        seed = np.asarray(gradient, dtype=output.dtype)
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
            replaced = replaced if isinstance(replaced, Tensor) else Tensor._make(np.asarray(replaced))
            if replaced.shape != grad.shape:
                raise RuntimeError(
                    f"a hook on a tensor of shape {tensor.shape} returned a gradient of shape "
                    f"{replaced.shape}; a hook may change the gradient's values, not its shape."
                )
            grad = replaced
    return grad.data if on_arrays else grad


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
