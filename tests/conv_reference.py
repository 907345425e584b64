"""Plain numpy references for convolution, pooling and resampling, for the operation table:
loops over output (or input) positions, written from the definitions, slow and obvious.
Shapes are (N, C, *spatial) with d = 1, 2 or 3 spatial dimensions."""
from __future__ import annotations

import itertools
import math

import numpy as np


def _tuple(value, d):
    return (value,) * d if np.ndim(value) == 0 else tuple(value)


def _widths(padding, d):
    """One int, d ints, or d (before, after) pairs -> d pairs."""
    if isinstance(padding, (tuple, list)) and padding and isinstance(padding[0], (tuple, list)):
        return tuple(tuple(p) for p in padding)
    return tuple((p, p) for p in _tuple(padding, d))


def _window(start, stride, kernel, dilation):
    """The slice picking one window: elements start*stride + j*dilation, j < kernel."""
    first = start * stride
    return slice(first, first + dilation * (kernel - 1) + 1, dilation)


def conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """out[n, o, *i] = b[o] + sum(x_padded[n, channels of o's group, window at i] * w[o])."""
    d = x.ndim - 2
    stride, dilation = _tuple(stride, d), _tuple(dilation, d)
    if padding == "same":
        totals = [dl * (k - 1) for k, dl in zip(w.shape[2:], dilation)]
        padding = [(t // 2, t - t // 2) for t in totals]
    xp = np.pad(x, ((0, 0), (0, 0)) + _widths(padding, d))
    out_channels, group_channels = w.shape[:2]
    kernel = w.shape[2:]
    out_size = [(xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    out = np.zeros((x.shape[0], out_channels, *out_size))
    per_group = out_channels // groups
    for n, o in itertools.product(range(x.shape[0]), range(out_channels)):
        g = o // per_group
        channels = xp[n, g * group_channels:(g + 1) * group_channels]
        for position in np.ndindex(*out_size):
            window = tuple(_window(p, s, k, dl) for p, s, k, dl in zip(position, stride, kernel, dilation))
            out[(n, o) + position] = (channels[(slice(None),) + window] * w[o]).sum() + (0 if b is None else b[o])
    return out


def conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Every input element adds x[n, c, *i] * w[c] into the output window at i*stride (its
    group's output channels); then `padding` is cropped from each side and `output_padding`
    positions are added at the end."""
    d = x.ndim - 2
    stride, dilation, extra = _tuple(stride, d), _tuple(dilation, d), _tuple(output_padding, d)
    widths = _widths(padding, d)
    channels, per_group = x.shape[1], w.shape[1]
    kernel = w.shape[2:]
    full = [(x.shape[2 + i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 for i in range(d)]
    out = np.zeros((x.shape[0], per_group * groups, *[f + e for f, e in zip(full, extra)]))
    in_group = channels // groups
    for n, c in itertools.product(range(x.shape[0]), range(channels)):
        g = c // in_group
        for position in np.ndindex(*x.shape[2:]):
            window = tuple(_window(p, s, k, dl) for p, s, k, dl in zip(position, stride, kernel, dilation))
            out[(n, slice(g * per_group, (g + 1) * per_group)) + window] += x[(n, c) + position] * w[c]
    crop = tuple(slice(before, before + f - before - after + e) for (before, after), f, e in zip(widths, full, extra))
    out = out[(slice(None), slice(None)) + crop]
    return out if b is None else out + b.reshape((-1,) + (1,) * d)


def _pool_count(size, kernel, stride, before, after, dilation, ceil_mode):
    span = dilation * (kernel - 1) + 1
    count = (math.ceil if ceil_mode else math.floor)((size + before + after - span) / stride) + 1
    if ceil_mode and (count - 1) * stride >= size + before:  # the last window must start inside
        count -= 1
    return count


def _pool(x, kernel, stride, padding, dilation, ceil_mode, reduce):
    """reduce(values inside the input, window positions along each dimension) for every window."""
    d = x.ndim - 2
    kernel = _tuple(kernel, d)
    stride = kernel if stride is None else _tuple(stride, d)
    dilation, widths = _tuple(dilation, d), _widths(padding, d)
    counts = [_pool_count(x.shape[2 + i], kernel[i], stride[i], *widths[i], dilation[i], ceil_mode) for i in range(d)]
    out = np.zeros(x.shape[:2] + tuple(counts), dtype=x.dtype)
    for position in np.ndindex(*counts):
        spots = [[o * s - before + j * dl for j in range(k)]
                 for o, s, (before, _), k, dl in zip(position, stride, widths, kernel, dilation)]
        inside = [[p for p in spot if 0 <= p < n] for spot, n in zip(spots, x.shape[2:])]
        values = x[(Ellipsis,) + np.ix_(*inside)].reshape(x.shape[:2] + (-1,))
        out[(Ellipsis,) + position] = reduce(values, spots, widths)
    return out


def max_pool(x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    return _pool(x, kernel, stride, padding, dilation, ceil_mode, lambda values, spots, widths: values.max(axis=-1))


def avg_pool(x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None):
    def mean(values, spots, widths):
        if divisor_override:
            return values.sum(axis=-1) / divisor_override
        lows = [-before if count_include_pad else 0 for before, _ in widths]
        highs = [n + (after if count_include_pad else 0) for n, (_, after) in zip(x.shape[2:], widths)]
        counted = math.prod(sum(low <= p < high for p in spot) for spot, low, high in zip(spots, lows, highs))
        return values.sum(axis=-1) / counted
    return _pool(x, kernel, stride, padding, 1, ceil_mode, mean)


def adaptive_avg_pool(x, output_size):
    d = x.ndim - 2
    sizes = [n if o is None else o for o, n in zip(_tuple(output_size, d), x.shape[2:])]
    out = np.zeros(x.shape[:2] + tuple(sizes))
    for position in np.ndindex(*sizes):
        block = tuple(slice(math.floor(i * n / o), math.ceil((i + 1) * n / o))
                      for i, n, o in zip(position, x.shape[2:], sizes))
        out[(Ellipsis,) + position] = x[(Ellipsis,) + block].mean(axis=tuple(range(2, 2 + d)))
    return out


def _sizes_and_scales(x, size, scale_factor):
    d = x.ndim - 2
    if size is not None:
        sizes = _tuple(size, d)
        return sizes, [n / o for n, o in zip(x.shape[2:], sizes)]
    factors = _tuple(scale_factor, d)
    return [math.floor(n * f) for n, f in zip(x.shape[2:], factors)], [1 / f for f in factors]


def interpolate_nearest(x, size=None, scale_factor=None, exact=False):
    """out[..., *i] = x[..., *src(i)], src = floor(i * scale) (or floor((i + 0.5) * scale)),
    the position rounded to float32 first, as PyTorch."""
    sizes, scales = _sizes_and_scales(x, size, scale_factor)
    out = np.zeros(x.shape[:2] + tuple(sizes))
    for position in np.ndindex(*sizes):
        source = tuple(min(math.floor(np.float32((i + 0.5 if exact else i) * scale)), n - 1)
                       for i, scale, n in zip(position, scales, x.shape[2:]))
        out[(Ellipsis,) + position] = x[(Ellipsis,) + source]
    return out


def interpolate_linear(x, size=None, scale_factor=None, align_corners=False):
    """Each output element mixes the 2^d input elements around its source position, with
    weights (1 - t) and t along each dimension (a dimension whose size is unchanged is copied)."""
    sizes, scales = _sizes_and_scales(x, size, scale_factor)
    out = np.zeros(x.shape[:2] + tuple(sizes))
    for position in np.ndindex(*sizes):
        corners = []  # per dimension: [(index, weight), (index, weight)]
        for i, scale, n, o in zip(position, scales, x.shape[2:], sizes):
            if o == n:
                corners.append([(i, 1.0)])
                continue
            if align_corners:
                source = i * (n - 1) / (o - 1) if o > 1 else 0.0
            else:
                source = max((i + 0.5) * scale - 0.5, 0.0)
            left = min(math.floor(source), n - 1)
            t = min(max(source - left, 0.0), 1.0)
            corners.append([(left, 1 - t), (min(left + 1, n - 1), t)])
        for combination in itertools.product(*corners):
            index = tuple(i for i, _ in combination)
            out[(Ellipsis,) + position] += math.prod(t for _, t in combination) * x[(Ellipsis,) + index]
    return out
