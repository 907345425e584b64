"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d, thin Modules over nn.functional."""
from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter


class _ConvNd(Module):
    """What the convolution layers share: geometry checked when the layer is built, a weight and
    an optional bias, PyTorch's default initialisation W, b ~ U(-k, k), k = 1/sqrt(fan_in) with
    fan_in = weight.shape[1] * prod(kernel_size), and the repr."""

    dims = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation, groups,
                 bias: bool, dtype, generator, output_padding=0):
        super().__init__()
        name, d = type(self).__name__, self.dims
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = F.as_tuple(kernel_size, d, f"{name} kernel_size", 1)
        self.stride = F.as_tuple(stride, d, f"{name} stride", 1)
        self.dilation = F.as_tuple(dilation, d, f"{name} dilation", 1)
        if isinstance(padding, str):
            if padding not in (() if self.transposed else ("same", "valid")):
                raise ValueError(f"{name}: padding must be a number or pairs of numbers"
                                 + ("" if self.transposed else ", 'same' or 'valid'") + f", got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' needs stride 1, got stride {self.stride}")
        self.padding = padding if isinstance(padding, str) else _padding(padding, d, f"{name} padding")
        self.output_padding = F.as_tuple(output_padding, d, f"{name} output_padding")
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1 \
                or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups must be an int >= 1 that divides in_channels ({in_channels}) and "
                             f"out_channels ({out_channels}), got {groups!r}")
        self.groups = int(groups)
        channels = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(np.empty(channels + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """Draw the weight and bias again as at construction (init.default_init_)."""
        init.default_init_(self.weight, self.bias, generator)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
        text += f"padding={self.padding!r}" if isinstance(self.padding, str) else f"padding={self.padding}"
        if any(self.output_padding):
            text += f", output_padding={self.output_padding}"
        if any(d != 1 for d in self.dilation):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        return text + f", bias={self.bias is not None}"


def _padding(padding, d: int, name: str):
    """Checked padding, kept as the user wrote it when it is symmetric (a tuple of d ints)."""
    widths = F.padding_widths(padding, d, name)
    return tuple(b for b, _ in widths) if all(b == a for b, a in widths) else widths


class _Conv(_ConvNd):
    lecture_rule = ("d{input}: each window gets d{output} · {weight}, added back where the window was taken",
                    "d{weight} = d{output} · (the windows of {input})ᵀ, summed over the batch",
                    "d{bias} = d{output} summed over the batch and every position")

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, dtype=np.float64, generator=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype,
                         generator)

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_Conv):
    """1-d convolution over (N, C, L): weight (out_channels, in_channels // groups, k) (see F.conv1d)."""

    dims, function = 1, staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C, H, W): weight (out_channels, in_channels // groups, kh, kw), bias
    (out_channels,); output size (H + 2*padding - dilation*(kh-1) - 1) // stride + 1. Computed as
    one matrix product over the unrolled windows (see F.conv2d). padding: an int, a pair,
    ((top, bottom), (left, right)), 'same' or 'valid'. Default initialisation as PyTorch:
    W, b ~ U(-k, k), k = 1/sqrt(in_channels // groups * kh * kw)."""

    dims, function = 2, staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-d convolution over (N, C, D, H, W): weight (out_channels, in_channels // groups, kd, kh, kw)."""

    dims, function = 3, staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    transposed = True
    lecture_rule = ("d{input} = the convolution of d{output} with {weight} (the adjoint of the forward)",
                    "d{weight} = the windows of d{output} · {input}ᵀ, summed over the batch",
                    "d{bias} = d{output} summed over the batch and every position")

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, dtype=np.float64, generator=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, dtype,
                         generator, output_padding)
        if any(e >= max(s, dl) for e, s, dl in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"{type(self).__name__}: output_padding {self.output_padding} must be smaller than the "
                             f"stride {self.stride} or the dilation {self.dilation}")

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.weight, self.bias, self.stride, self.padding, self.output_padding, self.groups,
                             self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-d transposed convolution over (N, C, L): weight (in_channels, out_channels // groups, k)."""

    dims, function = 1, staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution (learnable upsampling): weight (in_channels, out_channels // groups,
    kh, kw); output size (H - 1)*stride - 2*padding + dilation*(kh-1) + output_padding + 1 (see
    F.conv_transpose2d). Initialised as PyTorch: U(-k, k), k = 1/sqrt(out_channels // groups * kh * kw)."""

    dims, function = 2, staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """3-d transposed convolution over (N, C, D, H, W): weight (in_channels, out_channels // groups, kd, kh, kw)."""

    dims, function = 3, staticmethod(F.conv_transpose3d)
