"""Tensor: an n-dimensional array that remembers the operation that made it.

`data` is a numpy array; `grad` is a Tensor once backward has reached it; `grad_fn`
is the node (a Context) recorded by the operation that produced it, None for leaves.
Methods call the primitives in `autograd.ops` explicitly; composites (mean, var,
softmax, ...) are written here with those primitives, so their gradients come free.
"""
from __future__ import annotations

import numbers

import numpy as np

from autograd.grad_mode import state

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
    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "__dict__", "__weakref__")
    name = None
    _version = 0  # the tick of the last in-place change (see autograd.function.mark_modified)
    _base = None  # for tensors sharing memory through detach(): the memory's version
    _hooks = None
    _retains_grad = False
    __hash__ = object.__hash__  # == is elementwise, so hash by identity (usable as dict keys)

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        from_python = not isinstance(data, (np.ndarray, np.generic))
        try:
            array = np.array(data, dtype=dtype, copy=True)
        except (TypeError, ValueError) as error:
            raise TypeError(f"Tensor: cannot make an array from {type(data).__name__}: {error}") from None
        if requires_grad and from_python and dtype is None and array.dtype.kind in "iub":
            array = array.astype(np.float64)  # Tensor([1, 2], requires_grad=True) means floats
        _check_dtype(array, requires_grad)
        self.data, self.grad, self._requires_grad, self._ctx = array, None, bool(requires_grad), None
        if name is not None:
            self.name = name

    @staticmethod
    def _make(data: np.ndarray, ctx=None) -> "Tensor":
        """The fast constructor used by operations: no copy, no checks."""
        t = _new_object(Tensor)
        t.data, t.grad, t._requires_grad, t._ctx = data, None, ctx is not None, ctx
        return t

    # ----- attributes -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
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
        _check_dtype(self.data, requires_grad)
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        """The node that produced this tensor (None for leaves)."""
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def item(self):
        """The Python number held by a one-element tensor."""
        if self.data.size != 1:
            raise ValueError(f"item(): only a tensor with one element has an item; this one has shape {self.shape}.")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

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
        if self.data.size != 1:
            raise ValueError(
                f"The truth value of a tensor of shape {self.shape} is ambiguous; use (t > 0).all() "
                "or .any() for arrays."
            )
        return bool(self.data)

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
            body = repr(self.data.item())
        else:
            body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=100, edgeitems=3)
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
        if self._base is None:  # one graph-free stand-in carries the version of the shared memory
            self._base = Tensor._make(self.data)
        t = Tensor._make(self.data)
        t._base = self._base
        return t

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets .grad to None)."""
        self.grad = None

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad(): this tensor does not require grad, so it will never have one.")
        self._retains_grad = True

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces it.

        Returns a handle whose .remove() unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("register_hook(): this tensor does not require grad, so no gradient will reach it.")
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _HookHandle(self._hooks, hook)

    # ----- arithmetic -------------------------------------------------------------------
    def _binary(self, op, other, reverse=False):
        if type(other) not in _PLAIN_OPERANDS:
            other = _operand(other)
            if other is None:
                return NotImplemented
        return op.apply(other, self) if reverse else op.apply(self, other)

    def __add__(self, other):
        return self._binary(ops.Add, other)

    def __radd__(self, other):
        return self._binary(ops.Add, other, reverse=True)

    def __sub__(self, other):
        return self._binary(ops.Sub, other)

    def __rsub__(self, other):
        return self._binary(ops.Sub, other, reverse=True)

    def __mul__(self, other):
        return self._binary(ops.Mul, other)

    def __rmul__(self, other):
        return self._binary(ops.Mul, other, reverse=True)

    def __truediv__(self, other):
        return self._binary(ops.Div, other)

    def __rtruediv__(self, other):
        return self._binary(ops.Div, other, reverse=True)

    def __pow__(self, exponent):
        return self._binary(ops.Pow, exponent)

    def __rpow__(self, base):
        base = _operand(base)
        if base is None:
            return NotImplemented
        if not isinstance(base, Tensor):  # d(b**x)/dx needs log(b), so b becomes a constant Tensor
            base = Tensor._make(np.asarray(base, dtype=np.result_type(base, self.data)))
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
        """`t += x`: changes t's data in place when nothing is being recorded (the version
        is bumped, so a backward that saved t will refuse to run); when the result must be
        recorded, `t` is rebound to a new tensor `t + x` (out of place, gradients stay right);
        on a leaf that requires grad it is an error, as in PyTorch."""
        other = _operand(other)
        if other is None:
            return NotImplemented
        other_needs_grad = isinstance(other, Tensor) and other._requires_grad
        recording = state.grad_enabled and (self._requires_grad or other_needs_grad)
        if recording and self._ctx is None and self._requires_grad:
            raise RuntimeError(
                f"{op.call_name} in place: cannot change a leaf tensor that requires grad "
                f"(shape {self.shape}). Do it under `with no_grad():` (as optimisers do), or "
                "write `x = x + ...` to make a new tensor."
            )
        if recording:
            return op.apply(self, other)
        value = other.data if isinstance(other, Tensor) else other
        try:
            ufunc(self.data, value, out=self.data)
        except (TypeError, ValueError) as error:  # numpy's own subclasses take other arguments
            kind = TypeError if isinstance(error, TypeError) else ValueError
            raise kind(
                f"{op.call_name} in place: cannot write the result into this tensor "
                f"(shape {self.shape}, dtype {self.dtype}) from {function.describe(value)}: {error}. "
                "The result must keep this tensor's shape and dtype; use `x = x + y` instead."
            ) from None
        function.mark_modified(self)
        return self

    def __setitem__(self, index, value):
        """`t[index] = value` changes t in place; allowed only when t is not part of a recorded graph."""
        if state.grad_enabled and self._requires_grad:
            raise RuntimeError(
                f"setitem: cannot assign into a tensor that requires grad (shape {self.shape}) while "
                "gradients are recorded. Build a new tensor (autograd.where, concatenate) or do it "
                "under `with no_grad():`."
            )
        value = value.data if isinstance(value, Tensor) else value
        self.data[_index_array(index)] = value
        function.mark_modified(self)

    # ----- comparisons (results carry no gradient) ----------------------------------------
    def _compare(self, ufunc, other):
        other = _operand(other)
        if other is None:
            return NotImplemented
        return Tensor._make(np.asarray(ufunc(self.data, other.data if isinstance(other, Tensor) else other)))

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

    def all(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.all(self.data, axis=axis, keepdims=keepdims)))

    def any(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.any(self.data, axis=axis, keepdims=keepdims)))

    def argmax(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.argmax(self.data, axis=axis, keepdims=keepdims)))

    def argmin(self, axis=None, keepdims=False) -> "Tensor":
        return Tensor._make(np.asarray(np.argmin(self.data, axis=axis, keepdims=keepdims)))

    # ----- elementwise functions ------------------------------------------------------------
    def exp(self) -> "Tensor":
        return ops.Exp.apply(self)

    def log(self) -> "Tensor":
        return ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return ops.Sqrt.apply(self)

    def abs(self) -> "Tensor":
        return ops.Abs.apply(self)

    def tanh(self) -> "Tensor":
        return ops.Tanh.apply(self)

    def sigmoid(self) -> "Tensor":
        return ops.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return ops.Relu.apply(self)

    def sin(self) -> "Tensor":
        return ops.Sin.apply(self)

    def cos(self) -> "Tensor":
        return ops.Cos.apply(self)

    def clip(self, min=None, max=None) -> "Tensor":
        """Limit values to [min, max]; the gradient passes where min <= x <= max."""
        return ops.Clip.apply(self, low=min, high=max)

    def maximum(self, other) -> "Tensor":
        """Elementwise larger value; the gradient is split evenly at ties (as PyTorch)."""
        return ops.Maximum.apply(self, _checked_operand(other, "maximum"))

    def minimum(self, other) -> "Tensor":
        """minimum(a, b) = -maximum(-a, -b) (composite)."""
        return -((-self).maximum(-as_tensor(other, like=self)))

    def astype(self, dtype) -> "Tensor":
        """A copy converted to `dtype`; the gradient is converted back. Integer and boolean
        results carry no gradient (as in PyTorch)."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if dtype.kind != "f" or dtype == np.float16:  # Tensor() refuses float16 with a clear message
            return Tensor(self.data.astype(dtype))
        return ops.Cast.apply(self, dtype=dtype)

    def float(self) -> "Tensor":
        return self.astype(np.float32)

    def double(self) -> "Tensor":
        return self.astype(np.float64)

    # ----- reductions -------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """mean = sum / n (composite)."""
        return self.sum(axis=axis, keepdims=keepdims) / _count(self.shape, axis)

    def max(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Largest value; the gradient is split evenly between tied maxima (as torch.amax)."""
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False) -> "Tensor":
        """min(x) = -max(-x) (composite)."""
        return -((-self).max(axis=axis, keepdims=keepdims))

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """var = sum((x - mean)^2) / (n - ddof); ddof=0 (population variance) as in numpy (a primitive,
        for stability: see ops.Var)."""
        return ops.Var.apply(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def std(self, axis=None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """std = sqrt(var), ddof as in var (a primitive, for stability: see ops.Std; the gradient of
        constant data is 0, as in PyTorch)."""
        return ops.Std.apply(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def logsumexp(self, axis=None, keepdims: bool = False) -> "Tensor":
        """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m = max(x), so nothing overflows."""
        shift = self.max(axis=axis, keepdims=True).detach()
        shift.data[~np.isfinite(shift.data)] = 0  # a row of -inf stays -inf instead of nan
        out = (self - shift).exp().sum(axis=axis, keepdims=True).log() + shift
        return out if keepdims else out.squeeze(axis)

    def softmax(self, axis: int = -1) -> "Tensor":
        """softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m), m = max(x) (stable)."""
        shifted = (self - self.max(axis=axis, keepdims=True).detach()).exp()
        return shifted / shifted.sum(axis=axis, keepdims=True)

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
        return ops.Transpose.apply(self, axes=axes)

    def permute(self, *axes) -> "Tensor":
        return self.transpose(*axes)

    @property
    def T(self) -> "Tensor":
        return self.transpose()

    @property
    def mT(self) -> "Tensor":
        """Swap the last two dimensions (the matrix transpose of a batch of matrices)."""
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, this tensor has shape {self.shape}; use .T for vectors")
        return self.swapaxes(-1, -2)

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
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

    def squeeze(self, axis=None) -> "Tensor":
        """Remove size-1 dimensions (all of them, or those in `axis`)."""
        try:
            return self.reshape(np.squeeze(self.data, axis=axis).shape)
        except ValueError as error:
            raise ValueError(f"squeeze: {error} (tensor of shape {self.shape}, axis={axis})") from None

    def expand_dims(self, axis) -> "Tensor":
        """Insert a size-1 dimension at `axis` (numpy's expand_dims)."""
        try:
            return self.reshape(np.expand_dims(self.data, axis).shape)
        except (ValueError, IndexError) as error:
            raise ValueError(f"expand_dims: {error} (tensor of shape {self.shape}, axis={axis})") from None

    def unsqueeze(self, axis) -> "Tensor":
        return self.expand_dims(axis)

    def __getitem__(self, index) -> "Tensor":
        return ops.GetItem.apply(self, index=_index_array(index))

    def pad(self, pad_width, value=0.0) -> "Tensor":
        """Pad with a constant, numpy-style: pad_width = ((before, after), ...) or one int."""
        return ops.Pad.apply(self, pad_width=pad_width, value=value)

    def sliding_window(self, window_shape, axis=None, stride=1) -> "Tensor":
        """All windows of `window_shape` along `axis`, `stride` apart (numpy's
        sliding_window_view with a step): the window dimensions are appended at the end.
        For images (N, C, H, W): x.sliding_window((3, 3), axis=(2, 3)) -> (N, C, H-2, W-2, 3, 3)."""
        return ops.SlidingWindows.apply(self, window_shape=window_shape, axis=axis, stride=stride)

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
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def as_tensor(x, dtype=None, like: Tensor | None = None) -> Tensor:
    """x itself if it is a Tensor (of that dtype), else a constant Tensor holding it. Next to a
    Tensor `like`, a Python number takes the dtype numpy would give it there (2.0 next to a
    float32 tensor is float32, as in `2.0 * t`)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else x.astype(dtype)
    if dtype is None and isinstance(like, Tensor) and isinstance(_operand(x), (int, float)):
        dtype = np.result_type(like.data, _operand(x))
    return Tensor(x, dtype=dtype)


def _checked_operand(x, op: str):
    """x as an operand of `op`, or a TypeError naming what is accepted."""
    operand = _operand(x)
    if operand is None and isinstance(x, (list, tuple)):
        operand = np.asarray(x)
    if operand is None:
        raise TypeError(f"{op}: expected a Tensor, a numpy array, a list or a number, got {type(x).__name__}")
    return operand


# The primitives, the engine and the in-place clock refer back to Tensor, so they are
# imported once Tensor exists.
from autograd import engine, function, numpy_protocol, ops  # noqa: E402
