"""nn.functional: activations, layers' maths and losses as plain functions of Tensors,
with PyTorch's names and arguments (`F.relu(x)`, `F.cross_entropy(logits, target)`,
`F.conv2d(x, w, b, stride, padding)`).

Everything here is a composition of autograd Tensor operations, so every gradient comes
from the engine; there is no hand-written backward pass. Constants are Python numbers
(never float64 arrays), so float32 inputs give float32 outputs and gradients.
Axes are called `dim` as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, as_tensor, fold_windows, graph_scope, maximum, no_grad, where
from nn.data.batching import one_hot as _one_hot_array
from nn.init import get_generator

__all__ = [
    "relu", "leaky_relu", "prelu", "elu", "softplus", "sigmoid", "tanh", "softmax", "log_softmax", "maxout",
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "interpolate",
    "dropout", "dropconnect", "batch_norm",
    "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss", "multi_margin_loss", "l1_penalty", "l2_penalty", "elastic_net_penalty", "one_hot",
    # issue #17
    "gelu", "silu", "swish", "mish", "selu", "hardtanh", "logsigmoid", "scaled_dot_product_attention",
    "embedding", "layer_norm", "group_norm", "huber_loss", "smooth_l1_loss", "kl_div",
]


# ----- activations -------------------------------------------------------------------------
def relu(x: Tensor) -> Tensor:
    """relu(x) = max(0, x);  gradient 1 where x > 0, else 0."""
    return as_tensor(x).relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """leaky_relu(x) = x if x > 0 else negative_slope * x  (the lecture's max(0.01x, x))."""
    x = as_tensor(x)
    return where(x > 0, x, x * negative_slope)


def prelu(x: Tensor, weight: Tensor) -> Tensor:
    """prelu(x) = x if x > 0 else a * x, with a learnable slope `a` (one shared, or one per
    channel = dimension 1 of x)."""
    x, weight = as_tensor(x), as_tensor(weight)
    if weight.size > 1:
        if x.ndim < 2 or x.shape[1] != weight.size:
            raise ValueError(
                f"prelu: {weight.size} slopes need an input with {weight.size} channels in dimension 1, "
                f"got input shape {x.shape}. Use PReLU(num_parameters={x.shape[1] if x.ndim > 1 else 1})."
            )
        weight = weight.reshape((weight.size,) + (1,) * (x.ndim - 2))
    return where(x > 0, x, x * weight)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """elu(x) = x if x > 0 else alpha * (exp(x) - 1)  (exp of min(x, 0), so large x cannot overflow)."""
    x = as_tensor(x)
    return where(x > 0, x, alpha * (x.clip(max=0).exp() - 1))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """softplus(x) = log(1 + exp(beta x)) / beta, computed stably as
    (max(beta x, 0) + log(1 + exp(-|beta x|))) / beta; where beta x > threshold it is x
    (as PyTorch), so softplus(1000) = 1000."""
    x = as_tensor(x)
    scaled = x * beta if beta != 1 else x
    stable = maximum(scaled, 0.0) + (1 + (-scaled.abs()).exp()).log()
    if beta != 1:
        stable = stable / beta
    return where(scaled > threshold, x, stable)


def sigmoid(x: Tensor) -> Tensor:
    """sigmoid(x) = 1 / (1 + exp(-x)) (a stable primitive: sigmoid(+-1000) is 1 and 0)."""
    return as_tensor(x).sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x));  gradient 1 - tanh(x)^2."""
    return as_tensor(x).tanh()


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) along `dim`."""
    return as_tensor(x).softmax(axis=dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log_softmax(x) = x - logsumexp(x) along `dim` (stable)."""
    return as_tensor(x).log_softmax(axis=dim)


def maxout(x: Tensor, num_pieces: int, dim: int = -1) -> Tensor:
    """Maxout (Goodfellow et al. 2013): dimension `dim` of size k * m is cut into m groups of
    k = num_pieces consecutive values, and each group gives its maximum:
    out[..., j] = max(x[..., j*k], ..., x[..., j*k + k - 1]). After a Linear layer with
    k * m outputs this is the lecture's max(w1^T x + b1, w2^T x + b2) for k = 2."""
    x = as_tensor(x)
    axis = dim % x.ndim
    if x.shape[axis] % num_pieces:
        raise ValueError(
            f"maxout: dimension {dim} of the input (shape {x.shape}) has size {x.shape[axis]}, "
            f"which is not a multiple of num_pieces={num_pieces}"
        )
    grouped = x.shape[:axis] + (x.shape[axis] // num_pieces, num_pieces) + x.shape[axis + 1 :]
    return x.reshape(grouped).max(axis=axis + 1)


def one_hot(tensor, num_classes: int = -1, dtype=np.int64) -> Tensor:
    """Class labels as rows with a 1 at the label and 0 elsewhere: shape labels.shape + (num_classes,),
    num_classes=-1 meaning labels.max() + 1. int64 as in PyTorch; pass dtype= (your model's,
    e.g. np.float32) to get floats directly: under numpy's promotion int64 * float32 is float64."""
    labels = tensor.data if isinstance(tensor, Tensor) else tensor
    return Tensor(_one_hot_array(labels, None if num_classes == -1 else num_classes, dtype=dtype))


# ----- layers --------------------------------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None, *, op: object = "linear") -> Tensor:
    """y = x W^T + b, with W of shape (out_features, in_features). An input whose last dimension
    is not in_features is refused here, in an error that begins with `op`: a name, or the calling
    layer itself, shown as its repr ("Linear(in_features=4, out_features=3, bias=True)")."""
    x, weight = as_tensor(x), as_tensor(weight)
    if x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise ValueError(
            f"{op}: the input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its last "
            f"dimension, expected {weight.shape[-1]} (the weight has shape {weight.shape} = (out_features, "
            "in_features)). Check the previous layer's size, or flatten images first (nn.Flatten())."
        )
    out = x @ weight.T
    return out + bias if bias is not None else out


# ----- convolution, pooling and resampling ---------------------------------------------------
# 1-, 2- and 3-d versions share one N-d implementation each; d = the number of spatial dimensions.
# Inputs are (N, C, *spatial) or, as in PyTorch, unbatched (C, *spatial).
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}
_KERNEL = {1: "k", 2: "kh, kw", 3: "kd, kh, kw"}


def as_tuple(value, n: int, name: str, smallest: int = 0) -> tuple[int, ...]:
    """(value,) * n for one int, or the given n ints; each an int >= smallest (e.g. a kernel size)."""
    values = (value,) * n if np.ndim(value) == 0 else tuple(value)
    if len(values) != n or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < smallest
                               for v in values):
        several = {1: "a 1-tuple", 2: "a pair", 3: "a triple"}.get(n, f"{n}")
        raise ValueError(f"{name} must be an int >= {smallest} or {several} of them, got {value!r}")
    return tuple(int(v) for v in values)


def as_pair(value, name: str, smallest: int = 0) -> tuple[int, int]:
    """(value, value) for one int, or the given pair; each an int >= smallest."""
    return as_tuple(value, 2, name, smallest)


def padding_widths(padding, n: int, name: str) -> tuple[tuple[int, int], ...]:
    """((before, after), ...) for n spatial dimensions from one int, n ints (the same on both sides,
    as PyTorch) or n (before, after) pairs (asymmetric, numpy's pad_width style)."""
    if isinstance(padding, (tuple, list)) and any(isinstance(p, (tuple, list)) for p in padding):
        if len(padding) == n and all(isinstance(p, (tuple, list)) for p in padding):
            return tuple(as_pair(p, name) for p in padding)
        raise ValueError(f"{name}: asymmetric padding is {n} (before, after) pairs, one per spatial dimension; "
                         f"got {padding!r}")
    return tuple((p, p) for p in as_tuple(padding, n, name))


