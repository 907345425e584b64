"""Matrix multiplication."""
import numpy as np

from autograd.function import Primitive, plain


class MatMul(Primitive):
    """out = a @ b for (..., n, k) @ (..., k, m), batched with broadcasting over leading dims;
    da = grad @ b^T,  db = a^T @ grad  (^T swaps the last two axes; the engine sums
    broadcast batch dimensions back)."""

    call_name = "@ (matmul)"
    symbol = "@"
    notation = "{0} @ {1}"
    rule = ("d{0} = d{y} · {1}ᵀ", "d{1} = {0}ᵀ · d{y}")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad @ b.mT if ctx.needs_input_grad[0] else None,
            _in_layout_of(plain(b), a, grad) if ctx.needs_input_grad[1] else None,
        )


def _in_layout_of(b, a, grad):
    """db = a^T @ grad, laid out in memory as b is: for a transposed weight (x @ W.T in a linear
    layer) computed as (grad^T @ a)^T, so that W.grad comes out C-ordered like W and the
    optimizer's update runs over contiguous memory."""
    if b.ndim >= 2 and b.flags.f_contiguous and not b.flags.c_contiguous:
        return (grad.mT @ a).mT
    return a.mT @ grad
