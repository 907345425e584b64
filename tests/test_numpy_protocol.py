"""numpy functions on Tensors (issue #13, item 8): those chalkgrad has are its operations, recorded in
the graph; the others refuse a Tensor that requires grad with one clear error; operators with numpy
scalars and arrays on either side keep working and keep float32."""
import numpy as np
import pytest

import autograd
from autograd import Tensor, no_grad

rng = np.random.default_rng(0)
M = rng.uniform(0.5, 2.0, (3, 4))  # positive: log and sqrt are defined
N = rng.uniform(-2.0, 2.0, (3, 4))
W = rng.standard_normal((4, 2))
V = rng.standard_normal(4)

# (the numpy function, a call of it, the same with chalkgrad's spelling, the inputs)
CASES = [
    (np.add, lambda a, b: np.add(a, b), lambda a, b: a + b, (M, N)),
    (np.subtract, lambda a, b: np.subtract(a, b), lambda a, b: a - b, (M, N)),
    (np.multiply, lambda a, b: np.multiply(a, b), lambda a, b: a * b, (M, N)),
    (np.divide, lambda a, b: np.divide(a, b), lambda a, b: a / b, (N, M)),
    (np.power, lambda a, b: np.power(a, b), lambda a, b: a ** b, (M, N)),
    (np.matmul, lambda a, b: np.matmul(a, b), lambda a, b: a @ b, (M, W)),
    (np.maximum, lambda a, b: np.maximum(a, b), autograd.maximum, (M, N)),
    (np.minimum, lambda a, b: np.minimum(a, b), autograd.minimum, (M, N)),
    (np.negative, np.negative, lambda a: -a, (N,)),
    (np.positive, np.positive, lambda a: a, (N,)),
    (np.absolute, np.abs, lambda a: a.abs(), (N,)),
    (np.exp, np.exp, lambda a: a.exp(), (N,)),
    (np.log, np.log, lambda a: a.log(), (M,)),
    (np.sqrt, np.sqrt, lambda a: a.sqrt(), (M,)),
    (np.square, np.square, lambda a: a ** 2, (N,)),
    (np.sin, np.sin, lambda a: a.sin(), (N,)),
    (np.cos, np.cos, lambda a: a.cos(), (N,)),
    (np.tanh, np.tanh, lambda a: a.tanh(), (N,)),
    (np.sum, lambda a: np.sum(a, axis=0, keepdims=True), lambda a: a.sum(axis=0, keepdims=True), (N,)),
    (np.mean, lambda a: np.mean(a, 1), lambda a: a.mean(axis=1), (N,)),
    (np.max, lambda a: np.max(a, axis=1), lambda a: a.max(axis=1), (N,)),
    (np.amax, np.amax, lambda a: a.max(), (N,)),
    (np.min, lambda a: np.min(a, axis=(0, 1)), lambda a: a.min(axis=(0, 1)), (N,)),
    (np.amin, lambda a: np.amin(a, 0), lambda a: a.min(axis=0), (N,)),
    (np.var, lambda a: np.var(a, axis=0, ddof=1), lambda a: a.var(axis=0, ddof=1), (N,)),
    (np.std, lambda a: np.std(a, correction=1), lambda a: a.std(ddof=1), (N,)),
    (np.reshape, lambda a: np.reshape(a, (2, 6)), lambda a: a.reshape(2, 6), (N,)),
    (np.ravel, np.ravel, lambda a: a.flatten(), (N,)),
    (np.transpose, np.transpose, lambda a: a.T, (N,)),
    (np.swapaxes, lambda a: np.swapaxes(a, 0, 1), lambda a: a.swapaxes(0, 1), (N,)),
    (np.squeeze, lambda a: np.squeeze(a[None]), lambda a: a, (N,)),
    (np.expand_dims, lambda a: np.expand_dims(a, 1), lambda a: a.unsqueeze(1), (N,)),
    (np.broadcast_to, lambda a: np.broadcast_to(a, (2, 3, 4)), lambda a: a.broadcast_to(2, 3, 4), (N,)),
    (np.atleast_1d, np.atleast_1d, lambda a: a, (N,)),
    (np.atleast_2d, np.atleast_2d, lambda a: a.reshape(1, 4), (V,)),
    (np.clip, lambda a: np.clip(a, -0.5, 0.5), lambda a: a.clip(-0.5, 0.5), (N,)),
    (np.split, lambda a: np.split(a, 2, axis=1)[1], lambda a: a[:, 2:], (N,)),
    (np.pad, lambda a: np.pad(a, 1, constant_values=2.0), lambda a: a.pad(1, value=2.0), (N,)),
    (np.concatenate, lambda a, b: np.concatenate([a, b], axis=1), lambda a, b: autograd.concatenate([a, b], 1), (M, N)),
    (np.stack, lambda a, b: np.stack([a, b]), lambda a, b: autograd.stack([a, b]), (M, N)),
    (np.where, lambda a, b: np.where(a > 1, a, b), lambda a, b: autograd.where(a > 1, a, b), (M, N)),
    (np.dot, lambda a, b: np.dot(a, b), lambda a, b: a @ b, (M, W)),
]
NO_GRADIENT = [  # results without a gradient, compared as values
    (np.all, lambda a: np.all(a > 0, axis=0)), (np.any, lambda a: np.any(a > 1)), (np.argmax, lambda a: np.argmax(a, 1)),
    (np.argmin, lambda a: np.argmin(a, axis=0, keepdims=True)),
    (np.less, lambda a: np.less(a, 0.5)), (np.greater_equal, lambda a: np.greater_equal(0.5, a)),
    (np.isfinite, np.isfinite), (np.logical_not, lambda a: np.logical_not(a > 0)),
]


