"""W5 per-operation overhead: c = a + b on two (4,) float64 tensors that require grad.

    forward           c = a + b                     (records one node)
    forward+backward  c = a + b; c.backward(ones)   (`ones` made once, outside the loop;
                      a.grad and b.grad are cleared first, as a training loop would)

Timed as a loop of `inner` repetitions; the result is microseconds per repetition, so
the loop itself (a few tens of nanoseconds) is included. The numpy reference is the bare
arithmetic on arrays (`a + b`, and for backward two copies of the incoming gradient): the
work with no framework at all.
"""
from __future__ import annotations

import numpy as np

IMPLEMENTATIONS = ("chalkgrad", "numpy", "torch")


def setup(impl: str, mode: str = "forward", inner: int = 10_000):
    a0, b0 = np.arange(1.0, 5.0), np.arange(5.0, 9.0)
    if impl == "numpy":
        ones0 = np.ones(4)

        def step():  # the arithmetic alone: the sum, and in backward the two gradient copies
            for _ in range(inner):
                c = a0 + b0
                if mode != "forward":
                    grad_a, grad_b = ones0.copy(), ones0.copy()
            if mode == "forward":
                return float(c.sum())
            return float(c.sum()), float(grad_a.sum()), float(grad_b.sum())

        return step, {"mode": mode, "inner": inner}
    if impl == "chalkgrad":
        from autograd import Tensor

        a, b, ones = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True), Tensor(np.ones(4))
    elif impl == "torch":
        import torch

        torch.set_num_threads(2)
        a, b = torch.tensor(a0, requires_grad=True), torch.tensor(b0, requires_grad=True)
        ones = torch.ones(4, dtype=torch.float64)
    else:
        raise ValueError(f"W5 has no implementation {impl!r}")

    if mode == "forward":
        def step():
            for _ in range(inner):
                c = a + b
            return float(c.sum().item())
    elif mode == "forward+backward":
        def step():
            for _ in range(inner):
                a.grad = b.grad = None
                c = a + b
                c.backward(ones)
            return float(c.sum().item()), float(a.grad.sum().item()), float(b.grad.sum().item())
    else:
        raise ValueError(f"W5 mode must be 'forward' or 'forward+backward', not {mode!r}")
    return step, {"mode": mode, "inner": inner}
