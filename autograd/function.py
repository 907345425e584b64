"""Function and Context: how one operation is defined, run and recorded.

A primitive is a `Function` subclass with two static methods side by side:
`forward(ctx, *arrays)` computes with numpy, `backward(ctx, grad)` returns one
gradient per input, written with Tensor operations (so it can be differentiated
again). `MyOp.apply(*inputs)` runs forward and, when a gradient is needed,
records a `Context` — the node of the graph, seen as `tensor.grad_fn`.

The engine's own primitives (`Primitive` subclasses) write each backward rule so that it
also runs on plain numpy arrays: operators, `.reshape/.transpose/.sum/.astype/.mT`,
indexing, `Op.apply(...)` for anything else, and `plain(x)` for constant masks. An ordinary
backward runs the rules on arrays (fast); `create_graph=True` runs the same rules on
Tensors, so the backward pass is recorded and can be differentiated again.
"""
from __future__ import annotations

import itertools
import traceback

import numpy as np

from autograd.grad_mode import open_blocks, state
from autograd.tensor import Tensor

# In-place changes stamp a tensor with the next tick of this clock (its `_version`).
# A node remembers the tick at which it was recorded; a saved tensor stamped later
# was modified after it was saved, and its node's backward would be wrong.
_clock = 0
_next_seq = itertools.count().__next__  # numbers the nodes in the order they are recorded
_new = object.__new__


class Memory:
    """Stands for memory that several tensors share (views, detach()): an in-place change of
    any of them stamps the shared memory, so every node that saved one of them notices."""

    __slots__ = ("_version",)

    def __init__(self):
        self._version = 0


def mark_modified(tensor: Tensor) -> int:
    """Record that `tensor`'s data was changed in place (and so the data of every tensor that
    shares its memory). Returns the clock tick of the change."""
    global _clock
    _clock += 1
    tensor._version = _clock
    if tensor._base is not None:
        tensor._base._version = _clock
    return _clock


def share_memory(view: Tensor, source: Tensor) -> None:
    """`view` looks at `source`'s memory (a reshape, a transpose, detach()): from now on an
    in-place change of either counts as a change of both for the version checks."""
    if source._base is None:
        source._base = Memory()
    view._base = source._base