def _batched(x: Tensor, d: int, op: str) -> tuple[Tensor, bool]:
    """x as (N, C, *spatial), and whether it came unbatched as (C, *spatial)."""
    if x.ndim == d + 2:
        return x, False
    if x.ndim == d + 1:
        return x.reshape((1,) + x.shape), True
    example = "a batch of images" if d == 2 else f"a batch of {d}-d signals"
    raise ValueError(
        f"{op}: expected {example} of shape (N, C, {_SPATIAL[d]}) or one of shape (C, {_SPATIAL[d]}), "
        f"got shape {x.shape}. Add the missing dimensions with x.reshape(...)."
    )


def _unbatched(out: Tensor, unbatched: bool) -> Tensor:
    return out.reshape(out.shape[1:]) if unbatched else out


def _windows(x: Tensor, kernel, stride, widths, dilation, op: str, pad_value=0.0) -> Tensor:
    """Pad the spatial dimensions of (N, C, *spatial), then view every window: (N, C, *out, *kernel)."""
    d = len(kernel)
    if any(w for pair in widths for w in pair):
        x = x.pad(((0, 0), (0, 0)) + tuple(widths), value=pad_value)
    spans = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    if any(k == 0 or span > size for k, span, size in zip(kernel, spans, x.shape[2:])):
        spread = f" (dilation {dilation}: it spans {'x'.join(map(str, spans))})" if max(dilation) > 1 else ""
        raise ValueError(
            f"{op}: a {'x'.join(map(str, kernel))} kernel{spread} does not fit in the (padded) "
            f"{'x'.join(map(str, x.shape[2:]))} input (input shape {x.shape}); use a smaller kernel or more padding"
        )
    return x.sliding_window(kernel, axis=tuple(range(2, 2 + d)), stride=stride, dilation=dilation)


