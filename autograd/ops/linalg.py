"""Matrix multiplication."""
import numpy as np

from autograd.function import Primitive


class MatMul(Primitive):
    """out = a @ b for (..., n, k) @ (..., k, m), batched with broadcasting over leading dims;
    da = grad @ b^T,  db = a^T @ grad  (^T swaps the last two axes; the engine sums
    broadcast batch dimensions back)."""

    call_name = "@ (matmul)"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad @ b.mT if ctx.needs_input_grad[0] else None,
            a.mT @ grad if ctx.needs_input_grad[1] else None,
        )
