"""Primitives that move values around without changing them: reshape, transpose,
broadcast, indexing, concatenation, padding and sliding windows."""
import numpy as np

from autograd.function import Primitive


class Reshape(Primitive):
    """out = a.reshape(shape);  da = grad.reshape(a.shape)"""

    view = True  # numpy may return a view of a's memory
    call_name = "reshape"
    symbol = "reshape"
    notation = "{0}.reshape(…)"
    rule = "d{0} = d{y} reshaped back to the shape of {0}"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape)


class Transpose(Primitive):
    """out = a.transpose(axes);  da = grad.transpose(inverse permutation)"""

    view = True  # numpy may return a view of a's memory
    call_name = "transpose"
    symbol = "ᵀ"
    notation = "{0}ᵀ"
    rule = "d{0} = d{y} transposed back"

    @staticmethod
    def forward(ctx, a, axes):
        out = np.transpose(a, axes)  # numpy checks that axes is a permutation
        ctx.axes = tuple(axis % a.ndim for axis in axes)  # -1 -> ndim - 1, so argsort inverts it
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(tuple(np.argsort(ctx.axes)))


class BroadcastTo(Primitive):
    """out = a repeated along new or size-1 dimensions;  da = grad summed over them
    (returned as is: the engine's sum-back-to-shape does exactly this)."""

    view = True  # numpy may return a view of a's memory
    call_name = "broadcast_to"
    symbol = "broadcast"
    notation = "broadcast({0})"
    rule = "d{0} = d{y} summed over the broadcast axes"

    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad


