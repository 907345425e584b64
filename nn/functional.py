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

from autograd import Tensor, as_tensor, maximum, no_grad, where
from nn.init import get_generator

__all__ = [
    "relu", "leaky_relu", "prelu", "elu", "softplus", "sigmoid", "tanh", "softmax", "log_softmax", "maxout",
    "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "dropconnect", "batch_norm",
    "mse_loss", "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "nll_loss", "multi_margin_loss", "l1_penalty", "l2_penalty", "elastic_net_penalty",
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


# ----- layers --------------------------------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, with W of shape (out_features, in_features)."""
    x, weight = as_tensor(x), as_tensor(weight)
    if x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise ValueError(
            f"linear: the input has shape {x.shape}, so {x.shape[-1] if x.ndim else 0} features in its last "
            f"dimension, but the weight of shape {weight.shape} expects {weight.shape[-1]} "
            "(weight shape is (out_features, in_features)). Check the layer sizes, or flatten "
            "images first (nn.Flatten())."
        )
    out = x @ weight.T
    return out + bias if bias is not None else out


def as_pair(value, name: str, smallest: int = 0) -> tuple[int, int]:
    """(value, value) for one int, or the given pair; each an int >= smallest (e.g. a kernel size)."""
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2 or any(not isinstance(v, (int, np.integer)) or v < smallest for v in pair):
        raise ValueError(f"{name} must be an int >= {smallest} or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _check_image(x: Tensor, op: str) -> None:
    if x.ndim != 4:
        raise ValueError(
            f"{op}: expected a batch of images of shape (N, C, H, W), got shape {x.shape}. "
            "For a single image add the batch dimension: x.reshape(1, *x.shape)."
        )


def _windows(x: Tensor, kernel, stride, padding, op: str, pad_value: float = 0.0) -> Tensor:
    """Pad H and W, then view every kh x kw window: (N, C, OH, OW, kh, kw)."""
    kh, kw = kernel
    ph, pw = padding
    if ph or pw:
        x = x.pad(((0, 0), (0, 0), (ph, ph), (pw, pw)), value=pad_value)
    if kh > x.shape[2] or kw > x.shape[3] or kh == 0 or kw == 0:
        raise ValueError(
            f"{op}: a {kh}x{kw} kernel does not fit in the (padded) {x.shape[2]}x{x.shape[3]} image "
            f"(input shape {x.shape}); use a smaller kernel or more padding"
        )
    return x.sliding_window((kh, kw), axis=(2, 3), stride=stride)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library):
    out[n, o, i, j] = b[o] + sum_{c, u, v} x_padded[n, c, i*s + u, j*s + v] * w[o, c, u, v].

    Computed as ONE matrix product ("im2col"): the windows are unrolled into a matrix with one
    column per output pixel (C*kh*kw rows, N*OH*OW columns), and the weights, reshaped to
    (O, C*kh*kw), multiply it. Output size: OH = (H + 2*padding - kh) // stride + 1 (same for OW)."""
    x, weight = as_tensor(x), as_tensor(weight)
    _check_image(x, "conv2d")
    if weight.ndim != 4:
        raise ValueError(f"conv2d: the weight must have shape (out_channels, in_channels, kh, kw), got {weight.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: the input has {x.shape[1]} channels (shape {x.shape}) but the weight of shape "
            f"{weight.shape} expects {weight.shape[1]} input channels. Set in_channels={x.shape[1]} "
            "or check the previous layer's out_channels."
        )
    out_channels, channels, kh, kw = weight.shape
    windows = _windows(x, (kh, kw), as_pair(stride, "conv2d stride", 1), as_pair(padding, "conv2d padding"), "conv2d")
    n, _, oh, ow = windows.shape[:4]
    # (C, kh, kw, N, OH, OW): this order copies fast (rows of the image stay contiguous)
    columns = windows.transpose(1, 4, 5, 0, 2, 3).reshape(channels * kh * kw, n * oh * ow)
    out = weight.reshape(out_channels, channels * kh * kw) @ columns  # (O, N*OH*OW)
    if bias is not None:
        out = out + bias.reshape(out_channels, 1)
    return out.reshape(out_channels, n, oh, ow).transpose(1, 0, 2, 3)


def _pooled_windows(x: Tensor, kernel_size, stride, padding, op: str, pad_value: float = 0.0) -> Tensor:
    """The kh*kw values of every pooling window, stacked first: (kh*kw, N, C, OH, OW), so that
    pooling is a max or mean over axis 0 (fast in numpy, unlike a reduction over tiny axes)."""
    _check_image(x, op)
    kernel = as_pair(kernel_size, f"{op} kernel_size", 1)
    padding = as_pair(padding, f"{op} padding")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"{op}: padding {padding} must be at most half the kernel size {kernel}")
    stride = kernel if stride is None else as_pair(stride, f"{op} stride", 1)
    windows = _windows(x, kernel, stride, padding, op, pad_value)
    return windows.transpose(4, 5, 0, 1, 2, 3).reshape((kernel[0] * kernel[1],) + windows.shape[:4])


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """out[n, c, i, j] = max of the kh x kw window at (i*s, j*s); stride defaults to kernel_size;
    padding adds -inf borders. The gradient goes to the window's maximum (shared evenly if
    several are equal)."""
    return _pooled_windows(as_tensor(x), kernel_size, stride, padding, "max_pool2d", -math.inf).max(axis=0)


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """out[n, c, i, j] = mean of the kh x kw window at (i*s, j*s); stride defaults to kernel_size;
    zero padding counts in the mean (as PyTorch's default)."""
    return _pooled_windows(as_tensor(x), kernel_size, stride, padding, "avg_pool2d").mean(axis=0)


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


