"""Initialisers: fill a weight Tensor in place, as `torch.nn.init` does.

Every function takes `generator=`: a `np.random.Generator`, an int seed, or None for the
library's global generator (`autograd.get_generator`). The global generator starts from seed 0
when autograd is imported (so a script gives the same numbers on every run, as PyTorch's fixed
default seed does); `autograd.manual_seed(s)` (also `nn.manual_seed`, `nn.init.manual_seed`)
restarts it. Dropout masks and `autograd.randn`/`rand`/`randint`/`randperm` draw from the same
generator.

Fans (for a weight of shape (out, in) or (out, in, kh, kw)):
    fan_in = in * kh * kw,   fan_out = out * kh * kw
"""
from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, get_generator, manual_seed, no_grad  # noqa: F401 - nn.init.manual_seed


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    with no_grad():
        tensor[...] = values.astype(tensor.dtype, copy=False)
    return tensor


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field
    (receptive field = product of shape[2:], 1 for a Linear weight)."""
    if tensor.ndim < 2:
        raise ValueError(
            f"nn.init: fan in and fan out need a weight with at least 2 dimensions, got shape {tensor.shape} "
            "(a bias has no fans; use zeros_, constant_ or uniform_ for it)"
        )
    receptive = int(np.prod(tensor.shape[2:], dtype=np.int64))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance steady through `nonlinearity`:
    linear/conv/sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + slope^2)), selu 3/4."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "identity"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


def _fan(tensor: Tensor, mode: str) -> int:
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """W = 0 (every entry), in place."""
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor: Tensor) -> Tensor:
    """W = 1 (every entry), in place."""
    return _fill(tensor, np.ones(tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """W = val (every entry), in place."""
    return _fill(tensor, np.full(tensor.shape, val))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 0.01, generator=None) -> Tensor:
    """W ~ N(mean, std^2). The default std = 0.01 is the lecture's "small random numbers"
    (W = 0.01 * randn), which works for small networks and makes deep ones vanish."""
    return _fill(tensor, get_generator(generator).normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """W ~ U(a, b)."""
    return _fill(tensor, get_generator(generator).uniform(a, b, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot & Bengio (2010): W ~ U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)),
    so Var(W) = gain^2 * 2 / (fan_in + fan_out)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, get_generator(generator).uniform(-bound, bound, tensor.shape))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot & Bengio (2010): W ~ N(0, std^2) with Var(W) = gain^2 * 2 / (fan_in + fan_out)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, get_generator(generator).normal(0.0, std, tensor.shape))


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He et al. (2015): W ~ U(-b, b) with b = gain * sqrt(3 / fan), so Var(W) = gain^2 / fan;
    for ReLU (gain^2 = 2, the default a=0): Var(W) = 2 / fan_in."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return _fill(tensor, get_generator(generator).uniform(-bound, bound, tensor.shape))


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He et al. (2015): W ~ N(0, std^2) with std = gain / sqrt(fan); for ReLU: Var(W) = 2 / fan_in."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return _fill(tensor, get_generator(generator).normal(0.0, std, tensor.shape))


def default_init_(weight: Tensor, bias: Tensor | None, generator=None) -> None:
    """How Linear and Conv2d start (PyTorch's default, so results compare with PyTorch):
    weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). This is kaiming_uniform_ with
    a = sqrt(5), i.e. Var(W) = 1 / (3 * fan_in). Call xavier_*/kaiming_* for other schemes."""
    generator = get_generator(generator)
    fan_in, _ = calculate_fan_in_and_fan_out(weight)
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    uniform_(weight, -bound, bound, generator=generator)
    if bias is not None:
        uniform_(bias, -bound, bound, generator=generator)
