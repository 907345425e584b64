"""Pooling and resampling layers: max, average and adaptive average pooling over 1, 2 or 3
spatial dimensions, and Upsample; thin Modules over nn.functional."""
from __future__ import annotations

from autograd import Tensor
from nn import functional as F
from nn.module import Module


class _PoolNd(Module):
    """What the pooling layers share: a kernel_size window, stride apart (stride defaults to
    kernel_size), padding (at most half the window), ceil_mode (keep a last partial window).
    The geometry is checked when the layer is built and kept as given (so the repr shows it so)."""

    dims = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False):
        super().__init__()
        name, d = type(self).__name__, self.dims
        kernel = F.as_tuple(kernel_size, d, f"{name} kernel_size", 1)
        if stride is not None:
            F.as_tuple(stride, d, f"{name} stride", 1)
        if any(2 * w > k for pair, k in zip(F.padding_widths(padding, d, f"{name} padding"), kernel) for w in pair):
            raise ValueError(f"{name}: padding {padding} must be at most half the kernel size {kernel_size}")
        self.kernel_size, self.stride, self.padding, self.ceil_mode = kernel_size, stride, padding, ceil_mode

    def extra_repr(self) -> str:
        stride = self.kernel_size if self.stride is None else self.stride
        return f"kernel_size={self.kernel_size}, stride={stride}, padding={self.padding}" + "".join(
            f", {name}={value}" for name, value, default in self._options() if value != default
        )

    def _options(self) -> list:
        """(name, value, default) of the options the repr shows when they are not the default."""
        return [("ceil_mode", self.ceil_mode, False)]


class _MaxPoolNd(_PoolNd):
    lecture_rule = "d{input} = d{output} routed to the maximum of each window, 0 elsewhere"

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        F.as_tuple(dilation, self.dims, f"{type(self).__name__} dilation", 1)
        self.dilation, self.return_indices = dilation, return_indices

    def forward(self, x: Tensor):
        return self.function(x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                             self.return_indices)

    def _options(self) -> list:
        return [("dilation", self.dilation, 1), *super()._options(), ("return_indices", self.return_indices, False)]


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window of (N, C, L) (see F.max_pool1d)."""

    dims, function = 1, staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """The maximum of each kernel_size window, stride apart (stride defaults to kernel_size); its
    elements dilation apart; return_indices=True also returns where each maximum was (see F.max_pool2d)."""

    dims, function = 2, staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """The maximum of each window of (N, C, D, H, W) (see F.max_pool3d)."""

    dims, function = 3, staticmethod(F.max_pool3d)


class _AvgPoolNd(_PoolNd):
    lecture_rule = "d{input} = d{output} / (window size), spread evenly over each window"

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None):
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                             self.divisor_override)

    def _options(self) -> list:
        return [*super()._options(), ("count_include_pad", self.count_include_pad, True),
                ("divisor_override", self.divisor_override, None)]


class AvgPool1d(_AvgPoolNd):
    """The mean of each window of (N, C, L) (see F.avg_pool1d)."""

    dims, function = 1, staticmethod(F.avg_pool1d)


class AvgPool2d(_AvgPoolNd):
    """The mean of each kernel_size window, stride apart (stride defaults to kernel_size); zero
    padding counts in the mean unless count_include_pad=False (see F.avg_pool2d)."""

    dims, function = 2, staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """The mean of each window of (N, C, D, H, W) (see F.avg_pool3d)."""

    dims, function = 3, staticmethod(F.avg_pool3d)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return self.function(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling of (N, C, L) to (N, C, output_size), whatever L is (see F.adaptive_avg_pool1d)."""

    function = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling of (N, C, H, W) to (N, C, *output_size), whatever H and W are; e.g.
    AdaptiveAvgPool2d(1) is global average pooling (see F.adaptive_avg_pool2d)."""

    function = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling of (N, C, D, H, W) to (N, C, *output_size) (see F.adaptive_avg_pool3d)."""

    function = staticmethod(F.adaptive_avg_pool3d)


class Upsample(Module):
    """Resize (N, C, *spatial) to `size` or by `scale_factor`: mode 'nearest', 'nearest-exact',
    'linear', 'bilinear', 'trilinear' or 'area' (see F.interpolate)."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None):
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError("Upsample: give exactly one of size and scale_factor")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        given = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        corners = f", align_corners={self.align_corners}" if self.align_corners is not None else ""
        return f"{given}, mode={self.mode!r}{corners}"
