"""The operation table: one row per operation, from which the per-op tests are generated.

Every primitive (`Function` subclass in `autograd.ops`) and every composite (mean, var,
softmax, indexing variants, ...) has at least one `OpRow`. A row says how to call the
operation three ways and what inputs to feed it:

    OpRow(
        name="div",                                  # unique, used as the pytest id
        fn=lambda a, b: a / b,                       # chalkgrad, on Tensors -> ONE Tensor
        torch_fn=lambda a, b: a / b,                 # PyTorch, on torch tensors -> one tensor
        numpy_fn=lambda a, b: a / b,                 # numpy reference for forward values
        inputs=(normal((3, 4)), away_from_zero((3, 4))),  # one sampler per input
        covers=(ops.Div,),                           # primitives that must appear in fn's graph
    )

Inputs. A tuple of samplers, one per input, each `rng -> float64 ndarray` (or one joint
sampler `rng -> tuple of arrays` when inputs must be drawn together, e.g. maximum's pair
kept apart). Samples stay inside the op's valid domain
(log/sqrt get positive numbers, relu/abs stay away from 0, maximum pairs stay apart), so
central differences are exact enough. `row.sample(seed)` returns the tuple of arrays. Every
input is differentiable; constants (index arrays, masks, conditions, exponents) live inside
the three callables, identical for all of them.

Flags.
    differentiable  False: forward values only (comparisons, argmax, ...).
    numeric_check   False: skip central differences (deliberate kink/tie rows, checked
                    only against PyTorch; or lossy rows such as a cast to float32).
    second_order    False: skip the second-derivative comparison with PyTorch.
    out_dtype       the output dtype when it is not the inputs' dtype (e.g. a cast).
    tags            labels for picking rows: "binary", "broadcast", "reduce", "index",
                    "tie" (deliberate ties/kinks), "stable" (huge inputs).

Users of the table: tests/test_ops.py (forward vs numpy and PyTorch, gradients vs central
differences and PyTorch, second derivatives vs PyTorch, float32 kept, registry coverage);
gradcheck and benchmarks may iterate `ROWS` too:

    for row in ROWS:
        arrays = row.sample()
        tensors = [Tensor(a, requires_grad=True) for a in arrays]
        out = row.fn(*tensors)
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Callable

import conv_reference as ref
import numpy as np
import torch
import torch.nn.functional as torch_F

import autograd
from autograd import ops
from nn import functional as F

Sampler = Callable[[np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class OpRow:
    name: str
    fn: Callable
    torch_fn: Callable
    numpy_fn: Callable
    inputs: tuple
    covers: tuple = ()
    differentiable: bool = True
    numeric_check: bool = True
    second_order: bool = True
    out_dtype: object = None
    tags: tuple = ()

    def sample(self, seed: int = 0) -> tuple:
        """The row's inputs as float64 arrays (deterministic for a given seed)."""
        rng = np.random.default_rng(seed)
        arrays = self.inputs(rng) if callable(self.inputs) else tuple(make(rng) for make in self.inputs)
        return tuple(np.asarray(a, dtype=np.float64) for a in arrays)


# ----- samplers -------------------------------------------------------------------------
def normal(shape) -> Sampler:
    return lambda rng: rng.standard_normal(shape)


def uniform(shape, low, high) -> Sampler:
    return lambda rng: rng.uniform(low, high, shape)


def positive(shape, low=0.5, high=2.0) -> Sampler:
    return uniform(shape, low, high)


def away_from_zero(shape, gap=0.2) -> Sampler:
    """Numbers with |x| in [gap, gap + 1.5], random signs: no kink of relu/abs/1/x nearby."""
    return lambda rng: rng.choice([-1.0, 1.0], size=shape) * rng.uniform(gap, gap + 1.5, shape)


def distinct(shape, gap=0.05) -> Sampler:
    """A random permutation of well-separated values: maxima and sorts have no ties."""
    def make(rng):
        n = int(np.prod(shape, dtype=np.int64))
        return (rng.permutation(n) * gap * (1 + rng.uniform(0, 0.5, n)) - n * gap / 2).reshape(shape)
    return make


def fixed(values) -> Sampler:
    array = np.asarray(values, dtype=np.float64)
    return lambda rng: array.copy()


def _const_rng(seed):
    return np.random.default_rng(1000 + seed)


# ----- helpers shared by the callables --------------------------------------------------
def _t(array):
    """A constant torch tensor (indices, masks, conditions)."""
    return torch.as_tensor(np.asarray(array))


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _torch_pad(pad_width, ndim):
    """numpy's ((before, after), ...) per dimension -> torch's flat list, last dimension first."""
    widths = np.broadcast_to(np.asarray(pad_width), (ndim, 2))
    return [int(w) for before_after in widths[::-1] for w in before_after]


def _np_windows(x, window, axes, strides, dilations=None):
    """Reference sliding windows by explicit index arithmetic (not sliding_window_view)."""
    out = x
    for ax, w, s, d in zip(axes, window, strides, dilations or (1,) * len(axes)):
        count = (x.shape[ax] - d * (w - 1) - 1) // s + 1
        idx = s * np.arange(count)[:, None] + d * np.arange(w)[None, :]  # (count, w)
        out = np.take(out, idx, axis=ax)  # axis ax becomes (count, w)
        out = np.moveaxis(out, ax + 1, -1)  # the window dimension goes to the end
    return out


def _torch_windows(x, window, axes, strides, dilations=None):
    for ax, w, s, d in zip(axes, window, strides, dilations or (1,) * len(axes)):
        x = x.unfold(ax, d * (w - 1) + 1, s)[..., ::d]
    return x


def _np_fold(a, window, axes, strides, shape, dilations=None):
    out = np.zeros(shape)
    counts = [a.shape[ax] for ax in axes]
    for offset in np.ndindex(*window):
        for place in np.ndindex(*counts):
            target = [slice(None)] * len(shape)
            source = [slice(None)] * len(shape)
            for ax, k, s, i, d in zip(axes, offset, strides, place, dilations or (1,) * len(axes)):
                target[ax], source[ax] = k * d + s * i, i
            out[tuple(target)] += a[tuple(source) + offset]
    return out


def _torch_fold(a, window, axes, strides, shape, dilations=None):
    out = torch.zeros(shape, dtype=a.dtype)
    counts = [a.shape[ax] for ax in axes]
    for offset in np.ndindex(*window):
        piece = a[(Ellipsis,) + offset]
        # place `piece` at positions k*d + s*i along each axis (index_add, one axis at a time)
        placed = piece
        for ax, k, s, c, d in zip(axes, offset, strides, counts, dilations or (1,) * len(axes)):
            size = list(placed.shape)
            size[ax] = shape[ax]
            placed = torch.zeros(size, dtype=a.dtype).index_add(ax, torch.arange(c) * s + k * d, placed)
        out = out + placed
    return out


def _np_scatter_add(a, index, shape):
    out = np.zeros(shape)
    np.add.at(out, index, a)
    return out


# ----- constants used inside rows -------------------------------------------------------
_MASK = _const_rng(0).random((3, 4)) > 0.4
_COND = _const_rng(1).random((3, 4)) > 0.5
_COND_COL = np.array([[True], [False], [True]])
_REPEATS = np.array([0, 2, 0, -1, 2, 2])


def _assigned(index):
    """t[index] = value on a copy of t, recorded in place (chalkgrad, PyTorch) or on numpy arrays."""
    def assign(a, value):
        out = a * 1 if not isinstance(a, np.ndarray) else a.copy()
        torch_like = isinstance(a, torch.Tensor)
        out[_t(index) if torch_like and isinstance(index, np.ndarray) else index] = value
        return out
    return assign


def _index_row(name, index, shape=(4, 5), torch_index=None, torch_fn=None):
    """A row for x[index]; PyTorch gets the same index (as tensors) unless told otherwise."""
    if torch_fn is None:
        tidx = index if torch_index is None else torch_index
        torch_fn = lambda a: a[tidx]  # noqa: E731
    return OpRow(
        name=f"getitem_{name}",
        fn=lambda a: a[index],
        torch_fn=torch_fn,
        numpy_fn=lambda a: a[index],
        inputs=(normal(shape),),
        covers=(ops.GetItem,),
        tags=("index",),
    )


def _torch_index(index):
    if isinstance(index, tuple):
        return tuple(_t(i) if isinstance(i, (np.ndarray, list)) else i for i in index)
    return _t(index) if isinstance(index, (np.ndarray, list)) else index


# ----- binary elementwise ops with broadcasting -------------------------------------------
BROADCAST_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 1, 4), (3, 1)),
    ((), (2, 3)),
    ((3, 1), ()),
    ((3, 1), (1, 4)),
]


def _apart_pair(shape_a, shape_b, gap=0.01):
    """A joint sampler: normal a and b that differ by at least `gap` wherever broadcasting
    pairs them, so maximum/minimum have no tie within reach of a central difference."""
    def make(rng):
        while True:
            a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
            if np.abs(a - b).min() >= gap:
                return a, b
    return make


def _binary_inputs(kind, shape_a, shape_b):
    """The inputs of a binary op, in its valid domain."""
    if kind == "div":
        return normal(shape_a), away_from_zero(shape_b, gap=0.5)
    if kind == "pow":
        return positive(shape_a), uniform(shape_b, -2.0, 2.0)
    if kind in ("maximum", "minimum"):
        return _apart_pair(shape_a, shape_b)
    return normal(shape_a), normal(shape_b)


_BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda a, b: a + b, (ops.Add,)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, lambda a, b: a - b, (ops.Sub,)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda a, b: a * b, (ops.Mul,)),
    "div": (lambda a, b: a / b, lambda a, b: a / b, lambda a, b: a / b, (ops.Div,)),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a ** b, (ops.Pow,)),
    "maximum": (autograd.maximum, torch.maximum, np.maximum, (ops.Maximum,)),
    "minimum": (autograd.minimum, torch.minimum, np.minimum, (ops.Maximum, ops.Neg)),
}


def _binary_rows():
    rows = []
    for kind, (fn, torch_fn, numpy_fn, covers) in _BINARY.items():
        for shape_a, shape_b in BROADCAST_PAIRS:
            suffix = "x".join(map(str, shape_a)) or "scalar"
            suffix += "_" + ("x".join(map(str, shape_b)) or "scalar")
            rows.append(OpRow(
                name=f"{kind}_{suffix}", fn=fn, torch_fn=torch_fn, numpy_fn=numpy_fn,
                inputs=_binary_inputs(kind, shape_a, shape_b), covers=covers,
                tags=("binary", "broadcast"),
            ))
    return rows


# ----- convolution, pooling and resampling (nn.functional composites) ----------------------------
def _conv_row(name, fn, torch_fn, numpy_fn, shapes, covers, **flags):
    """A row whose inputs are normal samples of the given shapes (input, weight[, bias])."""
    return OpRow(name, fn, torch_fn, numpy_fn, tuple(normal(s) for s in shapes), covers, **flags)


def _torch_widths(widths):
    """((before, after), ...) over the spatial dimensions -> torch's F.pad list (last first)."""
    return [w for pair in reversed(widths) for w in pair]


def _torch_same_conv1d(x, w):
    with warnings.catch_warnings():  # "padding='same' with even kernel lengths ... may require a zero-padded copy"
        warnings.simplefilter("ignore")
        return torch_F.conv1d(x, w, padding="same", groups=2)


_CONV, _FOLD = (ops.SlidingWindows, ops.MatMul), (ops.FoldWindows, ops.MatMul)
_ASYM, _POOL_ASYM = ((1, 0), (2, 1)), ((0, 1), (1, 0))

