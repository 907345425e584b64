"""Convolution and pooling layers for (N, C, H, W) images."""
from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter


class Conv2d(Module):
    """2-D convolution: weight (out_channels, in_channels, kh, kw), bias (out_channels,);
    output size (H + 2*padding - kh) // stride + 1. Computed as one matrix product over the
    unrolled windows (see F.conv2d). Default initialisation as PyTorch:
    W, b ~ U(-k, k), k = 1/sqrt(in_channels * kh * kw)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True,
                 dtype=np.float64, generator=None):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F.as_pair(kernel_size, "Conv2d kernel_size", 1)
        self.stride, self.padding = F.as_pair(stride, "Conv2d stride", 1), F.as_pair(padding, "Conv2d padding")
        self.weight = Parameter(np.empty((out_channels, in_channels) + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """Draw the weight and bias again as at construction (init.default_init_)."""
        init.default_init_(self.weight, self.bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, bias={self.bias is not None}")


class MaxPool2d(Module):
    """The maximum of each kernel_size window, stride apart (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"


class AvgPool2d(Module):
    """The mean of each kernel_size window, stride apart (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}"
