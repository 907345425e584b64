"""Adam (momentum + RMSProp + bias correction) and AdamW (decoupled weight decay)."""
from __future__ import annotations

from functools import partialmethod
from typing import Iterable

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, with_weight_decay


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)

    The lecture's full form (t = 1, 2, ... counts this parameter's steps):
        first_moment  = beta1 * first_moment  + (1 - beta1) * dx          (momentum)
        second_moment = beta2 * second_moment + (1 - beta2) * dx * dx     (RMSProp)
        first_unbias  = first_moment  / (1 - beta1 ** t)                  (bias correction:
        second_unbias = second_moment / (1 - beta2 ** t)                   both start at 0)
        x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + eps)

    weight_decay adds weight_decay * x to dx first (L2 regularisation, coupled with the
    adaptive scaling); AdamW decouples it. beta1=0.9, beta2=0.999, lr=1e-3 or 1e-4 is a
    good starting point for many models.
    """

    decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _check_group(self, group: dict) -> None:
        self._check_nonnegative(group, "lr", "eps", "weight_decay")
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{type(self).__name__}: betas must be a pair (beta1, beta2), got {betas!r}.")
        self._check_fraction(group, "betas[0]", betas[0])
        self._check_fraction(group, "betas[1]", betas[1])

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, (beta1, beta2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if self.decoupled_weight_decay:
            dx = grad
            if weight_decay != 0:
                p *= 1 - lr * weight_decay  # AdamW: shrink x directly
        else:
            dx = with_weight_decay(grad, p, weight_decay)
        if "exp_avg" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)  # first_moment
            state["exp_avg_sq"] = np.zeros_like(p.data)  # second_moment
        state["step"] += 1
        t = state["step"]
        state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * dx
        state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * dx * dx
        first_unbias = state["exp_avg"] / (1 - beta1**t)
        second_unbias = state["exp_avg_sq"] / (1 - beta2**t)
        p -= lr * first_unbias / (np.sqrt(second_unbias) + eps)


class AdamW(Adam):
    """AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, *, weight_decay=1e-2)

    Adam with decoupled weight decay (Loshchilov & Hutter): before the Adam step,
        x -= learning_rate * weight_decay * x
    so the decay is not rescaled by the adaptive denominator; dx is the plain gradient.
    """

    decoupled_weight_decay = True
    __init__ = partialmethod(Adam.__init__, weight_decay=1e-2)  # Adam's arguments; only this default differs
