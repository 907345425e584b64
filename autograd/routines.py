"""numpy-style routines: the functions without a receiver (`where`, `concatenate`, `stack`) and
the free-function spelling of Tensor methods (`autograd.exp(x)` is `x.exp()`,
`autograd.matmul(a, b)` is `a.matmul(b)`); a method is always the definition, the function here
forwards to it. Each accepts Tensors, arrays or numbers, and PyTorch's keywords (`dim=`,
`keepdim=`) next to numpy's. The constructors (`zeros`, `randn`, ...) live in autograd/creation.py."""
from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.spellings import split_by_sizes, torch_spellings
from autograd.tensor import Tensor, _checked_operand, as_tensor

__all__ = [
    "abs", "all", "allclose", "any", "cat", "clip", "concatenate", "cos", "exp", "log", "log10", "log_softmax",
    "logsumexp", "matmul", "maximum", "mean", "minimum", "pad", "relu", "sigmoid", "sin", "sliding_window",
    "softmax", "split", "sqrt", "stack", "sum", "tanh", "where",
]


def exp(x) -> Tensor:
    return as_tensor(x).exp()


def log(x) -> Tensor:
    return as_tensor(x).log()


def log10(x) -> Tensor:
    return as_tensor(x).log10()


def sqrt(x) -> Tensor:
    return as_tensor(x).sqrt()


def abs(x) -> Tensor:  # noqa: A001 - numpy's name
    return as_tensor(x).abs()


def sin(x) -> Tensor:
    return as_tensor(x).sin()


def cos(x) -> Tensor:
    return as_tensor(x).cos()


def tanh(x) -> Tensor:
    return as_tensor(x).tanh()


def sigmoid(x) -> Tensor:
    return as_tensor(x).sigmoid()


def relu(x) -> Tensor:
    return as_tensor(x).relu()


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002 - PyTorch's names
    return as_tensor(x).clip(min, max)


@torch_spellings
def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    return as_tensor(x).sum(axis=axis, keepdims=keepdims)


@torch_spellings
def mean(x, axis=None, keepdims=False) -> Tensor:
    return as_tensor(x).mean(axis=axis, keepdims=keepdims)


@torch_spellings
def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    return as_tensor(x).logsumexp(axis=axis, keepdims=keepdims)


@torch_spellings
def softmax(x, axis=-1) -> Tensor:
    return as_tensor(x).softmax(axis=axis)


@torch_spellings
def log_softmax(x, axis=-1) -> Tensor:
    return as_tensor(x).log_softmax(axis=axis)


@torch_spellings
def all(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """True where every element (along axis) is nonzero; a boolean Tensor."""
    return as_tensor(x).all(axis=axis, keepdims=keepdims)


@torch_spellings
def any(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """True where some element (along axis) is nonzero; a boolean Tensor."""
    return as_tensor(x).any(axis=axis, keepdims=keepdims)


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """|a - b| <= atol + rtol * |b| everywhere (see Tensor.allclose)."""
    return as_tensor(a).allclose(b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def pad(x, pad_width, value=0.0) -> Tensor:
    return as_tensor(x).pad(pad_width, value)


def sliding_window(x, window_shape, axis=None, stride=1) -> Tensor:
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


def _split_by_sizes(x, indices_or_sections, axis: int = 0) -> list:
    return split_by_sizes(as_tensor(x), indices_or_sections, axis)


@torch_spellings(torch_form=_split_by_sizes)
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


@torch_spellings
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


@torch_spellings
def stack(tensors, axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis (composite: expand_dims, then concatenate)."""
    tensors = [as_tensor(t) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have the same shape; got {[t.shape for t in tensors]}")
    return concatenate([t.expand_dims(axis) for t in tensors], axis=axis)


cat = concatenate  # PyTorch's name: cat(tensors, dim=1)