CONV_ROWS = [
    _conv_row("conv1d_stride_dilation", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
              lambda x, w, b: torch_F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
              lambda x, w, b: ref.conv(x, w, b, stride=2, padding=1, dilation=2), ((2, 4, 9), (6, 4, 3), (6,)), _CONV),
    _conv_row("conv1d_groups_same", lambda x, w: F.conv1d(x, w, padding="same", groups=2), _torch_same_conv1d,
              lambda x, w: ref.conv(x, w, padding="same", groups=2), ((2, 4, 7), (4, 2, 2)), _CONV),
    _conv_row("conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1),
              lambda x, w, b: torch_F.conv2d(x, w, b, stride=(2, 1), padding=1),
              lambda x, w, b: ref.conv(x, w, b, stride=(2, 1), padding=1), ((2, 3, 5, 4), (4, 3, 3, 2), (4,)), _CONV),
    _conv_row("conv2d_depthwise_dilated", lambda x, w: F.conv2d(x, w, groups=3, dilation=(2, 1)),
              lambda x, w: torch_F.conv2d(x, w, groups=3, dilation=(2, 1)),
              lambda x, w: ref.conv(x, w, groups=3, dilation=(2, 1)), ((1, 3, 6, 5), (6, 1, 2, 2)), _CONV),
    _conv_row("conv2d_asymmetric_padding", lambda x, w: F.conv2d(x, w, padding=_ASYM),
              lambda x, w: torch_F.conv2d(torch_F.pad(x, _torch_widths(_ASYM)), w),
              lambda x, w: ref.conv(x, w, padding=_ASYM), ((1, 2, 4, 4), (3, 2, 3, 3)), _CONV),
    _conv_row("conv2d_unbatched_valid", lambda x, w: F.conv2d(x, w, padding="valid"),
              lambda x, w: torch_F.conv2d(x, w, padding="valid"),
              lambda x, w: ref.conv(x[None], w)[0], ((2, 4, 4), (3, 2, 2, 2)), _CONV),
    _conv_row("conv2d_empty_batch", lambda x, w, b: F.conv2d(x, w, b, padding=1),
              lambda x, w, b: torch_F.conv2d(x, w, b, padding=1),
              lambda x, w, b: ref.conv(x, w, b, padding=1), ((0, 2, 4, 4), (3, 2, 2, 2), (3,)), _CONV),
    _conv_row("conv3d_groups", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
              lambda x, w, b: torch_F.conv3d(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
              lambda x, w, b: ref.conv(x, w, b, stride=(1, 2, 1), padding=(1, 0, 1), groups=2),
              ((1, 2, 3, 4, 3), (4, 1, 2, 2, 2), (4,)), _CONV),
    _conv_row("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
              lambda x, w, b: torch_F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
              lambda x, w, b: ref.conv_transpose(x, w, b, stride=2, padding=1, output_padding=1),
              ((2, 4, 4), (4, 3, 3), (3,)), _FOLD),
    _conv_row("conv_transpose2d_groups_dilation",
              lambda x, w: F.conv_transpose2d(x, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2,
                                              dilation=(1, 2)),
              lambda x, w: torch_F.conv_transpose2d(x, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0),
                                                    groups=2, dilation=(1, 2)),
              lambda x, w: ref.conv_transpose(x, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2,
                                              dilation=(1, 2)), ((1, 4, 3, 3), (4, 2, 3, 2)), _FOLD),
    _conv_row("conv_transpose2d_output_padding_past_crop",
              lambda x, w, b: F.conv_transpose2d(x, w, b, stride=3, padding=(0, 1), output_padding=2),
              lambda x, w, b: torch_F.conv_transpose2d(x, w, b, stride=3, padding=(0, 1), output_padding=2),
              lambda x, w, b: ref.conv_transpose(x, w, b, stride=3, padding=(0, 1), output_padding=2),
              ((2, 2, 2, 3), (2, 3, 2, 3), (3,)), _FOLD + (ops.Pad, ops.GetItem)),
    _conv_row("conv_transpose2d_unbatched", lambda x, w: F.conv_transpose2d(x, w, stride=2),
              lambda x, w: torch_F.conv_transpose2d(x, w, stride=2),
              lambda x, w: ref.conv_transpose(x[None], w, stride=2)[0], ((2, 2, 3), (2, 1, 2, 2)), _FOLD),
    _conv_row("conv_transpose3d", lambda x, w: F.conv_transpose3d(x, w, stride=2, padding=(1, 0, 0)),
              lambda x, w: torch_F.conv_transpose3d(x, w, stride=2, padding=(1, 0, 0)),
              lambda x, w: ref.conv_transpose(x, w, stride=2, padding=(1, 0, 0)),
              ((1, 2, 2, 3, 2), (2, 2, 2, 2, 2)), _FOLD),
    OpRow("max_pool1d_ceil", lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True),
          lambda x: torch_F.max_pool1d(x, 3, 2, 1, ceil_mode=True),
          lambda x: ref.max_pool(x, 3, 2, 1, ceil_mode=True), (distinct((2, 3, 10)),), (ops.SlidingWindows, ops.Max)),
    OpRow("max_pool2d_dilation", lambda x: F.max_pool2d(x, (2, 3), (2, 1), 1, dilation=(2, 1)),
          lambda x: torch_F.max_pool2d(x, (2, 3), (2, 1), 1, dilation=(2, 1)),
          lambda x: ref.max_pool(x, (2, 3), (2, 1), 1, dilation=(2, 1)), (distinct((1, 2, 6, 7)),),
          (ops.SlidingWindows, ops.Max, ops.Pad)),
    OpRow("max_pool2d_asymmetric_padding", lambda x: F.max_pool2d(x, 3, 2, padding=_POOL_ASYM),
          lambda x: torch_F.max_pool2d(torch_F.pad(x, _torch_widths(_POOL_ASYM), value=-math.inf), 3, 2),
          lambda x: ref.max_pool(x, 3, 2, padding=_POOL_ASYM), (distinct((1, 2, 5, 6)),), (ops.SlidingWindows, ops.Max)),
    OpRow("max_pool2d_ties", lambda x: F.max_pool2d(x, 2, 1),
          lambda x: torch_F.max_pool2d(x, 2, 1) * 0 + torch.amax(x.unfold(2, 2, 1).unfold(3, 2, 1), dim=(-2, -1)),
          lambda x: ref.max_pool(x, 2, 1), (fixed([[[[1.0, 1.0, 0.0], [1.0, 2.0, 2.0], [0.0, 2.0, 2.0]]]]),),
          (ops.Max,), numeric_check=False, tags=("tie",)),  # ties share the gradient (as torch.amax)
    OpRow("max_pool2d_integers_padding", lambda x: F.max_pool2d(x.astype(np.int64), 2, padding=1),
          lambda x: torch_F.max_pool2d(x.long(), 2, padding=1),
          lambda x: ref.max_pool(x.astype(np.int64), 2, padding=1), (uniform((1, 2, 4, 5), -50, 50),),
          differentiable=False),
    OpRow("max_pool3d_ceil", lambda x: F.max_pool3d(x, 2, ceil_mode=True),
          lambda x: torch_F.max_pool3d(x, 2, ceil_mode=True),
          lambda x: ref.max_pool(x, 2, ceil_mode=True), (distinct((1, 2, 4, 3, 5)),), (ops.SlidingWindows, ops.Max)),
    OpRow("avg_pool1d_ceil_exclude_pad", lambda x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
          lambda x: torch_F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
          lambda x: ref.avg_pool(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (normal((2, 3, 10)),),
          (ops.SlidingWindows, ops.Sum, ops.Div)),
    OpRow("avg_pool2d_ceil", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
          lambda x: torch_F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
          lambda x: ref.avg_pool(x, 3, 2, 1, ceil_mode=True), (normal((1, 2, 6, 7)),), (ops.SlidingWindows, ops.Sum)),
    OpRow("avg_pool2d_unbatched_divisor_override", lambda x: F.avg_pool2d(x, 2, 1, divisor_override=3),
          lambda x: torch_F.avg_pool2d(x, 2, 1, divisor_override=3),
          lambda x: ref.avg_pool(x[None], 2, 1, divisor_override=3)[0], (normal((2, 4, 3)),),  # unbatched (C, H, W)
          (ops.SlidingWindows, ops.Sum)),
    OpRow("avg_pool3d_exclude_pad", lambda x: F.avg_pool3d(x, (2, 2, 3), (2, 1, 1), (1, 0, 1), count_include_pad=False),
          lambda x: torch_F.avg_pool3d(x, (2, 2, 3), (2, 1, 1), (1, 0, 1), count_include_pad=False),
          lambda x: ref.avg_pool(x, (2, 2, 3), (2, 1, 1), (1, 0, 1), count_include_pad=False),
          (normal((1, 2, 4, 5, 3)),), (ops.SlidingWindows, ops.Sum)),
    OpRow("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3), lambda x: torch_F.adaptive_avg_pool1d(x, 3),
          lambda x: ref.adaptive_avg_pool(x, 3), (normal((2, 3, 7)),), (ops.MatMul,)),
    OpRow("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
          lambda x: torch_F.adaptive_avg_pool2d(x, (3, 2)),
          lambda x: ref.adaptive_avg_pool(x, (3, 2)), (normal((1, 2, 7, 5)),), (ops.MatMul,)),
    OpRow("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, (2, 3, None)),
          lambda x: torch_F.adaptive_avg_pool3d(x, (2, 3, None)),
          lambda x: ref.adaptive_avg_pool(x, (2, 3, None)), (normal((1, 2, 5, 4, 3)),), (ops.MatMul,)),
    OpRow("interpolate_nearest_1d", lambda x: F.interpolate(x, size=8), lambda x: torch_F.interpolate(x, size=8),
          lambda x: ref.interpolate_nearest(x, size=8), (normal((2, 3, 5)),), (ops.GetItem,)),
    OpRow("interpolate_nearest_2d_scale", lambda x: F.interpolate(x, scale_factor=(2, 1.5)),
          lambda x: torch_F.interpolate(x, scale_factor=(2, 1.5)),
          lambda x: ref.interpolate_nearest(x, scale_factor=(2, 1.5)), (normal((1, 2, 3, 4)),), (ops.GetItem,)),
    OpRow("interpolate_nearest_exact", lambda x: F.interpolate(x, size=(3, 7), mode="nearest-exact"),
          lambda x: torch_F.interpolate(x, size=(3, 7), mode="nearest-exact"),
          lambda x: ref.interpolate_nearest(x, size=(3, 7), exact=True), (normal((1, 2, 5, 4)),), (ops.GetItem,)),
    OpRow("interpolate_linear", lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
          lambda x: torch_F.interpolate(x, scale_factor=2.5, mode="linear"),
          lambda x: ref.interpolate_linear(x, scale_factor=2.5), (normal((2, 3, 5)),), (ops.MatMul,)),
    OpRow("interpolate_bilinear_align_corners", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True),
          lambda x: torch_F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True),
          lambda x: ref.interpolate_linear(x, size=(5, 7), align_corners=True), (normal((1, 2, 3, 4)),), (ops.MatMul,)),
    OpRow("interpolate_bilinear_down", lambda x: F.interpolate(x, size=(4, 3), mode="bilinear"),
          lambda x: torch_F.interpolate(x, size=(4, 3), mode="bilinear"),
          lambda x: ref.interpolate_linear(x, size=(4, 3)), (normal((1, 2, 6, 5)),), (ops.MatMul,)),
    OpRow("interpolate_trilinear", lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"),
          lambda x: torch_F.interpolate(x, scale_factor=2, mode="trilinear"),
          lambda x: ref.interpolate_linear(x, scale_factor=2), (normal((1, 1, 2, 3, 2)),), (ops.MatMul,)),
    OpRow("interpolate_area", lambda x: F.interpolate(x, size=(3, 2), mode="area"),
          lambda x: torch_F.interpolate(x, size=(3, 2), mode="area"),
          lambda x: ref.adaptive_avg_pool(x, (3, 2)), (normal((1, 2, 6, 5)),), (ops.MatMul,)),
]


# ----- the table ------------------------------------------------------------------------
S = (3, 4)

