"""Extreme but finite inputs, every row of the op table, compared with PyTorch (issue #13, item 5).

Each input of a row is scaled by its own power of ten (up to 1e±200 in float64, 1e±25 in float32),
and so is the upstream gradient. A backward rule that forms a product or quotient before it is
needed (-g * a / (b * b) for a / b) overflows or underflows where the gradient itself does not,
and shows up here as inf, 0 or NaN where PyTorch has a number.

The rule, element by element, for values and gradients: ours is never further from the exact
answer than twice PyTorch's error, or a relative tolerance. The exact answer is our own
computation in extended precision (x86's 80-bit long double, whose range of 1e±4932 no
intermediate here leaves), rounded to the inputs' dtype; where long double is no wider than
float64, PyTorch's answer stands in for it. Errors are measured so that a NaN, an inf of the wrong
sign, or a number where the answer is inf (or inf where it is a number) is infinitely wrong, and
nothing is wrong where the exact answer is NaN. So ours may be nan or inf only where PyTorch is
too, and where PyTorch loses digits to a subnormal intermediate (2 / a's gradient squares 1/a)
or underflows (std's float32 gradient divides a tiny grad by 2 * std first), ours may as well,
but no more.
"""
import os
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from op_table import ROWS

import autograd
from autograd import Tensor