@pytest.mark.parametrize("func, numpy_call, chalk_call, inputs", CASES, ids=[c[0].__name__ for c in CASES])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_numpy_function_is_the_chalkgrad_operation(func, numpy_call, chalk_call, inputs, dtype):
    """Same value, same gradients, a recorded Tensor, and float32 kept."""
    xs = [Tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    ys = [Tensor(x.astype(dtype), requires_grad=True) for x in inputs]
    out, expected = numpy_call(*xs), chalk_call(*ys)
    assert isinstance(out, Tensor) and out.dtype == expected.dtype == dtype
    recorded = out.grad_fn is not None or any(out is x for x in xs)  # np.positive(t) is t itself
    assert recorded, f"{func.__name__}: the result was not recorded"
    np.testing.assert_array_equal(out.data, expected.data)
    v = rng.standard_normal(out.shape).astype(dtype)
    out.backward(v)
    expected.backward(v)
    for x, y in zip(xs, ys):
        np.testing.assert_array_equal(x.grad.data, y.grad.data)


@pytest.mark.parametrize("func, call", NO_GRADIENT, ids=[c[0].__name__ for c in NO_GRADIENT])
def test_numpy_functions_without_gradient_give_constant_tensors(func, call):
    t = Tensor(N, requires_grad=True)
    out = call(t)
    assert isinstance(out, Tensor) and out.grad_fn is None and not out.requires_grad
    np.testing.assert_array_equal(out.data, call(N))


def test_every_mapping_is_tested():
    from autograd.numpy_protocol import FUNCTIONS, NO_GRADIENT_UFUNCS, ON_DATA, UFUNCS

    tested = {c[0] for c in CASES} | {c[0] for c in NO_GRADIENT}
    assert not (set(UFUNCS) | set(FUNCTIONS)) - tested, "a numpy mapping without a test case"
    assert {np.less, np.greater_equal, np.isfinite, np.logical_not} <= NO_GRADIENT_UFUNCS
    assert {np.shape, np.allclose, np.argsort} <= ON_DATA


def test_the_issues_examples_work_and_are_recorded():
    t = Tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = np.sum(np.exp(t) * 2)  # were: "operand 'Tensor' does not support ufuncs" and "unexpected keyword 'out'"
    y.backward()
    np.testing.assert_allclose(t.grad.data, 2 * np.exp(t.data))


@pytest.mark.parametrize("call, name", [
    (lambda t: np.fft.fft(t), "np.fft.fft"),
    (lambda t: np.linalg.svd(t), "np.linalg.svd"),
    (lambda t: np.sort(t), "np.sort"),
    (lambda t: np.log1p(t), "np.log1p"),
    (lambda t: np.add.reduce(t), "np.add.reduce"),
    (lambda t: np.copy(t), "np.copy"),
])
def test_other_numpy_functions_refuse_a_tensor_that_requires_grad(call, name):
    t = Tensor(M, requires_grad=True)
    with pytest.raises(TypeError, match=rf"^{name.replace('.', '[.]')} is not a chalkgrad operation, so its result "
                                        rf"could not carry a gradient\. Use .*; to leave the graph on purpose, call it "
                                        rf"on the array: {name.replace('.', '[.]')}\(t\.numpy\(\), \.\.\.\)"):
        call(t)
    constant = call(Tensor(M))  # no gradient to lose: numpy's own result, as for PyTorch tensors without grad
    expected = call(M)
    for got, want in zip(constant if isinstance(constant, tuple) else [constant], expected if isinstance(expected, tuple) else [expected]):
        assert type(got) is type(want)
        np.testing.assert_array_equal(got, want)
    with no_grad():  # nothing is recorded, so nothing is lost
        np.testing.assert_array_equal(np.sort(t), np.sort(M))


def test_hints_name_the_chalkgrad_spelling():
    t = Tensor(M, requires_grad=True)
    with pytest.raises(TypeError, match=r"Use t\.sum\(axis=\.\.\.\)"):
        np.add.reduce(t)
    with pytest.raises(TypeError, match=r"Use \(t \* t\)\.sum\(\)\.sqrt\(\)"):
        np.linalg.norm(t)


def test_out_and_unsupported_keywords_are_refused():
    t, buffer = Tensor(M, requires_grad=True), np.zeros((3, 4))
    with pytest.raises(TypeError, match=r"np\.exp\(\.\.\., out=\.\.\.\): numpy cannot write a chalkgrad result"):
        np.exp(t, out=buffer)
    with pytest.raises(TypeError, match=r"np\.sum\(\.\.\., out=\.\.\.\)"):
        np.sum(t, out=np.zeros(()))
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=\.\.\.\)"):
        buffer += t  # would write a graph result into a plain array
    with pytest.raises(TypeError, match=r"np\.sum: chalkgrad's operation does not take dtype="):
        np.sum(t, dtype=np.float32)
    with pytest.raises(TypeError, match=r"np\.exp: chalkgrad's operation does not take where="):
        np.exp(t, where=M > 1)
    with pytest.raises(TypeError, match=r"np\.dot of arrays with 3 and 2 dimensions is not matmul"):
        np.dot(Tensor(np.ones((2, 3, 4)), requires_grad=True), W)
    assert not buffer.any() and t.grad is None


