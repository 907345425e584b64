"""W2 MLP training step: batch 256, 784-512-256-10 with ReLU, softmax cross-entropy, SGD.

One step = forward, loss, backward, parameter update (and clearing the gradients).
Every implementation starts from the same weights (uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)),
PyTorch's default for Linear) and the same batch, so their losses must agree step by step.

The numpy reference is the step written by hand:
    h1 = relu(x W1 + b1),  h2 = relu(h1 W2 + b2),  z = h2 W3 + b3
    loss = mean_i (logsumexp(z_i) - z_i[y_i])
    dz = (softmax(z) - onehot(y)) / batch,  dW3 = h2^T dz,  dh2 = dz W3^T * (h2 > 0), ...
    W -= lr * dW
"""
from __future__ import annotations

import numpy as np

IMPLEMENTATIONS = ("chalkgrad", "numpy", "torch")
SIZES = (784, 512, 256, 10)
LR = 0.01


def initial_parameters(sizes=SIZES, dtype="float64", seed: int = 0) -> list:
    """[(W, b), ...] with W of shape (fan_in, fan_out)."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)
        b = rng.uniform(-bound, bound, fan_out).astype(dtype)
        layers.append((W, b))
    return layers


def make_batch(batch: int, features: int, classes: int, dtype="float64", seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(batch, features)).astype(dtype), rng.integers(0, classes, batch)


def setup(impl: str, dtype: str = "float32", batch: int = 256, sizes=SIZES, style: str = "nn.Linear"):
    """`style` (chalkgrad only): "nn.Linear" (layers and optim.SGD) or "x @ W + b" (the network
    written by hand with Tensors, as in the lecture: relu(x @ W1 + b1) @ W2 + b2 ...)."""
    sizes = tuple(sizes)
    layers = initial_parameters(sizes, dtype)
    x, y = make_batch(batch, sizes[0], sizes[-1], dtype)
    info = {"batch": batch, "sizes": sizes}
    if impl == "numpy":
        return numpy_step(layers, x, y), info
    if impl == "torch":
        return torch_step(layers, x, y), info
    if impl == "chalkgrad" and style == "x @ W + b":
        return chalkgrad_by_hand_step(layers, x, y), info
    if impl == "chalkgrad":
        return chalkgrad_step(layers, x, y), info
    raise ValueError(f"W2 has no implementation {impl!r}")


def softmax_cross_entropy(logits, y):
    """The numpy references' loss and its gradient, written out:
    loss = mean_i (logsumexp(z_i) - z_i[y_i]),  d loss / d z = (softmax(z) - onehot(y)) / batch."""
    rows = np.arange(len(y))
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, y]))
    grad = exp / total
    grad[rows, y] -= 1
    grad /= len(y)
    return loss, grad


def numpy_step(layers, x, y):
    params = [array.copy() for layer in layers for array in layer]

    def step():
        # forward, keeping what backward needs
        inputs, h = [], x
        for i in range(0, len(params), 2):
            inputs.append(h)
            z = h @ params[i] + params[i + 1]
            h = np.maximum(z, 0) if i + 2 < len(params) else z
        loss, grad = softmax_cross_entropy(h, y)
        grads = [None] * len(params)
        for i in range(len(params) - 2, -1, -2):
            grads[i] = inputs[i // 2].T @ grad
            grads[i + 1] = grad.sum(axis=0)
            if i > 0:
                grad = grad @ params[i].T
                grad *= inputs[i // 2] > 0  # ReLU: pass where the layer's output was positive
        for p, g in zip(params, grads):
            p -= LR * g
        return loss

    return step


def torch_step(layers, x, y):
    import torch

    torch.set_num_threads(2)
    modules = []
    for i, (W, b) in enumerate(layers):
        linear = torch.nn.Linear(*W.shape, dtype=getattr(torch, str(W.dtype)))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if i + 1 < len(layers):
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def chalkgrad_step(layers, x, y):
    """The step with nn.Linear, nn.functional.cross_entropy and optim.SGD."""
    import nn
    from autograd import no_grad
    from benchmarks.chalkgrad_api import sgd_step

    modules = []
    for i, (W, b) in enumerate(layers):
        linear = nn.Linear(*W.shape)
        with no_grad():
            _assign(linear.weight, W.T)  # nn.Linear keeps its weight as (out, in)
            _assign(linear.bias, b)
        modules.append(linear)
        if i + 1 < len(layers):
            modules.append(nn.ReLU())
    return sgd_step(nn.Sequential(*modules), x, y, LR)


def chalkgrad_by_hand_step(layers, x, y):
    """The step written with Tensors as the lecture writes the network: h = relu(x @ W + b), ...,
    cross-entropy of the last layer's scores, optim.SGD on the weights and biases."""
    import optim
    from autograd import Tensor
    from nn import functional as F

    params = [Tensor(np.array(a, order="C", copy=True), requires_grad=True) for layer in layers for a in layer]
    optimizer = optim.SGD(params, lr=LR)
    xt, yt = Tensor(x), Tensor(y)

    def step():
        optimizer.zero_grad()
        h = xt
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        loss = F.cross_entropy(h, yt)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def _assign(parameter, array):
    """Give a parameter our starting values, in the dtype of the benchmark, laid out in C order
    as a fresh parameter is (a transposed copy kept in Fortran order makes every update strided)."""
    parameter.data = np.array(array, order="C", copy=True)