ROWS_TO_CHECK = [row for row in ROWS if row.differentiable]
EXPONENTS = {np.float64: (-200, -160, -100, 0, 100, 160, 200), np.float32: (-25, -20, 0, 20, 25)}
RTOL = {np.float64: 1e-9, np.float32: 1e-4}
# Elements this much smaller than their array's largest value are compared with the absolute tolerance
# RTOL * CANCELLATION * largest: where a sum cancels (softmax's gradient), relative accuracy is lost.
CANCELLATION = {np.float64: 1e-6, np.float32: 1e-3}
# Every row runs each time, so a few examples per row; CHALKGRAD_EXAMPLES=500 searches deeper.
# The suite's examples are the same on every run (derandomize); a deep search draws new ones.
per_row = settings(max_examples=max(2, int(os.environ.get("CHALKGRAD_EXAMPLES", "25")) // 6), deadline=None,
                   database=None, print_blob=True, derandomize="CHALKGRAD_EXAMPLES" not in os.environ)


def errors(x, exact) -> np.ndarray:
    """|x - exact| element by element: 0 where they are equal (also the same inf) or the exact
    answer is NaN; inf where x is NaN, or inf against a number or the other inf."""
    x, exact = np.asarray(x, dtype=np.float64), np.asarray(exact, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        error = np.array(np.abs(x - exact))
    error[(x == exact) | np.isnan(exact)] = 0.0
    error[np.isnan(error)] = np.inf
    return error


def assert_as_good_as_torch(ours, theirs, exact, dtype, what):
    """Every element of ours within max(tolerance, 2 * PyTorch's error) of the exact answer."""
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, PyTorch {theirs.shape}"
    exact = theirs if exact is None else np.asarray(exact, dtype=np.float64)
    finite = np.isfinite(exact)
    scale = np.max(np.abs(exact[finite]), initial=0.0)
    smallest = np.finfo(dtype).tiny  # below it (subnormal numbers) precision is absolute, not relative
    tolerance = RTOL[dtype] * np.maximum(np.maximum(np.abs(exact), CANCELLATION[dtype] * scale), smallest)
    allowed = np.maximum(np.where(finite, tolerance, 0.0), 2 * errors(theirs, exact))
    bad = ~(errors(ours, exact) <= allowed)
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape)
        raise AssertionError(f"{what}: {int(bad.sum())} of {bad.size} elements are worse than PyTorch's, e.g. at "
                             f"{tuple(map(int, i))}: ours {float(ours[i])!r}, PyTorch {float(theirs[i])!r}, exact "
                             f"{float(exact[i])!r}")


def run_ours(row, arrays, v):
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = row.fn(*xs)
    grads = autograd.grad(out, xs, grad_outputs=Tensor(v.astype(out.dtype)), allow_unused=True)
    return out.data, [np.zeros_like(a) if g is None else g.data for g, a in zip(grads, arrays)]


def run_torch(row, arrays, v):
    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = row.torch_fn(*xs)
    grads = torch.autograd.grad(out, xs, grad_outputs=torch.tensor(v, dtype=out.dtype), allow_unused=True)
    return out.detach().numpy(), [np.zeros_like(a) if g is None else g.numpy() for g, a in zip(grads, arrays)]


def run_exact(row, arrays, v):
    """Ours in extended precision, rounded to the inputs' dtype (None where long double is float64)."""
    if np.finfo(np.longdouble).maxexp <= np.finfo(np.float64).maxexp:
        return None
    dtype = arrays[0].dtype
    out, grads = run_ours(row, [a.astype(np.longdouble) for a in arrays], v.astype(np.longdouble))
    return out.astype(dtype if out.dtype == np.longdouble else out.dtype), [g.astype(dtype) for g in grads]


# Operations of issue #17 whose extreme-value numerics are being fixed on the numerics branch: each
# entry says what goes wrong at 1e±200 / 1e±25 today. (The list must shrink; a test checks it names rows.)
PENDING = {
    "conv1d_stride_dilation": "float32 at 1e20 x 1e20: products overflow, and numpy's sgemm sums +inf and -inf to "
                              "nan (or the other inf) where PyTorch's convolution and the exact answer are inf; "
                              "float32 accumulated in float64 would fix it",
    "conv2d": "as conv1d_stride_dilation",
    "conv_transpose1d": "as conv1d_stride_dilation",
    "attention_grouped_heads": "as conv1d_stride_dilation: float32 scores q·k of 1e20 x 1e20 overflow (PyTorch's "
                               "attention kernel keeps them finite)",
}


def test_pending_rows_exist():
    names = {r.name for r in ROWS_TO_CHECK}
    assert set(PENDING) <= names, sorted(set(PENDING) - names)


@pytest.mark.parametrize("row", [r for r in ROWS_TO_CHECK if r.name not in PENDING],
                         ids=[r.name for r in ROWS_TO_CHECK if r.name not in PENDING])
@per_row
@given(data=st.data())
def test_extreme_values_and_gradients_match_torch(row, data):
    dtype = data.draw(st.sampled_from([np.float64, np.float32]), label="dtype")
    exponents = st.sampled_from(EXPONENTS[dtype])
    seed = data.draw(st.integers(0, 2**16), label="seed")
    arrays = [(a * 10.0 ** data.draw(exponents, label=f"input {i} scale")).astype(dtype)
              for i, a in enumerate(row.sample(seed))]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with autograd.no_grad():
            shape = row.fn(*[Tensor(a) for a in arrays]).shape
        v = np.random.default_rng([seed, 1]).standard_normal(shape)  # drawn independently of the inputs
        v = v * 10.0 ** data.draw(exponents, label="upstream scale")
        v = v.astype(dtype)
        out, grads = run_ours(row, arrays, v)
        expected_out, expected_grads = run_torch(row, arrays, v)
        exact = run_exact(row, arrays, v) or (None, [None] * len(arrays))
    assert_as_good_as_torch(out, expected_out, exact[0], dtype, f"{row.name} value")
    for i, (g, expected, exact_g) in enumerate(zip(grads, expected_grads, exact[1])):
        assert_as_good_as_torch(g, expected, exact_g, dtype, f"{row.name} gradient of input {i}")


# ----- the cases of issue #13, item 5 --------------------------------------------------------------------
def torch_grads(fn, *values, dtype=torch.float64):
    xs = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    out = fn(*xs)
    out.sum().backward()
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


def our_grads(fn, *values, dtype=np.float64):
    xs = [Tensor(np.asarray(v, dtype=dtype), requires_grad=True) for v in values]
    out = fn(*xs)
    out.sum().backward()
    return out.data, [x.grad.data for x in xs]


@pytest.mark.parametrize("value, dtype", [(1e-25, np.float32), (1e-200, np.float64), (1e160, np.float64)])
def test_division_gradient_does_not_square_the_denominator(value, dtype):
    """d(a/b)/db = -a/b**2 = -1/b at a = b, although b**2 over- or underflows."""
    _, (grad_a, grad_b) = our_grads(lambda a, b: a / b, value, value, dtype=dtype)
    assert grad_b.dtype == dtype
    np.testing.assert_allclose(grad_b, -1 / dtype(value), rtol=1e-6)
    np.testing.assert_allclose(grad_a, 1 / dtype(value), rtol=1e-6)


def test_power_gradient_forms_the_local_gradient_first():
    """da = grad * (b * a**(b-1)): a tiny grad times a tiny b must not underflow before a**(b-1) is huge."""
    a, b = 1e-300, 1e-200
    upstream = 1e-200
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (x ** y).backward(Tensor(upstream))
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (tx ** ty).backward(torch.tensor(upstream))
    assert x.grad.item() == pytest.approx(tx.grad.item(), rel=1e-12) and x.grad.item() > 1e-101


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_std_of_constant_data_has_gradient_zero(dtype):
    data = [[2.0, 2.0, 2.0], [1.0, -1.0, 0.5], [7.0, 7.0, 7.0]]
    out, (grad,) = our_grads(lambda x: x.std(axis=1), data, dtype=dtype)
    t_out, (t_grad,) = torch_grads(lambda x: x.std(dim=1, unbiased=False), data, dtype=getattr(torch, np.dtype(dtype).name))
    assert out.dtype == grad.dtype == dtype
    np.testing.assert_allclose(out, t_out, rtol=1e-6)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-5)
    assert not grad[0].any() and not grad[2].any() and not np.isnan(grad).any()
    _, (one,) = our_grads(lambda x: x.std(), [3.0], dtype=dtype)  # the std of one number
    assert one.tolist() == [0.0]


