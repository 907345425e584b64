"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from autograd import Tensor
from optim.optimizer import Optimizer, with_weight_decay


class SGD(Optimizer):
    """SGD(params, lr, momentum=0, dampening=0, nesterov=False, weight_decay=0)

    Plain SGD (the lecture's `x -= learning_rate * dx`):
        x_{t+1} = x_t - lr * g_t,             g_t = grad f(x_t) + weight_decay * x_t

    With momentum rho (PyTorch's form, also the lecture's first form):
        v_{t+1} = rho * v_t + (1 - dampening) * g_t      (v_1 = g_1)
        x_{t+1} = x_t - lr * v_{t+1}

    The lecture's second form keeps the velocity in parameter units instead:
        v_{t+1} = rho * v_t - lr * g_t;   x_{t+1} = x_t + v_{t+1}
    With a constant lr (and dampening=0) it is the same sequence x_t: substitute
    v_lecture = -lr * v_pytorch. (tests/test_optim.py runs both and compares.)

    Nesterov momentum looks ahead: v_{t+1} = rho v_t - lr grad f(x_t + rho v_t),
    x_{t+1} = x_t + v_{t+1}. The change of variables x~_t = x_t + rho v_t gives an update
    that needs only the gradient at the current point:
        x~_{t+1} = x~_t - rho v_t + (1 + rho) v_{t+1}       (lecture, velocity form)
    which in PyTorch's form (v = rho v + g) is
        x_{t+1} = x_t - lr * (g_t + rho * v_{t+1}).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        self._check_nonnegative(group, "lr", "momentum", "dampening", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening = 0 "
                f"(got momentum={group['momentum']}, dampening={group['dampening']})."
            )

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        g = with_weight_decay(grad, p, group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            if "momentum_buffer" not in state:
                v = g.copy()
            else:
                v = momentum * state["momentum_buffer"] + (1 - group["dampening"]) * g
            state["momentum_buffer"] = v
            g = g + momentum * v if group["nesterov"] else v
        p -= group["lr"] * g