ROWS: list[OpRow] = [
    *_binary_rows(),
    # --- arithmetic with Python and numpy scalars on either side
    OpRow("add_scalar_right", lambda a: a + 2.5, lambda a: a + 2.5, lambda a: a + 2.5, (normal(S),), (ops.Add,)),
    OpRow("radd_scalar", lambda a: 2.5 + a, lambda a: 2.5 + a, lambda a: 2.5 + a, (normal(S),), (ops.Add,)),
    OpRow("rsub_scalar", lambda a: 1 - a, lambda a: 1 - a, lambda a: 1 - a, (normal(S),), (ops.Sub,)),
    OpRow("rsub_numpy_scalar", lambda a: np.float64(1) - a, lambda a: 1.0 - a, lambda a: 1.0 - a, (normal(S),), (ops.Sub,)),
    OpRow("rmul_scalar", lambda a: 3 * a, lambda a: 3 * a, lambda a: 3 * a, (normal(S),), (ops.Mul,)),
    OpRow("rdiv_scalar", lambda a: 2 / a, lambda a: 2 / a, lambda a: 2 / a, (away_from_zero(S, 0.5),), (ops.Div,)),
    OpRow("div_scalar", lambda a: a / 4, lambda a: a / 4, lambda a: a / 4, (normal(S),), (ops.Div,)),
    OpRow("neg", lambda a: -a, lambda a: -a, lambda a: -a, (normal(S),), (ops.Neg,)),
    OpRow("pow_int", lambda a: a ** 3, lambda a: a ** 3, lambda a: a ** 3, (normal(S),), (ops.Pow,)),
    OpRow("pow_half", lambda a: a ** 0.5, lambda a: a ** 0.5, lambda a: a ** 0.5, (positive(S),), (ops.Pow,)),
    OpRow("pow_negative", lambda a: a ** -1.5, lambda a: a ** -1.5, lambda a: a ** -1.5, (positive(S),), (ops.Pow,)),
    OpRow("rpow_scalar_base", lambda a: 2.0 ** a, lambda a: 2.0 ** a, lambda a: 2.0 ** a, (normal(S),), (ops.Pow,)),
    OpRow("pow_tensor_exponent", lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a ** b,
          (positive(S), uniform(S, -2, 2)), (ops.Pow,)),
    OpRow("pow_zero_base_tie", lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a ** b,
          (fixed([0.0, 0.0, 1.5, 2.0]), fixed([2.0, 3.0, 1.0, 2.5])), (ops.Pow,), numeric_check=False, tags=("tie",),
          second_order=False),  # PyTorch's double backward is NaN at a zero base (log 0); ours is finite,
    # checked by hand in test_engine.py::test_pow_second_derivative_at_zero_base
    OpRow("pow_zero_exponent", lambda a: a ** 0, lambda a: a ** 0, lambda a: a ** 0,
          (fixed([0.0, 1.5, -2.0]),), (ops.Pow,)),  # x**0 = 1 is flat, also at 0 (no 0 * inf = nan)
    OpRow("pow_zero_exponent_tensor", lambda a, b: a ** b, lambda a, b: a ** b, lambda a, b: a ** b,
          (fixed([0.0, 0.0, 1.5, 2.0]), fixed([0.0, 2.0, 0.0, 1.0])), (ops.Pow,), numeric_check=False,
          second_order=False, tags=("tie",)),  # d/db at a = 0 is one-sided (0**-eps = inf): PyTorch's 0;
    # PyTorch's second derivative is NaN at a zero base (see pow_zero_base_tie)
    # --- elementwise functions
    OpRow("exp", lambda a: a.exp(), torch.exp, np.exp, (normal(S),), (ops.Exp,)),
    OpRow("log", lambda a: a.log(), torch.log, np.log, (positive(S, 0.2, 3.0),), (ops.Log,)),
    OpRow("sqrt", lambda a: a.sqrt(), torch.sqrt, np.sqrt, (positive(S, 0.2, 3.0),), (ops.Sqrt,)),
    OpRow("sin", lambda a: a.sin(), torch.sin, np.sin, (uniform(S, -4, 4),), (ops.Sin,)),
    OpRow("cos", lambda a: a.cos(), torch.cos, np.cos, (uniform(S, -4, 4),), (ops.Cos,)),
    OpRow("abs", lambda a: a.abs(), torch.abs, np.abs, (away_from_zero(S),), (ops.Abs,)),
    OpRow("abs_at_zero_tie", abs, torch.abs, np.abs, (fixed([-1.0, 0.0, 2.0]),), (ops.Abs,),
          numeric_check=False, tags=("tie",)),
    OpRow("tanh", lambda a: a.tanh(), torch.tanh, np.tanh, (uniform(S, -3, 3),), (ops.Tanh,)),
    OpRow("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, lambda a: 1 / (1 + np.exp(-a)),
          (uniform(S, -6, 6),), (ops.Sigmoid,)),
    OpRow("sigmoid_extreme", lambda a: a.sigmoid(), torch.sigmoid,
          lambda a: np.array([1 / (1 + np.exp(-v)) if v > -700 else 0.0 for v in a]),
          (fixed([-1000.0, -30.0, 0.0, 30.0, 1000.0]),), (ops.Sigmoid,), numeric_check=False),
    OpRow("relu", lambda a: a.relu(), torch.relu, lambda a: np.maximum(a, 0), (away_from_zero(S),), (ops.Relu,)),
    OpRow("relu_at_zero_tie", autograd.relu, torch.relu, lambda a: np.maximum(a, 0),
          (fixed([-1.0, 0.0, 2.0]),), (ops.Relu,), numeric_check=False, tags=("tie",)),
    OpRow("maximum_ties", autograd.maximum, torch.maximum, np.maximum,
          (fixed([1.0, 2.0, 3.0, -1.0]), fixed([1.0, 0.0, 3.0, 4.0])), (ops.Maximum,),
          numeric_check=False, tags=("tie",)),
    OpRow("maximum_with_scalar", lambda a: autograd.maximum(a, 0.3), lambda a: torch.clamp_min(a, 0.3),
          lambda a: np.maximum(a, 0.3), (fixed([[-1.0, 0.9, 0.1], [2.0, -0.4, 1.3]]),), (ops.Maximum,)),
    OpRow("minimum_ties", autograd.minimum, torch.minimum, np.minimum,
          (fixed([1.0, 2.0, 3.0]), fixed([1.0, 5.0, 0.0])), (ops.Maximum,), numeric_check=False, tags=("tie",)),
    OpRow("where", lambda a, b: autograd.where(_COND, a, b), lambda a, b: torch.where(_t(_COND), a, b),
          lambda a, b: np.where(_COND, a, b), (normal(S), normal(S)), (ops.Where,)),
    OpRow("where_broadcast", lambda a, b: autograd.where(_COND_COL, a, b),
          lambda a, b: torch.where(_t(_COND_COL), a, b), lambda a, b: np.where(_COND_COL, a, b),
          (normal((1, 4)), normal((3, 4))), (ops.Where,), tags=("broadcast",)),
    OpRow("where_scalar_branch", lambda a: autograd.where(_COND, a, 0.0),
          lambda a: torch.where(_t(_COND), a, torch.zeros((), dtype=a.dtype)), lambda a: np.where(_COND, a, 0.0),
          (normal(S),), (ops.Where,)),
    OpRow("where_tensor_condition", lambda a: autograd.where(a > 0, a, -2 * a),
          lambda a: torch.where(a > 0, a, -2 * a), lambda a: np.where(a > 0, a, -2 * a),
          (away_from_zero(S),), (ops.Where, ops.Mul)),
    OpRow("clip_both", lambda a: a.clip(-0.5, 0.5), lambda a: torch.clamp(a, -0.5, 0.5),
          lambda a: np.clip(a, -0.5, 0.5), (fixed([[-1.0, -0.3, 0.2], [0.45, 0.9, -0.7]]),), (ops.Clip,)),
    OpRow("clip_min_only", lambda a: autograd.clip(a, min=0.0), lambda a: torch.clamp(a, min=0.0),
          lambda a: np.clip(a, 0.0, None), (away_from_zero(S),), (ops.Clip,)),
    OpRow("clip_max_only", lambda a: a.clip(max=0.25), lambda a: torch.clamp(a, max=0.25),
          lambda a: np.clip(a, None, 0.25), (fixed([-1.0, 0.0, 0.5, 2.0]),), (ops.Clip,)),
    OpRow("clip_at_bounds_tie", lambda a: a.clip(-1.0, 1.0), lambda a: torch.clamp(a, -1.0, 1.0),
          lambda a: np.clip(a, -1.0, 1.0), (fixed([-1.0, 0.0, 1.0, 2.0]),), (ops.Clip,),
          numeric_check=False, tags=("tie",)),
    OpRow("cast_float32", lambda a: a.astype(np.float32), lambda a: a.to(torch.float32),
          lambda a: a.astype(np.float32), (normal(S),), (ops.Cast,), numeric_check=False, out_dtype=np.float32),
    OpRow("cast_roundtrip", lambda a: a.astype(np.float32).astype(np.float64) * a,
          lambda a: a.to(torch.float32).to(torch.float64) * a,
          lambda a: a.astype(np.float32).astype(np.float64) * a, (normal(S),), (ops.Cast, ops.Mul),
          numeric_check=False, out_dtype=np.float64),
    # --- comparisons and index-valued functions: no gradient
    OpRow("less", lambda a, b: a < b, lambda a, b: a < b, lambda a, b: a < b, (normal(S), normal((4,))),
          differentiable=False),
    OpRow("greater_equal_scalar", lambda a: a >= 0.1, lambda a: a >= 0.1, lambda a: a >= 0.1, (normal(S),),
          differentiable=False),
    OpRow("equal", lambda a, b: a == b, lambda a, b: a == b, lambda a, b: a == b,
          (fixed([1.0, 2.0, 3.0]), fixed([1.0, 0.0, 3.0])), differentiable=False),
    OpRow("argmax_axis", lambda a: a.argmax(axis=1), lambda a: a.argmax(dim=1), lambda a: a.argmax(axis=1),
          (distinct(S),), differentiable=False),
    # --- reductions
    OpRow("sum_all", lambda a: a.sum(), torch.sum, np.sum, (normal((2, 3, 4)),), (ops.Sum,), tags=("reduce",)),
    OpRow("sum_axis", lambda a: a.sum(axis=1), lambda a: a.sum(dim=1), lambda a: a.sum(axis=1),
          (normal((2, 3, 4)),), (ops.Sum,), tags=("reduce",)),
    OpRow("sum_axes_keepdims", lambda a: a.sum(axis=(0, -1), keepdims=True),
          lambda a: a.sum(dim=(0, -1), keepdim=True), lambda a: a.sum(axis=(0, -1), keepdims=True),
          (normal((2, 3, 4)),), (ops.Sum,), tags=("reduce",)),
    OpRow("sum_scalar_input", lambda a: autograd.sum(a), torch.sum, np.sum, (normal(()),), (ops.Sum,)),
    OpRow("mean_all", lambda a: a.mean(), torch.mean, np.mean, (normal((2, 3, 4)),), (ops.Sum, ops.Div)),
    OpRow("mean_axis_keepdims", lambda a: autograd.mean(a, axis=-1, keepdims=True),
          lambda a: a.mean(dim=-1, keepdim=True), lambda a: a.mean(axis=-1, keepdims=True),
          (normal((2, 3, 4)),), (ops.Sum, ops.Div), tags=("reduce",)),
    OpRow("max_all", lambda a: a.max(), torch.amax, np.max, (distinct((3, 4)),), (ops.Max,), tags=("reduce",)),
    OpRow("max_axis", lambda a: a.max(axis=0), lambda a: torch.amax(a, dim=0), lambda a: a.max(axis=0),
          (distinct((3, 4)),), (ops.Max,), tags=("reduce",)),
    OpRow("max_axes_keepdims", lambda a: a.max(axis=(0, 2), keepdims=True),
          lambda a: torch.amax(a, dim=(0, 2), keepdim=True), lambda a: a.max(axis=(0, 2), keepdims=True),
          (distinct((2, 3, 4)),), (ops.Max,), tags=("reduce",)),
    OpRow("max_ties_all", lambda a: a.max(), torch.amax, np.max,
          (fixed([[1.0, 3.0, 3.0], [3.0, -2.0, 0.0]]),), (ops.Max,), numeric_check=False, tags=("tie",)),
    OpRow("max_ties_axis", lambda a: a.max(axis=1, keepdims=True), lambda a: torch.amax(a, dim=1, keepdim=True),
          lambda a: a.max(axis=1, keepdims=True), (fixed([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, 5.0, 1.0]]),),
          (ops.Max,), numeric_check=False, tags=("tie",)),
    OpRow("min_axis", lambda a: a.min(axis=1), lambda a: torch.amin(a, dim=1), lambda a: a.min(axis=1),
          (distinct((3, 4)),), (ops.Max, ops.Neg), tags=("reduce",)),
    OpRow("min_ties", lambda a: a.min(axis=0), lambda a: torch.amin(a, dim=0), lambda a: a.min(axis=0),
          (fixed([[1.0, -3.0], [1.0, -3.0], [4.0, 0.0]]),), (ops.Max,), numeric_check=False, tags=("tie",)),
    OpRow("var_all", lambda a: a.var(), lambda a: a.var(unbiased=False), np.var, (normal((3, 4)),), (ops.Var,)),
    OpRow("var_axis_ddof1", lambda a: a.var(axis=0, ddof=1), lambda a: a.var(dim=0, unbiased=True),
          lambda a: a.var(axis=0, ddof=1), (normal((3, 4)),), (ops.Var,), tags=("reduce",)),
    OpRow("var_axes_keepdims", lambda a: a.var(axis=(0, -1), keepdims=True),
          lambda a: a.var(dim=(0, -1), unbiased=False, keepdim=True), lambda a: a.var(axis=(0, -1), keepdims=True),
          (normal((2, 3, 4)),), (ops.Var,), tags=("reduce",)),
    OpRow("var_scalar_input", lambda a: a.var(), lambda a: a.var(unbiased=False), np.var, (normal(()),), (ops.Var,)),
    OpRow("std_axis_keepdims", lambda a: a.std(axis=1, keepdims=True), lambda a: a.std(dim=1, unbiased=False, keepdim=True),
          lambda a: a.std(axis=1, keepdims=True), (normal((3, 4)),), (ops.Std,), tags=("reduce",)),
    OpRow("std_all_ddof1", lambda a: a.std(ddof=1), lambda a: a.std(), lambda a: a.std(ddof=1), (normal((2, 3)),),
          (ops.Std,)),
    OpRow("std_constant_rows", lambda a: a.std(axis=1), lambda a: a.std(dim=1, unbiased=False),
          lambda a: a.std(axis=1), (fixed([[2.0, 2.0, 2.0], [1.0, -1.0, 0.5]]),), (ops.Std,),
          second_order=False, tags=("tie",)),  # gradient 0 at zero variance, as PyTorch (whose second
    # derivative there is nan)
    OpRow("logsumexp_all", lambda a: a.logsumexp(), lambda a: torch.logsumexp(a, dim=(0, 1)), _np_logsumexp,
          (normal((3, 4)),), (ops.Exp, ops.Log, ops.Sum)),
    OpRow("logsumexp_axis", lambda a: autograd.logsumexp(a, axis=1), lambda a: torch.logsumexp(a, dim=1),
          lambda a: _np_logsumexp(a, axis=1), (normal((3, 4)),), (ops.Exp, ops.Log), tags=("reduce",)),
    OpRow("logsumexp_large", lambda a: a.logsumexp(axis=0, keepdims=True),
          lambda a: torch.logsumexp(a, dim=0, keepdim=True), lambda a: _np_logsumexp(a, axis=0, keepdims=True),
          (uniform((3, 2), 800, 802),), (ops.Exp, ops.Log), tags=("stable",)),
    OpRow("softmax_last", lambda a: a.softmax(), lambda a: torch.softmax(a, dim=-1), lambda a: _np_softmax(a, -1),
          (normal((3, 4)),), (ops.Exp, ops.Div, ops.Sum)),
    OpRow("softmax_axis0", lambda a: autograd.softmax(a, axis=0), lambda a: torch.softmax(a, dim=0),
          lambda a: _np_softmax(a, 0), (normal((3, 4)),), (ops.Exp, ops.Div)),
    OpRow("softmax_large", lambda a: a.softmax(), lambda a: torch.softmax(a, dim=-1), lambda a: _np_softmax(a, -1),
          (uniform((2, 3), 990, 1000),), (ops.Exp,), tags=("stable",)),
    OpRow("log_softmax", lambda a: a.log_softmax(axis=1), lambda a: torch.log_softmax(a, dim=1),
          lambda a: np.log(_np_softmax(a, 1)), (normal((3, 4)),), (ops.Exp, ops.Log, ops.Sub)),
    OpRow("log_softmax_large", autograd.log_softmax, lambda a: torch.log_softmax(a, dim=-1),
          lambda a: a - _np_logsumexp(a, axis=-1, keepdims=True), (uniform((2, 3), -1000, 1000),), (ops.Sub,),
          tags=("stable",)),
    # --- matrix products
    OpRow("matmul_2d", lambda a, b: a @ b, torch.matmul, np.matmul, (normal((3, 4)), normal((4, 2))), (ops.MatMul,)),
    OpRow("matmul_batched_broadcast", autograd.matmul, torch.matmul, np.matmul,
          (normal((2, 1, 3, 4)), normal((5, 4, 2))), (ops.MatMul,), tags=("broadcast",)),
    OpRow("matmul_vec_mat", lambda a, b: a @ b, torch.matmul, np.matmul, (normal((4,)), normal((4, 3))), (ops.MatMul,)),
    OpRow("matmul_mat_vec", lambda a, b: a.matmul(b), torch.matmul, np.matmul, (normal((3, 4)), normal((4,))), (ops.MatMul,)),
    OpRow("matmul_vec_vec", lambda a, b: a @ b, torch.matmul, np.matmul, (normal((4,)), normal((4,))), (ops.MatMul,)),
    OpRow("matmul_batch_vec", lambda a, b: a @ b, torch.matmul, np.matmul, (normal((2, 3, 4)), normal((4,))), (ops.MatMul,)),
    # --- shapes
    OpRow("reshape", lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1), lambda a: a.reshape(4, -1),
          (normal((2, 3, 2)),), (ops.Reshape,)),
    OpRow("reshape_tuple_to_scalar", lambda a: a.reshape(()), lambda a: a.reshape(()), lambda a: a.reshape(()),
          (normal((1, 1)),), (ops.Reshape,)),
    OpRow("flatten", lambda a: a.flatten(), lambda a: a.flatten(), lambda a: a.flatten(), (normal((2, 3, 2)),), (ops.Reshape,)),
    OpRow("flatten_start", lambda a: a.flatten(1), lambda a: a.flatten(1), lambda a: a.reshape(2, -1),
          (normal((2, 3, 2)),), (ops.Reshape,)),
    OpRow("squeeze_all", lambda a: a.squeeze(), lambda a: a.squeeze(), np.squeeze, (normal((1, 3, 1, 2)),), (ops.Reshape,)),
    OpRow("squeeze_axis", lambda a: a.squeeze(2), lambda a: a.squeeze(2), lambda a: a.squeeze(2),
          (normal((1, 3, 1, 2)),), (ops.Reshape,)),
    OpRow("unsqueeze", lambda a: a.unsqueeze(1), lambda a: a.unsqueeze(1), lambda a: np.expand_dims(a, 1),
          (normal((3, 2)),), (ops.Reshape,)),
    OpRow("expand_dims_negative", lambda a: a.expand_dims(-1), lambda a: a.unsqueeze(-1),
          lambda a: np.expand_dims(a, -1), (normal((3, 2)),), (ops.Reshape,)),
    OpRow("transpose_reverse", lambda a: a.transpose(), lambda a: a.permute(2, 1, 0), np.transpose,
          (normal((2, 3, 4)),), (ops.Transpose,)),
    OpRow("transpose_axes", lambda a: a.transpose(1, 0, 2), lambda a: a.permute(1, 0, 2),
          lambda a: a.transpose(1, 0, 2), (normal((2, 3, 4)),), (ops.Transpose,)),
    OpRow("permute", lambda a: a.permute((2, 0, 1)), lambda a: a.permute(2, 0, 1),
          lambda a: a.transpose(2, 0, 1), (normal((2, 3, 4)),), (ops.Transpose,)),
    OpRow("T", lambda a: a.T, lambda a: a.T, lambda a: a.T, (normal((3, 4)),), (ops.Transpose,)),
    OpRow("mT", lambda a: a.mT, lambda a: a.mT, lambda a: np.swapaxes(a, -1, -2), (normal((2, 3, 4)),), (ops.Transpose,)),
    OpRow("swapaxes", lambda a: a.swapaxes(0, 2), lambda a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2),
          (normal((2, 3, 4)),), (ops.Transpose,)),
    OpRow("broadcast_to", lambda a: a.broadcast_to(2, 3, 4), lambda a: a.expand(2, 3, 4),
          lambda a: np.broadcast_to(a, (2, 3, 4)), (normal((3, 1)),), (ops.BroadcastTo,)),
    OpRow("expand", lambda a: a.expand(2, -1, 4), lambda a: a.expand(2, -1, 4),
          lambda a: np.broadcast_to(a, (2, 3, 4)), (normal((3, 1)),), (ops.BroadcastTo,)),
    # --- indexing
    _index_row("int", 1),
    _index_row("negative_int_pair", (-1, 2)),
    _index_row("int_to_scalar_then_grad", (2, -3)),
    _index_row("slice", (slice(1, 3), slice(None, None, 2))),
    _index_row("ellipsis_newaxis", (Ellipsis, None, 1), shape=(2, 3, 4)),
    _index_row("int_array_repeats", _REPEATS, torch_index=_t(_REPEATS)),
    _index_row("int_array_list", [3, 3, -4], torch_index=[3, 3, -4]),
    _index_row("two_int_arrays", (np.array([0, 1, 1, -1]), np.array([2, -1, -1, 0])),
               torch_index=_torch_index((np.array([0, 1, 1, -1]), np.array([2, -1, -1, 0])))),
    _index_row("slice_and_int_array", (slice(None), np.array([1, 1, 0, -1])),
               torch_index=_torch_index((slice(None), np.array([1, 1, 0, -1])))),
    _index_row("int_array_2d", np.array([[0, 1], [1, 1]]), torch_index=_t(np.array([[0, 1], [1, 1]]))),
    _index_row("arrays_apart", (np.array([0, 1, 0]), slice(None), np.array([1, 0, -1])), shape=(2, 3, 2),
               torch_index=_torch_index((np.array([0, 1, 0]), slice(None), np.array([1, 0, -1])))),
    _index_row("arrays_broadcast", (np.array([[0], [2]]), np.array([1, 1, -1])),
               torch_index=_torch_index((np.array([[0], [2]]), np.array([1, 1, -1])))),
    _index_row("bool_mask", _MASK, shape=S, torch_index=_t(_MASK)),
    _index_row("bool_mask_rows", np.array([True, False, True]), shape=S, torch_index=_t(np.array([True, False, True]))),
    _index_row("negative_step", slice(None, None, -1), torch_fn=lambda a: torch.flip(a, [0])),
    _index_row("negative_step_2", (slice(None, None, -2), slice(3, 0, -1)),
               torch_fn=lambda a: torch.flip(a, [0, 1])[::2, 1:4]),
    # --- assignment t[index] = value, recorded in place (the copy t = a * 1 is not a leaf)
    OpRow("setitem_slice", _assigned((slice(1, 3),)), _assigned((slice(1, 3),)), _assigned((slice(1, 3),)),
          (normal((4, 5)), normal((2, 5))), (ops.SetItem,), tags=("index",)),
    OpRow("setitem_broadcast_value", _assigned((slice(None), 2)), _assigned((slice(None), 2)),
          _assigned((slice(None), 2)), (normal((4, 5)), normal(())), (ops.SetItem,), tags=("index", "broadcast")),
    OpRow("setitem_int_array", _assigned(np.array([3, 0])), _assigned(np.array([3, 0])), _assigned(np.array([3, 0])),
          (normal((4, 5)), normal((2, 5))), (ops.SetItem,), tags=("index",)),
    OpRow("setitem_bool_mask", _assigned(_MASK), _assigned(_MASK), _assigned(_MASK),
          (normal(S), normal((int(_MASK.sum()),))), (ops.SetItem,), tags=("index",)),
    OpRow("scatter_add", lambda a: ops.ScatterAdd.apply(a, index=_REPEATS, shape=(5, 2)),
          lambda a: torch.zeros((5, 2), dtype=a.dtype).index_put((_t(_REPEATS % 5),), a, accumulate=True),
          lambda a: _np_scatter_add(a, _REPEATS, (5, 2)), (normal((6, 2)),), (ops.ScatterAdd,)),
    OpRow("scatter_add_slice", lambda a: ops.ScatterAdd.apply(a, index=(slice(None), 1), shape=(3, 4)),
          lambda a: torch_F.pad(a.unsqueeze(1), (1, 2)),
          lambda a: _np_scatter_add(a, (slice(None), 1), (3, 4)), (normal((3,)),), (ops.ScatterAdd,)),
    # --- joining, splitting, padding
    OpRow("concatenate", lambda a, b, c: autograd.concatenate([a, b, c], axis=1),
          lambda a, b, c: torch.cat([a, b, c], dim=1), lambda a, b, c: np.concatenate([a, b, c], axis=1),
          (normal((2, 1)), normal((2, 3)), normal((2, 2))), (ops.Concatenate,)),
    OpRow("concatenate_negative_axis", lambda a, b: autograd.concatenate([a, b], axis=-1),
          lambda a, b: torch.cat([a, b], dim=-1), lambda a, b: np.concatenate([a, b], axis=-1),
          (normal((2, 2, 1)), normal((2, 2, 3))), (ops.Concatenate,)),
    OpRow("stack", lambda a, b: autograd.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], dim=1),
          lambda a, b: np.stack([a, b], axis=1), (normal((3, 2)), normal((3, 2))), (ops.Concatenate, ops.Reshape)),
    OpRow("stack_last", lambda a, b: autograd.stack([a, b, a], axis=-1), lambda a, b: torch.stack([a, b, a], dim=-1),
          lambda a, b: np.stack([a, b, a], axis=-1), (normal((3,)), normal((3,))), (ops.Concatenate,)),
    OpRow("split_sections", lambda a: autograd.concatenate([p * (i + 1) for i, p in enumerate(autograd.split(a, 3, axis=1))], axis=1),
          lambda a: torch.cat([p * (i + 1) for i, p in enumerate(torch.split(a, 2, dim=1))], dim=1),
          lambda a: np.concatenate([p * (i + 1) for i, p in enumerate(np.split(a, 3, axis=1))], axis=1),
          (normal((2, 6)),), (ops.GetItem, ops.Concatenate)),
    OpRow("split_indices", lambda a: autograd.concatenate([p.exp() if i == 1 else p for i, p in enumerate(a.split([1, 3]))]),
          lambda a: torch.cat([p.exp() if i == 1 else p for i, p in enumerate(torch.split(a, [1, 2, 1]))]),
          lambda a: np.concatenate([np.exp(p) if i == 1 else p for i, p in enumerate(np.split(a, [1, 3]))]),
          (normal((4, 2)),), (ops.GetItem,)),
    OpRow("pad", lambda a: a.pad(((1, 0), (2, 1))), lambda a: torch_F.pad(a, _torch_pad(((1, 0), (2, 1)), 2)),
          lambda a: np.pad(a, ((1, 0), (2, 1))), (normal((2, 3)),), (ops.Pad,)),
    OpRow("pad_int_value", lambda a: autograd.pad(a, 1, value=-1.5), lambda a: torch_F.pad(a, [1] * 6, value=-1.5),
          lambda a: np.pad(a, 1, constant_values=-1.5), (normal((2, 1, 3)),), (ops.Pad,)),
    # --- sliding windows (convolution and pooling)
    OpRow("sliding_window_1d", lambda a: a.sliding_window(3, axis=1),
          lambda a: _torch_windows(a, (3,), (1,), (1,)), lambda a: _np_windows(a, (3,), (1,), (1,)),
          (normal((2, 6)),), (ops.SlidingWindows,)),
    OpRow("sliding_window_stride", lambda a: autograd.sliding_window(a, 3, axis=-1, stride=2),
          lambda a: _torch_windows(a, (3,), (1,), (2,)), lambda a: _np_windows(a, (3,), (1,), (2,)),
          (normal((2, 8)),), (ops.SlidingWindows,)),
    OpRow("sliding_window_2d_stride", lambda a: a.sliding_window((2, 3), axis=(2, 3), stride=(2, 1)),
          lambda a: _torch_windows(a, (2, 3), (2, 3), (2, 1)), lambda a: _np_windows(a, (2, 3), (2, 3), (2, 1)),
          (normal((1, 2, 5, 5)),), (ops.SlidingWindows,)),
    OpRow("fold_windows", lambda a: ops.FoldWindows.apply(a, window=(3,), axes=(1,), strides=(2,), shape=(2, 7)),
          lambda a: _torch_fold(a, (3,), (1,), (2,), (2, 7)), lambda a: _np_fold(a, (3,), (1,), (2,), (2, 7)),
          (normal((2, 3, 3)),), (ops.FoldWindows,)),
    OpRow("fold_windows_2d", lambda a: ops.FoldWindows.apply(a, window=(2, 2), axes=(0, 1), strides=(1, 2), shape=(4, 5)),
          lambda a: _torch_fold(a, (2, 2), (0, 1), (1, 2), (4, 5)), lambda a: _np_fold(a, (2, 2), (0, 1), (1, 2), (4, 5)),
          (normal((3, 2, 2, 2)),), (ops.FoldWindows,)),
    OpRow("sliding_window_dilation", lambda a: a.sliding_window((2, 3), axis=(0, 2), stride=(1, 2), dilation=(2, 1)),
          lambda a: _torch_windows(a, (2, 3), (0, 2), (1, 2), (2, 1)),
          lambda a: _np_windows(a, (2, 3), (0, 2), (1, 2), (2, 1)), (normal((5, 2, 7)),), (ops.SlidingWindows,)),
    OpRow("fold_windows_dilation", lambda a: autograd.fold_windows(a, (2, 9), axis=1, stride=2, dilation=3),
          lambda a: _torch_fold(a, (2,), (1,), (2,), (2, 9), (3,)), lambda a: _np_fold(a, (2,), (1,), (2,), (2, 9), (3,)),
          (normal((2, 3, 2)),), (ops.FoldWindows,)),
    *CONV_ROWS,
    # --- a small composite network piece, so the ops meet each other
    OpRow("mlp_layer", lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(axis=0),
          lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(dim=0),
          lambda x, w, b: (np.tanh(x @ w + b) ** 2).mean(axis=0),
          (normal((5, 3)), normal((3, 4)), normal((4,))), (ops.MatMul, ops.Add, ops.Tanh, ops.Pow, ops.Sum)),
    # --- PyTorch's spellings (autograd/spellings.py): fn and torch_fn are the same call, as a
    # PyTorch user writes it; numpy_fn is numpy's spelling of what it means
    OpRow("log10", lambda a: a.log10(), torch.log10, np.log10, (positive(S, 0.1, 50.0),), (ops.Log10,)),
    OpRow("log10_scalar", autograd.log10, torch.log10, np.log10, (positive(()),), (ops.Log10,)),
    OpRow("clone", lambda a: a.clone(), lambda a: a.clone(), np.copy, (normal(S),), (ops.Clone,)),
    OpRow("clone_scalar_then_mul", lambda a: a.clone() * a, lambda a: a.clone() * a, lambda a: a * a,
          (normal(()),), (ops.Clone, ops.Mul)),
    OpRow("view", lambda a: a.view(4, -1), lambda a: a.view(4, -1), lambda a: a.reshape(4, -1), (normal((2, 3, 2)),),
          (ops.Reshape,)),
    OpRow("sum_dim_keepdim", lambda a: a.sum(dim=1, keepdim=True), lambda a: a.sum(dim=1, keepdim=True),
          lambda a: a.sum(axis=1, keepdims=True), (normal((2, 3, 4)),), (ops.Sum,), tags=("reduce",)),
    OpRow("mean_dims", lambda a: autograd.mean(a, dim=(0, 2)), lambda a: torch.mean(a, dim=(0, 2)),
          lambda a: a.mean(axis=(0, 2)), (normal((2, 3, 4)),), (ops.Sum, ops.Div), tags=("reduce",)),
    OpRow("max_dim_values", lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values, lambda a: a.max(axis=1),
          (distinct(S),), (ops.GetItem,), tags=("reduce",)),
    OpRow("max_positional_keepdim_values", lambda a: a.max(0, keepdim=True).values,
          lambda a: a.max(0, keepdim=True).values, lambda a: a.max(axis=0, keepdims=True), (distinct(S),),
          (ops.GetItem,), tags=("reduce",)),
    OpRow("max_dim_ties_go_to_the_first", lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values,
          lambda a: a.max(axis=1), (fixed([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, 5.0, 1.0]]),), (ops.GetItem,),
          numeric_check=False, tags=("tie",)),
    OpRow("max_dim_scalar", lambda a: a.max(dim=0).values, lambda a: a.max(dim=0).values, np.copy, (normal(()),),
          (ops.GetItem,)),
    OpRow("min_dim_values", lambda a: a.min(dim=-1).values, lambda a: a.min(dim=-1).values, lambda a: a.min(axis=-1),
          (distinct((2, 3, 4)),), (ops.GetItem,), tags=("reduce",)),
    OpRow("max_dim_indices", lambda a: a.max(dim=1).indices, lambda a: a.max(dim=1).indices,
          lambda a: a.argmax(axis=1), (distinct(S),), differentiable=False),
    OpRow("argmax_dim_keepdim", lambda a: a.argmax(dim=0, keepdim=True), lambda a: a.argmax(dim=0, keepdim=True),
          lambda a: a.argmax(axis=0, keepdims=True), (distinct(S),), differentiable=False),
    OpRow("all_dim", lambda a: (a > 0).all(dim=1), lambda a: (a > 0).all(dim=1), lambda a: (a > 0).all(axis=1),
          (normal(S),), differentiable=False),
    OpRow("amax_dims_keepdim", lambda a: a.amax(dim=(0, 2), keepdim=True), lambda a: a.amax(dim=(0, 2), keepdim=True),
          lambda a: a.max(axis=(0, 2), keepdims=True), (distinct((2, 3, 4)),), (ops.Max,), tags=("reduce",)),
    OpRow("amin_ties_share", lambda a: a.amin(dim=0), lambda a: a.amin(dim=0), lambda a: a.min(axis=0),
          (fixed([[1.0, -3.0], [1.0, -3.0], [4.0, 0.0]]),), (ops.Max,), numeric_check=False, tags=("tie",)),
    OpRow("var_dim_is_unbiased", lambda a: a.var(dim=0), lambda a: a.var(dim=0), lambda a: a.var(axis=0, ddof=1),
          (normal(S),), (ops.Var,), tags=("reduce",)),
    OpRow("var_unbiased_false_keepdim", lambda a: a.var(1, unbiased=False, keepdim=True),
          lambda a: a.var(1, unbiased=False, keepdim=True), lambda a: a.var(axis=1, keepdims=True),
          (normal(S),), (ops.Var,), tags=("reduce",)),
    OpRow("std_correction", lambda a: a.std(dim=1, correction=0), lambda a: a.std(dim=1, correction=0),
          lambda a: a.std(axis=1), (normal(S),), (ops.Std,), tags=("reduce",)),
    OpRow("std_keepdim_is_unbiased", lambda a: a.std(0, keepdim=True), lambda a: a.std(0, keepdim=True),
          lambda a: a.std(axis=0, ddof=1, keepdims=True), (normal(S),), (ops.Std,), tags=("reduce",)),
    OpRow("logsumexp_dim_keepdim", lambda a: a.logsumexp(dim=1, keepdim=True),
          lambda a: a.logsumexp(dim=1, keepdim=True), lambda a: _np_logsumexp(a, axis=1, keepdims=True),
          (normal(S),), (ops.Exp, ops.Log), tags=("reduce",)),
    OpRow("softmax_dim", lambda a: a.softmax(dim=0), lambda a: a.softmax(dim=0), lambda a: _np_softmax(a, 0),
          (normal(S),), (ops.Exp, ops.Div)),
    OpRow("log_softmax_dim", lambda a: autograd.log_softmax(a, dim=0), lambda a: torch.log_softmax(a, dim=0),
          lambda a: np.log(_np_softmax(a, 0)), (normal(S),), (ops.Exp, ops.Log)),
    OpRow("cat_dim", lambda a, b: autograd.cat([a, b], dim=1), lambda a, b: torch.cat([a, b], dim=1),
          lambda a, b: np.concatenate([a, b], axis=1), (normal((3, 2)), normal((3, 4))), (ops.Concatenate,)),
    OpRow("stack_dim", lambda a, b: autograd.stack([a, b], dim=-1), lambda a, b: torch.stack([a, b], dim=-1),
          lambda a, b: np.stack([a, b], axis=-1), (normal(S), normal(S)), (ops.Concatenate,)),
    OpRow("squeeze_dim_leaves_others", lambda a: a.squeeze(dim=(0, 1)), lambda a: a.squeeze(dim=(0, 1)),
          lambda a: a.squeeze(axis=0), (normal((1, 3, 2)),), (ops.Reshape,)),
    OpRow("unsqueeze_dim", lambda a: a.unsqueeze(dim=-1), lambda a: a.unsqueeze(dim=-1),
          lambda a: np.expand_dims(a, -1), (normal(S),), (ops.Reshape,)),
    OpRow("split_dim_sizes", lambda a: autograd.cat([p * (i + 1) for i, p in enumerate(a.split(2, dim=1))], dim=1),
          lambda a: torch.cat([p * (i + 1) for i, p in enumerate(a.split(2, dim=1))], dim=1),
          lambda a: np.concatenate([p * (i + 1) for i, p in enumerate(np.split(a, [2, 4], axis=1))], axis=1),
          (normal((2, 5)),), (ops.GetItem, ops.Concatenate)),
]


