"""Tensor: an n-dimensional array that remembers the operation that made it.

`data` is a numpy array; `grad` is a Tensor once backward has reached it; `grad_fn`
is the node (a Context) recorded by the operation that produced it, None for leaves.
Methods call the primitives in `autograd.ops` explicitly; composites (mean, var,
softmax, ...) are written here with those primitives, so their gradients come free.

A 0-d float64 tensor keeps its value as a numpy scalar (np.float64) instead of a 0-d array:
scalar arithmetic is many times faster on numpy scalars (benchmarks/README.md, "Figures behind
the code") and follows the same rules (inf, nan and warnings, never ZeroDivisionError), which makes
the lecture's graphs of scalars fast.
`.data` still gives an array: the first time it is read the value moves into one.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from autograd.grad_mode import state
from autograd.spellings import max_with_indices, min_with_indices, split_by_sizes, squeeze_if_one, torch_spellings

_new_object = object.__new__
_FLOAT_KINDS = "f"
_ALLOWED_KINDS = "fiub"


def _check_dtype(array: np.ndarray, requires_grad: bool) -> None:
    if array.dtype.kind not in _ALLOWED_KINDS or array.dtype == np.float16:
        raise TypeError(
            f"Tensor: unsupported dtype {array.dtype}. Tensors hold float32/float64 numbers "
            "(or integers/booleans without gradients); convert with np.asarray(x, dtype=np.float64)."
        )
    if requires_grad and array.dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"Tensor: requires_grad=True needs a floating-point tensor, but this one is {array.dtype}. "
            "Only real numbers have gradients: create it with dtype=np.float64 (or float32)."
        )


def _same_scalar(value, tensor: "Tensor"):
    """The result of an in-place change of a scalar tensor, checked to keep its shape and dtype."""
    if np.shape(value) != () or np.result_type(value) != tensor.dtype:
        raise ValueError(f"the result has shape {np.shape(value)} and dtype {np.result_type(value)}")
    return np.float64(value)


def _operand(x):
    """What an operation accepts next to a Tensor: Tensors, arrays and plain numbers (None otherwise).

    Numbers stay Python numbers so numpy treats them as 'weak' (2 * float32 stays float32);
    numpy scalars (np.float64(1)) are turned into Python numbers for the same reason.
    """
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    return None


class Tensor:
    """An n-dimensional array with an optional gradient, recorded into a graph as it is used.

    Tensor(data, requires_grad=False, dtype=None, name=None)

    Python numbers default to float64 (gradient checking needs it); numpy arrays keep
    their dtype (float32 stays float32); integer and boolean tensors carry no gradient.
    """

    # What every operation sets lives in slots; the rest keeps these class-level defaults until
    # it is set on one tensor (a name, hooks, an in-place change...), which keeps creating a
    # tensor cheap: an operation stores four fields.
    __slots__ = ("_data", "grad", "_requires_grad", "_ctx", "__dict__", "__weakref__")
    name = None
    _version = 0  # the tick of the last in-place change (see autograd.function.mark_modified)
    _base = None  # for tensors sharing memory (views, detach()): the shared memory's version
    _hooks = None
    _retains_grad = False
    _watched = False  # has hooks or retains its gradient: backward must stop by
    _moved_from = None  # the np.float64 a 0-d tensor held before it moved into an array (see _into_array)
    __hash__ = object.__hash__  # == is elementwise, so hash by identity (usable as dict keys)

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data._data
        from_python = not isinstance(data, (np.ndarray, np.generic))
        try:
            array = np.array(data, dtype=dtype, copy=True)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor: cannot make an array from {type(data).__name__}: {error}") from None
        if array.dtype == object:
            raise TypeError(
                f"Tensor: unsupported dtype object: numpy made an array of Python objects from "
                f"{type(data).__name__} (None, strings, mixed types, or integers beyond int64 such as 2**70?). "
                "Tensors hold float32/float64 numbers (or integers/booleans without gradients)."
            )
        if requires_grad and from_python and dtype is None and array.dtype.kind in "iub":
            array = array.astype(np.float64)  # Tensor([1, 2], requires_grad=True) means floats
        _check_dtype(array, requires_grad)
        if not array.shape and array.dtype == np.float64:
            array = array[()]  # a numpy scalar (see the module docstring)
        self._data, self.grad, self._requires_grad, self._ctx = array, None, bool(requires_grad), None
        if name is not None:
            self.name = name

    @staticmethod
    def _make(data, ctx=None) -> "Tensor":
        """The fast constructor used by operations: no copy, no checks. `data` is an array, or
        an np.float64 for a 0-d float64 value."""
        t = _new_object(Tensor)
        t._data, t.grad, t._requires_grad, t._ctx = data, None, ctx is not None, ctx
        return t

    @property
    def data(self) -> np.ndarray:
        """The values, a numpy array (shared, not copied: changing it changes the tensor, and no
        version check sees it — as PyTorch's .data)."""
        data = self._data
        if type(data) is not np.ndarray:  # a scalar moves into a 0-d array, for good
            data = self._into_array(data)
        return data

    @data.setter
    def data(self, value) -> None:
        value = value._array() if isinstance(value, Tensor) else np.asarray(value)
        _check_dtype(value, self._requires_grad)
        self._data = value

    def _array(self) -> np.ndarray:
        """The values as an array, for operations that need one (what `.data` gives)."""
        data = self._data
        if type(data) is not np.ndarray:
            data = self._into_array(data)
        return data

    def _into_array(self, scalar) -> np.ndarray:
        """Move a 0-d tensor's numpy scalar into a 0-d array, for good. Nodes that saved the scalar
        still find this tensor by it (`_moved_from`), so create_graph differentiates through it."""
        self._moved_from = scalar
        data = self._data = np.array(scalar)
        return data

    # ----- attributes -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Does this tensor want a gradient? Set it on a leaf (t.requires_grad = True, or
        t.requires_grad_()); an operation records a node when any of its inputs requires grad."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Mark a leaf as wanting a gradient (in place); returns self."""
        if self._ctx is not None and not requires_grad:
            raise RuntimeError(
                "requires_grad_(False): this tensor was computed by an operation; use .detach() "
                "to get a tensor that does not require grad."
            )
        _check_dtype(self._array(), requires_grad)
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves)."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        """True for a tensor not made by a recorded operation (created by the user, or detached):
        backward() accumulates .grad into leaves that require grad."""
        return self._ctx is None

    # np.float64 scalars have shape, dtype, ndim and size as arrays do
    @property
    def shape(self) -> tuple:
        """The length of each dimension, a tuple (as numpy; PyTorch's t.shape and t.size())."""
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the values: float64 for Python numbers, an array's own dtype otherwise."""
        return self._data.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions, 0 for a scalar (as numpy; PyTorch's t.dim())."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """The number of elements, as numpy's size (PyTorch's t.size() is t.shape here; t.numel() is this)."""
        return self._data.size

    def item(self):
        """The Python number held by a one-element tensor."""
        if self._data.size != 1:
            raise ValueError(f"item(): only a tensor with one element has an item; this one has shape {self.shape}.")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self._array()

    def tolist(self):
        """The values as nested Python lists (a Python number for a 0-d tensor), outside the graph."""
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        data = self._array()
        if dtype is not None and dtype != data.dtype:
            return data.astype(dtype)
        return data.copy() if copy else data

    # ----- numpy interoperability (the mapping lives in autograd/numpy_protocol.py) ----------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """np.exp(t), np.maximum(t, 0), np.float64(1) - t: the chalkgrad operation, recorded."""
        return numpy_protocol.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        """np.sum(t, axis=0), np.concatenate([t, u]): the chalkgrad operation, recorded."""
        return numpy_protocol.array_function(func, types, args, kwargs)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it is a scalar and has no length.")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(
                f"The truth value of a tensor of shape {self.shape} is ambiguous; use (t > 0).all() "
                "or .any() for arrays."
            )
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __format__(self, spec):
        if spec and self.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __repr__(self):
        if self.ndim == 0:
            body = repr(self._data.item())
        else:
            body = np.array2string(self._data, separator=", ", prefix="Tensor(", threshold=100, edgeitems=3)
        parts = [body, f"dtype={self.dtype}"]
        if self._ctx is not None:
            parts.append(f"grad_fn={self._ctx!r}")
        elif self._requires_grad:
            parts.append("requires_grad=True")
        if self.name:
            parts.append(f"name={self.name!r}")
        return f"Tensor({', '.join(parts)})"

    # ----- gradients --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf with requires_grad and add it to leaf.grad.

        A non-scalar tensor needs `gradient`, the vector v of the vector-Jacobian product v^T J.
        """
        engine.backward([self], [gradient], retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory; does not require grad).
        An in-place change of either one counts as a change of both for the version check."""
        t = Tensor._make(self._array())
        function.share_memory(t, self)
        return t

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets .grad to None)."""
        self.grad = None

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): this tensor does not require grad, so it will never have one.")
        self._retains_grad = self._watched = True

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces it.

        Returns a handle whose .remove() unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("register_hook(): this tensor does not require grad, so no gradient will reach it.")
        if self._hooks is None:
            self._hooks = []
            self._watched = True
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    # ----- arithmetic -------------------------------------------------------------------
    # Tensors, arrays and Python numbers go straight to the operation; other operands are
    # converted (numpy scalars become Python numbers) or refused (NotImplemented) by _binary.
    def _binary(self, op, other, reverse=False):
        operand = _operand(other)
        if operand is None:
            _refuse_sequence(op, other, self)
            return NotImplemented
        return op.apply(operand, self) if reverse else op.apply(self, operand)

    def __add__(self, other):
        return ops.Add.apply(self, other) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Add, other)

    def __radd__(self, other):
        return ops.Add.apply(other, self) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Add, other, True)

    def __sub__(self, other):
        return ops.Sub.apply(self, other) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Sub, other)

    def __rsub__(self, other):
        return ops.Sub.apply(other, self) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Sub, other, True)

    def __mul__(self, other):
        return ops.Mul.apply(self, other) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Mul, other)

    def __rmul__(self, other):
        return ops.Mul.apply(other, self) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Mul, other, True)

    def __truediv__(self, other):
        return ops.Div.apply(self, other) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Div, other)

    def __rtruediv__(self, other):
        return ops.Div.apply(other, self) if type(other) in _PLAIN_OPERANDS else self._binary(ops.Div, other, True)

    def __pow__(self, exponent):
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base):
        base = _operand(base)
        if base is None:
            return NotImplemented
        if not isinstance(base, Tensor):  # d(b**x)/dx needs log(b), so b becomes a constant Tensor
            base = Tensor._make(np.asarray(base, dtype=np.result_type(base, self._data)))
        return ops.Pow.apply(base, self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.Abs.apply(self)

    def __matmul__(self, other):
        if _operand(other) is None:
            return NotImplemented
        return self.matmul(other)

    def __rmatmul__(self, other):
        if _operand(other) is None:
            return NotImplemented
        return as_tensor(other, like=self).matmul(self)

    # In-place operators follow PyTorch's rules; see _inplace.
    def __iadd__(self, other):
        return self._inplace(ops.Add, other, np.add)

    def __isub__(self, other):
        return self._inplace(ops.Sub, other, np.subtract)

    def __imul__(self, other):
        return self._inplace(ops.Mul, other, np.multiply)

    def __itruediv__(self, other):
        return self._inplace(ops.Div, other, np.true_divide)

    def _inplace(self, op, other, ufunc):
        """`t += x` (and -=, *=, /=) change t's values in place, as in PyTorch, and bump its
        version: a backward that saved t refuses to run. While gradients are recorded the change is
        recorded too (t becomes the result of `t_before + x`, see _record_inplace); on a leaf that
        requires grad it is an error."""
        operand = _operand(other)
        if operand is None:
            _refuse_sequence(op, other, self)
            return NotImplemented
        other = operand
        if state.grad_enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)):
            return self._record_inplace(op, other)
        value = other._array() if isinstance(other, Tensor) else other
        try:
            if type(self._data) is np.ndarray:
                ufunc(self._data, value, out=self._data)
            else:  # a scalar shares no memory: its new value simply replaces the old one
                self._data = _same_scalar(ufunc(self._data, value), self)
        except (TypeError, ValueError, OverflowError) as error:  # numpy's own subclasses take other arguments
            kind = next(k for k in (TypeError, OverflowError, ValueError) if isinstance(error, k))
            raise kind(
                f"{op.call_name} in place: cannot write the result into this tensor "
                f"(shape {self.shape}, dtype {self.dtype}) from {function.describe(value)}: {error}. "
                "The result must keep this tensor's shape and dtype; use `x = x + y` instead."
            ) from None
        function.mark_modified(self)
        return self

    def __setitem__(self, index, value):
        """`t[index] = value` changes t in place (recorded while gradients are, as in PyTorch)."""
        index = _index_array(index)
        if _operand(value) is None and not isinstance(value, (list, tuple)):  # numpy writes NaN for None
            raise TypeError(f"t[...] = value (setitem): the value must be a number, a Tensor or an array, got "
                            f"{type(value).__name__} (tensor of shape {self.shape}, dtype {self.dtype})")
        if state.grad_enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
            self._record_inplace(ops.SetItem, value, index=index)
            return
        try:
            self._array()[index] = value._array() if isinstance(value, Tensor) else value
        except (IndexError, ValueError, TypeError, OverflowError) as error:
            raise function._op_error(ops.SetItem, (self, value), {"index": index}, error) from None
        function.mark_modified(self)

    def _record_inplace(self, op, other, **options):
        """Record an in-place change as PyTorch does: t becomes the output of op(t_before, other),
        a new node (the same Python object, so every name for t sees the new value and graph).

        `t_before` takes over t's earlier value and place in the graph (the new node's first
        input); nodes recorded before the change keep using it (the engine follows `node.since`
        back to it). The new value gets an array of its own, so what those nodes saved is never
        overwritten: their gradients stay right where PyTorch would stop with "modified by an
        inplace operation". A tensor whose memory a view shares refuses (its view would keep the
        old values under a graph that no longer matches them): change a clone instead. Hooks
        registered on t so far go with `t_before` (they see the earlier value's gradient, as in
        PyTorch); retain_grad() stays with t's new value."""
        if self._ctx is None and self._requires_grad:
            raise RuntimeError(
                f"{op.call_name} in place: cannot change a leaf tensor that requires grad "
                f"(shape {self.shape}): its gradient would be lost. Do it under `with no_grad():` "
                "(as optimisers do), or write `x = x + ...` to make a new tensor."
            )
        if self._base is not None:
            raise RuntimeError(
                f"{op.call_name} in place: this tensor (shape {self.shape}) shares its memory with a view "
                "(reshape, transpose, detach()), which would keep the old values while the graph records new "
                "ones. Change a copy instead: `x = x.clone()` first, or write `x = x + ...`."
            )
        before = Tensor._make(self._data, self._ctx)
        before._requires_grad, before.name = self._requires_grad, self.name
        if self._moved_from is not None:  # nodes that saved the earlier scalar find `before` by it
            before._moved_from, self._moved_from = self._moved_from, None
        result = op.apply(before, before if other is self else other, **options)
        if result.shape != self.shape or result.dtype != self.dtype:
            raise ValueError(
                f"{op.call_name} in place: the result has shape {result.shape} and dtype {result.dtype}, "
                f"but this tensor has shape {self.shape} and dtype {self.dtype}; an in-place change must "
                "keep both. Use `x = x + y` to make a new tensor instead."
            )
        node = result._ctx
        node.since = node._clock = function.mark_modified(self)
        self._data, self._ctx, self._requires_grad = result._data, node, True
        if self._hooks:  # hooks registered so far see the earlier value's gradient, as in PyTorch
            before._hooks, before._watched, self._hooks = self._hooks, True, None
            self._watched = self._retains_grad  # retain_grad() stays with the new value
        return self

    # ----- comparisons (results carry no gradient) ----------------------------------------
    def _compare(self, ufunc, other):
        other = _operand(other)
        if other is None:
            return NotImplemented
        return Tensor._make(np.asarray(ufunc(self._data, other._data if isinstance(other, Tensor) else other)))

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    @torch_spellings
    def all(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.all(self._data, axis=axis, keepdims=keepdims)))

    @torch_spellings
    def any(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.any(self._data, axis=axis, keepdims=keepdims)))

    @torch_spellings
    def argmax(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.argmax(self._data, axis=axis, keepdims=keepdims)))

    @torch_spellings
    def argmin(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.argmin(self._data, axis=axis, keepdims=keepdims)))

    # ----- elementwise functions ------------------------------------------------------------
    def exp(self) -> "Tensor":
        """e ** x elementwise; d/dx = exp(x) (a primitive)."""
        return ops.Exp.apply(self)

    def log(self) -> "Tensor":
        """The natural logarithm ln(x) elementwise; d/dx = 1/x (a primitive)."""
        return ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        """√x elementwise; d/dx = 1 / (2√x) (a primitive)."""
        return ops.Sqrt.apply(self)

    def abs(self) -> "Tensor":
        """|x| elementwise; d/dx = sign(x), 0 at x = 0 as in PyTorch (a primitive; also abs(t))."""
        return ops.Abs.apply(self)

    def tanh(self) -> "Tensor":
        """tanh(x) elementwise; d/dx = 1 - tanh(x)**2 (a primitive)."""
        return ops.Tanh.apply(self)

    def sigmoid(self) -> "Tensor":
        """σ(x) = 1 / (1 + exp(-x)) elementwise, without overflow for large |x|; d/dx = σ(1 − σ)
        (a primitive)."""
        return ops.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        """max(x, 0) elementwise; d/dx = 1 where x > 0, else 0 (also at 0, as PyTorch) (a primitive)."""
        return ops.Relu.apply(self)

    def sin(self) -> "Tensor":
        """sin(x) elementwise (radians); d/dx = cos(x) (a primitive)."""
        return ops.Sin.apply(self)

    def cos(self) -> "Tensor":
        """cos(x) elementwise (radians); d/dx = -sin(x) (a primitive)."""
        return ops.Cos.apply(self)

    def clip(self, min=None, max=None) -> "Tensor":
        """Limit values to [min, max]; the gradient passes where min <= x <= max."""
        return ops.Clip.apply(self, low=min, high=max)

    def maximum(self, other) -> "Tensor":
        """Elementwise larger value; the gradient is split evenly at ties (as PyTorch)."""
        return ops.Maximum.apply(self, _checked_operand(other, "maximum"))

    def minimum(self, other) -> "Tensor":
        """minimum(a, b) = -maximum(-a, -b) (composite), in the result's float dtype. Integer and
        boolean results (no gradient) take numpy's minimum: -a overflows at the smallest integer."""
        other = as_tensor(_checked_operand(other, "minimum"), like=self)
        dtype = np.result_type(self.data, other.data)
        if dtype.kind != "f":
            return Tensor._make(np.asarray(np.minimum(self.data, other.data)))
        return -((-self.astype(dtype)).maximum(-other.astype(dtype)))

    def astype(self, dtype) -> "Tensor":
        """A copy converted to `dtype`; the gradient is converted back. Integer and boolean
        results carry no gradient (as in PyTorch)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f" or dtype == np.float16:  # Tensor() refuses float16 with a clear message
            return Tensor(self._data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    def float(self) -> "Tensor":
        """astype(np.float32), as PyTorch's t.float()."""
        return self.astype(np.float32)

    def double(self) -> "Tensor":
        """astype(np.float64), as PyTorch's t.double()."""
        return self.astype(np.float64)

    # ----- reductions -------------------------------------------------------------------
    @torch_spellings
    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    @torch_spellings
    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """mean = sum / n (composite)."""
        return self.sum(axis=axis, keepdims=keepdims) / _count(self.shape, axis)

    @torch_spellings(torch_form=max_with_indices)
    def max(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Largest value; the gradient is split evenly between tied maxima (as torch.amax)."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    @torch_spellings(torch_form=min_with_indices)
    def min(self, axis=None, keepdims: bool = False) -> "Tensor":
        """min(x) = -max(-x) (composite). Integer and boolean tensors (no gradient) take numpy's
        min: -x overflows at the smallest integer."""
        if self.dtype.kind != "f":
            if self.size == 0:
                raise ValueError(f"min: an empty tensor (shape {self.shape}) has no smallest value")
            return Tensor._make(np.asarray(np.min(self.data, axis=axis, keepdims=keepdims)))
        return -((-self).max(axis=axis, keepdims=keepdims))

    @torch_spellings
    def var(self, axis=None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """var = sum((x - mean)^2) / (n - ddof); ddof=0 (population variance) as in numpy, but called
        with PyTorch's keywords (dim=, keepdim=) correction=1 as in PyTorch. With ddof >= n that
        divides by 0: inf, or nan for constant values (as numpy and PyTorch). A primitive, for
        stability (see ops.Var)."""
        return ops.Var.apply(self, axis=axis, keepdims=keepdims, ddof=ddof)

    @torch_spellings
    def std(self, axis=None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """std = sqrt(var), ddof as in var (a primitive, for stability: see ops.Std; the gradient of
        constant data is 0, as in PyTorch)."""
        return ops.Std.apply(self, axis=axis, keepdims=keepdims, ddof=ddof)

    @torch_spellings
    def logsumexp(self, axis=None, keepdims: bool = False) -> "Tensor":
        """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m = max(x), so nothing overflows."""
        shift = self.max(axis=axis, keepdims=True).detach()
        shift.data[~np.isfinite(shift.data)] = 0  # a row of -inf stays -inf instead of nan
        out = (self - shift).exp().sum(axis=axis, keepdims=True).log() + shift
        return out if keepdims else out.squeeze(axis)

    @torch_spellings
    def softmax(self, axis: int = -1) -> "Tensor":
        """softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m), m = max(x) (stable)."""
        shifted = (self - self.max(axis=axis, keepdims=True).detach()).exp()
        return shifted / shifted.sum(axis=axis, keepdims=True)

    @torch_spellings
    def log_softmax(self, axis: int = -1) -> "Tensor":
        """log_softmax(x) = x - logsumexp(x) (stable)."""
        return self - self.logsumexp(axis=axis, keepdims=True)

    # ----- shapes -----------------------------------------------------------------------
    def reshape(self, *shape) -> "Tensor":
        """Numpy's reshape: t.reshape(2, 3) or t.reshape((2, 3)); one dimension may be -1."""
        shape = _shape_arg(shape)
        if shape == self.shape:
            return self
        return ops.Reshape.apply(self, shape=shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Merge dimensions start_dim..end_dim into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = self._axis(start_dim, "flatten"), self._axis(end_dim, "flatten")
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1 :])

    def _axis(self, axis: int, op: str) -> int:
        """A dimension index in range(ndim) (negative counts from the end), or a clear error."""
        if not -self.ndim <= axis < self.ndim:
            raise IndexError(f"{op}: axis {axis} is out of range for a tensor of shape {self.shape} "
                             f"(valid: {-self.ndim} .. {self.ndim - 1})")
        return axis % self.ndim

    def transpose(self, *axes) -> "Tensor":
        """Permute dimensions as numpy does: no axes reverses them, else a full permutation."""
        axes = _shape_arg(axes) if axes else tuple(reversed(range(self.ndim)))
        if len(axes) == 2 and self.ndim != 2:
            raise ValueError(
                f"transpose{axes}: numpy's transpose takes an order of all {self.ndim} axes of this tensor "
                f"(shape {self.shape}). To swap two axes as PyTorch's transpose(d0, d1) does, use "
                f"swapaxes{axes}."
            )
        return ops.Transpose.apply(self, axes=axes)

    def permute(self, *axes) -> "Tensor":
        """PyTorch's name for transpose(*axes): the dimensions in the order `axes` gives."""
        return self.transpose(*axes)

    @property
    def T(self) -> "Tensor":
        """All dimensions reversed (transpose() with no axes): the transpose of a matrix, as numpy's .T."""
        return self.transpose()

    @property
    def mT(self) -> "Tensor":
        """Swap the last two dimensions (the matrix transpose of a batch of matrices)."""
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, this tensor has shape {self.shape}; use .T for vectors")
        return self.swapaxes(-1, -2)

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
        """Exchange two dimensions (numpy.swapaxes; PyTorch's transpose(dim0, dim1))."""
        axis1, axis2 = self._axis(axis1, "swapaxes"), self._axis(axis2, "swapaxes")
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return self.transpose(axes)

    def broadcast_to(self, *shape) -> "Tensor":
        """Repeat along size-1 (or new leading) dimensions without copying."""
        shape = _shape_arg(shape)
        if shape == self.shape:
            return self
        return ops.BroadcastTo.apply(self, shape=shape)

    def expand(self, *shape) -> "Tensor":
        """PyTorch's name for broadcast_to; -1 keeps a dimension."""
        shape = _shape_arg(shape)
        lead = len(shape) - self.ndim
        shape = tuple(self.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape))
        return self.broadcast_to(shape)

    @torch_spellings(torch_form=squeeze_if_one)
    def squeeze(self, axis=None) -> "Tensor":
        """Remove size-1 dimensions (all of them, or those in `axis`)."""
        try:
            return self.reshape(np.squeeze(self._data, axis=axis).shape)
        except ValueError as error:
            raise ValueError(f"squeeze: {error} (tensor of shape {self.shape}, axis={axis}); PyTorch's "
                             "squeeze(dim=...) leaves such a dimension alone") from None

    @torch_spellings
    def expand_dims(self, axis) -> "Tensor":
        """Insert a size-1 dimension at `axis` (numpy's expand_dims)."""
        try:
            return self.reshape(np.expand_dims(self._data, axis).shape)
        except (ValueError, IndexError) as error:
            raise ValueError(f"expand_dims: {error} (tensor of shape {self.shape}, axis={axis})") from None

    @torch_spellings
    def unsqueeze(self, axis) -> "Tensor":
        return self.expand_dims(axis)

    def __getitem__(self, index) -> "Tensor":
        return ops.GetItem.apply(self, index=_index_array(index))

    def pad(self, pad_width, value=0.0) -> "Tensor":
        """Pad with a constant, numpy-style: pad_width = ((before, after), ...) or one int."""
        return ops.Pad.apply(self, pad_width=pad_width, value=value)

    def sliding_window(self, window_shape, axis=None, stride=1, dilation=1) -> "Tensor":
        """All windows of `window_shape` along `axis`, `stride` apart (numpy's
        sliding_window_view with a step): the window dimensions are appended at the end.
        For images (N, C, H, W): x.sliding_window((3, 3), axis=(2, 3)) -> (N, C, H-2, W-2, 3, 3).
        With `dilation` d a window's elements are d apart (it spans d*(w-1)+1 elements)."""
        return ops.SlidingWindows.apply(self, window_shape=window_shape, axis=axis, stride=stride, dilation=dilation)

    @torch_spellings(torch_form=split_by_sizes)
    def split(self, indices_or_sections, axis: int = 0) -> list:
        """numpy.split: equal sections (an int) or pieces cut at the given indices (composite of slices)."""
        length = self.shape[axis]
        if isinstance(indices_or_sections, numbers.Integral):
            sections = int(indices_or_sections)
            if sections <= 0 or length % sections:
                raise ValueError(
                    f"split: an axis of length {length} cannot be split into {sections} equal sections; "
                    "pass the indices to cut at instead."
                )
            cuts = list(range(length // sections, length, length // sections))
        else:
            cuts = list(indices_or_sections)
        bounds = [0] + cuts + [length]
        prefix = (slice(None),) * (axis % self.ndim)
        return [self[prefix + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:])]

    def matmul(self, other) -> "Tensor":
        """Matrix product with numpy's rules: batched over leading dimensions; a 1-D operand
        is treated as a row (left) or column (right) vector and that dimension removed."""
        a, b = self, as_tensor(other, like=self)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least one dimension, got shapes {a.shape} and "
                             f"{b.shape}; use * for scalars.")
        if a.ndim == 1 and b.ndim == 1:
            return (a.reshape(1, -1) @ b.reshape(-1, 1)).reshape(())
        if a.ndim == 1:
            return (a.reshape(1, -1) @ b).squeeze(-2)
        if b.ndim == 1:
            return (a @ b.reshape(-1, 1)).squeeze(-1)
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(
                f"matmul: shapes {a.shape} and {b.shape} do not fit: the last dimension of the first "
                f"({a.shape[-1]}) must equal the second-to-last of the second ({b.shape[-2]}). "
                "Transpose one of them (e.g. b.T) or check the layer sizes."
            )
        return ops.MatMul.apply(a, b)

    # ----- PyTorch spellings ------------------------------------------------------------
    # PyTorch's names for what the methods above do (their keywords dim=, keepdim=, unbiased=
    # come from @torch_spellings, autograd/spellings.py); README "Coming from PyTorch".
    def view(self, *shape) -> "Tensor":
        """PyTorch's view(2, 3) / view(-1): here the same as reshape, which may copy (the result
        does not share memory with t as a PyTorch view would)."""
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, numbers.Integral)):
            raise TypeError(
                f"view: expected a shape (ints or a tuple), got {shape[0]!r}. PyTorch's view(dtype) "
                "reinterprets the bytes; chalkgrad has no such view: use astype(dtype) to convert values."
            )
        return self.reshape(*shape)

    def clone(self) -> "Tensor":
        """A copy with its own memory, recorded in the graph: the gradient flows back unchanged."""
        return ops.Clone.apply(self)

    def numel(self) -> int:
        """The number of elements (numpy's t.size)."""
        return self._data.size

    def nelement(self) -> int:
        """The number of elements (numpy's t.size)."""
        return self._data.size

    @torch_spellings
    def amax(self, axis=None, keepdims: bool = False) -> "Tensor":
        """torch.amax: the largest values, the same as max(axis=...); ties share the gradient."""
        return self.max(axis=axis, keepdims=keepdims)

    @torch_spellings
    def amin(self, axis=None, keepdims: bool = False) -> "Tensor":
        """torch.amin: the smallest values, the same as min(axis=...); ties share the gradient."""
        return self.min(axis=axis, keepdims=keepdims)

    def allclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """|t - other| <= atol + rtol * |other| everywhere (broadcasting), as torch/numpy.allclose."""
        return bool(np.allclose(self._data, other._data if isinstance(other, Tensor) else other,
                                rtol=rtol, atol=atol, equal_nan=equal_nan))

    # ----- more operations (issue #17): elementwise, cumulative, indexing along an axis, shapes ---
    # elementwise functions
    def log1p(self) -> "Tensor":
        """log(1 + x), accurate for small x (a primitive)."""
        return ops.Log1p.apply(self)

    def expm1(self) -> "Tensor":
        """exp(x) - 1, accurate for small x (a primitive)."""
        return ops.Expm1.apply(self)

    def log2(self) -> "Tensor":
        """log₂(x) elementwise, exact at powers of 2; d/dx = 1 / (x ln 2) (a primitive)."""
        return ops.Log2.apply(self)

    def log10(self) -> "Tensor":
        """log₁₀(x) elementwise, exact at powers of 10; d/dx = 1 / (x ln 10) (a primitive)."""
        return ops.Log10.apply(self)

    def long(self) -> "Tensor":
        """astype(np.int64), as float() is astype(np.float32)."""
        return self.astype(np.int64)

    def zero_(self) -> "Tensor":
        """Set every element to 0 in place (t[...] = 0) and return t: `w.grad.zero_()`."""
        self[...] = 0
        return self


    def tan(self) -> "Tensor":
        """tan(x) = sin(x) / cos(x) (composite)."""
        return self.sin() / self.cos()

    def asin(self) -> "Tensor":
        """arcsin(x) elementwise (numpy's arcsin); d/dx = 1 / √(1 − x²) (a primitive)."""
        return ops.Asin.apply(self)

    def acos(self) -> "Tensor":
        """arccos(x) elementwise (numpy's arccos); d/dx = -1 / √(1 − x²) (a primitive)."""
        return ops.Acos.apply(self)

    def atan(self) -> "Tensor":
        """arctan(x) elementwise (numpy's arctan); d/dx = 1 / (1 + x²) (a primitive)."""
        return ops.Atan.apply(self)

    def sinh(self) -> "Tensor":
        """sinh(x) = (expm1(x) - expm1(-x)) / 2 (composite; expm1 keeps it accurate near 0, where
        (exp(x) - exp(-x)) / 2 cancels)."""
        return (self.expm1() - (-self).expm1()) / 2

    def cosh(self) -> "Tensor":
        """cosh(x) = (exp(x) + exp(-x)) / 2;  d/dx = sinh(x) (a primitive)."""
        return ops.Cosh.apply(self)

    def erf(self) -> "Tensor":
        """The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt (a primitive)."""
        return ops.Erf.apply(self)

    def reciprocal(self) -> "Tensor":
        """1 / x (composite)."""
        return 1 / self

    def square(self) -> "Tensor":
        """x * x (composite)."""
        return self * self

    def rsqrt(self) -> "Tensor":
        """1 / sqrt(x) (composite)."""
        return 1 / self.sqrt()

    def sign(self) -> "Tensor":
        """-1, 0 or 1; the gradient is 0 (as PyTorch)."""
        return ops.Sign.apply(self)

    def round(self, decimals: int = 0) -> "Tensor":
        """Round to `decimals` places, halves to even (as numpy and PyTorch); the gradient is 0."""
        return ops.Round.apply(self, decimals=decimals)

    def floor(self) -> "Tensor":
        """The largest integer <= x, elementwise; the gradient is 0."""
        return ops.Floor.apply(self)

    def ceil(self) -> "Tensor":
        """The smallest integer >= x, elementwise; the gradient is 0."""
        return ops.Ceil.apply(self)

    def trunc(self) -> "Tensor":
        """x with its fraction cut off (rounded towards 0), elementwise; the gradient is 0."""
        return ops.Trunc.apply(self)

    def lerp(self, end, weight) -> "Tensor":
        """Linear interpolation self + weight * (end - self), computed as PyTorch does: from `end`
        (end - (end - self) * (1 - weight)) where |weight| >= 0.5, so weight 1 gives `end` exactly."""
        end = as_tensor(_checked_operand(end, "lerp"), like=self)
        diff = end - self
        if isinstance(weight, numbers.Real):
            return self + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)
        weight = as_tensor(_checked_operand(weight, "lerp"), like=self)
        return ops.Where.apply(np.abs(weight.data) < 0.5, self + weight * diff, end - diff * (1 - weight))

    def isclose(self, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> "Tensor":
        """|self - other| <= atol + rtol * |other| elementwise (numpy.isclose; no gradient)."""
        other = _checked_operand(other, "isclose")
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._make(np.asarray(np.isclose(self.data, other, rtol=rtol, atol=atol, equal_nan=equal_nan)))

    # bitwise operations on integer and boolean tensors (no gradient)
    def _bitwise(self, ufunc, other, name: str, reverse: bool = False):
        other = _operand(other)
        if other is None:
            return NotImplemented
        a, b = self.data, other.data if isinstance(other, Tensor) else other
        if reverse:
            a, b = b, a
        for value in (a, b):
            if np.result_type(value).kind not in "iub":
                raise TypeError(
                    f"{name}: bitwise operations work on integer and boolean tensors, got {_describe_dtypes(a, b)}. "
                    "For a logical and/or of conditions compare first, e.g. (x > 0) & (x < 1)."
                )
        return Tensor._make(np.asarray(ufunc(a, b)))

    def __and__(self, other):
        return self._bitwise(np.bitwise_and, other, "& (bitwise_and)")

    def __rand__(self, other):
        return self._bitwise(np.bitwise_and, other, "& (bitwise_and)", reverse=True)

    def __or__(self, other):
        return self._bitwise(np.bitwise_or, other, "| (bitwise_or)")

    def __ror__(self, other):
        return self._bitwise(np.bitwise_or, other, "| (bitwise_or)", reverse=True)

    def __xor__(self, other):
        return self._bitwise(np.bitwise_xor, other, "^ (bitwise_xor)")

    def __rxor__(self, other):
        return self._bitwise(np.bitwise_xor, other, "^ (bitwise_xor)", reverse=True)

    def __lshift__(self, other):
        return self._bitwise(np.left_shift, other, "<< (left_shift)")

    def __rlshift__(self, other):
        return self._bitwise(np.left_shift, other, "<< (left_shift)", reverse=True)

    def __rshift__(self, other):
        return self._bitwise(np.right_shift, other, ">> (right_shift)")

    def __rrshift__(self, other):
        return self._bitwise(np.right_shift, other, ">> (right_shift)", reverse=True)

    def __invert__(self):
        """~t: bitwise not of integers, logical not of booleans (masks: ~(x > 0))."""
        if self.dtype.kind not in "iub":
            raise TypeError(f"~ (bitwise_not): works on integer and boolean tensors, got {self.dtype}. "
                            "For the negation of a number write -x.")
        return Tensor._make(np.asarray(np.invert(self.data)))

    def bitwise_and(self, other) -> "Tensor":
        """a & b elementwise on integer or boolean tensors (logical and of masks); no gradient."""
        return self._bitwise(np.bitwise_and, _checked_operand(other, "bitwise_and"), "bitwise_and")

    def bitwise_or(self, other) -> "Tensor":
        """a | b elementwise on integer or boolean tensors (logical or of masks); no gradient."""
        return self._bitwise(np.bitwise_or, _checked_operand(other, "bitwise_or"), "bitwise_or")

    def bitwise_xor(self, other) -> "Tensor":
        """a ^ b elementwise on integer or boolean tensors; no gradient."""
        return self._bitwise(np.bitwise_xor, _checked_operand(other, "bitwise_xor"), "bitwise_xor")

    def bitwise_not(self) -> "Tensor":
        """~a: bitwise not of integers, logical not of booleans; no gradient."""
        return ~self

    # cumulative operations (axis=None: over the flattened tensor, as numpy)
    def _along(self, axis, op: str):
        """(tensor, axis) for an operation along one axis: axis=None flattens (numpy); a 0-d
        tensor runs as a 1-element vector (the caller reshapes the result back)."""
        if axis is None:
            return self.reshape(-1), 0
        if self.ndim == 0:
            if axis not in (0, -1):
                raise IndexError(f"{op}: axis {axis} is out of range for a 0-d tensor (valid: 0, -1)")
            return self.reshape(1), 0
        return self, self._axis(axis, op)

    @torch_spellings
    def cumsum(self, axis=None) -> "Tensor":
        """Running sums along `axis` (numpy.cumsum; PyTorch's cumsum(dim)); the gradient is a
        running sum from the other end."""
        x, axis_ = self._along(axis, "cumsum")
        out = ops.Cumsum.apply(x, axis=axis_)
        return out.reshape(()) if self.ndim == 0 and axis is not None else out

    @torch_spellings
    def cumprod(self, axis=None) -> "Tensor":
        """Running products along `axis` (numpy.cumprod); exact gradients also where x has zeros."""
        x, axis_ = self._along(axis, "cumprod")
        out = ops.Cumprod.apply(x, axis=axis_)
        return out.reshape(()) if self.ndim == 0 and axis is not None else out

    @torch_spellings
    def cummax(self, axis: int) -> "ValuesIndices":
        """(values, indices) of the running maximum along `axis`, as torch.cummax (indices of the
        later place at ties; NaN propagates); the gradient goes to the place each value came from."""
        return self._running_extreme(axis, largest=True)

    @torch_spellings
    def cummin(self, axis: int) -> "ValuesIndices":
        """(values, indices) of the running minimum along `axis`, as torch.cummin."""
        return self._running_extreme(axis, largest=False)

    def _running_extreme(self, axis, largest: bool) -> "ValuesIndices":
        op = "cummax" if largest else "cummin"
        if axis is None:
            raise TypeError(f"{op}: give the axis to run along, e.g. x.{op}(axis=0)")
        x, axis_ = self._along(axis, op)
        indices = indexing.running_extreme_index(x.data, axis_, largest)
        values = x.gather(axis_, indices)
        if self.ndim == 0:
            return ValuesIndices(values.reshape(()), Tensor._make(indices.reshape(())))
        return ValuesIndices(values, Tensor._make(indices))

    @torch_spellings
    def prod(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Product over `axis` (the axes are moved last and flattened into one for the Prod
        primitive, whose gradient, the product of the other entries, is exact also with zeros)."""
        axes = tuple(range(self.ndim)) if axis is None else tuple(
            self._axis(a, "prod") for a in ((axis,) if isinstance(axis, numbers.Integral) else axis))
        kept = tuple(d for d in range(self.ndim) if d not in axes)
        order = kept + tuple(sorted(axes))
        x = self if order == tuple(range(self.ndim)) else self.transpose(order)
        x = x.reshape(tuple(self.shape[d] for d in kept) + (_count(self.shape, axes),))
        if x.shape[-1] == 0:  # the empty product is 1
            x = x.pad(((0, 0),) * (x.ndim - 1) + ((1, 0),), value=1)
        out = ops.Prod.apply(x, axis=-1)
        if keepdims:
            out = out.reshape(tuple(1 if d in axes else n for d, n in enumerate(self.shape)))
        return out

    # indexing along an axis (PyTorch's names; axis first, as PyTorch's dim)
    @torch_spellings
    def gather(self, axis: int, index) -> "Tensor":
        """`out[i][j][k] = self[index[i][j][k]][j][k]` for axis=0 (and so on; torch.gather,
        numpy.take_along_axis): composite indexing, whose gradient adds d(out) back to the
        gathered places (repeated places add up)."""
        axis = self._axis(axis, "gather")
        index = indexing.checked_index(function.plain(index), self.shape, axis, "gather")
        return self[indexing.along_axis(index, axis)]

    @torch_spellings
    def scatter(self, axis: int, index, src) -> "Tensor":
        """A copy of self with `out[index[i][j][k]][j][k] = src[i][j][k]` for axis=0 (and so on;
        torch.scatter); `src` is a tensor or a number. Where the index repeats a place, the last
        value (in C order) is written, as numpy's assignment does (PyTorch leaves it undefined).
        The gradient of self is d(out) where nothing was written, that of src d(out) at the places
        it was written to."""
        index, src, where = self._scatter_parts(axis, index, src, "scatter")
        targets = indexing.flat_targets(where, self.shape)
        writers = indexing.last_writers(targets)
        written = ops.ScatterAdd.apply(src.reshape(-1)[writers], index=targets[writers], shape=(self.size,))
        return ops.Where.apply(_hit(where, self.shape), written.reshape(self.shape), self)

    @torch_spellings
    def scatter_add(self, axis: int, index, src) -> "Tensor":
        """self with src added at `out[index[i][j][k]][j][k]` for axis=0 (torch.scatter_add; repeated
        places add up)."""
        index, src, where = self._scatter_parts(axis, index, src, "scatter_add")
        return self + ops.ScatterAdd.apply(src, index=where, shape=self.shape)

    @torch_spellings
    def scatter_reduce(self, axis: int, index, src, reduce: str, include_self: bool = True) -> "Tensor":
        """torch.scatter_reduce: every place that receives values (`src[i][j][k]` goes to
        `[index[i][j][k]][j][k]` for axis=0) becomes the reduction of those values, with its own value
        when include_self; reduce is 'sum', 'prod', 'mean', 'amax' or 'amin' (integer 'mean' rounds
        down, as PyTorch). Composites: 'sum'/'mean' add with ScatterAdd; 'prod'/'amax'/'amin' lay
        each place's values out in a row of a table (index arithmetic) and reduce the rows, so ties
        share the gradient (as PyTorch) and products with zeros get exact gradients. The table has
        as many columns as the place that receives the most values."""
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise ValueError(f"scatter_reduce: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got {reduce!r}")
        index, src, where = self._scatter_parts(axis, index, src, "scatter_reduce")
        hit = _hit(where, self.shape)
        if reduce in ("sum", "mean"):
            total = ops.ScatterAdd.apply(src, index=where, shape=self.shape)
            total = total + (self if include_self else ops.Where.apply(hit, np.zeros((), self.dtype), self))
            if reduce == "sum":
                return total
            counts = np.zeros(self.shape, dtype=np.int64)
            np.add.at(counts, where, 1)
            counts = np.maximum(counts + include_self, 1)  # a place nothing was added to keeps its value
            if self.dtype.kind != "f":
                return Tensor._make(np.floor_divide(total.data, counts).astype(self.dtype))
            return total / counts.astype(self.dtype)
        if index.size == 0:
            return self.clone()
        places, table = indexing.group_table(indexing.flat_targets(where, self.shape), include_self)
        padding = np.full(1, _reduce_identity(reduce, self.dtype), dtype=self.dtype)
        pieces = ([self.reshape(-1)[places]] if include_self else []) + [src.reshape(-1), padding]
        rows = ops.Concatenate.apply(*pieces, axis=0)[table]
        reduced = {"prod": rows.prod, "amax": rows.max, "amin": rows.min}[reduce](axis=1)
        placed = ops.ScatterAdd.apply(reduced, index=places, shape=(self.size,)).reshape(self.shape)
        return ops.Where.apply(hit, placed, self)

    def _scatter_parts(self, axis, index, src, op: str):
        """(index, src as a Tensor of self's dtype cut to the index's shape, the advanced index of
        the places written to) for the scatter operations."""
        axis = self._axis(axis, op)
        index = indexing.checked_index(function.plain(index), self.shape, axis, op)
        if isinstance(src, numbers.Number):
            src = Tensor._make(np.full(index.shape, src, dtype=self.dtype))
        src = as_tensor(_checked_operand(src, op), like=self)
        if src.ndim != index.ndim or any(n > m for n, m in zip(index.shape, src.shape)):
            raise ValueError(f"{op}: src (shape {src.shape}) must have the index's rank and be at least as long "
                             f"as the index (shape {index.shape}) along every axis")
        if src.shape != index.shape:
            src = src[tuple(slice(0, n) for n in index.shape)]
        return index, src.astype(self.dtype), indexing.along_axis(index, axis)

    def masked_select(self, mask) -> "Tensor":
        """The elements where the boolean mask (broadcast with self) is True, as a 1-D tensor
        (torch.masked_select; self[mask] when the shapes agree)."""
        mask = _boolean_mask(mask, "masked_select")
        try:
            shape = np.broadcast_shapes(self.shape, mask.shape)
        except ValueError:
            raise ValueError(f"masked_select: the mask (shape {mask.shape}) does not broadcast with the tensor "
                             f"(shape {self.shape})") from None
        return self.broadcast_to(shape)[np.broadcast_to(mask, shape)]

    def masked_fill(self, mask, value) -> "Tensor":
        """A copy with `value` where the boolean mask (broadcastable to self) is True
        (torch.masked_fill). The value takes self's dtype, as PyTorch; a 0-d Tensor value that
        requires grad gets the gradient of the filled places."""
        mask = _boolean_mask(mask, "masked_fill")
        if np.broadcast_shapes(self.shape, mask.shape) != self.shape:
            raise ValueError(f"masked_fill: the mask (shape {mask.shape}) must broadcast to the tensor's shape {self.shape}")
        if isinstance(value, Tensor):
            if value.ndim:
                raise ValueError(f"masked_fill: the value must be a number or a 0-d tensor, got shape {value.shape}")
            value = value.astype(self.dtype)
        else:
            value = np.asarray(value, dtype=self.dtype)
        return ops.Where.apply(mask, value, self)

    def nonzero(self, as_tuple: bool = True):
        """numpy.nonzero: a tuple of int64 index tensors, one per dimension, so x[x.nonzero()]
        picks the nonzero elements. as_tuple=False gives PyTorch's default instead, one row per
        element (the same as argwhere)."""
        if not as_tuple:
            return self.argwhere()
        if self.ndim == 0:
            raise ValueError("nonzero: a 0-d tensor has no dimensions to index; use x.reshape(1).nonzero()")
        return tuple(Tensor._make(i.astype(np.int64, copy=False)) for i in np.nonzero(self.data))

    def argwhere(self) -> "Tensor":
        """The indices of the nonzero elements, one row each: shape (count, ndim) (numpy.argwhere,
        torch.nonzero)."""
        return Tensor._make(np.argwhere(self.data).astype(np.int64, copy=False))

    # shapes: repetition, reversal, triangles and diagonals
    def repeat(self, repeats, *more, axis=None) -> "Tensor":
        """numpy.repeat: every element `repeats` times along `axis` (the flattened tensor when
        axis=None); repeats may be one count per element. PyTorch's x.repeat(2, 3) tiles the whole
        tensor: that is x.tile((2, 3)) here, and PyTorch's repeat_interleave is this repeat. `axis`
        is keyword-only, so a PyTorch-style x.repeat(2, 3) is an error, not a silent difference."""
        if more:
            raise TypeError(
                f"repeat{(repeats, *more)}: repeat follows numpy here and repeats each element; give the axis as a "
                f"keyword (x.repeat({repeats}, axis={more[0]})). To tile the whole tensor as PyTorch's x.repeat does, "
                f"write x.tile({(repeats, *more)})."
            )
        x, axis = (self.reshape(-1), 0) if axis is None else (self, self._axis(axis, "repeat"))
        n = x.shape[axis]
        if np.ndim(repeats) == 0:
            count = int(repeats)
            if count < 0:
                raise ValueError(f"repeat: repeats must be >= 0, got {repeats}")
            shape = x.shape[:axis + 1] + (count,) + x.shape[axis + 1:]
            if count == 1:
                return x.clone()
            merged = x.shape[:axis] + (n * count,) + x.shape[axis + 1:]
            return x.expand_dims(axis + 1).broadcast_to(shape).reshape(merged)
        counts = np.asarray(function.plain(repeats))
        if counts.shape not in ((n,), (1,)) or counts.dtype.kind not in "iu" or (counts < 0).any():
            raise ValueError(f"repeat: repeats must be one count >= 0 or one per element along the axis ({n}), "
                             f"got {counts.tolist()}")
        return x[(slice(None),) * axis + (np.repeat(np.arange(n), counts),)]

    @torch_spellings
    def repeat_interleave(self, repeats, axis=None) -> "Tensor":
        """PyTorch's name for numpy's repeat (every element repeated; see repeat)."""
        return self.repeat(repeats, axis=axis)

    def tile(self, reps) -> "Tensor":
        """numpy.tile (PyTorch's x.repeat(*reps)): the whole tensor repeated reps[i] times along
        axis i (reps shorter than ndim count from the last axis; longer add leading axes).
        Composite: broadcast along new axes, then merge them, so the gradient sums the copies."""
        reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
        if any(r < 0 for r in reps):
            raise ValueError(f"tile: reps must be >= 0, got {reps}")
        ndim = max(len(reps), self.ndim)
        reps = (1,) * (ndim - len(reps)) + reps
        x = self.reshape((1,) * (ndim - self.ndim) + self.shape)
        if all(r == 1 for r in reps):
            return x.clone()
        spread = tuple(n for pair in zip(reps, x.shape) for n in pair)
        return (x.reshape(tuple(n for size in x.shape for n in (1, size))).broadcast_to(spread)
                .reshape(tuple(r * size for r, size in zip(reps, x.shape))))

    @torch_spellings
    def flip(self, axis=None) -> "Tensor":
        """Reverse the order along `axis` (all axes when None, as numpy.flip)."""
        axes = range(self.ndim) if axis is None else [
            self._axis(a, "flip") for a in ((axis,) if isinstance(axis, numbers.Integral) else axis)]
        return self[tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(self.ndim))]

    @torch_spellings
    def roll(self, shift, axis=None) -> "Tensor":
        """numpy.roll: elements shifted by `shift` places along `axis`, those falling off the end
        coming back at the start (axis=None: the flattened tensor). Composite: two slices joined."""
        if axis is None:
            return self.reshape(-1).roll(shift, 0).reshape(self.shape)
        shifts, axes = np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))
        out = self
        for s, a in zip(shifts.tolist(), axes.tolist()):
            a = self._axis(a, "roll")
            n = self.shape[a]
            s = s % n if n else 0
            if s:
                prefix = (slice(None),) * a
                out = ops.Concatenate.apply(out[prefix + (slice(n - s, None),)], out[prefix + (slice(0, n - s),)], axis=a)
        return out.clone() if out is self else out

    def tril(self, k: int = 0) -> "Tensor":
        """The lower triangle of the last two dimensions (below and on diagonal k), zeros above
        (numpy.tril; PyTorch calls k `diagonal`)."""
        return self._triangle(k, lower=True)

    def triu(self, k: int = 0) -> "Tensor":
        """The upper triangle of the last two dimensions (above and on diagonal k), zeros below."""
        return self._triangle(k, lower=False)

    def _triangle(self, k, lower: bool) -> "Tensor":
        if self.ndim < 2:
            raise ValueError(f"{'tril' if lower else 'triu'}: needs a matrix (or a batch of them), got shape {self.shape}")
        rows, cols = self.shape[-2:]
        keep = np.tri(rows, cols, k, dtype=bool) if lower else ~np.tri(rows, cols, k - 1, dtype=bool)
        return ops.Where.apply(keep, self, np.zeros((), dtype=self.dtype))

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> "Tensor":
        """numpy.diagonal: the elements [i, i + offset] of the (axis1, axis2) matrices, as the last
        dimension (composite indexing)."""
        a1, a2 = self._axis(axis1, "diagonal"), self._axis(axis2, "diagonal")
        if a1 == a2:
            raise ValueError(f"diagonal: axis1 and axis2 must differ, got {axis1} and {axis2}")
        rest = [d for d in range(self.ndim) if d not in (a1, a2)]
        x = self.transpose(rest + [a1, a2])
        n1, n2 = x.shape[-2:]
        length = max(0, min(n1 - max(-offset, 0), n2 - max(offset, 0)))
        steps = np.arange(length)
        return x[..., steps + max(-offset, 0), steps + max(offset, 0)]

    def diag(self, k: int = 0) -> "Tensor":
        """numpy.diag: a vector becomes the square matrix with it on diagonal k, a matrix gives its
        diagonal k."""
        if self.ndim == 2:
            return self.diagonal(k)
        if self.ndim != 1:
            raise ValueError(f"diag: needs a vector (to build a matrix) or a matrix (to read its diagonal), "
                             f"got shape {self.shape}; for batches use diagonal()")
        n = self.shape[0] + abs(k)
        steps = np.arange(self.shape[0])
        return ops.ScatterAdd.apply(self, index=(steps + max(-k, 0), steps + max(k, 0)), shape=(n, n))

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> "Tensor":
        """Sum of the diagonal (numpy.trace): diagonal(offset, axis1, axis2).sum(axis=-1)."""
        return self.diagonal(offset, axis1, axis2).sum(axis=-1)

    def outer(self, other) -> "Tensor":
        """out[i, j] = self[i] * other[j] (numpy.outer: both are flattened first)."""
        return self.reshape(-1, 1) * as_tensor(_checked_operand(other, "outer"), like=self).reshape(1, -1)

    @torch_spellings
    def cross(self, other, axis: int = -1) -> "Tensor":
        """The cross product of 3-vectors along `axis` (numpy.cross; torch.linalg.cross), the other
        dimensions broadcast: (a1 b2 - a2 b1, a2 b0 - a0 b2, a0 b1 - a1 b0) (composite)."""
        def vectors_last(t: Tensor) -> Tensor:
            a = t._axis(axis, "cross")
            if t.shape[a] != 3:
                raise ValueError(f"cross: both tensors need 3 components along axis {axis}, got shapes {self.shape} "
                                 f"and {other.shape}")
            return t.transpose([d for d in range(t.ndim) if d != a] + [a])

        other = as_tensor(_checked_operand(other, "cross"), like=self)
        a, b = vectors_last(self), vectors_last(other)
        shape = np.broadcast_shapes(a.shape, b.shape)
        a, b = a.broadcast_to(shape), b.broadcast_to(shape)
        x, y = [a[..., i] for i in range(3)], [b[..., i] for i in range(3)]
        parts = (x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0])
        out = ops.Concatenate.apply(*[p.expand_dims(-1) for p in parts], axis=-1)
        place = axis % out.ndim
        return out if place == out.ndim - 1 else out.transpose(list(range(place)) + [out.ndim - 1] + list(range(place, out.ndim - 1)))

_PLAIN_OPERANDS = frozenset((Tensor, np.ndarray, int, float))  # taken as they are by operators


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _shape_arg(shape) -> tuple:
    """Accept both f(2, 3) and f((2, 3))."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _count(shape, axis) -> int:
    """How many elements a reduction over `axis` combines."""
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def _index_array(index):
    """Tensors inside an index become their arrays (integer or boolean)."""
    if isinstance(index, Tensor):
        return index._array()
    if isinstance(index, tuple):
        return tuple(i._array() if isinstance(i, Tensor) else i for i in index)
    return index


def as_tensor(x, dtype=None, like: Tensor | None = None) -> Tensor:
    """x itself if it is a Tensor (of that dtype), else a constant Tensor holding it. Next to a
    Tensor `like`, a Python number takes the dtype numpy would give it there (2.0 next to a
    float32 tensor is float32, as in `2.0 * t`)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else x.astype(dtype)
    if dtype is None and isinstance(like, Tensor) and isinstance(_operand(x), (int, float)):
        dtype = np.result_type(like._data, _operand(x))
    return Tensor(x, dtype=dtype)


def _refuse_sequence(op, other, tensor: Tensor) -> None:
    """`t * [1, 2]`: a clear error instead of Python's list arithmetic (which says "can't multiply
    sequence by non-int")."""
    if isinstance(other, (list, tuple)):
        raise TypeError(
            f"{op.call_name}: a Tensor (shape {tensor.shape}, dtype {tensor.dtype}) and a {type(other).__name__} "
            f"cannot be combined; make the {type(other).__name__} a Tensor (or numpy array) first: Tensor(values)."
        )


def _checked_operand(x, op: str):
    """x as an operand of `op`, or a TypeError naming what is accepted."""
    operand = _operand(x)
    if operand is None and isinstance(x, (list, tuple)):
        operand = np.asarray(x)
    if operand is None:
        raise TypeError(f"{op}: expected a Tensor, a numpy array, a list or a number, got {type(x).__name__}")
    return operand


class ValuesIndices(NamedTuple):
    """What cummax/cummin return, as PyTorch: the values and the int64 indices they came from."""

    values: Tensor
    indices: Tensor


def _boolean_mask(mask, op: str) -> np.ndarray:
    mask = np.asarray(function.plain(mask))
    if mask.dtype != bool:
        raise TypeError(f"{op}: the mask must be boolean (e.g. x > 0), got dtype {mask.dtype}")
    return mask


def _hit(where: tuple, shape: tuple) -> np.ndarray:
    """True at every place an advanced index picks."""
    hit = np.zeros(shape, dtype=bool)
    hit[where] = True
    return hit


def _reduce_identity(reduce: str, dtype: np.dtype):
    """The value that leaves a product, maximum or minimum unchanged (pads scatter_reduce's rows)."""
    if reduce == "prod":
        return 1
    largest = reduce == "amin"
    if dtype.kind == "f":
        return np.inf if largest else -np.inf
    if dtype.kind == "b":
        return largest
    info = np.iinfo(dtype)
    return info.max if largest else info.min


def _describe_dtypes(*values) -> str:
    return " and ".join(str(np.result_type(v)) for v in values)


# The primitives, the engine and the in-place clock refer back to Tensor, so they are
# imported once Tensor exists.
from autograd import engine, function, indexing, numpy_protocol, ops  # noqa: E402