def _conv_widths(padding, kernel, stride, dilation, op: str):
    """Padding widths for a convolution: numbers or pairs, 'valid' (none) or 'same' (the output
    keeps the input's size; odd totals put the extra element after, as PyTorch does)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' needs stride 1 (got stride {stride}); pad by hand for "
                                 "a strided convolution")
            totals = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"{op}: padding must be a number, pairs of numbers, 'same' or 'valid', got {padding!r}")
    return padding_widths(padding, len(kernel), f"{op} padding")


def _check_groups(groups, op: str) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be an int >= 1, got {groups!r}")
    return int(groups)


def _check_weight(weight: Tensor, d: int, op: str, layout: str) -> None:
    if weight.ndim != d + 2:
        raise ValueError(f"{op}: the weight must have shape {layout}, got {weight.shape}")


def _check_bias(bias, channels: int, op: str) -> None:
    if bias is not None and tuple(bias.shape) != (channels,):
        raise ValueError(f"{op}: the bias must have shape ({channels},) (one per output channel), got {bias.shape}")


def _conv(x, weight, bias, stride, padding, dilation, groups, d: int, op: str) -> Tensor:
    """N-d convolution (cross-correlation, as in every deep-learning library):
    out[n, o, i] = b[o] + sum_{c in o's group, u} x_padded[n, c, i*s + u*dilation] * w[o, c, u]
    (i and u run over the d spatial positions). Computed as ONE (batched over groups) matrix
    product, "im2col": the windows unrolled into a matrix with one column per output position
    (C/G * prod(kernel) rows, N * prod(out) columns) times the weights reshaped to (O/G, C/G*prod(kernel)).
    Output size per dimension: (L + before + after - dilation*(k-1) - 1) // stride + 1."""
    x, weight = as_tensor(x), as_tensor(weight)
    x, unbatched = _batched(x, d, op)
    _check_weight(weight, d, op, f"(out_channels, in_channels // groups, {_KERNEL[d]})")
    groups, channels = _check_groups(groups, op), x.shape[1]
    out_channels, group_channels = weight.shape[:2]
    if groups == 1 and channels != group_channels:
        raise ValueError(
            f"{op}: the input has {channels} channels (shape {x.shape}) but the weight of shape {weight.shape} "
            f"expects {group_channels} input channels. Set in_channels={channels} or check the previous layer's "
            "out_channels."
        )
    if channels % groups or out_channels % groups or channels // groups != group_channels:
        raise ValueError(
            f"{op}: with groups={groups} the input's {channels} channels (shape {x.shape}) and the weight's "
            f"{out_channels} output channels must be divisible by {groups}, and the weight (shape {weight.shape}) "
            f"must expect {channels} // {groups} input channels per group in its dimension 1"
        )
    _check_bias(bias, out_channels, op)
    kernel = weight.shape[2:]
    stride, dilation = as_tuple(stride, d, f"{op} stride", 1), as_tuple(dilation, d, f"{op} dilation", 1)
    windows = _windows(x, kernel, stride, _conv_widths(padding, kernel, stride, dilation, op), dilation, op)
    n, out_size = windows.shape[0], windows.shape[2 : 2 + d]
    rows, positions = group_channels * math.prod(kernel), n * math.prod(out_size)
    # (G, C/G, *kernel, N, *out): in this order the copy is fast (rows of the image stay contiguous)
    grouped = windows.reshape((n, groups, group_channels) + windows.shape[2:])
    columns = grouped.transpose((1, 2, *range(3 + d, 3 + 2 * d), 0, *range(3, 3 + d))).reshape(groups, rows, positions)
    if x.name and not columns.requires_grad:  # a named input (images) stays visible in drawings
        columns.name = f"{x.name} (im2col)"
    out = (weight.reshape(groups, out_channels // groups, rows) @ columns).reshape(out_channels, positions)
    if bias is not None:
        out = out + bias.reshape(out_channels, 1)
    out = out.reshape((out_channels, n) + out_size).transpose((1, 0, *range(2, 2 + d)))
    return _unbatched(out, unbatched)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-d convolution of (N, C, L) (or (C, L)) with weight (O, C/groups, k); see conv2d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library) of (N, C, H, W) with
    weight (O, C/groups, kh, kw):
    out[n, o, i, j] = b[o] + sum_{c, u, v} x_padded[n, c, i*s + u*dilation, j*s + v*dilation] * w[o, c, u, v],
    c running over o's group of input channels (groups=C: depthwise). Computed as ONE matrix
    product ("im2col"): the windows are unrolled into a matrix with one column per output pixel
    (C*kh*kw rows, N*OH*OW columns), and the weights, reshaped to (O, C*kh*kw), multiply it.
    Output size: OH = (H + 2*padding - dilation*(kh-1) - 1) // stride + 1 (same for OW).
    padding: an int, a pair, ((top, bottom), (left, right)) for asymmetric padding, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-d convolution of (N, C, D, H, W) (or (C, D, H, W)) with weight (O, C/groups, kd, kh, kw); see conv2d."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation, d: int, op: str) -> Tensor:
    """N-d transposed convolution: the adjoint of _conv with respect to its input, so
    conv_transpose(y, w) is the gradient that conv(x, w) sends back to x for an upstream y.

    Computed as that gradient is: ONE matrix product, wᵀ (per group: (O/G*prod(kernel), C/G)) times
    the input as columns (C/G, N * prod(in)), gives every input position's contribution to its
    output window; fold_windows ("col2im") adds the windows up where they overlap. This does
    exactly the multiplications needed; the alternative (insert stride-1 zeros between the
    inputs, then an ordinary convolution with the flipped kernel) multiplies stride^d times as
    many numbers, most of them zeros. The full output (before cropping) has
    (L - 1)*stride + dilation*(k-1) + 1 positions per dimension; `padding` crops that many from
    each side and `output_padding` adds positions at the end (it only tells apart the input sizes
    that a strided convolution maps to the same output size)."""
    x, weight = as_tensor(x), as_tensor(weight)
    x, unbatched = _batched(x, d, op)
    _check_weight(weight, d, op, f"(in_channels, out_channels // groups, {_KERNEL[d]})")
    groups, channels, group_out = _check_groups(groups, op), x.shape[1], weight.shape[1]
    if weight.shape[0] != channels or channels % groups:
        raise ValueError(
            f"{op}: the input has {channels} channels (shape {x.shape}) but the weight of shape {weight.shape} "
            f"(in_channels, out_channels // groups, {_KERNEL[d]}) expects {weight.shape[0]}"
            + (f", and they must be divisible by groups={groups}" if groups > 1 else "") + ". Check in_channels."
        )
    out_channels, group_in = group_out * groups, channels // groups
    _check_bias(bias, out_channels, op)
    kernel = weight.shape[2:]
    stride, dilation = as_tuple(stride, d, f"{op} stride", 1), as_tuple(dilation, d, f"{op} dilation", 1)
    widths = padding_widths(padding, d, f"{op} padding")
    extra = as_tuple(output_padding, d, f"{op} output_padding")
    if any(e >= max(s, dl) for e, s, dl in zip(extra, stride, dilation)):
        raise ValueError(f"{op}: output_padding {extra} must be smaller than the stride {stride} or the dilation "
                         f"{dilation} (in each dimension)")
    n, in_size = x.shape[0], x.shape[2:]
    full = tuple((i - 1) * s + dl * (k - 1) + 1 for i, s, dl, k in zip(in_size, stride, dilation, kernel))
    out_size = tuple(f - b - a + e for f, (b, a), e in zip(full, widths, extra))
    if any(i < 1 for i in in_size) or any(o < 1 for o in out_size):
        raise ValueError(f"{op}: the output would have size {out_size} for input shape {x.shape}, kernel {kernel}, "
                         f"stride {stride}, padding {widths}; use less padding")
    # the input as columns (G, C/G, N*prod(in)), times wᵀ: every position's contribution (G, O/G*K, N*prod(in))
    columns = x.reshape(n, groups, group_in, math.prod(in_size)).transpose(1, 2, 0, 3)
    columns = columns.reshape(groups, group_in, n * math.prod(in_size))
    contributions = weight.reshape(groups, group_in, group_out * math.prod(kernel)).mT @ columns
    # (G, O/G, *kernel, N, *in) -> (N, G, O/G, *in, *kernel): views, no copy
    contributions = contributions.reshape((groups, group_out) + kernel + (n,) + in_size)
    windows = contributions.transpose((2 + d, 0, 1, *range(3 + d, 3 + 2 * d), *range(2, 2 + d)))
    windows = windows.reshape((n, out_channels) + in_size + kernel)
    out = fold_windows(windows, (n, out_channels) + full, axis=tuple(range(2, 2 + d)), stride=stride, dilation=dilation)
    grow = tuple(max(0, e - a) for (_, a), e in zip(widths, extra))  # output_padding beyond the cropped part
    if any(grow):
        out = out.pad(((0, 0), (0, 0)) + tuple((0, g) for g in grow))
    if out.shape[2:] != out_size:
        out = out[(slice(None), slice(None)) + tuple(slice(b, b + o) for (b, _), o in zip(widths, out_size))]
    if bias is not None:
        out = out + bias.reshape((out_channels,) + (1,) * d)
    return _unbatched(out, unbatched)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-d transposed convolution of (N, C, L) with weight (C, O/groups, k); see conv_transpose2d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                           "conv_transpose1d")


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution ("deconvolution", the learnable upsampling of decoders and GANs):
    the gradient conv2d sends to its input, used as a forward pass. Each input pixel adds its
    value times the kernel into the output, at its position times the stride:
        out[n, o, i*s + u*dilation - padding, j*s + v*dilation - padding] += x[n, c, i, j] * w[c, o, u, v]
    Weight (C, O/groups, kh, kw). Output size: (H - 1)*stride - 2*padding + dilation*(kh-1) +
    output_padding + 1. Computed as one matrix product and a fold ("col2im"), see _conv_transpose."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                           "conv_transpose2d")


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-d transposed convolution of (N, C, D, H, W) with weight (C, O/groups, kd, kh, kw); see conv_transpose2d."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                           "conv_transpose3d")


def _pool_extent(size: int, kernel: int, stride: int, before: int, after: int, dilation: int, ceil_mode: bool):
    """(number of windows, padding added after the input so that the last one fits) along one
    dimension. With ceil_mode the last, partial window is kept if it starts inside the input or
    its padding before (PyTorch's rule)."""
    span = dilation * (kernel - 1) + 1
    room = size + before + after - span
    count = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + before:
        count -= 1
    return count, max(0, (count - 1) * stride + span - (size + before + after))


def _pool_windows(x: Tensor, kernel_size, stride, padding, dilation, ceil_mode, d: int, op: str, pad_value=0.0):
    """The values of every pooling window stacked first: (prod(kernel), N, C, *out), so that pooling
    is a max or mean over axis 0 (fast in numpy, unlike a reduction over tiny trailing axes).
    Also returns the geometry (kernel, stride, dilation, padding widths, windows per dimension)."""
    kernel = as_tuple(kernel_size, d, f"{op} kernel_size", 1)
    stride = kernel if stride is None else as_tuple(stride, d, f"{op} stride", 1)
    dilation = as_tuple(dilation, d, f"{op} dilation", 1)
    widths = padding_widths(padding, d, f"{op} padding")
    if any(2 * w > k for pair, k in zip(widths, kernel) for w in pair):
        raise ValueError(f"{op}: padding {padding!r} must be at most half the kernel size {kernel}")
    extents = [_pool_extent(size, k, s, b, a, dl, ceil_mode)
               for size, k, s, (b, a), dl in zip(x.shape[2:], kernel, stride, widths, dilation)]
    padded = tuple((b, a + more) for (b, a), (_, more) in zip(widths, extents))
    windows = _windows(x, kernel, stride, padded, dilation, op, pad_value)
    stacked = windows.transpose((*range(2 + d, 2 + 2 * d), *range(2 + d)))
    stacked = stacked.reshape((math.prod(kernel),) + windows.shape[: 2 + d])
    return stacked, (kernel, stride, dilation, widths, tuple(count for count, _ in extents))


def _lowest(dtype: np.dtype):
    """The padding value max pooling ignores: -inf, or the smallest integer of an integer dtype."""
    if dtype.kind == "f":
        return -math.inf
    return False if dtype.kind == "b" else np.iinfo(dtype).min


def _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, d: int, op: str):
    x, unbatched = _batched(as_tensor(x), d, op)
    stacked, geometry = _pool_windows(x, kernel_size, stride, padding, dilation, ceil_mode, d, op, _lowest(x.dtype))
    out = _unbatched(stacked.max(axis=0), unbatched)
    if not return_indices:
        return out
    return out, _unbatched(_max_indices(stacked.data, x.shape[2:], geometry), unbatched)


def _max_indices(stacked: np.ndarray, size: tuple, geometry) -> Tensor:
    """Where each maximum sits in its (N, C) plane of the unpadded input, as a flat index
    (the first maximum of a window in scan order, as PyTorch's return_indices)."""
    kernel, stride, dilation, widths, counts = geometry
    offsets = np.unravel_index(stacked.argmax(axis=0), kernel)  # which element of the window, per dimension
    flat, d = 0, len(kernel)
    for i in range(d):
        starts = (np.arange(counts[i]) * stride[i] - widths[i][0]).reshape((-1,) + (1,) * (d - 1 - i))
        flat = flat * size[i] + starts + offsets[i] * dilation[i]
    return Tensor(np.asarray(flat, dtype=np.int64))


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """1-d max pooling of (N, C, L) (or (C, L)); see max_pool2d."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """out[n, c, i, j] = max of the kh x kw window at (i*s, j*s) (its elements `dilation` apart);
    stride defaults to kernel_size; padding adds borders that never win (-inf, or the smallest
    integer); ceil_mode keeps a last partial window. The gradient goes to the window's maximum
    (shared evenly if several are equal). return_indices=True also returns each maximum's flat
    index in its input plane (as PyTorch)."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """3-d max pooling of (N, C, D, H, W) (or (C, D, H, W)); see max_pool2d."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def _window_counts(size: int, kernel: int, stride: int, before: int, after: int, count: int, include_pad: bool):
    """How many elements each window along one dimension averages: those inside the input (and
    inside its padding if include_pad; never the part a ceil_mode window hangs over)."""
    starts = np.arange(count) * stride - before
    low, high = (-before, size + after) if include_pad else (0, size)
    return np.minimum(starts + kernel, high) - np.maximum(starts, low)


