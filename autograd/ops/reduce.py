"""Reductions over numpy-style `axis` (None, an int or a tuple) with `keepdims`."""
import numpy as np

from autograd.function import Primitive, plain
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
