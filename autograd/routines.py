"""numpy-style routines: the functions without a receiver (`where`, `concatenate`, `stack`, the
constructors `zeros`, `ones`, ...) and the free-function spelling of Tensor methods
(`autograd.exp(x)` is `x.exp()`, `autograd.matmul(a, b)` is `a.matmul(b)`); a method is always
the definition, the function here forwards to it. Each accepts Tensors, arrays or numbers."""
from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.tensor import Tensor, _checked_operand, _shape_arg, as_tensor

__all__ = [
    "abs", "arange", "clip", "concatenate", "cos", "exp", "full", "log", "log_softmax", "logsumexp", "matmul",
    "maximum", "mean", "minimum", "ones", "ones_like", "pad", "relu", "sigmoid", "sin", "sliding_window",
    "softmax", "split", "sqrt", "stack", "sum", "tanh", "where", "zeros", "zeros_like",
]


def exp(x) -> Tensor:
    """e**x, elementwise (Tensor.exp)."""
    return as_tensor(x).exp()


def log(x) -> Tensor:
    """The natural logarithm, elementwise (Tensor.log)."""
    return as_tensor(x).log()


def sqrt(x) -> Tensor:
    """The square root, elementwise (Tensor.sqrt)."""
    return as_tensor(x).sqrt()


def abs(x) -> Tensor:  # noqa: A001 - numpy's name
    """|x|, elementwise (Tensor.abs)."""
    return as_tensor(x).abs()


def sin(x) -> Tensor:
    """sin x, elementwise (Tensor.sin)."""
    return as_tensor(x).sin()


def cos(x) -> Tensor:
    """cos x, elementwise (Tensor.cos)."""
    return as_tensor(x).cos()


def tanh(x) -> Tensor:
    """tanh x, elementwise (Tensor.tanh)."""
    return as_tensor(x).tanh()


def sigmoid(x) -> Tensor:
    """1 / (1 + e**-x), elementwise (Tensor.sigmoid)."""
    return as_tensor(x).sigmoid()


def relu(x) -> Tensor:
    """max(x, 0), elementwise (Tensor.relu)."""
    return as_tensor(x).relu()


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's names
    """x limited to [min, max], elementwise (Tensor.clip)."""
    return as_tensor(x).clip(min, max)


def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """The sum over `axis` (all axes by default) (Tensor.sum)."""
    return as_tensor(x).sum(axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False) -> Tensor:
    """The mean over `axis` (all axes by default) (Tensor.mean)."""
    return as_tensor(x).mean(axis=axis, keepdims=keepdims)


def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    """log(sum(exp(x))) over `axis`, computed stably (Tensor.logsumexp)."""
    return as_tensor(x).logsumexp(axis=axis, keepdims=keepdims)


def softmax(x, axis=-1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, computed stably (Tensor.softmax)."""
    return as_tensor(x).softmax(axis=axis)


def log_softmax(x, axis=-1) -> Tensor:
    """x - logsumexp(x) along `axis` (Tensor.log_softmax)."""
    return as_tensor(x).log_softmax(axis=axis)


def pad(x, pad_width, value=0.0) -> Tensor:
    """numpy.pad with a constant `value` (Tensor.pad)."""
    return as_tensor(x).pad(pad_width, value)


def sliding_window(x, window_shape, axis=None, stride=1) -> Tensor:
    """Windows of `window_shape` sliding along `axis` with `stride`, as a view (Tensor.sliding_window)."""
    return as_tensor(x).sliding_window(window_shape, axis=axis, stride=stride)


def matmul(a, b) -> Tensor:
    """a @ b (see Tensor.matmul)."""
    return as_tensor(a, like=b).matmul(b)


def maximum(a, b) -> Tensor:
    """Elementwise larger value; the gradient is split evenly at ties (see Tensor.maximum)."""
    return as_tensor(a, like=b).maximum(b)


def minimum(a, b) -> Tensor:
    """Elementwise smaller value (see Tensor.minimum)."""
    return as_tensor(a, like=b).minimum(b)


def split(x, indices_or_sections, axis: int = 0) -> list:
    """numpy.split (see Tensor.split)."""
    return as_tensor(x).split(indices_or_sections, axis)


def where(condition, a, b) -> Tensor:
    """a where condition is true, else b (elementwise, broadcasting); condition gets no gradient."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be boolean (e.g. x > 0), got dtype {condition.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = as_tensor(a)  # with no Tensor among the inputs, apply would return a plain array
    return ops.Where.apply(condition, _checked_operand(a, "where"), _checked_operand(b, "where"))


def concatenate(tensors, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (numpy.concatenate)."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    ndims = {t.ndim for t in tensors}
    if len(ndims) != 1 or 0 in ndims:
        raise ValueError(
            f"concatenate: all tensors need the same number (>= 1) of dimensions; got shapes "
            f"{[t.shape for t in tensors]}. Use stack to join along a new axis."
        )
    return ops.Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis (composite: expand_dims, then concatenate)."""
    tensors = [as_tensor(t) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape; got {[t.shape for t in tensors]}")
    return concatenate([t.expand_dims(axis) for t in tensors], axis=axis)


def zeros(*shape, dtype=np.float64, requires_grad=False) -> Tensor:
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3))."""
    return Tensor(np.zeros(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=np.float64, requires_grad=False) -> Tensor:
    """A tensor of ones: ones(2, 3) or ones((2, 3))."""
    return Tensor(np.ones(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape, value, dtype=np.float64, requires_grad=False) -> Tensor:
    """A tensor of `shape` filled with `value`."""
    return Tensor(np.full(shape, value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(x, requires_grad=False) -> Tensor:
    """Zeros of x's shape and dtype."""
    return Tensor(np.zeros_like(np.asarray(x)), requires_grad=requires_grad)


def ones_like(x, requires_grad=False) -> Tensor:
    """Ones of x's shape and dtype."""
    return Tensor(np.ones_like(np.asarray(x)), requires_grad=requires_grad)


def arange(*args, dtype=None) -> Tensor:
    """Evenly spaced values, as numpy.arange(start, stop, step)."""
    return Tensor(np.arange(*args, dtype=dtype))