def test_float32_std_of_tiny_and_huge_data_is_not_lost_to_the_variance():
    """var(1e-25 data) = 1e-50 and var(1e25 data) = 1e50 do not fit in float32; their std do (PyTorch: both)."""
    for scale in (1e-25, 1e25):
        data = np.array([1.0, 3.0], dtype=np.float32) * np.float32(scale)
        out = Tensor(data).std()
        assert out.dtype == np.float32
        assert out.item() == pytest.approx(scale, rel=1e-6)


def test_variance_gradient_is_inf_not_nan_where_it_overflows():
    x = Tensor(np.array([1e20, -1e20, 3e20], dtype=np.float32), requires_grad=True)
    with np.errstate(over="ignore"):  # var = 1e40 and the gradients +-inf overflow float32: that is the point
        x.var().backward(Tensor(np.float32(1e20)))
    tx = torch.tensor([1e20, -1e20, 3e20], dtype=torch.float32, requires_grad=True)
    tx.var(unbiased=False).backward(torch.tensor(1e20))
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())  # 0, -inf, inf: no inf - inf = nan


def test_bce_with_logits_at_infinite_logits_is_inf_as_in_torch():
    import nn.functional as F

    logits, target = [np.inf, -np.inf, 30.0, -1e300], [0.3, 0.3, 0.3, 1.0]
    out, (grad,) = our_grads(lambda x: F.binary_cross_entropy_with_logits(x, Tensor(target), reduction="none"), logits)
    t_out, (t_grad,) = torch_grads(lambda x: torch.nn.functional.binary_cross_entropy_with_logits(
        x, torch.tensor(target, dtype=torch.float64), reduction="none"), logits)
    assert out[0] == t_out[0] == np.inf and out[1] == np.inf  # PyTorch: nan at (-inf, 0.3); the limit is inf
    np.testing.assert_allclose(out[2:], t_out[2:], rtol=1e-12)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-12)  # sigmoid(x) - y: 0.7, -0.3, 0.7, -1
