"""AdaGrad: a learning rate per coordinate, from the history of squared gradients."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, with_weight_decay


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, eps=1e-10, weight_decay=0)

    The lecture's pseudo-code:
        grad_squared += dx * dx
        x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)

    Steep directions (large past gradients) are slowed down, flat ones sped up; the
    steps shrink towards zero over time because grad_squared only grows.
    weight_decay adds weight_decay * x to dx first (L2 regularisation).
    """

    def __init__(
        self, params: Iterable[Tensor] | Iterable[dict], lr: float = 1e-2, eps: float = 1e-10, weight_decay: float = 0.0
    ):
        super().__init__(params, dict(lr=lr, eps=eps, weight_decay=weight_decay))

    def _check_group(self, group: dict) -> None:
        self._check_nonnegative(group, "lr", "eps", "weight_decay")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        dx = with_weight_decay(grad, p, group["weight_decay"])
        if "sum" not in state:
            state["step"] = 0
            state["sum"] = np.zeros_like(p.data)
        state["step"] += 1
        state["sum"] = state["sum"] + dx * dx  # grad_squared
        p -= group["lr"] * dx / (np.sqrt(state["sum"]) + group["eps"])
