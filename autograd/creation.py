"""Constructors: new tensors of constants, ranges or random numbers, under numpy's and PyTorch's
names. Each takes `dtype=` and `requires_grad=`. Floats default to float64 (chalkgrad's default;
PyTorch's is float32); where numpy and PyTorch both give integers, so does chalkgrad
(`arange(3)`, `full((2,), 3)`, `randint`, `randperm` are int64).

Random numbers come from a numpy Generator chosen by `generator=`: a `np.random.Generator`, an
int seed (a fresh generator), or None for the global generator. The global generator starts
from seed 0 when autograd is imported (so a script gives the same numbers on every run, as
PyTorch's fixed default seed does) and restarts with `manual_seed(s)`; `nn.init` and dropout
draw from it too. Values are drawn in float64 and then converted, so `randn(3, dtype=np.float32)`
holds the numbers of `randn(3)` from the same seed, rounded to float32.
"""
from __future__ import annotations

import numbers

import numpy as np

from autograd.spellings import torch_spellings
from autograd.tensor import Tensor

__all__ = [
    "arange", "empty", "eye", "full", "full_like", "get_generator", "linspace", "manual_seed", "ones", "ones_like",
    "rand", "randint", "randn", "randperm", "zeros", "zeros_like",
]

_global = np.random.default_rng(0)


def _new_shape(shape, op: str) -> tuple:
    """The shape a constructor was given, f(2, 3) or f((2, 3)), checked: whole numbers >= 0."""
    sizes = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
    if isinstance(sizes, numbers.Integral):
        sizes = (sizes,)
    if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 0 for n in sizes):
        raise ValueError(f"{op}: a shape is whole numbers >= 0, such as (2, 3); got {tuple(sizes)!r}")
    return tuple(int(n) for n in sizes)


def manual_seed(seed: int) -> np.random.Generator:
    """Restart the global generator from `seed` (random constructors, initialisers and dropout
    masks reproduce); returns it."""
    global _global
    _global = np.random.default_rng(seed)
    return _global


def get_generator(generator=None) -> np.random.Generator:
    """The generator to draw from: the one given, a fresh one seeded with an int, or the global one."""
    if generator is None:
        return _global
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(
        f"generator must be a numpy Generator (np.random.default_rng(seed)), an int seed or None, "
        f"got {type(generator).__name__}"
    )


def _tensor(array: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return Tensor(array, requires_grad=requires_grad)


# ----- constants ----------------------------------------------------------------------------
def zeros(*shape, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of 0s: zeros(2, 3) or zeros((2, 3))."""
    return Tensor(np.zeros(_new_shape(shape, "zeros"), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of 1s: ones(2, 3) or ones((2, 3))."""
    return Tensor(np.ones(_new_shape(shape, "ones"), dtype=dtype), requires_grad=requires_grad)


def empty(*shape, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """PyTorch's empty: here filled with 0s (PyTorch leaves whatever was in memory)."""
    return Tensor(np.zeros(_new_shape(shape, "empty"), dtype=dtype), requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """A tensor of `fill_value`; its dtype follows the value (3.0: float64, 3: int64, True: bool)."""
    return Tensor(np.full(_new_shape((shape,), "full"), fill_value, dtype=dtype), requires_grad=requires_grad)


def zeros_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """0s of x's shape and (unless given) dtype."""
    return Tensor(np.zeros_like(np.asarray(x), dtype=dtype), requires_grad=requires_grad)


def ones_like(x, dtype=None, requires_grad: bool = False) -> Tensor:
    """1s of x's shape and (unless given) dtype."""
    return Tensor(np.ones_like(np.asarray(x), dtype=dtype), requires_grad=requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """`fill_value` in x's shape and (unless given) dtype."""
    return Tensor(np.full_like(np.asarray(x), fill_value, dtype=dtype), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (n x n unless m is given)."""
    return Tensor(np.eye(n, m, dtype=dtype), requires_grad=requires_grad)


# ----- ranges -------------------------------------------------------------------------------
@torch_spellings
def arange(start, stop=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) stop; arange(n) is 0 .. n-1. Integers
    give int64, a float anywhere gives float64 (numpy's and PyTorch's rule)."""
    return _tensor(np.arange(start, stop, step), dtype, requires_grad)


@torch_spellings
def linspace(start, stop, num: int = 50, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """`num` evenly spaced numbers from start to stop, both included (PyTorch: steps=, end=)."""
    return _tensor(np.linspace(start, stop, num), dtype, requires_grad)


# ----- random numbers -----------------------------------------------------------------------
def randn(*shape, generator=None, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """Samples of the standard normal distribution N(0, 1): randn(2, 3) or randn((2, 3))."""
    return _tensor(get_generator(generator).standard_normal(_new_shape(shape, "randn")), dtype, requires_grad)


def rand(*shape, generator=None, dtype=np.float64, requires_grad: bool = False) -> Tensor:
    """Samples of the uniform distribution on [0, 1): rand(2, 3) or rand((2, 3))."""
    return _tensor(get_generator(generator).random(_new_shape(shape, "rand")), dtype, requires_grad)


def randint(low, high=None, size=(), generator=None, dtype=np.int64, requires_grad: bool = False) -> Tensor:
    """Integers drawn uniformly from low .. high-1, in the given shape:
    randint(low, high, size) as in PyTorch and numpy; randint(high, size) (PyTorch) and
    randint(high) (numpy, one number) start at 0."""
    if isinstance(high, (tuple, list)):  # PyTorch's randint(high, size)
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if np.ndim(size) == 0:
        size = (int(size),)
    return _tensor(get_generator(generator).integers(low, high, tuple(size)), dtype, requires_grad)


def randperm(n: int, generator=None, dtype=np.int64, requires_grad: bool = False) -> Tensor:
    """A random ordering of 0 .. n-1 (for shuffling: x[randperm(len(x))])."""
    return _tensor(get_generator(generator).permutation(n), dtype, requires_grad)