def _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, d: int, op: str):
    x, unbatched = _batched(as_tensor(x), d, op)
    stacked, (kernel, stride, _, widths, counts) = _pool_windows(x, kernel_size, stride, padding, 1, ceil_mode, d, op)
    total = stacked.sum(axis=0)
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer)) \
                or divisor_override < 1:
            raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
        return _unbatched(total / int(divisor_override), unbatched)
    per_dim = [_window_counts(size, k, s, b, a, c, count_include_pad)
               for size, k, s, (b, a), c in zip(x.shape[2:], kernel, stride, widths, counts)]
    divisor = per_dim[0]
    for more in per_dim[1:]:
        divisor = np.multiply.outer(divisor, more)
    if (divisor == math.prod(kernel)).all():  # every window is full: the plain mean
        return _unbatched(total / math.prod(kernel), unbatched)
    return _unbatched(total / divisor.astype(total.dtype if total.dtype.kind == "f" else np.float64), unbatched)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """1-d average pooling of (N, C, L) (or (C, L)); see avg_pool2d."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 1,
                     "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """out[n, c, i, j] = mean of the kh x kw window at (i*s, j*s); stride defaults to kernel_size.
    Zero padding counts in the mean (as PyTorch's default) unless count_include_pad=False; a
    ceil_mode window that hangs over the padding divides by the part that does not;
    divisor_override replaces the divisor."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """3-d average pooling of (N, C, D, H, W) (or (C, D, H, W)); see avg_pool2d."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                     "avg_pool3d")


def _along(x: Tensor, matrix: np.ndarray, axis: int) -> Tensor:
    """x with dimension `axis` (length L) replaced by matrix @ (that dimension), matrix (M, L):
    a linear map applied along one axis, as one matrix product."""
    matrix = Tensor(matrix.astype(x.dtype if x.dtype.kind == "f" else np.float64))
    if axis == x.ndim - 1:
        return x @ matrix.T
    lead, rest = x.shape[:axis], x.shape[axis + 1 :]
    flat = x.reshape(lead + (x.shape[axis], math.prod(rest)))
    return (matrix @ flat).reshape(lead + (matrix.shape[0],) + rest)


def _averaging_matrix(size: int, out: int) -> np.ndarray:
    """(out, size): row i averages input elements floor(i*size/out) .. ceil((i+1)*size/out) - 1."""
    matrix = np.zeros((out, size))
    for i in range(out):
        start, stop = (i * size) // out, -(-((i + 1) * size) // out)
        matrix[i, start:stop] = 1 / (stop - start)
    return matrix


def _output_sizes(output_size, size: tuple, op: str) -> tuple[int, ...]:
    """An int, or one entry per spatial dimension (None keeps that dimension's size)."""
    entries = (output_size,) * len(size) if output_size is None or np.ndim(output_size) == 0 else tuple(output_size)
    if len(entries) != len(size):
        raise ValueError(f"{op}: output size {output_size!r} needs one entry per spatial dimension {size}")
    return as_tuple(tuple(n if o is None else o for o, n in zip(entries, size)), len(size), f"{op} output size", 1)


def _adaptive_avg_pool(x, output_size, d: int, op: str) -> Tensor:
    x, unbatched = _batched(as_tensor(x), d, op)
    out = x
    for i, target in enumerate(_output_sizes(output_size, x.shape[2:], op)):
        out = _along(out, _averaging_matrix(x.shape[2 + i], target), 2 + i)
    return _unbatched(out, unbatched)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """1-d adaptive average pooling of (N, C, L) to (N, C, output_size); see adaptive_avg_pool2d."""
    return _adaptive_avg_pool(input, output_size, 1, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (OH, OW), whatever the input size: output row i
    averages input rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 (windows may overlap by one), and
    likewise for columns. The averages are separable, so each dimension is one matrix product
    with a (OH, H) averaging matrix (composite: exact, and BLAS-fast)."""
    return _adaptive_avg_pool(input, output_size, 2, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """3-d adaptive average pooling of (N, C, D, H, W); see adaptive_avg_pool2d."""
    return _adaptive_avg_pool(input, output_size, 3, "adaptive_avg_pool3d")


_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _source_scale(size: int, out: int, scale_factor) -> float:
    """Input positions per output position: 1/scale_factor when one was given, else size/out."""
    return 1.0 / scale_factor if scale_factor is not None and scale_factor > 0 else size / out


def _nearest_indices(size: int, out: int, scale_factor, exact: bool) -> np.ndarray:
    """PyTorch's nearest neighbours: floor(i * scale) ('nearest': the top-left one) or
    floor((i + 0.5) * scale) ('nearest-exact': the one under the output pixel's centre), with the
    position rounded to float32 before the floor as PyTorch does: the pixels PyTorch picks for
    float64 data, whatever the dtype (PyTorch's float32 kernels differ from its float64 ones in
    a few cases where a position falls exactly on a pixel boundary, e.g. 2 -> 41 nearest-exact)."""
    i = np.arange(out)
    position = (i + 0.5 if exact else i) * _source_scale(size, out, scale_factor)
    return np.minimum(np.floor(position.astype(np.float32)).astype(np.int64), size - 1)


def _linear_matrix(size: int, out: int, scale_factor, align_corners: bool) -> np.ndarray:
    """(out, size): row i holds the two weights of linear interpolation at source position
    i * (size-1)/(out-1) (align_corners: the corner pixels' centres line up) or
    (i + 0.5) * scale - 0.5, clamped at 0 (pixel areas line up)."""
    i = np.arange(out)
    if align_corners:
        source = i * ((size - 1) / (out - 1) if out > 1 else 0.0)
    else:
        source = np.maximum((i + 0.5) * _source_scale(size, out, scale_factor) - 0.5, 0.0)
    left = np.minimum(np.floor(source.astype(np.float32)).astype(np.int64), size - 1)
    right = left + (left < size - 1)
    weight = np.clip(source - left, 0.0, 1.0)
    matrix = np.zeros((out, size))
    np.add.at(matrix, (i, left), 1 - weight)
    np.add.at(matrix, (i, right), weight)
    return matrix


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize (N, C, *spatial) to `size`, or by `scale_factor` (output size floor(L * scale_factor)).
    mode 'nearest' (copies the pixel at floor(i * L/out)), 'nearest-exact' (the pixel under the
    output pixel's centre), 'linear' / 'bilinear' / 'trilinear' (weights of the two nearest
    pixels along each dimension; align_corners=True maps the corner pixels onto each other) or
    'area' (adaptive average pooling). Given a scale_factor, positions use 1/scale_factor (as
    PyTorch) unless recompute_scale_factor=True. Nearest picks pixels by indexing; the linear
    modes apply one (out, L) interpolation matrix per dimension (composites: exact and BLAS-fast;
    a pixel's gradient is the sum of its weights' shares)."""
    x = as_tensor(input)
    d = x.ndim - 2
    if d not in (1, 2, 3):
        raise ValueError(f"interpolate: expected (N, C, L), (N, C, H, W) or (N, C, D, H, W), got shape {x.shape}. "
                         "For one image add the batch dimension: x.reshape(1, *x.shape).")
    if mode not in ("nearest", "nearest-exact", "area", *_LINEAR_MODES):
        raise ValueError(f"interpolate: mode must be 'nearest', 'nearest-exact', 'linear', 'bilinear', "
                         f"'trilinear' or 'area', got {mode!r}")
    if mode in _LINEAR_MODES and _LINEAR_MODES[mode] != d:
        raise ValueError(f"interpolate: mode {mode!r} is for {_LINEAR_MODES[mode]}-d data (N, C, "
                         f"{_SPATIAL[_LINEAR_MODES[mode]]}), got shape {x.shape}; use "
                         f"{next(m for m, n in _LINEAR_MODES.items() if n == d)!r}")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError(f"interpolate: align_corners is only for the linear modes, not {mode!r}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported; downsample with mode='area' instead")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        out_size, scales = _output_sizes(size, x.shape[2:], "interpolate"), (None,) * d
    else:
        scales = (scale_factor,) * d if np.ndim(scale_factor) == 0 else tuple(scale_factor)
        if len(scales) != d or any(not isinstance(s, (int, float, np.number)) or s <= 0 for s in scales):
            raise ValueError(f"interpolate: scale_factor must be a positive number or {d} of them, "
                             f"got {scale_factor!r}")
        out_size = tuple(math.floor(n * float(s)) for n, s in zip(x.shape[2:], scales))
        if any(o < 1 for o in out_size):
            raise ValueError(f"interpolate: scale_factor {scale_factor} makes the output size {out_size} for input "
                             f"shape {x.shape}; use a larger factor")
        if recompute_scale_factor:
            scales = (None,) * d
    out = x
    for i, (length, target, scale) in enumerate(zip(x.shape[2:], out_size, scales)):
        axis = 2 + i
        if mode in ("nearest", "nearest-exact"):
            index = _nearest_indices(length, target, scale, mode == "nearest-exact")
            if not np.array_equal(index, np.arange(length)):
                out = out[(slice(None),) * axis + (index,)]
        elif mode == "area":
            out = _along(out, _averaging_matrix(length, target), axis)
        elif target != length:  # PyTorch leaves a dimension whose size does not change as it is
            out = _along(out, _linear_matrix(length, target, scale, bool(align_corners)), axis)
    return out


# ----- dropout and batch normalisation ------------------------------------------------------
def check_drop_probability(p, op: str) -> None:
    """Raise unless p is a number in [0, 1] (a bool is refused: dropout(x, True) is a slip)."""
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"{op}: p is the drop probability, a number in [0, 1], got {p!r}. "
            "To switch dropout off, pass training=False (or call model.eval())."
        )
    if not 0 <= p <= 1:
        raise ValueError(f"{op}: p is a probability in [0, 1], got {p}")


def dropout(x: Tensor, p: float = 0.5, training: bool = True, vanilla: bool = False, generator=None) -> Tensor:
    """Each unit is zeroed with probability p (p is the DROP probability, as in PyTorch;
    the lecture's p is the keep probability 1 - p).

    Inverted dropout (default): in training the survivors are scaled by 1/(1-p), so at test
    time nothing changes (the identity). Vanilla dropout (vanilla=True): survivors are not
    scaled in training, and at test time every activation is multiplied by (1-p) instead —
    both make the expected training output equal the test output."""
    x = as_tensor(x)
    check_drop_probability(p, "dropout")
    if x.dtype.kind != "f":
        raise TypeError(
            f"dropout: the input must be floating point (survivors are scaled by 1/(1-p)), got dtype "
            f"{x.dtype} and shape {x.shape}. Convert it first, e.g. x.astype(np.float32)."
        )
    if not training:
        return x * (1 - p) if vanilla and p > 0 else x
    if p == 0:
        return x
    keep = get_generator(generator).random(x.shape) >= p
    mask = keep.astype(x.dtype)
    if not vanilla and p < 1:
        mask *= 1 / (1 - p)
    return x * mask


def dropconnect(x: Tensor, weight: Tensor, bias: Tensor | None = None, p: float = 0.5, training: bool = True,
                generator=None, *, op: object = "dropconnect") -> Tensor:
    """DropConnect (Wan et al. 2013): a linear layer whose WEIGHTS (connections) are zeroed
    with probability p in training — one mask per forward pass, shared by the batch — and
    survivors scaled by 1/(1-p) (inverted, so at test time all connections are used as they
    are). The bias is kept. `op` begins the error for an input of the wrong size (see linear)."""
    return linear(x, dropout(weight, p, training, generator=generator), bias, op=op)


def batch_norm(
    x: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
    bias: Tensor | None = None, training: bool = False, momentum: float = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation (Ioffe & Szegedy 2015) over dimension 1 (features / channels):

        training:  mu = mean over the batch (and H, W),  var = mean((x - mu)^2)  (biased)
        eval:      mu = running_mean,  var = running_var
        x_hat = (x - mu) / sqrt(var + eps),   out = gamma * x_hat + beta

    In training the gradient flows through mu and var too, and the running statistics are
    updated (under no_grad) as running = (1 - momentum) * running + momentum * batch value,
    with the unbiased variance var * n / (n - 1), as PyTorch does."""
    x = as_tensor(x)
    axes, shape = _batch_norm_layout(x, running_mean, running_var, weight, bias)
    if training:
        mean, centered, var = _batch_statistics(x, axes)
        if running_mean is not None and running_var is not None:
            _update_running_statistics(running_mean, running_var, mean, var, x.size // x.shape[1], momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation mode needs running_mean and running_var (or pass training=True)")
        centered = x - running_mean.reshape(shape)
        var = running_var.reshape(shape)
    out = centered / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _batch_norm_layout(x: Tensor, *per_channel) -> tuple[tuple, tuple]:
    """The axes batch_norm averages over (all but the channels, dimension 1) and the shape
    (1, C, 1, ...) a per-channel vector takes to broadcast; each given vector must have C entries."""
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    for name, t in zip(("running_mean", "running_var", "weight", "bias"), per_channel):
        if t is not None and t.shape != (channels,):
            raise ValueError(f"batch_norm: {name} has shape {t.shape} but the input (shape {x.shape}) has {channels} channels")
    return (0,) + tuple(range(2, x.ndim)), (1, channels) + (1,) * (x.ndim - 2)


def _batch_statistics(x: Tensor, axes: tuple) -> tuple[Tensor, Tensor, Tensor]:
    """mu = mean of x over the batch (and H, W), x - mu, and var = mean((x - mu)^2) (biased)."""
    if x.size // x.shape[1] <= 1:
        raise ValueError(
            f"batch_norm: training needs more than one value per channel to compute a variance, "
            f"got input shape {x.shape}. Use a batch of at least 2, or call model.eval()."
        )
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    return mean, centered, (centered * centered).mean(axis=axes, keepdims=True)


def _update_running_statistics(running_mean: Tensor, running_var: Tensor, mean: Tensor, var: Tensor, count: int,
                               momentum: float) -> None:
    """running = (1 - momentum) * running + momentum * batch value, in place and without gradient;
    the variance enters unbiased, var * n / (n - 1), with n = count values per channel."""
    if momentum is None or isinstance(momentum, bool) or not 0 <= momentum <= 1:
        raise ValueError(
            f"batch_norm: momentum must be a number in [0, 1], got {momentum!r}. For a cumulative "
            "average of all batches use the layer, e.g. nn.BatchNorm1d(C, momentum=None)."
        )
    channels = running_mean.shape[0]
    with no_grad():
        running_mean *= 1 - momentum
        running_mean += momentum * mean.detach().reshape(channels)
        running_var *= 1 - momentum
        running_var += (momentum * count / (count - 1)) * var.detach().reshape(channels)


# ----- losses ----------------------------------------------------------------------------------
def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _target_like(target, input: Tensor, op: str) -> Tensor:
    """The target as a Tensor of the input's shape and float dtype (a constant target is
    converted, so a float32 model stays float32)."""
    if isinstance(target, Tensor) and target.requires_grad:
        t = target
    else:
        t = as_tensor(np.asarray(target.data if isinstance(target, Tensor) else target, dtype=input.dtype))
    if t.shape != input.shape:
        raise ValueError(
            f"{op}: input shape {input.shape} and target shape {t.shape} differ; broadcasting them would "
            f"compare every prediction with every target. Reshape the target to {input.shape} "
            f"(e.g. target.reshape({', '.join(map(str, input.shape))}))."
        )
    return t


def _constant_like(value, input: Tensor):
    """A weight as an array of the input's dtype (so a float32 model stays float32); a Tensor
    that requires grad is kept as it is."""
    if isinstance(value, Tensor) and value.requires_grad:
        return value
    return np.asarray(value.data if isinstance(value, Tensor) else value, dtype=input.dtype)


def _loss_scope(name: str, rule: str | None) -> graph_scope:
    """The scope a loss function computes in: drawn as one box with its fused rule (layer view)."""
    return graph_scope(name, kind="function", rule=rule)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """MSE: (input - target)^2, averaged (or summed) over all elements."""
    input = as_tensor(input)
    rule = {"mean": f"d{{input}} = 2 ({{input}} − target) / {input.size}", "sum": "d{input} = 2 ({input} − target)"}
    with _loss_scope("mse_loss", rule.get(reduction)):
        diff = input - _target_like(target, input, "mse_loss")
        return _reduce(diff * diff, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """MAE: |input - target|, averaged (or summed) over all elements."""
    input = as_tensor(input)
    return _reduce((input - _target_like(target, input, "l1_loss")).abs(), reduction, "l1_loss")


_BCE_EPS = 1e-12  # PyTorch's BCE gradient divides by max(p (1 - p), 1e-12)


def _saturated_bce(p: Tensor, y: Tensor) -> Tensor:
    """PyTorch's BCE where p (1 - p) < 1e-12 (p at 0 or 1 in practice): the value with each log
    clamped at -100, and the gradient (p - y) / 1e-12, written as value + g * (p - p.detach()),
    a term that is zero but has gradient g."""
    with np.errstate(divide="ignore"):  # log(0) = -inf, clamped at -100 next
        log_p, log_q = np.maximum(np.log(p.data), -100), np.maximum(np.log(1 - p.data), -100)
    value = -(y.data * log_p + (1 - y.data) * log_q)
    p0 = p.detach()
    return Tensor(value) + ((p0 - y) / _BCE_EPS) * (p - p0)


def binary_cross_entropy(input: Tensor, target: Tensor, weight=None, reduction: str = "mean") -> Tensor:
    """BCE for probabilities p = input in [0, 1]: -(y log p + (1 - y) log(1 - p)),
    with gradient dL/dp = (p - y) / (p (1 - p)).

    As PyTorch, where p (1 - p) < 1e-12 each log is clamped at -100 (so p = 0 or 1 gives a
    finite loss) and the gradient is (p - y) / 1e-12: a confident wrong prediction (p = 0,
    y = 1) still gets a huge push, not zero. Prefer binary_cross_entropy_with_logits on raw
    scores: it is stable."""
    input = as_tensor(input)
    y = _target_like(target, input, "binary_cross_entropy")
    if input.size and (input.data.min() < 0 or input.data.max() > 1):
        raise ValueError(
            f"binary_cross_entropy: the input must be probabilities in [0, 1], got values from "
            f"{input.data.min():.4g} to {input.data.max():.4g}. For raw scores (logits) use "
            "binary_cross_entropy_with_logits (or apply sigmoid first)."
        )
    saturated = input.data * (1 - input.data) < _BCE_EPS
    p = where(saturated, 0.5, input)  # keeps both logs finite; those entries are replaced below
    loss = -(y * p.log() + (1 - y) * (1 - p).log())
    if saturated.any():
        loss = where(saturated, _saturated_bce(input, y), loss)
    if weight is not None:
        loss = loss * _constant_like(weight, input)
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None, reduction: str = "mean") -> Tensor:
    """BCE on logits x: -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) = softplus(x) - x y,
    computed as x (step(x) - y) + log(1 + exp(-|x|)) with step(x) = 1 for x > 0, 0 for x < 0 and
    1/2 at 0 (where the two pieces meet, so the gradient there is sigmoid(0) - y). Nothing
    overflows (x = +-1000 is fine), and x = +-inf gives inf, not inf - inf = nan."""
    x = as_tensor(input)
    y = _target_like(target, x, "binary_cross_entropy_with_logits")
    loss = x * (np.heaviside(x.data, 0.5) - y) + (1 + (-x.abs()).exp()).log()
    if weight is not None:
        loss = loss * _constant_like(weight, x)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _class_rows(input: Tensor, op: str) -> tuple[Tensor, tuple]:
    """Scores as rows (M, C): (N, C) stays, (C,) becomes (1, C), (N, C, d1, ...) moves the class
    dimension last. Also returns the shape a per-element loss has ((N,), (), (N, d1, ...))."""
    if input.ndim == 1:
        return input.reshape(1, -1), ()
    if input.ndim == 2:
        return input, (input.shape[0],)
    if input.ndim > 2:
        order = (0,) + tuple(range(2, input.ndim)) + (1,)
        return input.transpose(order).reshape(-1, input.shape[1]), (input.shape[0],) + input.shape[2:]
    raise ValueError(f"{op}: expected scores of shape (N, C), got a scalar")


def _class_indices(target, input: Tensor, element_shape: tuple, op: str, ignore_index: int | None = None) -> np.ndarray:
    """Integer class indices, checked against the number of classes (entries equal to
    ignore_index may be anything), flattened to (M,)."""
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: the target must hold integer class indices (0 .. {classes - 1}), got dtype {target.dtype} "
            f"and shape {target.shape} for input shape {input.shape}. Convert it with target.astype(np.int64)"
            + ("; for one-hot or soft labels pass float targets of the input's shape." if op == "cross_entropy" else ".")
        )
    if target.shape != element_shape:
        raise ValueError(
            f"{op}: for input of shape {input.shape} the target must have shape {element_shape} "
            f"(one class index per example), got {target.shape}"
        )
    wrong = ((target < 0) | (target >= classes)) & (target != ignore_index)
    if wrong.any():
        bad = target[wrong].ravel()[0]
        raise IndexError(
            f"{op}: class index {bad} is out of range for {classes} classes (input shape {input.shape}); "
            f"targets must be in 0 .. {classes - 1} (or ignore_index={ignore_index}). If labels start at 1, subtract 1."
        )
    return target.reshape(-1)


def _weighted_mean(loss: Tensor, weights, reduction: str, element_shape: tuple, op: str) -> Tensor:
    """Reduce a per-example loss (M,); 'mean' with weights (class weights of the targets, 0 for
    ignored ones) divides by their sum (PyTorch)."""
    if reduction == "none":
        return loss.reshape(element_shape)
    if reduction == "mean" and weights is not None:
        return loss.sum() / weights.sum()
    return _reduce(loss, reduction, op)


def _target_weights(y: np.ndarray, class_weight, ignore_index: int, dtype) -> tuple:
    """(y with ignored entries set to class 0, the mask of the kept entries, the weight of each
    target: its class weight, 0 where ignored; None when every weight is 1)."""
    kept = y != ignore_index
    safe_y = np.where(kept, y, 0)
    if class_weight is None and kept.all():
        return safe_y, kept, None
    weights = np.ones(len(y), dtype=dtype) if class_weight is None else class_weight[safe_y]
    return safe_y, kept, weights * kept


def nll_loss(input: Tensor, target, weight=None, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood of log-probabilities: loss_i = -w[y_i] * input[i, y_i]
    (use after log_softmax; cross_entropy does both). 'mean' divides by sum_i w[y_i]. Targets
    equal to ignore_index contribute 0 and are left out of the mean (as PyTorch)."""
    input = as_tensor(input)
    rows, element_shape = _class_rows(input, "nll_loss")
    y = _class_indices(target, input, element_shape, "nll_loss", ignore_index)
    class_weight = None if weight is None else as_tensor(weight).data.astype(input.dtype)
    y, _, w = _target_weights(y, class_weight, ignore_index, input.dtype)
    loss = -rows[np.arange(len(y)), y]
    return _weighted_mean(loss if w is None else loss * w, w, reduction, element_shape, "nll_loss")


def cross_entropy(input: Tensor, target, weight=None, reduction: str = "mean", label_smoothing: float = 0.0,
                  ignore_index: int = -100) -> Tensor:
    """Softmax cross-entropy from raw scores (logits):
        loss_i = -log softmax(x_i)[y_i] = logsumexp(x_i) - x_i[y_i]   (stable for any logits).
    `target`: integer class indices (N,), or float class probabilities of the input's shape
    (one-hot, soft or mixup labels; a target that requires grad gets its gradient, as in PyTorch).
    `label_smoothing` = eps mixes the target with the uniform distribution:
    (1 - eps) * loss + eps * mean_c(-log p_c). `weight`: one weight per class; 'mean' then divides
    by the summed weights of the targets. Class targets equal to `ignore_index` contribute 0 and are
    left out of the mean (all ignored: nan, as PyTorch); probability targets know no ignore_index.
    Drawings and step pages show it as one box with the rule d input = (softmax - onehot) / N."""
    input = as_tensor(input)
    rule = _cross_entropy_rule(input, target, weight, reduction, label_smoothing, ignore_index)
    with _loss_scope("cross_entropy", rule):
        return _cross_entropy(input, target, weight, reduction, label_smoothing, ignore_index)


def _cross_entropy_rule(input: Tensor, target, weight, reduction: str, label_smoothing: float,
                        ignore_index: int) -> str | None:
    """The lecture's gradient of softmax cross-entropy, for the plain cases (else None: the primitives')."""
    if weight is not None or label_smoothing or reduction not in ("mean", "sum"):
        return None
    target = target.data if isinstance(target, Tensor) else np.asarray(target)
    if target.dtype.kind in "iu" and (target == ignore_index).any():
        return None
    picked = "onehot(target)" if target.dtype.kind in "iu" else "target"
    rows = input.size // max(input.shape[1], 1) if input.ndim > 1 else 1
    return f"d{{input}} = (softmax({{input}}) − {picked})" + (f" / {rows}" if reduction == "mean" else "")


def _cross_entropy(input: Tensor, target, weight, reduction: str, label_smoothing: float, ignore_index: int) -> Tensor:
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    rows, element_shape = _class_rows(input, "cross_entropy")
    classes = rows.shape[1]
    log_p = rows.log_softmax(axis=-1)
    class_weight = None if weight is None else as_tensor(weight).data.astype(input.dtype)
    target_array = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target_array.dtype.kind == "f" and target_array.shape == input.shape:
        probs = _class_rows(_target_like(target, input, "cross_entropy"), "cross_entropy")[0]
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        if class_weight is not None:
            probs = probs * class_weight
        return _reduce(-(log_p * probs).sum(axis=-1).reshape(element_shape), reduction, "cross_entropy")
    y = _class_indices(target, input, element_shape, "cross_entropy", ignore_index)
    y, kept, w = _target_weights(y, class_weight, ignore_index, input.dtype)
    picked = -log_p[np.arange(len(y)), y]
    loss = _weighted_mean(picked if w is None else picked * w, w, reduction, element_shape, "cross_entropy")
    if not label_smoothing:
        return loss
    smooth = -(log_p if class_weight is None else log_p * class_weight).sum(axis=-1)
    if not kept.all():
        smooth = smooth * kept.astype(input.dtype)  # ignored targets contribute 0
    smooth = _weighted_mean(smooth, w, reduction, element_shape, "cross_entropy")
    return (1 - label_smoothing) * loss + (label_smoothing / classes) * smooth


def multi_margin_loss(input: Tensor, target, p: int = 1, margin: float = 1.0, weight=None, reduction: str = "mean") -> Tensor:
    """The multiclass SVM (hinge) loss, as PyTorch defines it:
        loss_i = sum_{j != y_i} max(0, margin - x_i[y_i] + x_i[j])^p / C
    PyTorch divides by the number of classes C; the lecture's L_i = sum_{j != y_i}
    max(0, s_j - s_{y_i} + 1) is C times this value (reduction='none')."""
    input = as_tensor(input)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p}")
    rows, element_shape = _class_rows(input, "multi_margin_loss")
    y = _class_indices(target, input, element_shape, "multi_margin_loss")
    count, classes = rows.shape
    correct = rows[np.arange(count), y].reshape(count, 1)
    hinge = (rows - correct + margin).relu()
    if p == 2:
        hinge = hinge * hinge
    others = np.ones((count, classes), dtype=input.dtype)
    others[np.arange(count), y] = 0  # the j = y_i term is left out
    if weight is not None:
        others *= as_tensor(weight).data.astype(input.dtype)[y].reshape(count, 1)
    loss = (hinge * others).sum(axis=1) / classes
    return _reduce(loss.reshape(element_shape), reduction, "multi_margin_loss")


# ----- penalties (added to a loss) ----------------------------------------------------------
def _terms(parameters, op: str) -> list:
    tensors = list(parameters.parameters() if hasattr(parameters, "parameters") else parameters)
    if not tensors:
        raise ValueError(f"{op}: no parameters given (pass e.g. model.parameters() or [layer.weight])")
    return tensors


def l1_penalty(parameters) -> Tensor:
    """R(W) = sum over all given weights of |W_kl| (L1: pushes weights to exactly zero)."""
    return sum(w.abs().sum() for w in _terms(parameters, "l1_penalty"))


def l2_penalty(parameters) -> Tensor:
    """R(W) = sum over all given weights of W_kl^2 (L2 / weight decay). Note: no 1/2 factor."""
    return sum((w * w).sum() for w in _terms(parameters, "l2_penalty"))


def elastic_net_penalty(parameters, beta: float = 1.0) -> Tensor:
    """R(W) = sum over all given weights of beta * W_kl^2 + |W_kl| (L1 + L2, the lecture's form)."""
    return sum((beta * (w * w) + w.abs()).sum() for w in _terms(parameters, "elastic_net_penalty"))


# ----- more activations (issue #17) -----------------------------------------------------------
_SQRT_HALF = math.sqrt(0.5)
_SQRT_TWO_OVER_PI = math.sqrt(2 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU (Hendrycks & Gimpel 2016): x * Phi(x), Phi the standard normal distribution function:
        approximate='none':  x/2 * (1 + erf(x / sqrt 2))
        approximate='tanh':  x/2 * (1 + tanh(u)),  u = sqrt(2/pi) * (x + 0.044715 x^3)
    The tanh form is computed as x * sigmoid(2u), the same function without the cancellation in
    1 + tanh(u) for negative x; u uses x clipped to +-1000 (beyond, the sigmoid is exactly 0 or 1
    and x^3 would overflow float32)."""
    x = as_tensor(x)
    if approximate == "none":
        return _times_gate(x, 0.5 * (1 + (x * _SQRT_HALF).erf()))
    if approximate == "tanh":
        clipped = x.clip(-1000.0, 1000.0)
        return _times_gate(x, (2 * _SQRT_TWO_OVER_PI * (clipped + 0.044715 * (clipped * clipped * clipped))).sigmoid())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def _times_gate(x: Tensor, gate: Tensor) -> Tensor:
    """x * gate for a gate in [0, 1] (sigmoid(x), Phi(x), ...), written as x where the gate is
    exactly 1 and 0 where it is exactly 0: there grad * x, inf for a huge x, would meet the gate's
    local gradient 0 (inf * 0 = nan), where PyTorch's gradient is grad and 0."""
    return where(gate.data == 1, x, where(gate.data == 0, 0.0, x * gate))


def silu(x: Tensor) -> Tensor:
    """SiLU / swish: x * sigmoid(x)."""
    x = as_tensor(x)
    return _times_gate(x, x.sigmoid())


swish = silu


def mish(x: Tensor) -> Tensor:
    """Mish (Misra 2019): x * tanh(softplus(x))."""
    x = as_tensor(x)
    return _times_gate(x, softplus(x).tanh())


def selu(x: Tensor) -> Tensor:
    """SELU (Klambauer et al. 2017): scale * elu(x, alpha) with alpha = 1.6733 and scale = 1.0507,
    the constants that keep activations at mean 0 and variance 1."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def hardtanh(x: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """x clipped to [min_val, max_val]; the gradient passes only strictly inside (as PyTorch; clip
    also passes it at the bounds)."""
    x = as_tensor(x)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    inside = (x.data > min_val) & (x.data < max_val)
    return where(inside, x, np.clip(x.data, min_val, max_val))


def logsigmoid(x: Tensor) -> Tensor:
    """log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)) (stable: logsigmoid(-1000) = -1000), with
    min(x, 0) and -|x| written per side of 0 so that each side is smooth (the second derivative
    at 0 is right)."""
    x = as_tensor(x)
    negative = x.data < 0
    return where(negative, x, 0.0) - where(negative, x, -x).exp().log1p()


# ----- attention (issue #17) ------------------------------------------------------------------
def scaled_dot_product_attention(
    query: Tensor, key: Tensor, value: Tensor, attn_mask=None, dropout_p: float = 0.0, is_causal: bool = False,
    scale: float | None = None, enable_gqa: bool = False, generator=None,
) -> Tensor:
    """Attention (Vaswani et al. 2017) with PyTorch's signature, as a composite:
        softmax(Q Kᵀ * scale + mask) V,   scale = 1/sqrt(d) by default,
    Q (..., L, d), K (..., S, d), V (..., S, dv) -> (..., L, dv). `attn_mask`: boolean (True =
    may attend) or float (added to the scores), broadcast to (..., L, S); `is_causal`: position i
    attends to positions <= i. A query that may attend to nothing gets zeros (as PyTorch).
    `dropout_p` drops attention weights (inverted dropout) with the seeded `generator`.
    `enable_gqa`: K and V with fewer heads (dimension -3) are shared by groups of query heads."""
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2 or q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"scaled_dot_product_attention: expected query (..., L, d), key (..., S, d) and value (..., S, dv), got "
            f"shapes {q.shape}, {k.shape} and {v.shape}"
        )
    if enable_gqa and k.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        if q.shape[-3] % k.shape[-3] or k.shape[-3] != v.shape[-3]:
            raise ValueError(f"scaled_dot_product_attention: {q.shape[-3]} query heads cannot be shared out among "
                             f"{k.shape[-3]} key and {v.shape[-3]} value heads")
        groups = q.shape[-3] // k.shape[-3]
        k, v = k.repeat(groups, axis=-3), v.repeat(groups, axis=-3)
    scores = (q @ k.mT) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal=True, not both")
        attn_mask = np.tri(q.shape[-2], k.shape[-2], dtype=bool)
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) and not attn_mask.requires_grad else attn_mask
        if np.asarray(mask).dtype == bool:
            scores = where(np.asarray(mask), scores, -math.inf)
        else:
            scores = scores + (mask if isinstance(mask, Tensor) else np.asarray(mask, dtype=scores.dtype))
    blocked = np.all(scores.data == -math.inf, axis=-1, keepdims=True)  # rows that may attend to nothing
    if blocked.any():
        weights = where(blocked, 0.0, where(blocked, 0.0, scores).softmax(axis=-1))
    else:
        weights = scores.softmax(axis=-1)
    if dropout_p:
        weights = dropout(weights, dropout_p, generator=generator)
    return weights @ v


# ----- embeddings and normalisation over features (issue #17) --------------------------------
def embedding(input, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """The rows of `weight` (num_embeddings, dim) picked by the integer `input`: out[..., :] =
    weight[input[...]], shape input.shape + (dim,). The gradient adds up in the picked rows
    (indexing); the row padding_idx gets none (as PyTorch)."""
    weight = as_tensor(weight)
    index = np.asarray(input.data if isinstance(input, Tensor) else input)
    if weight.ndim != 2:
        raise ValueError(f"embedding: the weight must be a matrix (num_embeddings, dim), got shape {weight.shape}")
    count = weight.shape[0]
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: the input must hold integer indices, got dtype {index.dtype}")
    if index.size and (index.min() < 0 or index.max() >= count):
        bad = index[(index < 0) | (index >= count)].ravel()[0]
        raise IndexError(f"embedding: index {bad} is out of range for {count} embeddings (valid: 0 .. {count - 1})")
    rows = weight[index]
    if padding_idx is None:
        return rows
    padding = (index == padding_idx % count)[..., None]
    return where(padding, rows.detach(), rows) if padding.any() else rows


def _normalize(x: Tensor, axes: tuple, eps: float) -> Tensor:
    """(x - mean) / sqrt(var + eps) over `axes`, with the biased variance."""
    centered = x - x.mean(axis=axes, keepdims=True)
    return centered / ((centered * centered).mean(axis=axes, keepdims=True) + eps).sqrt()


def layer_norm(x: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Layer normalisation (Ba et al. 2016): each example is normalised over its last
    len(normalized_shape) dimensions (mean and biased variance of those values), then scaled by
    `weight` and shifted by `bias` (of shape normalized_shape). Same in training and eval."""
    x = as_tensor(x)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    if not shape or x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise ValueError(f"layer_norm: the input's last dimensions {x.shape} must be normalized_shape {shape}")
    out = _normalize(x, tuple(range(x.ndim - len(shape), x.ndim)), eps)
    if weight is not None:
        out = out * weight
    return out + bias if bias is not None else out


