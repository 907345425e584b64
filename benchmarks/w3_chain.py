"""W3 deep chain: y = tanh(0.5 * y + 0.1) applied N times to a (16,) vector (or to a 0-d scalar,
width=0), then y.sum().backward(). Three operations per link (multiply, add, tanh), so the graph
has 3N + 1 nodes; the time per node should not depend on N (cost linear in graph size).

The numpy reference does the same by hand: forward keeps every y, backward walks them
in reverse with  grad = grad * (1 - y**2) * 0.5.
"""
from __future__ import annotations

import numpy as np

IMPLEMENTATIONS = ("chalkgrad", "numpy", "torch")


def start_vector(width: int = 16, seed: int = 0) -> np.ndarray:
    """A (width,) vector, or a 0-d array for width 0."""
    return np.random.default_rng(seed).normal(size=width or ())


def nodes(n: int) -> int:
    return 3 * n + 1


def setup(impl: str, n: int = 1000, width: int = 16):
    x0 = start_vector(width)
    info = {"n": n, "nodes": nodes(n), "width": width}
    if impl == "numpy":

        def step():
            ys, y = [], x0
            for _ in range(n):
                y = np.tanh(0.5 * y + 0.1)
                ys.append(y)
            grad = np.ones_like(x0)
            for y in reversed(ys):
                grad = grad * (1 - y * y) * 0.5
            return float(y.sum() if n == 0 else ys[-1].sum()), float(grad.sum())

        return step, info
    if impl == "chalkgrad":
        from autograd import Tensor

        x = Tensor(x0, requires_grad=True)
    elif impl == "torch":
        import torch

        torch.set_num_threads(2)
        x = torch.tensor(x0, requires_grad=True)
    else:
        raise ValueError(f"W3 has no implementation {impl!r}")

    def step():
        x.grad = None
        y = x
        for _ in range(n):
            y = (0.5 * y + 0.1).tanh()
        total = y.sum()
        total.backward()
        return total.item(), x.grad.sum().item()

    return step, info