def test_inspecting_functions_and_conversions_run_on_the_data():
    t = Tensor(M, requires_grad=True)
    assert np.shape(t) == (3, 4) and np.ndim(t) == 2 and np.size(t) == 12
    assert np.allclose(t, M) and np.array_equal(t, M) and np.isclose(t, M).all()
    np.testing.assert_array_equal(np.argsort(t, axis=1), np.argsort(M, axis=1))
    state = np.zeros_like(t)  # an optimiser's state: a plain array, as numpy users expect
    assert type(state) is np.ndarray and state.shape == (3, 4) and not state.any()
    assert type(np.full_like(t, 2.0)) is np.ndarray
    array = np.asarray(t)
    assert type(array) is np.ndarray and np.shares_memory(array, t.data)
    assert type(np.array(t)) is np.ndarray and np.asarray(t, dtype=np.float32).dtype == np.float32
    np.testing.assert_allclose(t, M)


@pytest.mark.parametrize("left", [np.float64(2.0), np.float32(2.0), 2, 2.0, np.int64(2)])
def test_operators_with_numpy_scalars_on_either_side_keep_float32(left):
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    for out in (left - t, t - left, left * t, t * left, left / t, t / left, left + t, t ** left):
        assert isinstance(out, Tensor) and out.dtype == np.float32 and out.grad_fn is not None
    (left - t).sum().backward()
    assert t.grad.dtype == np.float32 and t.grad.data.tolist() == [-1.0, -1.0]


def test_operators_with_numpy_arrays_on_either_side():
    t = Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    a32, a64 = np.full(4, 2.0, dtype=np.float32), np.full(4, 2.0)
    for out in (a32 + t, t + a32, a32 * t, a32 - t, a32 / t, a32 @ t):
        assert isinstance(out, Tensor) and out.dtype == np.float32 and out.grad_fn is not None
    assert (a64 + t).dtype == np.float64  # an array's dtype counts, as in numpy
    comparison = a32 > t
    assert isinstance(comparison, Tensor) and comparison.data.all() and comparison.grad_fn is None
    (a32 * t + t * a32).sum().backward()
    assert t.grad.data.tolist() == [4.0] * 4
