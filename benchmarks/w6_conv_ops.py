"""W6 convolution operations, float32: one forward and backward (gradients of the input, the
weight and the bias) of a single operation, L = sum(op(x) * g) for a fixed upstream g.

    conv1d            batch 32, 16 -> 32 channels, length 512, kernel 5, padding 2
    conv_transpose2d  batch 16, 32 -> 16 channels, 16x16 -> 32x32, kernel 4, stride 2,
                      padding 1 (the upsampling layer of a DCGAN generator)

The numpy reference writes both by hand as chalkgrad and PyTorch's CPU code do: a convolution
is one matrix product of the unrolled windows ("im2col") with the weights, its input gradient
folded back with k shifted additions ("col2im"); a transposed convolution is that input
gradient used as a forward pass (matrix product, then fold), its own input gradient a
convolution (unroll, then matrix product). Each step returns L and the sums of squares of the
three gradients, which must agree between the implementations.
"""
from __future__ import annotations

import numpy as np

IMPLEMENTATIONS = ("chalkgrad", "numpy", "torch")
SIZES = {  # op -> (input shape, weight shape), full and --quick
    "conv1d": {"full": ((32, 16, 512), (32, 16, 5)), "quick": ((2, 3, 12), (4, 3, 5))},
    "conv_transpose2d": {"full": ((16, 32, 16, 16), (32, 16, 4, 4)), "quick": ((2, 3, 4, 4), (3, 2, 4, 4))},
}
GEOMETRY = {"conv1d": {"padding": 2}, "conv_transpose2d": {"stride": 2, "padding": 1}}


def make_data(op: str, size: str, seed: int = 0) -> dict:
    """Input, weight, bias (PyTorch's default range) and the upstream gradient g, float32."""
    rng = np.random.default_rng(seed)
    x_shape, w_shape = SIZES[op][size]
    bound = 1 / np.sqrt(np.prod(w_shape[1:]))  # fan_in: weight.shape[1] * kernel size, for both layouts
    out_channels = w_shape[0] if op == "conv1d" else w_shape[1]
    data = {
        "x": rng.normal(size=x_shape).astype("float32"),
        "w": rng.uniform(-bound, bound, w_shape).astype("float32"),
        "b": rng.uniform(-bound, bound, out_channels).astype("float32"),
    }
    out_shape = (numpy_conv1d if op == "conv1d" else numpy_conv_transpose2d)(data["x"], data["w"], data["b"])[0].shape
    data["g"] = rng.normal(size=out_shape).astype("float32")
    return data


def setup(impl: str, op: str = "conv1d", size: str = "full"):
    data = make_data(op, size)
    info = {"op": op, "input": list(data["x"].shape), "weight": list(data["w"].shape)}
    if impl == "numpy":
        return numpy_step(op, data), info
    if impl == "torch":
        return torch_step(op, data), info
    if impl == "chalkgrad":
        return chalkgrad_step(op, data), info
    raise ValueError(f"W6 has no implementation {impl!r}")


def _summary(out, g, dx, dw, db):
    return float((out * g).sum()), float((dx * dx).sum()), float((dw * dw).sum()), float((db * db).sum())


# ----- numpy reference ------------------------------------------------------------------
def numpy_conv1d(x, w, b):
    """Forward: out (N, O, L) and the unrolled windows (N*L, C*k) kept for backward."""
    n, c, length = x.shape
    o, _, k = w.shape
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2)))
    cols = np.lib.stride_tricks.sliding_window_view(padded, k, axis=2)  # (N, C, L, k)
    cols = cols.transpose(0, 2, 1, 3).reshape(n * length, c * k)
    out = (cols @ w.reshape(o, -1).T + b).reshape(n, length, o).transpose(0, 2, 1)
    return out, cols


def numpy_conv1d_backward(g, cols, x, w):
    n, c, length = x.shape
    o, _, k = w.shape
    g2d = g.transpose(0, 2, 1).reshape(n * length, o)
    dw = (g2d.T @ cols).reshape(w.shape)
    db = g2d.sum(axis=0)
    dcols = (g2d @ w.reshape(o, -1)).reshape(n, length, c, k)
    dpadded = np.zeros((n, c, length + 4), dtype=x.dtype)
    for j in range(k):  # col2im: window element j came from position i + j
        dpadded[:, :, j:j + length] += dcols[:, :, :, j].transpose(0, 2, 1)
    return dpadded[:, :, 2:-2], dw, db


def numpy_conv_transpose2d(x, w, b):
    """Forward: every input pixel adds x * w into its 4x4 output window at 2 * its position;
    the full (2H+2)x(2W+2) output is cropped by the padding 1. Also returns x as rows (N*H*W, C)."""
    n, c, h, wid = x.shape
    _, o, k, _ = w.shape
    rows = x.transpose(0, 2, 3, 1).reshape(n * h * wid, c)
    contributions = (rows @ w.reshape(c, o * k * k)).reshape(n, h, wid, o, k, k)
    full = np.zeros((n, o, 2 * (h - 1) + k, 2 * (wid - 1) + k), dtype=x.dtype)
    for i in range(k):
        for j in range(k):
            full[:, :, i:i + 2 * h - 1:2, j:j + 2 * wid - 1:2] += contributions[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return full[:, :, 1:-1, 1:-1] + b.reshape(1, o, 1, 1), rows


def numpy_conv_transpose2d_backward(g, rows, x, w):
    """The input gradient is a strided convolution of the (re-padded) upstream gradient."""
    n, c, h, wid = x.shape
    _, o, k, _ = w.shape
    padded = np.pad(g, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(2, 3))[:, :, ::2, ::2]  # N O H W k k
    cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wid, o * k * k)
    dx = (cols @ w.reshape(c, -1).T).reshape(n, h, wid, c).transpose(0, 3, 1, 2)
    dw = (rows.T @ cols).reshape(w.shape)
    return dx, dw, g.sum(axis=(0, 2, 3))


def numpy_step(op, data):
    x, w, b, g = data["x"], data["w"], data["b"], data["g"]

    def step():
        if op == "conv1d":
            out, cols = numpy_conv1d(x, w, b)
            dx, dw, db = numpy_conv1d_backward(g, cols, x, w)
        else:
            out, rows = numpy_conv_transpose2d(x, w, b)
            dx, dw, db = numpy_conv_transpose2d_backward(g, rows, x, w)
        return _summary(out, g, dx, dw, db)

    return step


# ----- PyTorch ---------------------------------------------------------------------------
def torch_step(op, data):
    import torch

    torch.set_num_threads(2)
    x, w, b = (torch.tensor(data[k], requires_grad=True) for k in "xwb")
    g = torch.from_numpy(data["g"])
    function = getattr(torch.nn.functional, op)

    def step():
        for t in (x, w, b):
            t.grad = None
        out = function(x, w, b, **GEOMETRY[op])
        out.backward(g)
        return _summary(out.detach().numpy(), data["g"], x.grad.numpy(), w.grad.numpy(), b.grad.numpy())

    return step


# ----- chalkgrad -------------------------------------------------------------------------
def chalkgrad_step(op, data):
    from autograd import Tensor
    from nn import functional as F

    x, w, b = (Tensor(data[k], requires_grad=True) for k in "xwb")
    g = Tensor(data["g"])
    function = getattr(F, op)

    def step():
        for t in (x, w, b):
            t.grad = None
        out = function(x, w, b, **GEOMETRY[op])
        out.backward(g)
        return _summary(out.data, data["g"], x.grad.data, w.grad.data, b.grad.data)

    return step
