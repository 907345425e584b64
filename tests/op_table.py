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

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as torch_F

import autograd
from autograd import ops

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


def _np_windows(x, window, axes, strides):
    """Reference sliding windows by explicit index arithmetic (not sliding_window_view)."""
    out = x
    for ax, w, s in zip(axes, window, strides):
        count = (x.shape[ax] - w) // s + 1
        idx = s * np.arange(count)[:, None] + np.arange(w)[None, :]  # (count, w)
        out = np.take(out, idx, axis=ax)  # axis ax becomes (count, w)
        out = np.moveaxis(out, ax + 1, -1)  # the window dimension goes to the end
    return out


def _torch_windows(x, window, axes, strides):
    for ax, w, s in zip(axes, window, strides):
        x = x.unfold(ax, w, s)
    return x


def _np_fold(a, window, axes, strides, shape):
    out = np.zeros(shape)
    counts = [a.shape[ax] for ax in axes]
    for offset in np.ndindex(*window):
        for place in np.ndindex(*counts):
            target = [slice(None)] * len(shape)
            source = [slice(None)] * len(shape)
            for ax, k, s, i in zip(axes, offset, strides, place):
                target[ax], source[ax] = k + s * i, i
            out[tuple(target)] += a[tuple(source) + offset]
    return out


def _torch_fold(a, window, axes, strides, shape):
    out = torch.zeros(shape, dtype=a.dtype)
    counts = [a.shape[ax] for ax in axes]
    for offset in np.ndindex(*window):
        piece = a[(Ellipsis,) + offset]
        # place `piece` at positions k + s*i along each axis (index_add, one axis at a time)
        placed = piece
        for ax, k, s, c in zip(axes, offset, strides, counts):
            size = list(placed.shape)
            size[ax] = shape[ax]
            placed = torch.zeros(size, dtype=a.dtype).index_add(ax, torch.arange(c) * s + k, placed)
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
    # --- a small composite network piece, so the ops meet each other
    OpRow("mlp_layer", lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(axis=0),
          lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(dim=0),
          lambda x, w, b: (np.tanh(x @ w + b) ** 2).mean(axis=0),
          (normal((5, 3)), normal((3, 4)), normal((4,))), (ops.MatMul, ops.Add, ops.Tanh, ops.Pow, ops.Sum)),
]

ROWS_BY_NAME = {row.name: row for row in ROWS}
assert len(ROWS_BY_NAME) == len(ROWS), "row names must be unique"
