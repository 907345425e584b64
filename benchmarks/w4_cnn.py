"""W4 small CNN training step, float32: batch 64 of 1x28x28,
conv3x3(16)-ReLU-maxpool2-conv3x3(32)-ReLU-maxpool2-linear(10), cross-entropy, SGD.

Shapes: 28 -> conv 26 -> pool 13 -> conv 11 -> pool 5 (the last row/column is dropped,
as PyTorch's MaxPool2d does) -> 32*5*5 = 800 features -> 10 classes. No padding, stride 1.

The numpy reference is written by hand with im2col: a convolution is one matrix product of
the (N*H'*W', C*9) window matrix with the (C*9, O) filter matrix; its input gradient is
folded back with 9 shifted additions; max pooling reshapes to 2x2 blocks and routes the
gradient to the block's maximum.
"""
from __future__ import annotations

import numpy as np

from benchmarks.w2_mlp import LR, softmax_cross_entropy

IMPLEMENTATIONS = ("chalkgrad", "numpy", "torch")


def initial_parameters(dtype="float32", seed: int = 0) -> dict:
    """PyTorch's default initialisation ranges; weights in PyTorch's layouts
    (conv: (out, in, 3, 3), linear: (out, in))."""
    rng = np.random.default_rng(seed)

    def uniform(fan_in, shape):
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(dtype)

    return {
        "conv1.weight": uniform(9, (16, 1, 3, 3)), "conv1.bias": uniform(9, (16,)),
        "conv2.weight": uniform(144, (32, 16, 3, 3)), "conv2.bias": uniform(144, (32,)),
        "fc.weight": uniform(800, (10, 800)), "fc.bias": uniform(800, (10,)),
    }


def make_batch(batch: int, dtype="float32", seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, 1, 28, 28)).astype(dtype), rng.integers(0, 10, batch)


def setup(impl: str, batch: int = 64, threads: int = 2):
    """`threads`: PyTorch's intra-op threads (numpy's and chalkgrad's BLAS threads come from
    OPENBLAS_NUM_THREADS, which the runner sets for the process to the same number)."""
    params = initial_parameters()
    x, y = make_batch(batch)
    info = {"batch": batch, "threads": threads}
    if impl == "numpy":
        return numpy_step(params, x, y), info
    if impl == "torch":
        return torch_step(params, x, y, threads), info
    if impl == "chalkgrad":
        return chalkgrad_step(params, x, y), info
    raise ValueError(f"W4 has no implementation {impl!r}")


# ----- numpy reference ------------------------------------------------------------------
def im2col(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N*H'*W', C*9): one row per output pixel, its 3x3xC window."""
    n, c, h, w = x.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))  # N C H' W' 3 3
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * (h - 2) * (w - 2), c * 9)


def col2im(cols: np.ndarray, shape: tuple) -> np.ndarray:
    """The adjoint of im2col: add each window's gradient back where it was taken from."""
    n, c, h, w = shape
    patches = cols.reshape(n, h - 2, w - 2, c, 3, 3)
    out = np.zeros(shape, dtype=cols.dtype)
    for i in range(3):
        for j in range(3):
            out[:, :, i:i + h - 2, j:j + w - 2] += patches[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return out


def conv_forward(x, weight, bias):
    n, _, h, w = x.shape
    cols = im2col(x)
    out = cols @ weight.reshape(len(weight), -1).T + bias  # (N*H'*W', O)
    return out.reshape(n, h - 2, w - 2, -1).transpose(0, 3, 1, 2), cols


def conv_backward(grad, cols, weight, input_shape, need_input_grad):
    grad2d = grad.transpose(0, 2, 3, 1).reshape(-1, len(weight))  # (N*H'*W', O)
    d_weight = (grad2d.T @ cols).reshape(weight.shape)
    d_bias = grad2d.sum(axis=0)
    d_input = col2im(grad2d @ weight.reshape(len(weight), -1), input_shape) if need_input_grad else None
    return d_input, d_weight, d_bias


def pool_forward(x):
    n, c, h, w = x.shape
    blocks = x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
    out = blocks.max(axis=(3, 5))
    return out, blocks


def pool_backward(grad, blocks, out, input_shape):
    """The gradient goes to the maximum of each 2x2 block. Ties happen only between
    ReLU zeros, whose gradient the ReLU below stops anyway."""
    winners = blocks == out[:, :, :, None, :, None]
    d_blocks = winners * grad[:, :, :, None, :, None]
    n, c, h, w = input_shape
    d_input = np.zeros(input_shape, dtype=grad.dtype)
    d_input[:, :, : h // 2 * 2, : w // 2 * 2] = d_blocks.reshape(n, c, h // 2 * 2, w // 2 * 2)
    return d_input


def numpy_step(params, x, y):
    p = {k: v.copy() for k, v in params.items()}
    batch = len(y)

    def step():
        z1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
        a1 = np.maximum(z1, 0)
        q1, blocks1 = pool_forward(a1)
        z2, cols2 = conv_forward(q1, p["conv2.weight"], p["conv2.bias"])
        a2 = np.maximum(z2, 0)
        q2, blocks2 = pool_forward(a2)
        flat = q2.reshape(batch, -1)
        logits = flat @ p["fc.weight"].T + p["fc.bias"]
        loss, grad = softmax_cross_entropy(logits, y)
        g = {"fc.weight": grad.T @ flat, "fc.bias": grad.sum(axis=0)}
        d_q2 = (grad @ p["fc.weight"]).reshape(q2.shape)
        d_a2 = pool_backward(d_q2, blocks2, q2, a2.shape)
        d_z2 = d_a2 * (z2 > 0)
        d_q1, g["conv2.weight"], g["conv2.bias"] = conv_backward(d_z2, cols2, p["conv2.weight"], q1.shape, True)
        d_a1 = pool_backward(d_q1, blocks1, q1, a1.shape)
        d_z1 = d_a1 * (z1 > 0)
        _, g["conv1.weight"], g["conv1.bias"] = conv_backward(d_z1, cols1, p["conv1.weight"], x.shape, False)
        for name, value in p.items():
            value -= LR * g[name]
        return loss

    return step


# ----- PyTorch ---------------------------------------------------------------------------
def torch_step(params, x, y, threads: int = 2):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 10),
    )
    names = dict(zip(["conv1", "conv2", "fc"], [model[0], model[3], model[7]]))
    with torch.no_grad():
        for key, value in params.items():
            layer, kind = key.split(".")
            getattr(names[layer], kind).copy_(torch.from_numpy(value))
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


# ----- chalkgrad -------------------------------------------------------------------------
def chalkgrad_step(params, x, y):
    """The step with nn.Conv2d, nn.MaxPool2d, nn.Linear, cross_entropy and optim.SGD."""
    import nn
    from autograd import no_grad
    from benchmarks.chalkgrad_api import sgd_step

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 10),
    )
    names = dict(zip(["conv1", "conv2", "fc"], [model[0], model[3], model[7]]))
    with no_grad():
        for key, value in params.items():
            layer, kind = key.split(".")
            parameter = getattr(names[layer], kind)
            # nn.Linear keeps its weight as (out, in): ours goes in transposed where needed
            parameter.data = np.array(value if parameter.shape == value.shape else value.T, order="C", copy=True)
    return sgd_step(model, x, y, LR)


