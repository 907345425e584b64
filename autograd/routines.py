"""numpy-style routines: the functions without a receiver (`where`, `concatenate`, `stack`) and
the free-function spelling of Tensor methods (`autograd.exp(x)` is `x.exp()`,
`autograd.matmul(a, b)` is `a.matmul(b)`); a method is always the definition, the function here
forwards to it. Each accepts Tensors, arrays or numbers, and PyTorch's keywords (`dim=`,
`keepdim=`) next to numpy's. The constructors (`zeros`, `randn`, ...) live in autograd/creation.py."""
from __future__ import annotations

import numpy as np

from autograd import ops
from autograd.ops.einsum import canonical_subscripts
from autograd.ops.shape import _window_geometry
from autograd.spellings import split_by_sizes, torch_spellings
from autograd.tensor import Tensor, _checked_operand, as_tensor

__all__ = [
    "abs", "all", "allclose", "any", "cat", "clip", "concatenate", "cos", "exp", "fold_windows", "log", "log10",
    "log_softmax",
    "logsumexp", "matmul", "maximum", "mean", "minimum", "pad", "relu", "sigmoid", "sin", "sliding_window",
    "softmax", "split", "sqrt", "stack", "sum", "tanh", "where",
    # issue #17
    "acos", "argwhere", "asin", "atan", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "ceil", "clone", "cosh", "cross", "cummax", "cummin", "cumprod", "cumsum",
    "diag", "diagonal", "einsum", "erf", "expm1", "flip", "floor", "gather", "invert", "isclose", "left_shift",
    "lerp", "log1p", "log2", "masked_fill", "masked_select", "nonzero", "outer", "prod", "reciprocal",
    "repeat", "repeat_interleave", "right_shift", "roll", "round", "rsqrt", "scatter", "scatter_add",
    "scatter_reduce", "sign", "sinh", "square", "tan", "tile", "trace", "tril", "triu", "trunc",
]


def exp(x) -> Tensor:
    """e**x, elementwise (Tensor.exp)."""
    return as_tensor(x).exp()


def log(x) -> Tensor:
    """The natural logarithm, elementwise (Tensor.log)."""
    return as_tensor(x).log()


def log10(x) -> Tensor:
    """Base-10 logarithm, elementwise (see Tensor.log10)."""
    return as_tensor(x).log10()


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


@torch_spellings
def sum(x, axis=None, keepdims=False) -> Tensor:  # noqa: A001
    """The sum over `axis` (all axes by default) (Tensor.sum)."""
    return as_tensor(x).sum(axis=axis, keepdims=keepdims)


@torch_spellings
def mean(x, axis=None, keepdims=False) -> Tensor:
    """The mean over `axis` (all axes by default) (Tensor.mean)."""
    return as_tensor(x).mean(axis=axis, keepdims=keepdims)


@torch_spellings
def logsumexp(x, axis=None, keepdims=False) -> Tensor:
    """log(sum(exp(x))) over `axis`, computed stably (Tensor.logsumexp)."""
    return as_tensor(x).logsumexp(axis=axis, keepdims=keepdims)


@torch_spellings
def softmax(x, axis=-1) -> Tensor:
    """exp(x) / sum(exp(x)) along `axis`, computed stably (Tensor.softmax)."""
    return as_tensor(x).softmax(axis=axis)


@torch_spellings
def log_softmax(x, axis=-1) -> Tensor:
    """x - logsumexp(x) along `axis` (Tensor.log_softmax)."""
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
    """numpy.pad with a constant `value` (Tensor.pad)."""
    return as_tensor(x).pad(pad_width, value)


def sliding_window(x, window_shape, axis=None, stride=1, dilation=1) -> Tensor:
    """Windows of `window_shape` sliding along `axis` with `stride` (and `dilation`), as a view
    (Tensor.sliding_window)."""
    return as_tensor(x).sliding_window(window_shape, axis=axis, stride=stride, dilation=dilation)


def fold_windows(windows, shape, axis=None, stride=1, dilation=1) -> Tensor:
    """The adjoint of sliding_window: zeros of `shape`, with every window in `windows` (cut as
    x.sliding_window(window_shape, axis, stride, dilation) cuts a tensor x of that shape, the
    window dimensions last) added back where it was taken; overlaps add up. PyTorch's F.fold
    ("col2im") for any number of axes: a transposed convolution is a matrix product, then this."""
    windows, shape = as_tensor(windows), tuple(int(n) for n in shape)
    window = windows.shape[len(shape):]
    try:
        like = np.broadcast_to(np.zeros((), windows.dtype), shape)  # the shape only, no memory
        expected = ops.SlidingWindows.apply(like, window, axis, stride, dilation).shape if window else None
    except ValueError:
        expected = None
    if expected != windows.shape:
        raise ValueError(
            f"fold_windows: windows of shape {windows.shape} are not the windows of a tensor of shape {shape} "
            f"with axis={axis}, stride={stride}, dilation={dilation} (the window dimensions come last: here "
            f"{window}, and sliding_window would cut {expected if expected else 'no such windows'}). Check the shapes."
        )
    _, axes, strides, dilations = _window_geometry(shape, window, axis, stride, dilation)
    return ops.FoldWindows.apply(windows, window=window, axes=axes, strides=strides, shape=shape, dilations=dilations)


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


