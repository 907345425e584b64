"""Cumulative sums and products along one axis (numpy's cumsum and cumprod).

Both are primitives: the backward of a running sum is a running sum from the other end
(one pass, where a composite of slices would take n), and the backward of a running product
must stay exact where the input has zeros (dividing by the input would give 0/0)."""
import numpy as np

from autograd.function import Primitive, plain
from autograd.ops.elementwise import Where
from autograd.ops.reduce import Sum


def _reversed(axis):
    """The index that reverses `axis` (works on arrays and Tensors)."""
    return (slice(None),) * axis + (slice(None, None, -1),)


def _sum_from_the_end(x, axis):
    """s_i = x_i + x_{i+1} + ... + x_{n-1} along axis: the backward of a running sum."""
    flip = _reversed(axis)
    return Cumsum.apply(x[flip], axis=axis)[flip]


class Cumsum(Primitive):
    """out_k = a_0 + a_1 + ... + a_k along `axis`;
    da_i = grad_i + grad_{i+1} + ... + grad_{n-1} (a running sum from the other end)"""

    call_name = "cumsum"
    symbol = "cumsum"
    notation = "cumsum({0})"
    rule = "d{0} = d{y} summed from the end (cumsum of the reversed d{y}, reversed)"

    @staticmethod
    def forward(ctx, a, axis):
        out = np.cumsum(a, axis=axis)
        ctx.axis = axis % a.ndim
        return out

    @staticmethod
    def backward(ctx, grad):
        return _sum_from_the_end(grad, ctx.axis)


class Cumprod(Primitive):
    """out_k = a_0 * a_1 * ... * a_k along `axis`;
    da_i = sum_{k >= i} grad_k * prod_{j <= k, j != i} a_j.

    Without zeros that is (sum_{k >= i} grad_k out_k) / a_i. Where a slice has zeros, the places
    before its first zero keep that formula, the first zero z gets the same sum over products
    that skip a_z (the running product of a with a_z set to 1), the places after it get a_z times
    such a sum (0, but its derivative is not), and so does the second zero; terms with two zero
    factors are 0 together with their first derivatives, so first and second derivatives are
    exact (as PyTorch's) in O(n)."""

    call_name = "cumprod"
    symbol = "cumprod"
    notation = "cumprod({0})"
    rule = "d{0}_i = Σ_{k≥i} d{y}_k · ∏_{j≤k, j≠i} {0}_j  (= Σ_{k≥i} d{y}_k {y}_k / {0}_i without zeros)"

    @staticmethod
    def forward(ctx, a, axis):
        out = np.cumprod(a, axis=axis)
        ctx.axis = axis % a.ndim
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        zeros = np.asarray(plain(a) == 0)
        if not zeros.any():
            return _sum_from_the_end(grad * out, axis) / a
        seen = np.cumsum(zeros, axis=axis)  # how many zeros up to and including each place
        first, second = zeros & (seen == 1), zeros & (seen == 2)
        safe_a = Where.apply(zeros, 1.0, a)
        first_zero = Sum.apply(Where.apply(first, a, 0.0), axis=axis, keepdims=True)  # 0, with a gradient
        skip_first = _sum_from_the_end(grad * Cumprod.apply(Where.apply(first, 1.0, a), axis=axis), axis)
        skip_both = _sum_from_the_end(grad * Cumprod.apply(Where.apply(first | second, 1.0, a), axis=axis), axis)
        after_second = Where.apply(second, first_zero * skip_both, 0.0)
        after_first = Where.apply(first, skip_first, Where.apply(seen == 1, first_zero * skip_first / safe_a, after_second))
        return Where.apply(seen == 0, _sum_from_the_end(grad * out, axis) / safe_a, after_first)