def _is_basic(index) -> bool:
    """Only ints and slices (no arrays): every element is picked at most once."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Primitive):
    """out = a[index] (ints, slices, integer arrays, boolean masks);
    da = zeros like a with grad added at the picked places (repeated picks accumulate)."""

    call_name = "t[...] (indexing)"
    symbol = "[ ]"
    notation = "{0}[…]"
    rule = "d{0} = zeros, with d{y} added at the picked places"

    @staticmethod
    def forward(ctx, a, index):
        ctx.index, ctx.input_shape = index, a.shape
        out = a[index]
        # Basic indexing gives a numpy view; copy it so that a later in-place change of `a`
        # cannot alter this result behind the version check's back.
        return out.copy() if _is_basic(index) and isinstance(out, np.ndarray) else out

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, index=ctx.index, shape=ctx.input_shape)


class SetItem(Primitive):
    """out = a with out[index] = value (what was there is replaced);
    da = grad with 0 at index,  dvalue = grad[index] (the engine sums it back to value's shape).
    `t[index] = value` while gradients are recorded makes t the output of this operation."""

    call_name = "t[...] = value (setitem)"
    symbol = "[ ]="
    notation = "{0}, with […] set to {1}"
    rule = ("d{0} = d{y}, with 0 where {0} was overwritten", "d{1} = d{y}[…], where {1} was written")

    @staticmethod
    def forward(ctx, a, value, *, index):
        ctx.index = index
        out = np.array(a, copy=True)
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        return (
            SetItem.apply(grad, 0.0, index=ctx.index) if ctx.needs_input_grad[0] else None,
            grad[ctx.index] if ctx.needs_input_grad[1] else None,
        )


class ScatterAdd(Primitive):
    """out = zeros(shape) with out[index] += a (repeated indices add up): the adjoint of GetItem;
    da = grad[index]"""

    call_name = "scatter_add (backward of indexing)"
    symbol = "scatter"
    notation = "scatter_add({0})"
    rule = "d{0} = d{y} at the places {0} was added to"

    @staticmethod
    def forward(ctx, a, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=a.dtype)
        if _is_basic(index) or _is_mask(index):
            out[index] = a
        else:
            np.add.at(out, index, a)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]


def _is_mask(index) -> bool:
    return isinstance(index, np.ndarray) and index.dtype == bool


class Concatenate(Primitive):
    """out = the inputs joined along `axis`;  each input gets its slice of grad"""

    call_name = "concatenate"
    symbol = "concat"
    notation = "concatenate(…)"
    rule = "d{i} = its own slice of d{y}"

    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ctx.axis = axis
        ctx.bounds = np.cumsum([0] + [np.shape(a)[axis] for a in arrays])
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        prefix = (slice(None),) * (ctx.axis % grad.ndim)
        return tuple(
            grad[prefix + (slice(start, stop),)] if needed else None
            for start, stop, needed in zip(ctx.bounds[:-1], ctx.bounds[1:], ctx.needs_input_grad)
        )


class Pad(Primitive):
    """out = a surrounded by a constant (numpy's pad_width);  da = the middle part of grad"""

    call_name = "pad"
    symbol = "pad"
    notation = "pad({0})"
    rule = "d{0} = the middle of d{y} (the padding gets nothing)"

    @staticmethod
    def forward(ctx, a, pad_width, value=0.0):
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
        if (widths < 0).any():
            raise ValueError(f"pad widths must be >= 0, got {pad_width}")
        ctx.middle = tuple(slice(before, before + n) for (before, _), n in zip(widths, a.shape))
        return np.pad(a, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.middle]


def _window_geometry(shape, window_shape, axis, stride, dilation=1):
    window = (window_shape,) if np.ndim(window_shape) == 0 else tuple(window_shape)
    if not shape:
        raise ValueError("a 0-d tensor has no axis to slide a window along; give it at least one dimension")
    if axis is None:
        axis = tuple(range(len(shape) - len(window), len(shape)))
    axes = tuple(a % len(shape) for a in ((axis,) if np.ndim(axis) == 0 else axis))
    strides = (stride,) * len(axes) if np.ndim(stride) == 0 else tuple(stride)
    dilations = (dilation,) * len(axes) if np.ndim(dilation) == 0 else tuple(dilation)
    if not (len(window) == len(axes) == len(strides) == len(dilations)):
        raise ValueError(
            f"window_shape {window_shape}, axis {axis}, stride {stride} and dilation {dilation} must have the "
            "same length"
        )
    for ax, w, s, d in zip(axes, window, strides, dilations):
        if w < 1 or s < 1 or d < 1 or d * (w - 1) + 1 > shape[ax]:
            spread = f" with dilation {d} (it spans {d * (w - 1) + 1})" if d != 1 else ""
            raise ValueError(
                f"a window of {w}{spread} with stride {s} does not fit along axis {ax} of length {shape[ax]}; "
                "pad the input or use a smaller window"
            )
    return window, axes, strides, dilations


class SlidingWindows(Primitive):
    """out[..., i, ..., k] = a[..., i*stride + k*dilation, ...]: every window of `window_shape`
    along `axis`, `stride` apart, its elements `dilation` apart; the window dimensions come last
    (convolution and pooling use it). A view of a, never a copy.
    da = each window's gradient added back where it came from (FoldWindows)."""

    view = True  # numpy may return a view of a's memory
    call_name = "sliding_window"
    symbol = "windows"
    notation = "windows({0})"
    rule = "d{0} = every window's gradient added back where the window was taken"

    @staticmethod
    def forward(ctx, a, window_shape, axis=None, stride=1, dilation=1):
        window, axes, strides, dilations = _window_geometry(a.shape, window_shape, axis, stride, dilation)
        ctx.window, ctx.axes, ctx.strides, ctx.dilations = window, axes, strides, dilations
        ctx.input_shape = a.shape
        spans = tuple(d * (w - 1) + 1 for w, d in zip(window, dilations))
        view = np.lib.stride_tricks.sliding_window_view(a, spans, axis=axes)
        steps = [slice(None)] * view.ndim
        for ax, s in zip(axes, strides):
            steps[ax] = slice(None, None, s)
        for i, d in enumerate(dilations):  # a dilated window: every d-th element of a wider one
            steps[a.ndim + i] = slice(None, None, d)
        return view[tuple(steps)]

    @staticmethod
    def backward(ctx, grad):
        return FoldWindows.apply(grad, window=ctx.window, axes=ctx.axes, strides=ctx.strides, shape=ctx.input_shape,
                                 dilations=ctx.dilations)


class FoldWindows(Primitive):
    """The adjoint of SlidingWindows: out = zeros(shape); each window of `a` is added back at
    the place it was taken from (overlaps add up). One vectorised addition per window offset,
    so a 3x3 window costs 9 additions, never a loop over pixels.  da = SlidingWindows(grad)"""

    call_name = "fold_windows"
    symbol = "fold"
    notation = "fold({0})"
    rule = "d{0} = d{y} cut into the same windows again"

    @staticmethod
    def forward(ctx, a, window, axes, strides, shape, dilations=None):
        dilations = (1,) * len(axes) if dilations is None else tuple(dilations)
        ctx.window, ctx.axes, ctx.strides, ctx.dilations = window, axes, strides, dilations
        out = np.zeros(shape, dtype=a.dtype)
        counts = [a.shape[ax] for ax in axes]
        n = len(shape)
        for offset in np.ndindex(*window):
            target = [slice(None)] * n
            for ax, k, s, c, d in zip(axes, offset, strides, counts, dilations):
                target[ax] = slice(k * d, k * d + s * (c - 1) + 1, s)
            out[tuple(target)] += a[(Ellipsis,) + offset]
        return out

    @staticmethod
    def backward(ctx, grad):
        return SlidingWindows.apply(grad, window_shape=ctx.window, axis=ctx.axes, stride=ctx.strides,
                                    dilation=ctx.dilations)