class Context:
    """The node one operation leaves in the graph.

    function         the Function class that made it (its backward rule, its lecture rule)
    parents          the inputs exactly as passed to `apply` (Tensors or plain values)
    needs_input_grad one bool per input: does that input want a gradient?
    scope            the graph scopes (module names) active when it was recorded
    seq              its place in recording order (0, 1, 2, ... over the whole process). An
                     operation's inputs were made before it, so the engine runs the backward
                     rules newest node first, and drawings number intermediate results by it.
    saved_tensors    what forward saved with `save_for_backward`, as Tensors
    Forward may also set attributes of its own (`ctx.axis = ...`).
    """

    # The fields every node sets live in slots (fast to make, and fewer objects for the garbage
    # collector); attributes an operation sets itself (ctx.axis, ...) go into __dict__.
    __slots__ = ("function", "parents", "needs_input_grad", "scope", "seq", "_clock", "_saved", "_output",
                 "_as_arrays", "__dict__", "__weakref__")
    created_at = None  # a stack summary, recorded under detect_anomaly()
    since = None  # a node recorded by an in-place change: the tick of that change (see record_inplace)

    @property
    def name(self) -> str:
        """The operation's name (its Function class), as drawings and `<NameBackward>` show it."""
        return self.function.__name__

    def __repr__(self):
        return f"<{self.name}Backward>"

    def save_for_backward(self, *values) -> None:
        """Keep arrays (inputs, the output or masks) for backward; nothing more."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """The saved values. An input or the output comes back as that very Tensor (so a graph
        built with create_graph reaches through it), other arrays as constant Tensors, plain
        Python values unchanged; during an ordinary backward a Primitive gets plain arrays."""
        saved = self._saved
        if saved is None:  # released after an earlier backward
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time, but its "
                "saved values were freed after the first backward. Pass retain_graph=True to "
                "the first backward() (or autograd.grad) if you need to go through it again."
            )
        if self._as_arrays and self._clock == _clock:  # nothing was changed in place since: as saved
            return saved
        return tuple([self._unpack(value) for value in saved])

    def _unpack(self, value):
        if type(value) is not np.ndarray and type(value) is not np.float64:
            return value
        from autograd.engine import version_used  # (the engine imports this module)

        for tensor in (*[version_used(p, self) if isinstance(p, Tensor) else p for p in self.parents],
                       getattr(self, "_output", None)):
            if isinstance(tensor, Tensor) and (tensor._data is value or tensor._moved_from is value):
                base = tensor._base
                if tensor._version > self._clock or (base is not None and base._version > self._clock):
                    raise RuntimeError(
                        f"{self.name}: a tensor it saved for backward (shape {tensor.shape}, "
                        f"dtype {tensor.dtype}{_named(tensor)}) was modified in place after "
                        f"{self.name} used it, so its gradient would be wrong. Do not modify it "
                        "in place (use an out-of-place operation, e.g. `x = x + 1` instead of "
                        "`x += 1`), or modify a copy made with x.clone() or Tensor(x) (reshape, "
                        "transpose and detach() share memory)."
                    )
                return value if self._as_arrays else tensor
        return value if self._as_arrays else Tensor._make(value)

    def release(self) -> None:
        """Free the saved values (done after backward unless retain_graph=True)."""
        self._saved = None


def new_node(function, parents, needs_input_grad) -> Context:
    """The node an operation records (every field a node has is set here)."""
    node = _new(Context)
    node.function = function
    node.parents = parents
    node.needs_input_grad = needs_input_grad
    node.scope = state.scope if open_blocks.scope else ()
    node.seq = _next_seq()
    node._clock = _clock
    node._saved = ()
    node._as_arrays = False  # the engine sets this and _output while backward runs
    return node


def _named(tensor):
    return f", name {tensor.name!r}" if tensor.name else ""


class _NoGradContext:
    """Stands in for a Context when nothing is recorded: it forgets what it is given."""

    needs_input_grad = ()

    def save_for_backward(self, *values):
        pass


_NO_GRAD_CONTEXT = _NoGradContext()


class Function:
    """Base class of every operation, the engine's own and users' custom ones.

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):            # numpy arrays in, an array out
                ctx.save_for_backward(x)
                return x ** 3
            @staticmethod
            def backward(ctx, grad):        # Tensors in, one gradient per input out
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2

        y = Cube.apply(x)
    """

    backward_on_arrays = False  # user-defined backward rules always receive Tensors
    elementwise = False  # does out[i] depend on the inputs' element i only (see Elementwise)?
    view = False  # may forward return a view of its first input's memory?
    call_name = None  # how users write the operation, for error messages (default: class name)
    # What is taught about the operation, read by drawings and step pages (see Primitive):
    symbol = None  # its label in drawings (default: the class name in lower case)
    notation = None  # the forward as the lecture writes it
    rule = None  # the backward rule in matrix form
    local = None  # for elementwise operations: the local derivative d out / d in

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the output array from the inputs' arrays; save what backward needs with
        ctx.save_for_backward(...)."""
        raise NotImplementedError("a Function subclass must define a static forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """One gradient per input (None where none is needed), written in Tensor operations so that
        create_graph=True can differentiate it again."""
        raise NotImplementedError("a Function subclass must define a static backward(ctx, grad)")

    @classmethod
    def apply(cls, *inputs, **kwargs):
        """Run forward on the inputs' arrays; record a node when a gradient is needed.
        Given only plain arrays (no Tensor), it returns a plain array."""
        arrays, needs_grad, has_tensor = [], [], False
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._array())
                needs_grad.append(x._requires_grad)
                has_tensor = True
            else:
                arrays.append(x)
                needs_grad.append(False)
        if True in needs_grad and state.grad_enabled:
            ctx = new_node(cls, inputs, tuple(needs_grad))
            out = _forward(cls, ctx, arrays, kwargs, inputs)
            if not cls.backward_on_arrays and out.dtype.kind != "f":  # a user's op gave integers:
                return Tensor._make(out)  # they carry no gradient
            if open_blocks.anomaly and state.anomaly:
                _check_forward(cls, out, ctx)
        else:
            # Nothing to record: our primitives get a stand-in that forgets what it is given; a
            # user's Function still gets a real Context (its forward may look at needs_input_grad).
            ctx = _NO_GRAD_CONTEXT if cls.backward_on_arrays else new_node(cls, inputs, (False,) * len(inputs))
            out = _forward(cls, ctx, arrays, kwargs, inputs)
            if open_blocks.anomaly and state.anomaly:
                _check_forward(cls, out, None)
            if not has_tensor:
                return out
            ctx = None
        if cls.view and out.base is not None and np.may_share_memory(out, arrays[0]):
            result = Tensor._make(out, ctx)
            share_memory(result, inputs[0])
            return result
        if not out.shape and out.dtype == np.float64:  # kept as a numpy scalar (see autograd.tensor)
            out = _as_scalar(out, ctx)
        return Tensor._make(out, ctx)


def _as_scalar(out: np.ndarray, ctx):
    """A 0-d float64 result as the np.float64 a Tensor keeps, also where forward saved it."""
    scalar = out[()]
    if type(ctx) is Context and ctx._saved:
        ctx._saved = tuple([scalar if value is out else value for value in ctx._saved])
    return scalar


class Primitive(Function):
    """A Function whose backward rule also runs on plain numpy arrays (see the module docstring);
    the engine's own operations in autograd.ops are Primitives.

    A primitive also carries what the lecture says about it (a test checks every one does):
        symbol    its label in drawings: "+", "@", "tanh"
        notation  the forward as written: "{0} @ {1}", "tanh({0})", "{0}ᵀ"
        rule      the backward in matrix form, one text per input (None for an input that gets no
                  gradient), or one text for every input with {i} standing for the input at hand:
                  ("d{0} = d{y} · {1}ᵀ", "d{1} = {0}ᵀ · d{y}"), "d{i} = d{y}"
        local     for elementwise operations, the local derivative d out / d input: "1 − tanh²",
                  "σ(1−σ)" (one text per input for two inputs: ("{1}", "{0}") for a product)
    Placeholders: {0}, {1}, ... are the inputs, {y} the output; drawings put in the tensors'
    names (and shapes), so the matmul rule reads "dX = dY · Wᵀ (4×3 = 4×5 · 5×3)"."""

    backward_on_arrays = True


def plain(x):
    """The plain array (or number) behind x: for constant masks inside backward rules."""
    return x._array() if isinstance(x, Tensor) else x


def _check_forward(cls, out, ctx):
    from autograd.anomaly import check_forward

    if ctx is not None:
        ctx.created_at = traceback.extract_stack()[:-2]
    check_forward(cls, out, ctx)


def _forward(cls, ctx, arrays, kwargs, inputs):
    try:
        out = cls.forward(ctx, *arrays, **kwargs)
    except (ValueError, IndexError, TypeError, OverflowError) as error:
        raise _op_error(cls, inputs, kwargs, error) from None
    if type(out) is not np.ndarray:
        out = _as_array_output(cls, ctx, out)
    return in_float32(cls, ctx, arrays, kwargs) if out.dtype is _HALF else out


_HALF = np.dtype(np.float16)


def in_float32(cls, ctx, arrays, kwargs) -> np.ndarray:
    """numpy computes functions of small integers in float16 (np.exp of int8 or bool), a dtype Tensors
    do not hold: forward runs again on the integers as float32, as PyTorch computes them."""
    arrays = [np.asarray(a, dtype=np.float32) if isinstance(a, (np.ndarray, np.generic)) and a.dtype.kind in "iub"
              else a for a in arrays]
    return np.asarray(cls.forward(ctx, *arrays, **kwargs))


def _as_array_output(cls, ctx, out):
    """numpy returns scalars for 0-d results: make them 0-d arrays (anything else is an error)."""
    if not isinstance(out, (np.generic, int, float, bool)):
        raise TypeError(
            f"{cls.__name__}.forward returned {type(out).__name__}; a Function computes one numpy "
            "array (for several results, write one Function per result)."
        )
    scalar, out = out, np.asarray(out)
    if type(ctx) is Context and ctx._saved:  # if forward saved its output, save the array instead
        ctx._saved = tuple([out if value is scalar else value for value in ctx._saved])
    return out


def describe(x) -> str:
    """How an input appears in error messages: shape and dtype for arrays, repr otherwise."""
    if isinstance(x, Tensor):
        return f"Tensor of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return repr(x)


def _op_error(cls, inputs, kwargs, error):
    """Turn a numpy failure inside forward into a message a student can act on."""
    message = str(error)
    arrays = [x for x in inputs if isinstance(x, (Tensor, np.ndarray))]
    advice = ""
    if "broadcast" in message and len(arrays) >= 2:
        shapes = " and ".join(str(tuple(a.shape)) for a in arrays)
        advice = (
            f"shapes {shapes} cannot be broadcast together: compared from the right, each pair of "
            "dimensions must be equal or one of them 1. Reshape an operand (e.g. x.reshape(-1, 1) "
            "or x.unsqueeze(0)) so they line up."
        )
    details = "; ".join(f"input {i}: {describe(x)}" for i, x in enumerate(inputs))
    if kwargs:
        details += "; " + ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    if isinstance(error, OverflowError):  # a Python integer that does not fit an integer tensor
        advice = f"{message}. Convert the tensor first (e.g. x.astype(np.int64) or x.astype(np.float64))"
    kind = next(k for k in (IndexError, TypeError, OverflowError, ValueError) if isinstance(error, k))
    return kind(f"{cls.call_name or cls.__name__}: {advice or message} ({details})")