def dropconnect(x: Tensor, weight: Tensor, bias: Tensor | None = None, p: float = 0.5, training: bool = True, generator=None) -> Tensor:
    """DropConnect (Wan et al. 2013): a linear layer whose WEIGHTS (connections) are zeroed
    with probability p in training — one mask per forward pass, shared by the batch — and
    survivors scaled by 1/(1-p) (inverted, so at test time all connections are used as they
    are). The bias is kept."""
    return linear(x, dropout(weight, p, training, generator=generator), bias)


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
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of shape (N, C, ...), got shape {x.shape}")
    channels = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, channels) + (1,) * (x.ndim - 2)
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.shape != (channels,):
            raise ValueError(f"batch_norm: {name} has shape {t.shape} but the input (shape {x.shape}) has {channels} channels")
    if training:
        count = x.size // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: training needs more than one value per channel to compute a variance, "
                f"got input shape {x.shape}. Use a batch of at least 2, or call model.eval()."
            )
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = (centered * centered).mean(axis=axes, keepdims=True)
        if running_mean is not None and running_var is not None:
            if momentum is None or isinstance(momentum, bool) or not 0 <= momentum <= 1:
                raise ValueError(
                    f"batch_norm: momentum must be a number in [0, 1], got {momentum!r}. For a cumulative "
                    "average of all batches use the layer, e.g. nn.BatchNorm1d(C, momentum=None)."
                )
            with no_grad():
                running_mean *= 1 - momentum
                running_mean += momentum * mean.detach().reshape(channels)
                running_var *= 1 - momentum
                running_var += (momentum * count / (count - 1)) * var.detach().reshape(channels)
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


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """MSE: (input - target)^2, averaged (or summed) over all elements."""
    input = as_tensor(input)
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


def _class_indices(target, input: Tensor, element_shape: tuple, op: str) -> np.ndarray:
    """Integer class indices, checked against the number of classes, flattened to (M,)."""
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
    if target.size and (target.min() < 0 or target.max() >= classes):
        bad = target[(target < 0) | (target >= classes)].ravel()[0]
        raise IndexError(
            f"{op}: class index {bad} is out of range for {classes} classes (input shape {input.shape}); "
            f"targets must be in 0 .. {classes - 1}. If labels start at 1, subtract 1."
        )
    return target.reshape(-1)


def _weighted_mean(loss: Tensor, weights, reduction: str, element_shape: tuple, op: str) -> Tensor:
    """Reduce a per-example loss (M,); 'mean' with class weights divides by their sum (PyTorch)."""
    if reduction == "none":
        return loss.reshape(element_shape)
    if reduction == "mean" and weights is not None:
        return loss.sum() / weights.sum()
    return _reduce(loss, reduction, op)


def nll_loss(input: Tensor, target, weight=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: loss_i = -w[y_i] * input[i, y_i]
    (use after log_softmax; cross_entropy does both). 'mean' divides by sum_i w[y_i]."""
    input = as_tensor(input)
    rows, element_shape = _class_rows(input, "nll_loss")
    y = _class_indices(target, input, element_shape, "nll_loss")
    loss = -rows[np.arange(len(y)), y]
    w = None
    if weight is not None:
        w = as_tensor(weight).data.astype(input.dtype)[y]
        loss = loss * w
    return _weighted_mean(loss, w, reduction, element_shape, "nll_loss")


def cross_entropy(input: Tensor, target, weight=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy from raw scores (logits):
        loss_i = -log softmax(x_i)[y_i] = logsumexp(x_i) - x_i[y_i]   (stable for any logits).
    `target`: integer class indices (N,), or float class probabilities of the input's shape
    (one-hot, soft or mixup labels). `label_smoothing` = eps mixes the target with the uniform
    distribution: (1 - eps) * loss + eps * mean_c(-log p_c). `weight`: one weight per class."""
    input = as_tensor(input)
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    rows, element_shape = _class_rows(input, "cross_entropy")
    classes = rows.shape[1]
    log_p = rows.log_softmax(axis=-1)
    class_weight = None if weight is None else as_tensor(weight).data.astype(input.dtype)
    target_array = np.asarray(target.data if isinstance(target, Tensor) else target)
    if target_array.dtype.kind == "f" and target_array.shape == input.shape:
        probs = _class_rows(as_tensor(target_array.astype(input.dtype)), "cross_entropy")[0].data
        if label_smoothing:
            probs = probs * (1 - label_smoothing) + label_smoothing / classes
        if class_weight is not None:
            probs = probs * class_weight
        return _reduce(-(log_p * probs).sum(axis=-1).reshape(element_shape), reduction, "cross_entropy")
    y = _class_indices(target, input, element_shape, "cross_entropy")
    picked = -log_p[np.arange(len(y)), y]
    w = None if class_weight is None else class_weight[y]
    loss = _weighted_mean(picked if w is None else picked * w, w, reduction, element_shape, "cross_entropy")
    if not label_smoothing:
        return loss
    smooth = -(log_p if class_weight is None else log_p * class_weight).sum(axis=-1)
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
