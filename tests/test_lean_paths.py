"""The engine's fast paths give what the general path gives (issue #14).

- Elementwise primitives (Unary, Binary) skip the general path's checks when their inputs are
  scalar Tensors or Tensors of one shape and dtype: same values, dtypes, gradients, second
  derivatives and errors as Function.apply, which every other operation uses.
- A 0-d float64 Tensor keeps an np.float64, not a 0-d array: the same results either way, and
  `.data` is still an array (in place changes through it are seen).
"""
import numpy as np
import pytest

import autograd
from autograd import Tensor, ops
from autograd.function import Function
from autograd.ops.elementwise import Binary, Unary


def general(cls, *inputs):
    """The general path (Function.apply) for an elementwise primitive."""
    return Function.apply.__func__(cls, *inputs)


def primitives(base):
    found, todo = [], list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted((c for c in found if c.forward is not Function.forward), key=lambda c: c.__name__)


def inputs_for(cls, shape, dtype, rng):
    """Values inside every primitive's domain (positive, away from kinks and ties)."""
    def draw():
        return (rng.uniform(0.3, 0.9, shape) * rng.choice([1.0, 1.0], shape)).astype(dtype)
    if cls in (ops.Acos, ops.Asin):
        return lambda: (rng.uniform(-0.8, 0.8, shape)).astype(dtype)
    return draw


def as_tensor_of(value, storage):
    """A Tensor holding `value` as a numpy scalar (the default for 0-d float64) or as a 0-d array."""
    t = Tensor(value, requires_grad=True)
    if storage == "array":
        t._data = np.array(value)
    return t


WITH_OPTIONS = {ops.Cast, ops.Clip}  # always called with options (dtype, bounds): the general path
LEAN = [c for c in primitives(Unary) + primitives(Binary) if c not in WITH_OPTIONS]


def test_every_unary_and_binary_primitive_is_checked():
    assert {ops.Add, ops.Mul, ops.Div, ops.Pow, ops.Tanh, ops.Relu, ops.Log1p, ops.Erf} <= set(LEAN)


@pytest.mark.parametrize("cls", LEAN, ids=lambda c: c.__name__)
@pytest.mark.parametrize("shape, dtype", [((), np.float64), ((3, 4), np.float64), ((3, 4), np.float32), ((), np.float32)])
def test_the_lean_path_gives_what_the_general_path_gives(cls, shape, dtype):
    rng = np.random.default_rng(0)
    draw = inputs_for(cls, shape, dtype, rng)
    arity = 2 if issubclass(cls, Binary) else 1
    values = [draw() for _ in range(arity)]
    results = []
    for path in (cls.apply, lambda *xs: general(cls, *xs)):
        xs = [Tensor(v, requires_grad=True) for v in values]
        with np.errstate(all="ignore"):
            out = path(*xs)
            firsts = autograd.grad(out, xs, grad_outputs=Tensor(np.ones(out.shape, out.dtype)), create_graph=True,
                                   allow_unused=True)
            differentiable = [g for g in firsts if g is not None and g.requires_grad]
            seconds = autograd.grad(sum(g.sum() for g in differentiable), xs, allow_unused=True) if differentiable else ()
        results.append((out, firsts, seconds))
    (lean, lean_firsts, lean_seconds), (gen, gen_firsts, gen_seconds) = results
    assert lean.dtype == gen.dtype and lean.shape == gen.shape
    np.testing.assert_array_equal(lean.data, gen.data)
    for a, b in list(zip(lean_firsts, gen_firsts)) + list(zip(lean_seconds, gen_seconds)):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("op", ["add", "mul", "div", "pow", "tanh", "exp", "relu", "sigmoid", "maximum"])
def test_scalars_held_as_numpy_scalars_match_0d_arrays(op):
    fns = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
           "pow": lambda a, b: a ** b, "tanh": lambda a, b: (a * b).tanh(), "exp": lambda a, b: (a - b).exp(),
           "relu": lambda a, b: (a - b).relu(), "sigmoid": lambda a, b: (a * b).sigmoid(),
           "maximum": lambda a, b: autograd.maximum(a, b)}
    results = []
    for storage in ("scalar", "array"):
        a, b = as_tensor_of(1.7, storage), as_tensor_of(0.6, storage)
        out = fns[op](a, b) * 3.0 + 1
        out.backward()
        results.append((out.item(), a.grad.item(), b.grad.item(), out.dtype, a.grad.dtype))
    assert results[0] == results[1]


def test_a_scalar_tensor_still_gives_an_array_as_data():
    t = Tensor(2.0, requires_grad=True)
    assert type(t._data) is np.float64  # held as a numpy scalar...
    assert type(t.data) is np.ndarray and t.data.shape == () and t.data.dtype == np.float64  # ... shown as an array
    t.data[...] = 5.0  # and a change through .data is the tensor's change
    assert t.item() == 5.0 and (t * 2).item() == 10.0


def test_numpy_rules_hold_for_scalars_too():
    with np.errstate(divide="ignore", invalid="ignore"):
        assert (Tensor(1.0) / Tensor(0.0)).item() == np.inf  # not a ZeroDivisionError
        assert np.isnan((Tensor(-8.0) ** (1 / 3)).item())  # not a complex number
        x = Tensor(0.0, requires_grad=True)
        (x ** 0.5).backward()
        assert x.grad.item() == np.inf
    assert (Tensor(2.0) * np.float32(3)).dtype == np.float64
    assert (Tensor(np.float32(2.0)) * 3).dtype == np.float32


def test_errors_are_the_same_on_both_paths():
    a = Tensor(np.arange(3), requires_grad=False)
    for path in (ops.Pow.apply, lambda x, y: general(ops.Pow, x, y)):
        with pytest.raises(ValueError, match=r"\*\* \(pow\).*negative"):
            path(a, Tensor(np.array([-1, -1, -1])))


@pytest.mark.parametrize("touch", ["data", "general op", "in place after"])
def test_second_derivatives_of_a_scalar_moved_into_an_array_after_it_was_saved(touch):
    """A node saved the np.float64; reading .data (or an operation on the general path) moved it into
    a 0-d array afterwards. create_graph must still differentiate through the saved value (it became
    a constant: the second derivative was 0). Found by tests/test_engine_fuzz.py."""
    import torch

    def second_derivative(lib, x):
        h = x * 1
        y = h ** 3 + h.exp()  # Pow saves its input, Exp its output
        if touch == "data":
            h.data, y.data
        elif touch == "general op":
            h + (Tensor(np.ones(2)) if lib is autograd else torch.ones(2, dtype=torch.float64))
        elif lib is autograd:  # (PyTorch refuses: its nodes did not keep the earlier value)
            h.data
            h += 1  # recorded: y's nodes saved the earlier value
        grad = autograd.grad if lib is autograd else torch.autograd.grad
        (g,) = grad(y, x, create_graph=True)
        (gg,) = grad(g, x)
        return float(g), float(gg)

    ours = second_derivative(autograd, Tensor(0.7, requires_grad=True))
    theirs = second_derivative(torch, torch.tensor(0.7, dtype=torch.float64, requires_grad=True))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_a_scalar_moved_into_an_array_and_changed_in_place_is_caught():
    x = Tensor(0.7, requires_grad=True)
    y = x * x
    x.data  # moves the scalar Mul saved into an array
    with autograd.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="Mul.*modified in place"):
        autograd.grad(y, x, create_graph=True)
