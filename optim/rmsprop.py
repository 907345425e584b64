"""RMSProp: AdaGrad with a leaky (exponentially decaying) sum of squared gradients."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, with_weight_decay


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0, weight_decay=0)

    The lecture's pseudo-code (alpha is its decay_rate):
        grad_squared = alpha * grad_squared + (1 - alpha) * dx * dx
        x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)

    With momentum rho (as PyTorch):  v = rho * v + dx / (sqrt(grad_squared) + eps);  x -= lr * v.
    weight_decay adds weight_decay * x to dx first.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay))

    def _check_group(self, group: dict) -> None:
        self._check_nonnegative(group, "lr", "eps", "momentum", "weight_decay")
        self._check_fraction(group, "alpha")

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        dx = with_weight_decay(grad, p, group["weight_decay"])
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(p.data)
        state["step"] += 1
        alpha = group["alpha"]
        state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * dx * dx  # grad_squared
        scaled = dx / (np.sqrt(state["square_avg"]) + group["eps"])
        if group["momentum"] > 0:
            state["momentum_buffer"] = group["momentum"] * state["momentum_buffer"] + scaled
            scaled = state["momentum_buffer"]
        p -= group["lr"] * scaled