# ----- issue #17: the operations users reach for ------------------------------------------------


def away_from_jumps(shape) -> Sampler:
    """Numbers k + f with an integer k and a fraction f in [0.1, 0.4]: no jump of round, floor,
    ceil or trunc within reach of a central difference."""
    return lambda rng: rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape)


def _np_running_index(a, axis, largest):
    """Reference for cummax/cummin indices by a plain loop (ties: the later place; NaN sticks)."""
    a = np.moveaxis(a, axis, -1)
    out = np.zeros(a.shape, dtype=np.int64)
    for row in np.ndindex(a.shape[:-1]):
        best = 0
        for i in range(a.shape[-1]):
            value, current = a[row + (i,)], a[row + (best,)]
            if np.isnan(value) or (not np.isnan(current) and (value >= current if largest else value <= current)):
                best = i
            out[row + (i,)] = best
    return np.moveaxis(out, -1, axis)


def _np_scatter(x, axis, index, src, reduce=None, include_self=True):
    """Reference scatter/scatter_reduce by a plain loop over the index."""
    out = x.astype(np.float64)
    groups = {}
    for place in np.ndindex(index.shape):
        target = list(place)
        target[axis] = index[place]
        value = src if np.ndim(src) == 0 else src[place]
        groups.setdefault(tuple(target), []).append(value)
    for target, values in groups.items():
        values = ([x[target]] if include_self and reduce else []) + values
        combine = {None: lambda v: v[-1], "sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max,
                   "amin": np.min}[reduce]
        out[target] = combine(values)
    return out


