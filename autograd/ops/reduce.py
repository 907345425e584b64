"""Reductions over numpy-style `axis` (None, an int or a tuple) with `keepdims`."""
import math

import numpy as np

from autograd.function import Primitive, plain
from autograd.ops.elementwise import Where
from autograd.ops.shape import BroadcastTo


class Sum(Primitive):
    """out = sum of a over `axis`;  da = grad repeated over the summed axes"""

    call_name = "sum"
    symbol = "Σ"
    notation = "sum({0})"
    rule = "d{0} = d{y} copied to every element that was summed"

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        out = np.sum(a, axis=axis, keepdims=True)
        ctx.input_shape, ctx.keepdims_shape = a.shape, out.shape
        return out if keepdims else out.reshape(np.sum(out, axis=axis).shape)

    @staticmethod
    def backward(ctx, grad):
        return BroadcastTo.apply(grad.reshape(ctx.keepdims_shape), shape=ctx.input_shape)


class Max(Primitive):
    """out = max of a over `axis`;  da = grad at the maxima, shared evenly between ties
    (as torch.amax; the max gate routes the gradient to the winner)."""

    call_name = "max"
    symbol = "max"
    notation = "max({0})"
    rule = "d{0} = d{y} routed to the maximum (shared at ties), 0 elsewhere"

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        if a.size == 0:
            raise ValueError("max of an empty tensor has no value")
        out = np.max(a, axis=axis, keepdims=True)
        ctx.save_for_backward(a, out)
        ctx.keepdims_shape = out.shape
        return out if keepdims else out.reshape(np.max(out, axis=axis).shape)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        a, out = plain(a), plain(out)
        winners = a == out  # True at the maximum
        if np.count_nonzero(winners) == out.size and not np.isnan(out).any():  # one maximum each
            return grad.reshape(ctx.keepdims_shape) * winners
        reduced = tuple(i for i, n in enumerate(ctx.keepdims_shape) if n == 1)
        with np.errstate(invalid="ignore"):  # a NaN maximum has no winner: 0/0, a NaN gradient (as torch)
            share = winners / winners.sum(axis=reduced, keepdims=True).astype(a.dtype)  # ties share
        return grad.reshape(ctx.keepdims_shape) * share


class Var(Primitive):
    """out = sum((a - mean(a))**2) / (n - ddof) over `axis`, n values each (ddof=0: the population
    variance, as numpy);  da = 2 / (n - ddof) * grad * (a - mean(a)).

    A primitive for stability, not speed. As a composite of -, *, sum and /, backward would also
    send the mean its share, -sum(2 * grad * (a - mean)) / n: exactly 0, but nan once the products
    overflow (inf - inf) where this rule gives the true inf. float32 data is accumulated in float64
    and the result rounded to float32, as PyTorch does, so squares beyond float32's range do not
    turn a variance that fits into inf."""

    call_name = "var"
    symbol = "var"
    notation = "var({0})"
    rule = "d{0} = 2 d{y} ⊙ ({0} − mean {0}) / (n − ddof)"

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, ddof=0):
        var = _variance(a, axis, ddof)
        out = var.astype(np.float32) if a.dtype == np.float32 else var
        ctx.save_for_backward(a)
        ctx.axis, ctx.keepdims_shape, ctx.per_value = axis, out.shape, _per_value(a, out, ddof, 2)
        return out if keepdims else out.reshape(np.sum(out, axis=axis).shape)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return ctx.per_value * grad.reshape(ctx.keepdims_shape) * (a - a.mean(axis=ctx.axis, keepdims=True))


class Std(Primitive):
    """out = sqrt(var(a)) over `axis` (see Var);  da = grad * (a - mean(a)) / ((n - ddof) * out),
    and 0 where out == 0 (constant data, where the slope is undefined: 0 as in PyTorch, not 0/0).

    A primitive for stability. sqrt(var) loses std wherever var leaves the float range and std does
    not: data around 1e-25 in float32 has var 1e-50 = 0, around 1e-160 in float64 a subnormal var
    with few digits left, around 1e160 var = inf. Here float32 is reduced in float64, and float64
    data is rescaled (std(a) = s std(a / s), s = max |a - mean|) where var is out of range. And
    backward forms (a - mean) / out, never larger than sqrt(n), before grad multiplies it, so a tiny
    grad is not divided by a huge std (or multiplied by a huge scale) first and lost."""

    call_name = "std"
    symbol = "std"
    notation = "std({0})"
    rule = "d{0} = d{y} ⊙ ({0} − mean {0}) / ((n − ddof) {y})"

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False, ddof=0):
        var = _variance(a, axis, ddof)
        if var.dtype == np.float64 and a.size and (var < np.finfo(np.float64).tiny).any() | np.isinf(var).any():
            spread = np.abs(a - a.mean(axis=axis, keepdims=True)).max(axis=axis, keepdims=True)
            scale = np.where((spread > 0) & np.isfinite(spread), spread, 1.0)
            std = scale * np.sqrt(_variance(a / scale, axis, ddof))
        else:
            std = np.sqrt(var)
        std = std.astype(np.float32) if a.dtype == np.float32 else std
        ctx.axis, ctx.keepdims_shape, ctx.per_value = axis, std.shape, _per_value(a, std, ddof, 1)
        out = std if keepdims else std.reshape(np.sum(std, axis=axis).shape)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        out = out.reshape(ctx.keepdims_shape)
        centered = a - a.mean(axis=ctx.axis, keepdims=True)
        zero = np.asarray(plain(out)) == 0
        if zero.any():
            share = Where.apply(zero, 0.0, centered / Where.apply(zero, 1.0, out))
        else:
            share = centered / out
        return share * (ctx.per_value * grad.reshape(ctx.keepdims_shape))


def _variance(a, axis, ddof):
    """numpy's variance with keepdims, float32 data accumulated in float64 (as PyTorch does);
    n <= ddof gives inf or nan, as in numpy and PyTorch."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.var(a, axis=axis, ddof=ddof, keepdims=True, dtype=np.float64 if a.dtype == np.float32 else None))


def _per_value(a, out, ddof, factor):
    """factor / (n - ddof), n the number of values each output element reduces (inf when n <= ddof)."""
    divisor = max((a.size // out.size if out.size else 0) - ddof, 0)
    return factor / divisor if divisor else math.inf