def group_norm(x: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Group normalisation (Wu & He 2018): the C channels of x (N, C, ...) are cut into num_groups
    groups of consecutive channels; each example's group is normalised over its channels and
    positions, then each channel scaled by weight[c] and shifted by bias[c]."""
    x = as_tensor(x)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise ValueError(f"group_norm: expected (N, C, ...) with C divisible by num_groups={num_groups}, "
                         f"got shape {x.shape}")
    grouped = x.reshape(x.shape[0], num_groups, -1)
    out = _normalize(grouped, (2,), eps).reshape(x.shape)
    per_channel = (x.shape[1],) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(per_channel)
    return out + bias.reshape(per_channel) if bias is not None else out


# ----- more losses (issue #17) -----------------------------------------------------------------
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber: 0.5 d^2 where |d| < delta, else delta * (|d| - 0.5 delta), d = input - target
    (quadratic near 0, linear far out: robust to outliers)."""
    input = as_tensor(input)
    diff = input - _target_like(target, input, "huber_loss")
    size = diff.abs()
    loss = where(size.data < delta, 0.5 * (diff * diff), delta * (size - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1: 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (= huber_loss / beta;
    beta = 0 is the L1 loss)."""
    input = as_tensor(input)
    diff = input - _target_like(target, input, "smooth_l1_loss")
    size = diff.abs()
    if beta == 0:
        return _reduce(size, reduction, "smooth_l1_loss")
    loss = where(size.data < beta, (0.5 / beta) * (diff * diff), size - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def kl_div(input: Tensor, target: Tensor, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence, as PyTorch: `input` holds log-probabilities log q, `target`
    probabilities p (or log p with log_target=True); pointwise p (log p - log q), 0 where p = 0.
    reduction='batchmean' divides the sum by the batch size (the true KL divergence per example);
    'mean' divides by the number of elements."""
    input = as_tensor(input)
    target = _target_like(target, input, "kl_div")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target.data > 0
        loss = where(positive, target * where(positive, target, 1.0).log(), 0.0) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"kl_div: reduction must be 'batchmean', 'mean', 'sum' or 'none', got {reduction!r}")
    return _reduce(loss, reduction, "kl_div")