_GATHER = np.array([[0, 3, 3], [1, 1, 0], [2, 0, 3]])
_SCATTER = np.array([[0, 2, 4, 1], [3, 0, 1, 2]])  # no place twice in a row: PyTorch's scatter is defined
_REPEATED = np.array([[0, 2, 0, 4], [3, 3, 3, 1], [1, 1, 0, 1]])  # places repeat: reductions combine them
_ROW_MASK = np.array([True, False, True, True])


def _scatter_reduce_row(reduce, include_self, inputs=None, suffix="", numeric_check=True, second_order=True):
    return OpRow(
        f"scatter_reduce_{reduce}" + ("" if include_self else "_exclude_self") + suffix,
        lambda a, b: a.scatter_reduce(1, _REPEATED, b, reduce, include_self=include_self),
        lambda a, b: a.scatter_reduce(1, _t(_REPEATED), b, reduce, include_self=include_self),
        lambda a, b: _np_scatter(a, 1, _REPEATED, b, reduce, include_self),
        inputs or (distinct((3, 5)), distinct((3, 4))), (ops.GetItem,) if reduce in ("prod", "amax", "amin") else (ops.ScatterAdd,),
        numeric_check=numeric_check, second_order=second_order, tags=("index",))


def _einsum_row(name, subscripts, shapes, numpy_fn=None, covers=(ops.Einsum,)):
    return OpRow(f"einsum_{name}", lambda *xs: autograd.einsum(subscripts, *xs),
                 lambda *xs: torch.einsum(subscripts, *xs),
                 numpy_fn or (lambda *xs: np.einsum(subscripts, *xs)), tuple(normal(s) for s in shapes), covers)


