"""Gradient clipping, by the total norm or by value.

Both rebind `p.grad` to a new Tensor instead of writing into the gradient's array:
one gradient array may be shared by several tensors, and must not change under them.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from autograd import Tensor, no_grad


def _with_grads(params: Tensor | Iterable[Tensor], caller: str) -> list[Tensor]:
    params = [params] if isinstance(params, Tensor) else list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{caller}: parameter {i} is a {type(p).__name__}; pass Tensors (e.g. model.parameters()).")
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(
    params: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most max_norm.

        total = || (||g_1||_p, ||g_2||_p, ...) ||_p        (= ||all gradients concatenated||_p)
        g_i  <- g_i * min(1, max_norm / (total + 1e-6))

    norm_type may be float('inf') (the largest |g|). Returns the total norm before
    clipping, as a 0-d Tensor (as torch.nn.utils.clip_grad_norm_). If a gradient holds nan,
    the total is nan and every gradient becomes nan, as in PyTorch (error_if_nonfinite=True
    raises instead).
    """
    norm_type = float(norm_type)
    if not max_norm >= 0 or not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0 and norm_type > 0 (got {max_norm}, {norm_type}).")
    params = _with_grads(params, "clip_grad_norm_")
    if not params:
        return Tensor(0.0)
    if norm_type == math.inf:
        total = max(float(np.abs(p.grad.data).max(initial=0.0)) for p in params)
    else:
        norms = [np.sum(np.abs(p.grad.data.astype(np.float64)) ** norm_type) ** (1 / norm_type) for p in params]
        total = float(np.sum(np.array(norms) ** norm_type) ** (1 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of the gradients is {total}; a gradient holds nan or inf. "
            "Use autograd.detect_anomaly() to find the operation that produced it."
        )
    # np.minimum, not min: a nan total must give nan gradients (as PyTorch), not leave them unclipped
    scale = float(np.minimum(1.0, max_norm / (total + 1e-6)))
    with no_grad():
        for p in params:
            p.grad = p.grad * scale
    return Tensor(total)


def clip_grad_value_(params: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clip every gradient entry to [-clip_value, clip_value]."""
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}.")
    with no_grad():
        for p in _with_grads(params, "clip_grad_value_"):
            p.grad = p.grad.clip(-clip_value, clip_value)
