"""Batch normalisation layers."""
from __future__ import annotations

import numpy as np

from autograd import Tensor, no_grad
from nn import functional as F
from nn.module import Module, Parameter


class _BatchNorm(Module):
    """Normalise each feature/channel with the batch's mean and (biased) variance in training,
    with running estimates in eval, then scale by gamma (`weight`, starts at 1) and shift by
    beta (`bias`, starts at 0). See nn.functional.batch_norm for the formulas.

    momentum=None keeps a cumulative average instead: the running statistics after n training
    batches are the plain mean of the n batch values (momentum 1/n at batch n), counted in the
    buffer `num_batches_tracked`."""

    expected_ndims: tuple = ()
    lecture_rule = ("d{input} = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ, with dx̂ = d{output} ⊙ γ, "
                    "x̂ = ({input} − μ)/σ, σ = √(var + ε), means over the batch",
                    "d{weight} = (d{output} ⊙ x̂) summed over the batch axis",
                    "d{bias} = d{output} summed over the batch axis")
    expected_shape: str = ""

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True, dtype=np.float64
    ):
        super().__init__()
        if momentum is not None and (isinstance(momentum, bool) or not 0 <= momentum <= 1):
            raise ValueError(
                f"{type(self).__name__}: momentum must be a number in [0, 1], or None for a cumulative "
                f"average of all batches, got {momentum!r}"
            )
        self.num_features, self.eps, self.momentum, self.affine = num_features, eps, momentum, affine
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
        self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
        if momentum is None:
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self.expected_ndims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}): expected an input of shape {self.expected_shape} "
                f"with C = {self.num_features}, got shape {x.shape}"
            )
        momentum = self.momentum
        if momentum is None and self.training:
            # cumulative moving average (as PyTorch): after n batches, running = mean of the n batch values
            with no_grad():
                self.num_batches_tracked += 1
            momentum = 1.0 / self.num_batches_tracked.item()
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.training, momentum, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"


class BatchNorm1d(_BatchNorm):
    """Batch norm for (N, C) features (or (N, C, L) sequences): statistics per feature C."""

    expected_ndims = (2, 3)
    expected_shape = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch norm for (N, C, H, W) images: statistics per channel, over N, H and W."""

    expected_ndims = (4,)
    expected_shape = "(N, C, H, W)"


class LayerNorm(Module):
    """Normalise each example over its last dimensions (normalized_shape) with their mean and
    biased variance, then scale by `weight` (starts at 1) and shift by `bias` (starts at 0);
    the same in training and eval (no running statistics)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 dtype=np.float64):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.weight = Parameter(np.ones(shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype=dtype)) if elementwise_affine and bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise groups of channels of (N, C, ...) inputs per example (see F.group_norm), then
    scale and shift each channel; the same in training and eval."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, dtype=np.float64):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.weight = Parameter(np.ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype=dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}): expected an input of shape "
                             f"(N, {self.num_channels}, ...), got {x.shape}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