def _np_gelu(a):
    import math
    return np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in a.ravel()]).reshape(a.shape)


def _np_attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return _np_softmax(scores, -1) @ v


_ATTENTION_MASK = np.array([[True, False, True, True, False], [True, True, True, True, True],
                            [False, False, True, False, False]])
_CLASSES = np.array([2, -100, 0, 1, -100])
_CLASS_WEIGHT = np.array([0.5, 2.0, 1.5, 1.0])
_TOKENS = np.array([[1, 3, 0], [3, 3, 4]])

ROWS += [
    # --- elementwise functions (primitives where a composite would lose accuracy)
    OpRow("log1p", lambda a: a.log1p(), torch.log1p, np.log1p, (uniform(S, -0.5, 2.0),), (ops.Log1p,)),
    OpRow("log1p_tiny", autograd.log1p, torch.log1p, np.log1p, (fixed([1e-12, -3e-10, 2e-5]),), (ops.Log1p,)),
    OpRow("expm1", lambda a: a.expm1(), torch.expm1, np.expm1, (normal(S),), (ops.Expm1,)),
    OpRow("expm1_tiny", autograd.expm1, torch.expm1, np.expm1, (fixed([1e-12, -3e-10, 2e-5]),), (ops.Expm1,)),
    OpRow("log2", lambda a: a.log2(), torch.log2, np.log2, (positive(S, 0.2, 3.0),), (ops.Log2,)),
    OpRow("log2_powers", autograd.log2, torch.log2, np.log2, (fixed([8.0, 1024.0, 0.125]),), (ops.Log2,)),
    OpRow("log10_powers", autograd.log10, torch.log10, np.log10, (fixed([1000.0, 0.01, 1e5]),), (ops.Log10,)),
    OpRow("tan", lambda a: a.tan(), torch.tan, np.tan, (uniform(S, -1.2, 1.2),), (ops.Sin, ops.Cos, ops.Div)),
    OpRow("asin", lambda a: a.asin(), torch.asin, np.arcsin, (uniform(S, -0.9, 0.9),), (ops.Asin,)),
    OpRow("acos", autograd.acos, torch.acos, np.arccos, (uniform(S, -0.9, 0.9),), (ops.Acos,)),
    OpRow("atan", lambda a: a.atan(), torch.atan, np.arctan, (uniform(S, -3, 3),), (ops.Atan,)),
    OpRow("sinh", lambda a: a.sinh(), torch.sinh, np.sinh, (uniform(S, -3, 3),), (ops.Expm1,)),
    OpRow("sinh_tiny", autograd.sinh, torch.sinh, np.sinh, (fixed([1e-10, -2e-7, 0.0]),), (ops.Expm1,)),
    OpRow("cosh", autograd.cosh, torch.cosh, np.cosh, (uniform(S, -3, 3),), (ops.Cosh,)),
    OpRow("erf", lambda a: a.erf(), torch.erf, lambda a: np.vectorize(__import__("math").erf)(a),
          (uniform((4, 5), -4.5, 4.5),), (ops.Erf,)),
    OpRow("reciprocal", lambda a: a.reciprocal(), torch.reciprocal, np.reciprocal, (away_from_zero(S, 0.5),), (ops.Div,)),
    OpRow("square", autograd.square, torch.square, np.square, (normal(S),), (ops.Mul,)),
    OpRow("rsqrt", lambda a: a.rsqrt(), torch.rsqrt, lambda a: 1 / np.sqrt(a), (positive(S),), (ops.Sqrt, ops.Div)),
    # --- step functions: gradient 0
    OpRow("sign", lambda a: a.sign(), torch.sign, np.sign, (away_from_zero(S),), (ops.Sign,)),
    OpRow("sign_at_zero", autograd.sign, torch.sign, np.sign, (fixed([-1.5, 0.0, 2.0]),), (ops.Sign,),
          numeric_check=False, tags=("tie",)),
    OpRow("round", lambda a: a.round(), torch.round, np.round, (away_from_jumps(S),), (ops.Round,)),
    OpRow("round_half_to_even_tie", autograd.round, torch.round, np.round, (fixed([0.5, 1.5, 2.5, -0.5]),),
          (ops.Round,), numeric_check=False, tags=("tie",)),
    OpRow("round_decimals", lambda a: a.round(1), lambda a: torch.round(a, decimals=1), lambda a: np.round(a, 1),
          (fixed([0.123, 2.671, -1.349]),), (ops.Round,)),
    OpRow("floor", lambda a: a.floor(), torch.floor, np.floor, (away_from_jumps(S),), (ops.Floor,)),
    OpRow("ceil", autograd.ceil, torch.ceil, np.ceil, (away_from_jumps(S),), (ops.Ceil,)),
    OpRow("trunc", lambda a: a.trunc(), torch.trunc, np.trunc, (away_from_jumps(S),), (ops.Trunc,)),
    OpRow("lerp_scalar_weights", lambda a, b: a.lerp(b, 0.3) + autograd.lerp(a, b, 0.8),
          lambda a, b: torch.lerp(a, b, 0.3) + torch.lerp(a, b, 0.8),
          lambda a, b: (a + 0.3 * (b - a)) + (a + 0.8 * (b - a)), (normal(S), normal((4,))), (ops.Sub, ops.Mul)),
    OpRow("lerp_tensor_weight", lambda a, b, w: a.lerp(b, w), torch.lerp, lambda a, b, w: a + w * (b - a),
          (normal(S), normal((4,)), uniform((3, 1), 0, 1)), (ops.Where,), tags=("broadcast",)),
    OpRow("isclose", lambda a, b: a.isclose(b), torch.isclose, np.isclose,
          (fixed([1.0, 1.0 + 1e-9, 2.0, np.inf]), fixed([1.0, 1.0, 2.1, np.inf])), differentiable=False),
    OpRow("bitwise_operators", lambda a, b: ((a.astype(np.int64) & b.astype(np.int64)) | 8) ^ (~b.astype(np.int64)),
          lambda a, b: ((a.to(torch.int64) & b.to(torch.int64)) | 8) ^ (~b.to(torch.int64)),
          lambda a, b: ((a.astype(np.int64) & b.astype(np.int64)) | 8) ^ (~b.astype(np.int64)),
          (fixed([[12.0, 5.0, -7.0]]), fixed([10.0, 3.0, 6.0])), differentiable=False),
    OpRow("shifts", lambda a: (a.astype(np.int64) << 3) + autograd.right_shift(a.astype(np.int64), 1),
          lambda a: (a.to(torch.int64) << 3) + torch.bitwise_right_shift(a.to(torch.int64), 1),
          lambda a: (a.astype(np.int64) << 3) + (a.astype(np.int64) >> 1), (fixed([12.0, 5.0, -7.0, 0.0]),),
          differentiable=False),
    OpRow("logical_masks", lambda a: (a > 0) & ~(a > 1) | (a < -1), lambda a: (a > 0) & ~(a > 1) | (a < -1),
          lambda a: (a > 0) & ~(a > 1) | (a < -1), (normal(S),), differentiable=False),
    # --- min and minimum of integers (no gradient; -x would overflow)
    OpRow("min_int64_extremes", lambda a: a.astype(np.int64).min() + 0 * autograd.minimum(a.astype(np.int8), -128),
          lambda a: a.to(torch.int64).min() + 0 * torch.minimum(a.to(torch.int8), torch.tensor(-128, dtype=torch.int8)),
          lambda a: a.astype(np.int64).min() + 0 * np.minimum(a.astype(np.int8), np.int8(-128)),
          (fixed([-128.0, 3.0, 0.0]),), differentiable=False),
    OpRow("var_ddof_at_least_n", lambda a: a.var(axis=1, ddof=3), lambda a: a.var(dim=1, correction=3),
          lambda a: np.var(a, axis=1, ddof=3), (fixed([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]]),), differentiable=False),
    # --- cumulative operations
    OpRow("cumsum_axis", lambda a: a.cumsum(axis=1), lambda a: torch.cumsum(a, 1), lambda a: np.cumsum(a, 1),
          (normal((3, 4)),), (ops.Cumsum,), tags=("reduce",)),
    OpRow("cumsum_negative_axis", lambda a: autograd.cumsum(a, -1), lambda a: torch.cumsum(a, -1),
          lambda a: np.cumsum(a, -1), (normal((2, 3, 4)),), (ops.Cumsum,)),
    OpRow("cumsum_flattened", lambda a: a.cumsum(), lambda a: torch.cumsum(a.flatten(), 0), np.cumsum,
          (normal((3, 4)),), (ops.Cumsum,)),
    OpRow("cumsum_scalar", lambda a: a.cumsum(0), lambda a: torch.cumsum(a, 0), lambda a: np.cumsum(a).reshape(()),
          (normal(()),), (ops.Cumsum,)),
    OpRow("cumsum_empty", lambda a: a.cumsum(0), lambda a: torch.cumsum(a, 0), lambda a: np.cumsum(a, 0),
          (normal((0, 3)),), (ops.Cumsum,)),
    OpRow("cumprod_axis", lambda a: a.cumprod(axis=1), lambda a: torch.cumprod(a, 1), lambda a: np.cumprod(a, 1),
          (normal((3, 4)),), (ops.Cumprod,), tags=("reduce",)),
    OpRow("cumprod_zeros", lambda a: a.cumprod(1), lambda a: torch.cumprod(a, 1), lambda a: np.cumprod(a, 1),
          (fixed([[1.5, 0.0, 2.0, -1.0, 0.5], [0.0, 2.0, 0.0, 3.0, 0.0], [2.0, 3.0, -1.0, 0.5, 0.0],
                  [0.7, 1.2, -0.8, 1.1, 0.9], [1.3, 0.0, 0.0, -2.0, 1.1]]),), (ops.Cumprod,), tags=("tie",)),
    OpRow("cumprod_zeros_axis0", lambda a: autograd.cumprod(a, 0), lambda a: torch.cumprod(a, 0),
          lambda a: np.cumprod(a, 0), (fixed([[0.0, 1.5, 2.0], [2.0, 0.0, -1.0], [0.0, 0.5, 0.0], [3.0, 2.0, 0.0]]),),
          (ops.Cumprod,), tags=("tie",)),
    OpRow("cumprod_scalar", lambda a: a.cumprod(0), lambda a: torch.cumprod(a, 0), lambda a: np.cumprod(a).reshape(()),
          (normal(()),), (ops.Cumprod,)),
    OpRow("prod_all", lambda a: a.prod(), torch.prod, np.prod, (normal((3, 4)),), (ops.Prod,), tags=("reduce",)),
    OpRow("prod_axis_keepdims", lambda a: a.prod(axis=1, keepdims=True), lambda a: torch.prod(a, 1, keepdim=True),
          lambda a: np.prod(a, 1, keepdims=True), (normal((3, 4)),), (ops.Prod,), tags=("reduce",)),
    OpRow("prod_axes", lambda a: autograd.prod(a, axis=(0, 2)), lambda a: torch.prod(torch.prod(a, 2), 0),
          lambda a: np.prod(a, (0, 2)), (normal((2, 3, 4)),), (ops.Prod, ops.Transpose), tags=("reduce",)),
    OpRow("prod_one_zero", lambda a: a.prod(), torch.prod, np.prod, (fixed([1.5, -2.0, 0.0, 0.5]),), (ops.Prod,)),
    OpRow("prod_two_zeros", lambda a: a.prod(), torch.prod, np.prod, (fixed([1.5, 0.0, -2.0, 0.0, 0.5]),),
          (ops.Prod,)),
    OpRow("prod_zeros_per_row", lambda a: a.prod(axis=1), lambda a: torch.prod(a, 1), lambda a: np.prod(a, 1),
          (fixed([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [2.0, -1.0, 0.5], [0.0, 0.0, 0.0]]),), (ops.Prod,)),
    OpRow("prod_empty", lambda a: a.prod(axis=0), lambda a: torch.prod(a, 0), lambda a: np.prod(a, 0),
          (normal((0, 3)),), (ops.Prod, ops.Pad)),
    OpRow("prod_scalar", lambda a: a.prod(), torch.prod, np.prod, (normal(()),), (ops.Prod,)),
    OpRow("cummax_values", lambda a: a.cummax(1).values, lambda a: torch.cummax(a, 1).values,
          lambda a: np.maximum.accumulate(a, 1), (distinct((3, 5)),), (ops.GetItem,), tags=("index",)),
    OpRow("cummax_ties", lambda a: autograd.cummax(a, 0).values, lambda a: torch.cummax(a, 0).values,
          lambda a: np.maximum.accumulate(a, 0), (fixed([[1.0, 2.0], [1.0, 3.0], [0.0, 3.0], [1.0, 3.0]]),),
          (ops.GetItem,), numeric_check=False, tags=("tie",)),
    OpRow("cummin_values", lambda a: a.cummin(-1).values, lambda a: torch.cummin(a, -1).values,
          lambda a: np.minimum.accumulate(a, -1), (distinct((2, 3, 4)),), (ops.GetItem,), tags=("index",)),
    OpRow("cummax_scalar", lambda a: a.cummax(0).values, lambda a: torch.cummax(a, 0).values, lambda a: a,
          (normal(()),), (ops.GetItem,)),
    OpRow("cummax_indices", lambda a: a.cummax(1).indices, lambda a: torch.cummax(a, 1).indices,
          lambda a: _np_running_index(a, 1, True),
          (fixed([[1.0, 3.0, 3.0, 2.0, 3.0, np.nan, 5.0, np.nan, 1.0], [2.0, 2.0, 1.0, 2.0, 0.0, 4.0, 4.0, 9.0, 9.0]]),),
          differentiable=False),
    OpRow("cummin_indices", lambda a: a.cummin(0).indices, lambda a: torch.cummin(a, 0).indices,
          lambda a: _np_running_index(a, 0, False), (fixed([[1.0, 0.0], [1.0, -1.0], [np.nan, -1.0], [0.0, 2.0]]),),
          differentiable=False),
    # --- indexing along an axis (composites of indexing)
    OpRow("gather", lambda a: a.gather(1, _GATHER), lambda a: torch.gather(a, 1, _t(_GATHER)),
          lambda a: np.take_along_axis(a, _GATHER, 1), (normal((3, 4)),), (ops.GetItem,), tags=("index",)),
    OpRow("gather_axis0_shorter_index", lambda a: autograd.gather(a, 0, _GATHER[:2] % 3),
          lambda a: torch.gather(a, 0, _t(_GATHER[:2] % 3)), lambda a: np.take_along_axis(a[:, :3], _GATHER[:2] % 3, 0),
          (normal((3, 4)),), (ops.GetItem,), tags=("index",)),
    OpRow("gather_negative_index", lambda a: a.gather(1, -1 - _GATHER), lambda a: torch.gather(a, 1, _t(3 - _GATHER)),
          lambda a: np.take_along_axis(a, -1 - _GATHER, 1), (normal((3, 4)),), (ops.GetItem,), tags=("index",)),
    OpRow("gather_empty_index", lambda a: a.gather(1, np.zeros((3, 0), dtype=np.int64)),
          lambda a: torch.gather(a, 1, torch.zeros((3, 0), dtype=torch.int64)), lambda a: np.zeros((3, 0)),
          (normal((3, 4)),), (ops.GetItem,), tags=("index",)),
    OpRow("scatter", lambda a, b: a.scatter(1, _SCATTER, b), lambda a, b: a.scatter(1, _t(_SCATTER), b),
          lambda a, b: _np_scatter(a, 1, _SCATTER, b), (normal((2, 5)), normal((2, 4))), (ops.ScatterAdd, ops.Where),
          tags=("index",)),
    OpRow("scatter_larger_src", lambda a, b: autograd.scatter(a, 1, _SCATTER[:, :3], b),
          lambda a, b: a.scatter(1, _t(_SCATTER[:, :3]), b[:, :3]), lambda a, b: _np_scatter(a, 1, _SCATTER[:, :3], b[:, :3]),
          (normal((2, 5)), normal((2, 4))), (ops.ScatterAdd, ops.Where), tags=("index",)),
    OpRow("scatter_value", lambda a: a.scatter(0, _GATHER % 3, 2.5), lambda a: a.scatter(0, _t(_GATHER % 3), 2.5),
          lambda a: _np_scatter(a, 0, _GATHER % 3, 2.5), (normal((3, 4)),), (ops.Where,), tags=("index",)),
    OpRow("scatter_add_along_axis", lambda a, b: a.scatter_add(1, _REPEATED, b), lambda a, b: a.scatter_add(1, _t(_REPEATED), b),
          lambda a, b: _np_scatter(a, 1, _REPEATED, b, "sum"), (normal((3, 5)), normal((3, 4))), (ops.ScatterAdd,),
          tags=("index",)),
    *[_scatter_reduce_row(reduce, include_self) for reduce in ("sum", "mean", "amax", "amin", "prod")
      for include_self in (True, False)],
    _scatter_reduce_row("amax", True, suffix="_ties", inputs=(fixed([[1.0, 5.0, 2.0, 0.0, 1.0], [0.0, 1.0, 2.0, 3.0, 4.0],
                                                   [2.0, 2.0, 0.0, 0.0, 0.0]]),
                                            fixed([[1.0, 2.0, 0.5, 3.0], [3.0, 3.0, 1.0, 1.0], [2.0, 2.0, 2.0, -1.0]])),
                        numeric_check=False),
    _scatter_reduce_row("prod", True, suffix="_zeros", inputs=(fixed([[1.0, 0.0, 2.0, 1.5, 1.0], [0.5, 1.0, 2.0, 0.0, 4.0],
                                                    [2.0, 0.0, 1.0, 0.0, 3.0]]),
                                             fixed([[0.0, 2.0, 0.5, 3.0], [3.0, 0.0, 1.0, 1.5], [2.0, 0.0, 2.0, -1.0]])),
                        second_order=False),  # PyTorch has no double backward with two zeros scattered to one place
    OpRow("masked_select", lambda a: a.masked_select(_MASK), lambda a: torch.masked_select(a, _t(_MASK)),
          lambda a: a[_MASK], (normal(S),), (ops.GetItem,), tags=("index",)),
    OpRow("masked_select_broadcast", lambda a: autograd.masked_select(a, _MASK), lambda a: torch.masked_select(a, _t(_MASK)),
          lambda a: np.broadcast_to(a, S)[_MASK], (normal((3, 1)),), (ops.GetItem, ops.BroadcastTo),
          tags=("index", "broadcast")),
    OpRow("masked_fill", lambda a: a.masked_fill(_ROW_MASK, -1.5), lambda a: a.masked_fill(_t(_ROW_MASK), -1.5),
          lambda a: np.where(_ROW_MASK, -1.5, a), (normal(S),), (ops.Where,), tags=("index", "broadcast")),
    OpRow("masked_fill_tensor_value", lambda a, v: autograd.masked_fill(a, _MASK, v),
          lambda a, v: a.masked_fill(_t(_MASK), v), lambda a, v: np.where(_MASK, v, a), (normal(S), normal(())),
          (ops.Where,), tags=("index",)),
    OpRow("nonzero_as_tuple", lambda a: (a > 0).nonzero()[1], lambda a: torch.nonzero(a > 0, as_tuple=True)[1],
          lambda a: np.nonzero(a > 0)[1], (normal(S),), differentiable=False),
    OpRow("nonzero_rows", lambda a: a.nonzero(as_tuple=False), torch.nonzero, np.argwhere,
          (fixed([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]]),), differentiable=False),
    OpRow("argwhere", lambda a: autograd.argwhere(a > 0), lambda a: torch.argwhere(a > 0), lambda a: np.argwhere(a > 0),
          (normal((2, 3, 2)),), differentiable=False),
    # --- repetition, reversal, triangles and diagonals (composites)
    OpRow("repeat_axis", lambda a: a.repeat(2, axis=1), lambda a: torch.repeat_interleave(a, 2, 1),
          lambda a: np.repeat(a, 2, 1), (normal((3, 4)),), (ops.BroadcastTo,)),
    OpRow("repeat_flattened", lambda a: autograd.repeat(a, 3), lambda a: torch.repeat_interleave(a, 3),
          lambda a: np.repeat(a, 3), (normal((2, 2)),), (ops.BroadcastTo,)),
    OpRow("repeat_counts", lambda a: a.repeat(np.array([2, 0, 1]), axis=0),
          lambda a: torch.repeat_interleave(a, _t(np.array([2, 0, 1])), 0), lambda a: np.repeat(a, [2, 0, 1], 0),
          (normal((3, 4)),), (ops.GetItem,)),
    OpRow("repeat_scalar", lambda a: a.repeat(3), lambda a: torch.repeat_interleave(a, 3), lambda a: np.repeat(a, 3),
          (normal(()),), (ops.BroadcastTo,)),
    OpRow("repeat_interleave", lambda a: a.repeat_interleave(2, axis=0), lambda a: torch.repeat_interleave(a, 2, 0),
          lambda a: np.repeat(a, 2, 0), (normal((2, 3)),), (ops.BroadcastTo,)),
    OpRow("tile", lambda a: a.tile((2, 1)), lambda a: a.repeat(2, 1), lambda a: np.tile(a, (2, 1)),
          (normal((3, 4)),), (ops.BroadcastTo,)),
    OpRow("tile_more_reps", lambda a: autograd.tile(a, (2, 1, 3)), lambda a: torch.tile(a, (2, 1, 3)),
          lambda a: np.tile(a, (2, 1, 3)), (normal((3, 2)),), (ops.BroadcastTo,)),
    OpRow("tile_fewer_reps", lambda a: a.tile(2), lambda a: torch.tile(a, (2,)), lambda a: np.tile(a, 2),
          (normal((3, 2)),), (ops.BroadcastTo,)),
    OpRow("tile_scalar", lambda a: a.tile(3), lambda a: torch.tile(a, (3,)), lambda a: np.tile(a, 3),
          (normal(()),), (ops.BroadcastTo,)),
    OpRow("flip_all", lambda a: a.flip(), lambda a: torch.flip(a, (0, 1, 2)), np.flip, (normal((2, 3, 4)),),
          (ops.GetItem,)),
    OpRow("flip_axes", lambda a: autograd.flip(a, (0, 2)), lambda a: torch.flip(a, (0, 2)), lambda a: np.flip(a, (0, 2)),
          (normal((2, 3, 4)),), (ops.GetItem,)),
    OpRow("roll", lambda a: a.roll(2, 1), lambda a: torch.roll(a, 2, 1), lambda a: np.roll(a, 2, 1), (normal(S),),
          (ops.Concatenate,)),
    OpRow("roll_two_axes", lambda a: autograd.roll(a, (1, -3), (0, 1)), lambda a: torch.roll(a, (1, -3), (0, 1)),
          lambda a: np.roll(a, (1, -3), (0, 1)), (normal(S),), (ops.Concatenate,)),
    OpRow("roll_flattened", lambda a: a.roll(5), lambda a: torch.roll(a, 5), lambda a: np.roll(a, 5), (normal(S),),
          (ops.Concatenate, ops.Reshape)),
    OpRow("tril", lambda a: a.tril(), torch.tril, np.tril, (normal((3, 4)),), (ops.Where,)),
    OpRow("tril_batched_k", lambda a: autograd.tril(a, -1), lambda a: torch.tril(a, -1), lambda a: np.tril(a, -1),
          (normal((2, 4, 3)),), (ops.Where,)),
    OpRow("triu_k", lambda a: a.triu(1), lambda a: torch.triu(a, 1), lambda a: np.triu(a, 1), (normal((3, 4)),),
          (ops.Where,)),
    OpRow("diag_build", lambda a: a.diag(1), lambda a: torch.diag(a, 1), lambda a: np.diag(a, 1), (normal((3,)),),
          (ops.ScatterAdd,)),
    OpRow("diag_read", lambda a: autograd.diag(a, -1), lambda a: torch.diag(a, -1), lambda a: np.diag(a, -1),
          (normal((3, 4)),), (ops.GetItem,)),
    OpRow("diagonal_offset_axes", lambda a: a.diagonal(1, 1, 2), lambda a: torch.diagonal(a, 1, 1, 2),
          lambda a: np.diagonal(a, 1, 1, 2), (normal((2, 3, 4)),), (ops.GetItem, ops.Transpose)),
    OpRow("trace", lambda a: a.trace(), torch.trace, np.trace, (normal((3, 4)),), (ops.GetItem, ops.Sum)),
    OpRow("trace_batched", lambda a: autograd.trace(a, 0, 1, 2), lambda a: torch.diagonal(a, 0, 1, 2).sum(-1),
          lambda a: np.trace(a, 0, 1, 2), (normal((2, 3, 3)),), (ops.GetItem, ops.Sum)),
    OpRow("outer", lambda a, b: a.outer(b), torch.outer, np.outer, (normal((3,)), normal((4,))), (ops.Mul,)),
    OpRow("outer_flattens", autograd.outer, lambda a, b: torch.outer(a.flatten(), b), np.outer,
          (normal((2, 2)), normal((3,))), (ops.Mul, ops.Reshape)),
    OpRow("cross", lambda a, b: a.cross(b), torch.linalg.cross, np.cross, (normal((4, 3)), normal((4, 3))),
          (ops.Mul, ops.Sub, ops.Concatenate)),
    OpRow("cross_broadcast_axis0", lambda a, b: autograd.cross(a, b, axis=0),
          lambda a, b: torch.linalg.cross(a, b.expand(3, 4), dim=0), lambda a, b: np.cross(a, b, axis=0),
          (normal((3, 4)), normal((3, 1))), (ops.Mul, ops.Transpose), tags=("broadcast",)),
    # --- einsum (one primitive)
    _einsum_row("matmul", "ij,jk->ik", ((3, 4), (4, 2))),
    _einsum_row("implicit_output", "jk,ij", ((4, 2), (3, 4))),
    _einsum_row("batched_ellipsis_broadcast", "...ij,...jk->...ik", ((2, 1, 3, 4), (5, 4, 2))),
    _einsum_row("transpose", "ij->ji", ((3, 4),)),
    _einsum_row("trace", "ii", ((3, 3),)),
    _einsum_row("diagonal", "ii->i", ((3, 3),)),
    _einsum_row("repeated_and_summed", "iij->j", ((3, 3, 2),)),
    _einsum_row("outer", "i,j->ij", ((3,), (4,))),
    _einsum_row("dot", "i,i->", ((4,), (4,))),
    _einsum_row("three_operands", "ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))),
    _einsum_row("sum_all", "ijk->", ((2, 3, 4),)),
    _einsum_row("attention_scores", "bhqd,bhkd->bhqk", ((2, 2, 3, 4), (2, 2, 5, 4))),
    _einsum_row("size_one_broadcast", "ij,ij->ij", ((1, 3), (2, 3))),
    _einsum_row("scalar_operand", ",ij->ij", ((), (2, 3))),
    _einsum_row("ellipsis_summed", "...i->i", ((2, 3, 4),), numpy_fn=lambda a: a.reshape(-1, 4).sum(0)),
    _einsum_row("empty_contraction", "ij,jk->ik", ((2, 0), (0, 3))),
    # --- nn.functional composites: activations, attention, embeddings, normalisation, losses
    OpRow("gelu", F.gelu, torch_F.gelu, _np_gelu, (uniform(S, -4, 4),), (ops.Erf, ops.Mul)),
    OpRow("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), lambda a: torch_F.gelu(a, approximate="tanh"),
          lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3))), (uniform(S, -4, 4),),
          (ops.Sigmoid, ops.Clip)),
    OpRow("silu", F.silu, torch_F.silu, lambda a: a / (1 + np.exp(-a)), (normal(S),), (ops.Sigmoid, ops.Mul)),
    OpRow("mish", F.mish, torch_F.mish, lambda a: a * np.tanh(np.log1p(np.exp(a))), (normal(S),), (ops.Tanh,)),
    OpRow("selu", F.selu, torch_F.selu, lambda a: 1.0507009873554805 * np.where(a > 0, a, 1.6732632423543772 * np.expm1(a)),
          (away_from_zero(S),), (ops.Where, ops.Exp)),
    OpRow("hardtanh", F.hardtanh, torch_F.hardtanh, lambda a: np.clip(a, -1, 1),
          (fixed([[-2.0, -0.5, 0.3], [0.99, 1.7, -1.2]]),), (ops.Where,)),
    OpRow("hardtanh_at_bounds_tie", lambda a: F.hardtanh(a, -0.5, 2.0), lambda a: torch_F.hardtanh(a, -0.5, 2.0),
          lambda a: np.clip(a, -0.5, 2.0), (fixed([-0.5, 0.0, 2.0, 3.0]),), (ops.Where,), numeric_check=False,
          tags=("tie",)),
    OpRow("logsigmoid", F.logsigmoid, torch_F.logsigmoid, lambda a: -np.logaddexp(0, -a), (normal(S),), (ops.Log1p,)),
    OpRow("logsigmoid_extreme", F.logsigmoid, torch_F.logsigmoid, lambda a: -np.logaddexp(0, -a),
          (fixed([-1000.0, -40.0, 0.0, 40.0, 1000.0]),), (ops.Log1p,), numeric_check=False, tags=("stable",)),
    OpRow("attention", F.scaled_dot_product_attention, torch_F.scaled_dot_product_attention, _np_attention,
          (normal((2, 3, 4)), normal((2, 5, 4)), normal((2, 5, 3))), (ops.MatMul, ops.Exp)),
    OpRow("attention_mask_blocked_row", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=_ATTENTION_MASK),
          lambda q, k, v: torch_F.scaled_dot_product_attention(q, k, v, attn_mask=_t(_ATTENTION_MASK)),
          lambda q, k, v: _np_attention(q, k, v, _ATTENTION_MASK),
          (normal((2, 3, 4)), normal((2, 5, 4)), normal((2, 5, 3))), (ops.MatMul, ops.Where)),
    OpRow("attention_causal_scaled", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
          lambda q, k, v: torch_F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
          lambda q, k, v: _np_attention(q * 0.3 * 2, k, v, np.tri(4, 4, dtype=bool)),
          (normal((2, 2, 4, 4)), normal((2, 2, 4, 4)), normal((2, 2, 4, 3))), (ops.MatMul, ops.Where)),
    OpRow("attention_float_mask", lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
          lambda q, k, v, m: torch_F.scaled_dot_product_attention(q, k, v, attn_mask=m),
          lambda q, k, v, m: _np_softmax(q @ np.swapaxes(k, -1, -2) / 2 + m, -1) @ v,
          (normal((2, 3, 4)), normal((2, 5, 4)), normal((2, 5, 3)), normal((3, 5))), (ops.MatMul, ops.Add),
          tags=("broadcast",)),
    OpRow("attention_grouped_heads", lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
          lambda q, k, v: torch_F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
          lambda q, k, v: _np_attention(q, np.repeat(k, 2, -3), np.repeat(v, 2, -3)),
          (normal((1, 4, 3, 2)), normal((1, 2, 5, 2)), normal((1, 2, 5, 3))), (ops.MatMul, ops.BroadcastTo)),
    OpRow("embedding_padding", lambda w: F.embedding(_TOKENS, w, padding_idx=3),
          lambda w: torch_F.embedding(_t(_TOKENS), w, padding_idx=3), lambda w: w[_TOKENS], (normal((5, 4)),),
          (ops.GetItem, ops.Where), numeric_check=False),  # by definition the padding row gets no gradient
    OpRow("layer_norm", lambda x, w, b: F.layer_norm(x, (3, 4), w, b), lambda x, w, b: torch_F.layer_norm(x, (3, 4), w, b),
          lambda x, w, b: (x - x.mean((1, 2), keepdims=True)) / np.sqrt(x.var((1, 2), keepdims=True) + 1e-5) * w + b,
          (normal((2, 3, 4)), normal((3, 4)), normal((3, 4))), (ops.Sqrt, ops.Sum, ops.Div)),
    OpRow("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), lambda x, w, b: torch_F.group_norm(x, 2, w, b),
          lambda x, w, b: ((x.reshape(2, 2, -1) - x.reshape(2, 2, -1).mean(2, keepdims=True))
                           / np.sqrt(x.reshape(2, 2, -1).var(2, keepdims=True) + 1e-5)).reshape(x.shape)
          * w.reshape(4, 1, 1) + b.reshape(4, 1, 1),
          (normal((2, 4, 3, 2)), normal((4,)), normal((4,))), (ops.Sqrt, ops.Sum)),
    OpRow("huber_loss", lambda a, b: F.huber_loss(a, b, delta=0.8), lambda a, b: torch_F.huber_loss(a, b, delta=0.8),
          lambda a, b: np.mean(np.where(np.abs(a - b) < 0.8, 0.5 * (a - b) ** 2, 0.8 * (np.abs(a - b) - 0.4))),
          (normal(S), normal(S)), (ops.Where, ops.Abs)),
    OpRow("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(a, b, "none", beta=0.5),
          lambda a, b: torch_F.smooth_l1_loss(a, b, reduction="none", beta=0.5),
          lambda a, b: np.where(np.abs(a - b) < 0.5, (a - b) ** 2, np.abs(a - b) - 0.25),
          (normal(S), normal(S)), (ops.Where, ops.Abs)),
    OpRow("kl_div_batchmean", lambda a, b: F.kl_div(a, b, "batchmean"),
          lambda a, b: torch_F.kl_div(a, b, reduction="batchmean"), lambda a, b: np.sum(b * (np.log(b) - a)) / 3,
          (normal(S), positive(S, 0.1, 1.0)), (ops.Log, ops.Mul)),
    OpRow("kl_div_log_target", lambda a, b: F.kl_div(a, b, "sum", log_target=True),
          lambda a, b: torch_F.kl_div(a, b, reduction="sum", log_target=True), lambda a, b: np.sum(np.exp(b) * (b - a)),
          (normal(S), normal(S)), (ops.Exp,)),
    OpRow("cross_entropy_probability_target", lambda a, p: F.cross_entropy(a, p, label_smoothing=0.1),
          lambda a, p: torch_F.cross_entropy(a, p, label_smoothing=0.1),
          lambda a, p: np.mean(-np.sum((p * 0.9 + 0.025) * np.log(_np_softmax(a, 1)), 1)),
          (normal(S), positive(S, 0.0, 1.0)), (ops.Exp, ops.Mul)),
    OpRow("cross_entropy_ignore_index", lambda a: F.cross_entropy(a, _CLASSES, weight=_CLASS_WEIGHT, label_smoothing=0.2),
          lambda a: torch_F.cross_entropy(a, _t(_CLASSES), weight=_t(_CLASS_WEIGHT).to(a.dtype), label_smoothing=0.2),
          lambda a: _np_cross_entropy(a, _CLASSES, _CLASS_WEIGHT, 0.2), (normal((5, 4)),), (ops.Exp, ops.GetItem)),
]


def _np_cross_entropy(a, y, weight, eps):
    """Reference: PyTorch's weighted, label-smoothed, ignore_index=-100 cross-entropy (mean)."""
    log_p = np.log(_np_softmax(a, 1))
    kept = y != -100
    safe = np.where(kept, y, 0)
    nll = -log_p[np.arange(len(y)), safe] * weight[safe] * kept
    smooth = -(log_p * weight).sum(1) * kept
    total = weight[safe][kept].sum()
    return (1 - eps) * nll.sum() / total + eps / a.shape[1] * smooth.sum() / total


ROWS_BY_NAME = {row.name: row for row in ROWS}
assert len(ROWS_BY_NAME) == len(ROWS), "row names must be unique"
