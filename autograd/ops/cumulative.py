"""Cumulative sums and products along one axis (numpy's cumsum and cumprod), and the product.

All are primitives: the backward of a running sum is a running sum from the other end
(one pass, where a composite of slices would take n), and the backward of a product or a running
product must stay exact where the input has zeros (dividing by the input would give 0/0)."""
import numpy as np

from autograd.function import Primitive, plain
from autograd.ops.elementwise import Where
from autograd.ops.reduce import Sum
from autograd.ops.shape import Pad


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

    Without zeros that is (sum_{k >= i} grad_k out_k) / a_i; with zeros, see _with_zeros. First
    and second derivatives are exact (as PyTorch's) in O(n). float32 data is multiplied in float64
    and rounded, as PyTorch does, so a running product that leaves float32's range and comes back
    (times 0) stays exact."""

    call_name = "cumprod"
    symbol = "cumprod"
    notation = "cumprod({0})"
    rule = "d{0}_i = Σ_{k≥i} d{y}_k · ∏_{j≤k, j≠i} {0}_j  (= Σ_{k≥i} d{y}_k {y}_k / {0}_i without zeros)"

    @staticmethod
    def forward(ctx, a, axis):
        out = np.cumprod(a, axis=axis, dtype=np.float64 if a.dtype == np.float32 else None).astype(a.dtype)
        ctx.axis = axis % a.ndim
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        if a.shape[axis] == 1:  # out = a
            return grad
        zeros = np.asarray(plain(a) == 0)
        if not zeros.any():
            return _sum_from_the_end(grad * out, axis) / a
        return _with_zeros(a, out, grad, zeros, axis)


def _with_zeros(a, out, grad, zeros, axis):
    """Cumprod's gradient where a slice has zeros, at its first zero z and second zero z':
        P = prod_{j < z} a_j,   S_i = sum_{k >= i} grad_k prod_{z < j <= k} a_j,   F = P S_z
        before z:    (sum_{i <= k < z} grad_k out_k + a_z F) / a_i
        at z:        F
        up to z':    a_z P S_i / a_i
        at z':       a_z P (S_z' with a_z' set to 1)
        after z':    0 (every term has two zero factors)
    The terms with a factor a_z are 0, but their derivatives are not: with them the second
    derivatives are exact too. P multiplies the sums last, as PyTorch's does, so products that
    overflow only together with P stay finite."""
    seen = np.cumsum(zeros, axis=axis)  # how many zeros up to and including each place
    first, second = zeros & (seen == 1), zeros & (seen == 2)
    safe_a = Where.apply(zeros, 1.0, a)
    a_z = Sum.apply(Where.apply(first, a, 0.0), axis=axis, keepdims=True)  # 0, with a gradient
    prefix = Cumprod.apply(Where.apply(seen == 0, a, 1.0), axis=axis)  # P from z on
    after_z = Cumprod.apply(Where.apply((seen == 0) | first, 1.0, a), axis=axis)
    sums = _sum_from_the_end(grad * after_z, axis)  # S
    skip_second = _sum_from_the_end(grad * Cumprod.apply(Where.apply((seen == 0) | first | second, 1.0, a), axis=axis), axis)
    at_z = prefix * sums  # F at z
    before_z = _sum_from_the_end(Where.apply(seen == 0, grad * out, 0.0), axis)
    before_z = before_z + _times_zero(a_z, Sum.apply(Where.apply(first, at_z, 0.0), axis=axis, keepdims=True))
    at_second = Where.apply(second, _times_zero(a_z, prefix * skip_second), 0.0)
    up_to_second = Where.apply(seen == 1, _times_zero(a_z, prefix * sums / safe_a), at_second)
    return Where.apply(seen == 0, before_z / safe_a, Where.apply(first, at_z, up_to_second))


def _times_zero(zero, x):
    """zero * x, kept 0 where x overflowed: the product is there for its derivative, not its value."""
    return zero * Where.apply(np.isfinite(plain(x)), x, 0.0)


def _products_before(a, axis):
    """p_i = a_0 * a_1 * ... * a_{i-1} along axis (p_0 = 1): the running product shifted by one place."""
    widths = [(0, 0)] * a.ndim
    widths[axis] = (1, 0)
    return Cumprod.apply(Pad.apply(a[(slice(None),) * axis + (slice(None, -1),)], pad_width=widths, value=1), axis=axis)


class Prod(Primitive):
    """out = a_0 * a_1 * ... * a_{n-1} along `axis`;  da_i = grad * prod_{j != i} a_j.

    A primitive for stability, with PyTorch's two forms of the product of the others. Where the
    input has a zero (out / a_i is 0/0) or out is subnormal (it has lost digits), it is
    (a_0 ... a_{i-1}) * (a_{i+1} ... a_{n-1}), running products from both ends. Otherwise
    grad * (out / a_i), or (grad * out) / a_i where out / a_i over- or underflows (a tiny a_i
    beside huge others) and the gradient need not."""

    call_name = "prod"
    symbol = "∏"
    notation = "prod({0})"
    rule = "d{0}_i = d{y} · ∏_{j≠i} {0}_j  (= d{y} · {y} / {0}_i without zeros)"

    @staticmethod
    def forward(ctx, a, axis):
        out = np.prod(a, axis=axis)
        ctx.axis = axis % a.ndim
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis, flip = ctx.axis, _reversed(ctx.axis)
        kept = a.shape[:axis] + (1,) + a.shape[axis + 1:]
        grad, out = grad.reshape(kept), out.reshape(kept)
        tiny = np.finfo(a.dtype).tiny
        if (plain(a) == 0).any() or (np.abs(plain(out)) < tiny).any():  # out has lost digits, or is 0
            return grad * (_products_before(a, axis) * _products_before(a[flip], axis)[flip])
        others = out / a
        in_range = np.isfinite(plain(others)) & (np.abs(plain(others)) >= tiny)
        return Where.apply(in_range, grad * others, grad * out / a)