# ----- more operations (issue #17) ------------------------------------------------------------
def einsum(subscripts: str, *operands) -> Tensor:
    """Einstein summation with numpy's rules: einsum("ij,jk->ik", a, b) is a @ b,
    einsum("ni,nj->ij", x, dy) is xᵀ dy, einsum("ii", a) the trace; implicit outputs, '...' and
    size-1 dimensions broadcast as in numpy ('...' left out of an explicit output is summed, as
    in PyTorch). The operands may also come as one list, as in PyTorch. One primitive: the
    gradient of each operand is the einsum of the output's gradient with the other operands."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError(f"einsum({subscripts!r}): needs at least one operand")
    tensors = [as_tensor(_checked_operand(x, "einsum")) for x in operands]
    canonical = canonical_subscripts(subscripts, [t.shape for t in tensors])
    return ops.Einsum.apply(*tensors, subscripts=canonical)


def log1p(x) -> Tensor:
    """log(1 + x), accurate for small x (see Tensor.log1p)."""
    return as_tensor(x).log1p()


def expm1(x) -> Tensor:
    """exp(x) - 1, accurate for small x (see Tensor.expm1)."""
    return as_tensor(x).expm1()


def log2(x) -> Tensor:
    """Base-2 logarithm, elementwise (see Tensor.log2)."""
    return as_tensor(x).log2()


def tan(x) -> Tensor:
    """Tangent, elementwise (see Tensor.tan)."""
    return as_tensor(x).tan()


def asin(x) -> Tensor:
    """Inverse sine, elementwise (see Tensor.asin)."""
    return as_tensor(x).asin()


def acos(x) -> Tensor:
    """Inverse cosine, elementwise (see Tensor.acos)."""
    return as_tensor(x).acos()


def atan(x) -> Tensor:
    """Inverse tangent, elementwise (see Tensor.atan)."""
    return as_tensor(x).atan()


def sinh(x) -> Tensor:
    """Hyperbolic sine, elementwise (see Tensor.sinh)."""
    return as_tensor(x).sinh()


def cosh(x) -> Tensor:
    """Hyperbolic cosine, elementwise (see Tensor.cosh)."""
    return as_tensor(x).cosh()


def erf(x) -> Tensor:
    """The error function, elementwise (see Tensor.erf)."""
    return as_tensor(x).erf()


def reciprocal(x) -> Tensor:
    """1 / x, elementwise (see Tensor.reciprocal)."""
    return as_tensor(x).reciprocal()


def square(x) -> Tensor:
    """x * x, elementwise (see Tensor.square)."""
    return as_tensor(x).square()


def rsqrt(x) -> Tensor:
    """1 / sqrt(x), elementwise (see Tensor.rsqrt)."""
    return as_tensor(x).rsqrt()


def sign(x) -> Tensor:
    """-1, 0 or 1 by the sign of x (gradient 0) (see Tensor.sign)."""
    return as_tensor(x).sign()


def round(x, decimals: int = 0) -> Tensor:  # noqa: A001 - numpy's name
    """x rounded to `decimals` places, halves to even (gradient 0; see Tensor.round)."""
    return as_tensor(x).round(decimals)


def floor(x) -> Tensor:
    """The largest integer <= x, elementwise (gradient 0) (see Tensor.floor)."""
    return as_tensor(x).floor()


def ceil(x) -> Tensor:
    """The smallest integer >= x, elementwise (gradient 0) (see Tensor.ceil)."""
    return as_tensor(x).ceil()


def trunc(x) -> Tensor:
    """x rounded toward 0, elementwise (gradient 0) (see Tensor.trunc)."""
    return as_tensor(x).trunc()


def lerp(start, end, weight) -> Tensor:
    """start + weight * (end - start) (see Tensor.lerp)."""
    return as_tensor(start, like=end).lerp(end, weight)


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """numpy.isclose (see Tensor.isclose)."""
    return as_tensor(a, like=b).isclose(b, rtol, atol, equal_nan)


def bitwise_and(a, b) -> Tensor:
    """a & b on integer or boolean tensors (no gradient) (see Tensor.bitwise_and)."""
    return as_tensor(a, like=b).bitwise_and(b)


def bitwise_or(a, b) -> Tensor:
    """a | b on integer or boolean tensors (no gradient) (see Tensor.bitwise_or)."""
    return as_tensor(a, like=b).bitwise_or(b)


def bitwise_xor(a, b) -> Tensor:
    """a ^ b on integer or boolean tensors (no gradient) (see Tensor.bitwise_xor)."""
    return as_tensor(a, like=b).bitwise_xor(b)


def bitwise_not(x) -> Tensor:
    """~x on integer or boolean tensors (no gradient) (see Tensor.bitwise_not)."""
    return as_tensor(x).bitwise_not()


invert = bitwise_not  # numpy's other name


def left_shift(a, b) -> Tensor:
    """a << b on integer tensors (numpy.left_shift; PyTorch's bitwise_left_shift)."""
    return as_tensor(a, like=b) << _checked_operand(b, "left_shift")


def right_shift(a, b) -> Tensor:
    """a >> b on integer tensors (numpy.right_shift; PyTorch's bitwise_right_shift)."""
    return as_tensor(a, like=b) >> _checked_operand(b, "right_shift")


def bitwise_left_shift(a, b) -> Tensor:
    """a << b on integer tensors (the name numpy 2 and PyTorch share for left_shift)."""
    return left_shift(a, b)


def bitwise_right_shift(a, b) -> Tensor:
    """a >> b on integer tensors (the name numpy 2 and PyTorch share for right_shift)."""
    return right_shift(a, b)


@torch_spellings
def cumsum(x, axis=None) -> Tensor:
    return as_tensor(x).cumsum(axis)


@torch_spellings
def cumprod(x, axis=None) -> Tensor:
    return as_tensor(x).cumprod(axis)


@torch_spellings
def cummax(x, axis: int):
    return as_tensor(x).cummax(axis)


@torch_spellings
def cummin(x, axis: int):
    return as_tensor(x).cummin(axis)


@torch_spellings
def prod(x, axis=None, keepdims: bool = False) -> Tensor:
    return as_tensor(x).prod(axis, keepdims)


@torch_spellings
def gather(x, axis: int, index) -> Tensor:
    return as_tensor(x).gather(axis, index)


@torch_spellings
def scatter(x, axis: int, index, src) -> Tensor:
    return as_tensor(x).scatter(axis, index, src)


@torch_spellings
def scatter_add(x, axis: int, index, src) -> Tensor:
    return as_tensor(x).scatter_add(axis, index, src)


@torch_spellings
def scatter_reduce(x, axis: int, index, src, reduce: str, include_self: bool = True) -> Tensor:
    return as_tensor(x).scatter_reduce(axis, index, src, reduce, include_self)


def masked_select(x, mask) -> Tensor:
    """The elements of x where `mask` is true, as a 1-d tensor (see Tensor.masked_select)."""
    return as_tensor(x).masked_select(mask)


def masked_fill(x, mask, value) -> Tensor:
    """x with `value` where `mask` is true (see Tensor.masked_fill)."""
    return as_tensor(x).masked_fill(mask, value)


def nonzero(x, as_tuple: bool = True):
    """The indices of the nonzero elements, numpy's tuple form (see Tensor.nonzero)."""
    return as_tensor(x).nonzero(as_tuple)


def argwhere(x) -> Tensor:
    """The indices of the nonzero elements as rows (count, ndim) (see Tensor.argwhere)."""
    return as_tensor(x).argwhere()


def clone(x) -> Tensor:
    """A copy with its own memory; the gradient flows back unchanged (see Tensor.clone)."""
    return as_tensor(x).clone()


def repeat(x, repeats, axis=None) -> Tensor:
    """numpy.repeat: every element repeated (see Tensor.repeat; PyTorch's x.repeat is tile)."""
    return as_tensor(x).repeat(repeats, axis=axis)


@torch_spellings
def repeat_interleave(x, repeats, axis=None) -> Tensor:
    return as_tensor(x).repeat(repeats, axis=axis)


def tile(x, reps) -> Tensor:
    """x repeated as a whole `reps` times along each axis (numpy.tile) (see Tensor.tile)."""
    return as_tensor(x).tile(reps)


@torch_spellings
def flip(x, axis=None) -> Tensor:
    return as_tensor(x).flip(axis)


@torch_spellings
def roll(x, shift, axis=None) -> Tensor:
    return as_tensor(x).roll(shift, axis)


def tril(x, k: int = 0) -> Tensor:
    """The lower triangle of a matrix (elements above the k-th diagonal set to 0) (see Tensor.tril)."""
    return as_tensor(x).tril(k)


def triu(x, k: int = 0) -> Tensor:
    """The upper triangle of a matrix (elements below the k-th diagonal set to 0) (see Tensor.triu)."""
    return as_tensor(x).triu(k)


def diag(x, k: int = 0) -> Tensor:
    """The k-th diagonal of a matrix, or a matrix with a vector on its k-th diagonal (see Tensor.diag)."""
    return as_tensor(x).diag(k)


def diagonal(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The diagonal of x along two axes (see Tensor.diagonal)."""
    return as_tensor(x).diagonal(offset, axis1, axis2)


def trace(x, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """The sum of the diagonal (see Tensor.trace)."""
    return as_tensor(x).trace(offset, axis1, axis2)


def outer(a, b) -> Tensor:
    """The outer product of two vectors: out[i, j] = a[i] * b[j] (see Tensor.outer)."""
    return as_tensor(a, like=b).outer(b)


@torch_spellings
def cross(a, b, axis: int = -1) -> Tensor:
    return as_tensor(a, like=b).cross(b, axis)
