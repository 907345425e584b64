"""Gradient checking: numerical_grad, gradcheck, gradgradcheck, directional_gradcheck,
check_backward (the hand-written-backward exercise) and check_module_gradients."""
import numpy as np
import pytest
from op_table import ROWS

import autograd
from autograd import (
    Function, GradcheckError, Tensor, check_backward, check_module_gradients, directional_gradcheck, gradcheck,
    gradgradcheck, numerical_grad, rel_error,
)
from autograd import ops


def leaf(shape, seed=0, low=None, high=None, dtype=np.float64, name=None):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return Tensor(data.astype(dtype), requires_grad=True, name=name)


class BadSin(Function):
    """sin with a wrong backward: returns grad instead of grad * cos(x)."""

    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class ConstantCosSin(Function):
    """sin whose backward is right to first order but multiplies by cos(x) computed in numpy:
    a constant to the graph, so the second derivative through it is lost."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Tensor(np.cos(x.data))


# ----- rel_error ----------------------------------------------------------------------------
def test_rel_error_values():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(1 / 5)  # |2 - 3| / (2 + 3)
    assert rel_error(0.0, 0.0) == 0.0  # the 1e-8 floor: no division by zero
    assert rel_error(Tensor([1e-9]), np.array([0.0])) == pytest.approx(0.1)  # 1e-9 / max(1e-9, 1e-8)


def test_rel_error_shape_mismatch_is_clear():
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


# ----- numerical_grad -----------------------------------------------------------------------
def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# (function on Tensors, its gradients written out by hand in numpy, input samplers)
FORMULAS = {
    "cube": (lambda x: (x ** 3).sum(), lambda x: [3 * x ** 2], [(3, 4)]),
    "sin_times_y": (lambda x, y: (x.sin() * y).sum(), lambda x, y: [np.cos(x) * y, np.sin(x)], [(5,), (5,)]),
    "tanh_mean": (lambda x: x.tanh().mean(), lambda x: [(1 - np.tanh(x) ** 2) / x.size], [(2, 3)]),
    "quadratic_form": (lambda x, a: x @ a @ x, lambda x, a: [(a + a.T) @ x, np.outer(x, x)], [(4,), (4, 4)]),
    "log_sum_exp": (lambda x: x.logsumexp(), lambda x: [np.exp(x) / np.exp(x).sum()], [(6,)]),
    "cross_entropy": (
        lambda z: -z.log_softmax(axis=1)[np.arange(3), np.array([0, 2, 1])].sum(),
        lambda z: [_softmax(z) - np.eye(4)[[0, 2, 1]]],
        [(3, 4)],
    ),
    "scalar_input": (lambda x: x.exp() * x, lambda x: [np.exp(x) * (1 + x)], [()]),
}


@pytest.mark.parametrize("name", FORMULAS)
def test_numerical_grad_matches_hand_derived_gradients(name):
    fn, formula, shapes = FORMULAS[name]
    inputs = [leaf(shape, seed=k) for k, shape in enumerate(shapes)]
    numeric = numerical_grad(fn, inputs)
    expected = formula(*[t.data for t in inputs])
    for n, e in zip(numeric, expected):
        assert n.dtype == np.float64 and n.shape == e.shape
        np.testing.assert_allclose(n, e, rtol=1e-7, atol=1e-9)


def test_numerical_grad_non_scalar_output_uses_grad_output():
    x = leaf((3, 2))
    v = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(numerical_grad(lambda x: x ** 2, x, grad_output=v), 2 * x.data * v, rtol=1e-7, atol=1e-9)
    with pytest.raises(ValueError, match=r"weights for output 0 have shape \(2,\) but the output has shape \(3, 2\)"):
        numerical_grad(lambda x: x ** 2, x, grad_output=np.ones(2))
    with pytest.raises(ValueError, match=r"2 weight array\(s\) given for 1 output\(s\)"):
        gradgradcheck(lambda x: x ** 3, [x], grad_outputs=(v, v))


def test_numerical_grad_default_projection_matches_backward_of_the_same_projection():
    # A non-scalar output is weighted by a fixed random P: the numeric result is P * f'(x) for an
    # elementwise f, so dividing by f'(x) must give the same P on every call (it is fixed).
    x = leaf((4, 5), low=0.5, high=2.0)
    first = numerical_grad(lambda x: x.log(), x) * x.data  # d log(x) / dx = 1/x
    second = numerical_grad(lambda x: x.log() * 3, x) * x.data / 3
    np.testing.assert_allclose(first, second, rtol=1e-6)
    assert np.std(first) > 0.3  # random weights, not ones


def test_numerical_grad_returns_none_for_constants_and_a_single_array_for_one_tensor():
    x, c = leaf((2, 2)), Tensor(np.ones((2, 2)))
    grads = numerical_grad(lambda x, c, k: (x * c * k).sum(), [x, c, 3.0])
    assert grads[1] is None and grads[2] is None
    np.testing.assert_allclose(grads[0], 3.0 * np.ones((2, 2)), rtol=1e-8)
    assert isinstance(numerical_grad(lambda x: x.sum(), x), np.ndarray)


def test_numerical_grad_upcasts_float32_and_leaves_the_input_alone():
    x = leaf((3,), dtype=np.float32)
    before = x.data.copy()
    g = numerical_grad(lambda x: (x ** 2).sum(), x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * x.data.astype(np.float64), rtol=1e-8)  # float64 accuracy
    assert x.dtype == np.float32 and np.array_equal(x.data, before) and x.grad is None


def test_numerical_grad_refuses_a_function_that_casts_to_float32():
    with pytest.raises(TypeError, match="runs in float64, but output 0 has dtype float32"):
        numerical_grad(lambda x: x.astype(np.float32).sum(), leaf((2,)))


def test_nothing_to_differentiate_is_a_clear_error():
    for check in (numerical_grad, gradcheck, gradgradcheck, directional_gradcheck):
        with pytest.raises(ValueError, match="none of the inputs requires grad"):
            check(lambda x: x.sum(), [Tensor([1.0, 2.0])])


def test_a_non_tensor_result_is_a_clear_error():
    with pytest.raises(TypeError, match="must return a Tensor .* output 0 is a float"):
        gradcheck(lambda x: float(x.sum().item()), [leaf((2,))])


# ----- gradcheck ----------------------------------------------------------------------------
NUMERIC_ROWS = [r for r in ROWS if r.differentiable and r.numeric_check]


@pytest.mark.parametrize("row", NUMERIC_ROWS, ids=[r.name for r in NUMERIC_ROWS])
def test_gradcheck_passes_on_every_op_table_row(row):
    inputs = [Tensor(a, requires_grad=True) for a in row.sample()]
    assert gradcheck(row.fn, inputs) is True


def test_gradcheck_with_several_outputs_and_constants():
    x, y = leaf((3,), seed=1), leaf((3,), seed=2)
    mask = np.array([1.0, 0.0, 1.0])
    assert gradcheck(lambda x, y, m: (x.sin() * m, (x * y).sum()), [x, y, mask])


def test_gradcheck_does_not_change_its_inputs():
    x = leaf((3, 4), name="x")
    before = x.data.copy()
    gradcheck(lambda x: (x * x).sum(), [x])
    assert np.array_equal(x.data, before) and x.grad is None and x.is_leaf


def test_gradcheck_upcasts_float32_inputs_and_works_under_no_grad():
    x = leaf((3, 4), dtype=np.float32)
    assert gradcheck(lambda x: (x * x).tanh(), [x])
    with autograd.no_grad():
        assert gradcheck(lambda x: (x * x).tanh(), [x]) and gradgradcheck(lambda x: (x * x).tanh(), [x])
    assert x.dtype == np.float32


def test_gradcheck_reports_a_wrong_backward_with_analytic_and_numeric_values():
    x = leaf((3, 4), low=-3, high=3, name="x")
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: BadSin.apply(x).sum(), [x])
    report = str(failure.value)
    assert report.startswith("gradcheck failed: backward's gradient does not match central differences")
    assert "input 0 ('x'), shape (3, 4)" in report
    assert "index" in report and "analytic" in report and "numeric" in report and "rel. error" in report
    # the worst element: backward says 1, the true derivative is cos(x), farthest from 1 where |x| is largest
    numeric = np.cos(x.data)
    worst = np.unravel_index(np.argmax(np.abs(1 - numeric) - 1e-3 * np.abs(numeric)), x.shape)
    lines = report.splitlines()
    header = next(k for k, line in enumerate(lines) if line.split()[:1] == ["index"])
    index_0, index_1, analytic, numeric_shown, _ = lines[header + 1].split()  # the first row: the worst element
    assert f"{index_0} {index_1}" == f"[{worst[0]}, {worst[1]}]"
    assert float(analytic) == 1.0
    assert float(numeric_shown) == pytest.approx(numeric[worst], abs=1e-7)
    assert isinstance(failure.value, AssertionError)


def test_gradcheck_returns_false_when_asked_not_to_raise():
    assert gradcheck(lambda x: BadSin.apply(x), [leaf((2, 3))], raise_exception=False) is False


def test_gradcheck_catches_a_function_that_leaves_the_graph():
    # computing with .data gives values but no gradient: backward's zero must not pass
    with pytest.raises(GradcheckError, match="analytic"):
        gradcheck(lambda x: Tensor(x.data ** 2).sum() + 0 * x.sum(), [leaf((3,))])


def test_gradcheck_marks_kinks():
    x = Tensor([[-1.0, 0.0], [0.5, 2.0]], requires_grad=True)  # relu at 0 has no derivative
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: x.relu().sum(), [x])
    report = str(failure.value)
    assert "1 of 4 elements fail" in report
    kink_row = next(line for line in report.splitlines() if line.strip().startswith("[0, 1]"))
    assert kink_row.split()[2:4] == ["0", "0.5"] and kink_row.endswith("kink")  # slopes 0 and 1 average to 0.5
    assert "not differentiable there" in report


def test_kinks_where_backward_takes_one_side_fail_and_ties_split_evenly_pass():
    x = Tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    with pytest.raises(GradcheckError, match="kink"):  # clip's backward at a bound: 1, the slopes: 1 and 0
        gradcheck(lambda x: x.clip(-1.0, 1.0).sum(), [x])
    # max splits the gradient evenly between tied elements (0.5, 0.5): exactly the average of
    # the one-sided slopes (1 and 0) that central differences compute, so a tie passes
    assert gradcheck(lambda x: x.max(), [Tensor([1.0, 3.0, 3.0, -2.0], requires_grad=True)])
    assert gradcheck(lambda x: x.abs().sum(), [x])  # abs'(0) = 0, the average of -1 and 1


def test_a_wrong_backward_away_from_a_kink_is_not_called_a_kink():
    with pytest.raises(GradcheckError) as failure:
        gradcheck(lambda x: BadSin.apply(x).sum(), [leaf((5,))])
    assert "kink" not in str(failure.value)


def test_gradcheck_refuses_a_random_function():
    rng = np.random.default_rng(0)
    for check in (gradcheck, directional_gradcheck):
        with pytest.raises(GradcheckError, match=f"{check.__name__} failed the determinism check"):
            check(lambda x: x * Tensor(rng.standard_normal(3)), [leaf((3,))])


# ----- gradgradcheck ------------------------------------------------------------------------
def _is_elementwise(row):
    return row.covers and all(op.__module__ == "autograd.ops.elementwise" for op in row.covers)


ELEMENTWISE_ROWS = [r for r in NUMERIC_ROWS if r.second_order and _is_elementwise(r)]


def test_the_elementwise_selection_is_not_empty():
    names = {r.name for r in ELEMENTWISE_ROWS}
    assert {"exp", "log", "tanh", "sigmoid", "sin", "mul_3x4_4", "div_3x1_1x4", "pow_tensor_exponent"} <= names


@pytest.mark.parametrize("row", ELEMENTWISE_ROWS, ids=[r.name for r in ELEMENTWISE_ROWS])
def test_gradgradcheck_passes_on_elementwise_ops(row):
    inputs = [Tensor(a, requires_grad=True) for a in row.sample()]
    assert gradgradcheck(row.fn, inputs) is True


def mlp_loss(x, w1, b1, w2, b2):
    """A two-layer network's softmax cross-entropy on 3 classes."""
    hidden = (x @ w1 + b1).tanh()
    logits = hidden @ w2 + b2
    return -logits.log_softmax(axis=1)[np.arange(4), np.array([0, 2, 1, 2])].mean()


def test_gradcheck_and_gradgradcheck_pass_on_a_small_mlp_loss():
    params = [leaf((4, 3), 0), leaf((3, 5), 1), leaf((5,), 2), leaf((5, 3), 3), leaf((3,), 4)]
    assert gradcheck(mlp_loss, params)
    assert gradgradcheck(mlp_loss, params)


def test_gradgradcheck_catches_a_backward_built_from_constants():
    x = leaf((3, 2), low=-3, high=3)
    assert gradcheck(lambda x: ConstantCosSin.apply(x), [x])  # right to first order
    with pytest.raises(GradcheckError) as failure:
        gradgradcheck(lambda x: ConstantCosSin.apply(x), [x])
    report = str(failure.value)
    assert report.startswith("gradgradcheck failed: second derivatives")
    assert "analytic" in report and "numeric" in report
    assert gradgradcheck(lambda x: x.sin(), [x])  # the engine's sin is right to second order


def test_gradgradcheck_with_given_grad_outputs_and_linear_functions():
    x, y = leaf((2, 3), 0), leaf((2, 3), 1)
    assert gradgradcheck(lambda x, y: x * y.exp(), [x, y], grad_outputs=np.ones((2, 3)))
    assert gradgradcheck(lambda x, y: x + 2 * y, [x, y])  # second derivatives all zero


# ----- directional_gradcheck ----------------------------------------------------------------
def test_directional_gradcheck_catches_a_wrong_backward_on_a_big_input():
    x = leaf((200, 300), low=-3, high=3)
    with pytest.raises(GradcheckError) as failure:
        directional_gradcheck(lambda x: BadSin.apply(x), [x])
    report = str(failure.value)
    assert report.startswith("directional_gradcheck failed")
    assert "analytic <u^T J, v>" in report and "numeric df/dv" in report and "FAIL" in report
    assert directional_gradcheck(lambda x: BadSin.apply(x), [x], raise_exception=False) is False


def test_directional_gradcheck_passes_for_correct_ops_and_leaves_inputs_alone():
    x, w = leaf((200, 300), 0), leaf((300, 10), 1)
    before = x.data.copy()
    assert directional_gradcheck(lambda x: x.sin(), [x])
    assert directional_gradcheck(lambda x, w: (x @ w).tanh().sum(axis=0), [x, w], directions=5)
    assert np.array_equal(x.data, before)


# ----- check_backward: the hand-written-backward exercise -----------------------------------
def affine_forward(x, W, b):
    return x @ W + b


def affine_backward(x, W, b, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def affine_backward_wrong_db(x, W, b, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.mean(axis=0)  # should be the sum


class ReLULayer:
    """A layer object: forward caches its mask, backward uses it."""

    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, x, grad_out):
        return grad_out * self.mask


class SigmoidLayerOffBy:
    """sigmoid with its derivative scaled by (1 + error): to test the verdict thresholds."""

    def __init__(self, error):
        self.error = error

    def forward(self, x):
        return 1 / (1 + np.exp(-x))

    def backward(self, x, grad_out):
        s = 1 / (1 + np.exp(-x))
        return grad_out * s * (1 - s) * (1 + self.error)


def affine_inputs():
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)


def test_check_backward_says_great_for_a_correct_backward():
    x, W, b = affine_inputs()
    result = check_backward(affine_forward, affine_backward, x, W, b)
    assert result.names == ["x", "W", "b"]
    assert result.verdict == "great" and result.passed
    assert max(result.errors) < 1e-7
    text = repr(result)
    assert "x " in text and "(3, 5)" in text and "great" in text and "< 1e-07 great" in text


def test_check_backward_says_wrong_for_a_wrong_backward_and_names_the_parameter():
    x, W, b = affine_inputs()
    result = check_backward(affine_forward, affine_backward_wrong_db, x, W, b)
    assert result.verdicts == ["great", "great", "wrong"]
    assert result.verdict == "wrong" and not result.passed
    a, n = result.analytic[2], result.numeric[2]
    assert result.errors[2] == pytest.approx(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
    assert result.errors[2] == pytest.approx(3 / 5, rel=1e-6)  # |mean - 4 mean| / (|mean| + |4 mean|)
    np.testing.assert_allclose(result.numeric[2] / result.analytic[2], 4.0, rtol=1e-6)  # sum = 4 * mean
    b_row = next(line for line in repr(result).splitlines() if line.strip().startswith("b "))
    assert "wrong" in b_row and "analytic" in b_row and "numeric" in b_row


def test_check_backward_with_a_layer_object_and_the_verdict_thresholds():
    x = np.random.default_rng(1).uniform(0.1, 2.0, (3, 4)) * np.array([1, -1, 1, -1])  # away from relu's kink
    result = check_backward(ReLULayer(), x)
    assert result.names == ["x"] and result.verdict == "great"
    assert check_backward(SigmoidLayerOffBy(0.0), x).verdict == "great"
    assert check_backward(SigmoidLayerOffBy(1e-6), x).verdict == "ok"  # error 1e-6 / (2 + 1e-6) ~ 5e-7
    assert check_backward(SigmoidLayerOffBy(1e-3), x).verdict == "suspicious"  # ~ 5e-4
    assert check_backward(SigmoidLayerOffBy(0.1), x).verdict == "wrong"  # ~ 5e-2


def test_check_backward_says_great_for_correct_layers_with_tiny_gradient_entries():
    # saturated sigmoids have derivatives ~1e-4: rel_error's max over elements can exceed 1e-7 from
    # rounding alone, the whole-array error does not
    for seed in range(5):
        rng = np.random.default_rng(seed)
        assert check_backward(SigmoidLayerOffBy(0.0), 3 * rng.standard_normal((8, 6)), seed=seed).verdict == "great"
        x, W, b = rng.standard_normal((8, 6)), rng.standard_normal((6, 10)), rng.standard_normal(10)
        assert check_backward(affine_forward, affine_backward, x, W, b, seed=seed).verdict == "great"


def test_check_backward_does_not_change_the_arrays_it_is_given():
    x, W, b = affine_inputs()
    copies = [a.copy() for a in (x, W, b)]
    check_backward(affine_forward, affine_backward, x, W, b)
    assert all(np.array_equal(a, c) for a, c in zip((x, W, b), copies))


def test_check_backward_clear_errors():
    x, W, b = affine_inputs()
    with pytest.raises(ValueError, match=r"gradient of shape \(1, 5\) for b of shape \(5,\)"):
        check_backward(affine_forward, lambda x, W, b, g: (g @ W.T, x.T @ g, g.sum(axis=0, keepdims=True)), x, W, b)
    with pytest.raises(ValueError, match=r"returned 2 gradient\(s\) but there are 3 inputs \(x, W, b\)"):
        check_backward(affine_forward, lambda x, W, b, g: (g @ W.T, x.T @ g), x, W, b)
    with pytest.raises(TypeError, match="check_backward\\(forward, backward, x, \\*params\\)"):
        check_backward(affine_forward, x, W, b)


def relu_net_forward(x, W1, b1, W2):
    return np.maximum(x @ W1 + b1, 0) @ W2


def relu_net_backward(mask_at_zero):
    """A two-layer relu net's backward; mask_at_zero=True is the `pre >= 0` variant (relu'(0) = 1)."""
    def backward(x, W1, b1, W2, grad_out):
        pre = x @ W1 + b1
        dpre = (grad_out @ W2.T) * ((pre >= 0) if mask_at_zero else (pre > 0))
        return dpre @ W1.T, x.T @ dpre, dpre.sum(axis=0), np.maximum(pre, 0).T @ grad_out
    return backward


def relu_net_inputs(zero_row=True):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    if zero_row:
        x[0] = 0  # with b1 = 0 every hidden unit of that row sits exactly at relu's kink
    return x, rng.standard_normal((3, 5)), np.zeros(5), rng.standard_normal((5, 2))


def test_check_backward_does_not_call_a_correct_relu_layer_wrong_at_its_kink():
    result = check_backward(relu_net_forward, relu_net_backward(False), *relu_net_inputs())
    assert result.passed and result.verdicts == ["ok", "great", "ok", "great"]
    assert result.kinks[2].all() and not result.kinks[1].any()  # b1: every element; W1: none (x's row is 0)
    b1_note = next(note for note in result.notes if note.startswith("b1:"))
    assert "5 of 5 element(s) sit on a kink" in b1_note and "not graded" in b1_note
    assert "slope from the left at each, as relu'(0) = 0 does (PyTorch's choice)" in b1_note
    text = repr(result)
    assert "note: b1: 5 of 5" in text and "every element sits on a kink" in text


def test_check_backward_tells_the_relu_mask_at_zero_apart_and_still_grades_real_bugs():
    inputs = relu_net_inputs()
    mask_at_zero = check_backward(relu_net_forward, relu_net_backward(True), *inputs)
    assert mask_at_zero.passed  # relu'(0) = 1 is a valid choice at a kink, just not PyTorch's
    b1_note = next(note for note in mask_at_zero.notes if note.startswith("b1:"))
    assert "slope from the right at each, as relu'(0) = 1 does (a relu mask written with >= 0?" in b1_note

    def no_mask(x, W1, b1, W2, grad_out):  # forgets relu's mask altogether: wrong away from the kink too
        pre = x @ W1 + b1
        dpre = grad_out @ W2.T
        return dpre @ W1.T, x.T @ dpre, dpre.sum(axis=0), np.maximum(pre, 0).T @ grad_out

    bug = check_backward(relu_net_forward, no_mask, *inputs)
    assert bug.verdicts[1] == "wrong" and bug.verdict == "wrong"  # W1 has no kink element, and is graded
    # without a kink nothing is left out and no kink note appears
    clean = check_backward(relu_net_forward, relu_net_backward(False), *relu_net_inputs(zero_row=False))
    assert clean.verdict == "great" and not any(k.any() for k in clean.kinks) and not clean.notes


def test_check_backward_names_a_constant_factor():
    x, W, b = affine_inputs()
    result = check_backward(affine_forward, affine_backward_wrong_db, x, W, b)  # mean where the sum belongs
    assert result.notes == [(
        "b: analytic = 0.25 × numeric in every element: a missing factor 4? (4 is the size of dimension 0 of x: "
        "a mean where a sum belongs, or the other way round?)"
    )]

    def loss_forward(x):
        return np.array((x ** 2).mean())

    def loss_backward_without_the_mean(x, grad_out):  # d mean(x^2)/dx = 2x / N; the 1/N is missing
        return grad_out * 2 * x

    x = np.random.default_rng(2).standard_normal(4)
    note = check_backward(loss_forward, loss_backward_without_the_mean, x).notes[0]
    assert note == ("x: analytic = 4.00 × numeric in every element: a missing 1/4? (4 is the size of dimension 0 of "
                    "x: a mean where a sum belongs, or the other way round?)")
    flipped = check_backward(affine_forward, lambda x, W, b, g: (-(g @ W.T), x.T @ g, g.sum(axis=0)), *affine_inputs())
    assert flipped.notes == ["x: analytic = -1.00 × numeric in every element: the sign is flipped?"]
    assert not check_backward(affine_forward, affine_backward, *affine_inputs()).notes


def test_gradcheck_report_names_a_constant_factor():
    class TimesThreeWithBackwardSix(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 6

    with pytest.raises(GradcheckError, match=r"all elements: analytic = 2\.00 × numeric in every element: a missing 1/2\?"):
        gradcheck(TimesThreeWithBackwardSix.apply, [leaf((2, 3), 0)])


# ----- check_module_gradients ---------------------------------------------------------------
class TinyAffine:
    """Just enough of the nn.Module API (SPEC section 4): named_parameters() and __call__."""

    def __init__(self, sin=lambda t: t.sin(), dtype=np.float64):
        rng = np.random.default_rng(0)
        self.weight = Tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True)
        self.bias = Tensor(rng.standard_normal(2).astype(dtype), requires_grad=True)
        self.frozen = Tensor(np.ones(2, dtype=dtype))  # requires no grad: skipped
        self.sin = sin

    def named_parameters(self):
        yield "weight", self.weight
        yield "bias", self.bias

    def __call__(self, x):
        return self.sin(x @ self.weight + self.bias) * self.frozen


def squared_loss(target):
    return lambda out: ((out - target) ** 2).mean()


def test_check_module_gradients_passes_and_restores_float32_parameters():
    module = TinyAffine(dtype=np.float32)
    weight_data = module.weight.data
    x = Tensor(np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32))
    assert check_module_gradients(module, squared_loss(np.zeros((4, 2))), x)
    assert module.weight.data is weight_data and module.weight.dtype == np.float32
    assert module.weight.grad is None and module.bias.grad is None


def test_check_module_gradients_names_the_wrong_parameter():
    module = TinyAffine(sin=BadSin.apply)
    x = Tensor(np.random.default_rng(1).standard_normal((4, 3)))
    with pytest.raises(GradcheckError) as failure:
        check_module_gradients(module, squared_loss(np.zeros((4, 2))), x)
    report = str(failure.value)
    assert report.startswith("check_module_gradients failed")
    assert "weight, shape (3, 2)" in report and "bias, shape (2,)" in report


def test_check_module_gradients_with_a_real_linear_layer():
    nn = _nn_or_skip("Linear")
    layer = nn.Linear(3, 2)
    x = Tensor(np.random.default_rng(1).standard_normal((4, 3)))
    assert check_module_gradients(layer, lambda out: (out.tanh() ** 2).sum(), x)
    assert gradcheck(lambda x: layer(x).sigmoid(), [Tensor(x.data, requires_grad=True)])


def _nn_or_skip(*names):
    nn = pytest.importorskip("nn")
    missing = [n for n in names if not hasattr(nn, n)]
    if missing:
        pytest.skip(f"nn.{missing[0]} is not written yet")
    return nn


def test_check_module_gradients_through_batch_norm_restores_running_statistics():
    nn = _nn_or_skip("Sequential", "Linear", "BatchNorm1d", "Tanh")
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    x = Tensor(np.random.default_rng(2).standard_normal((6, 3)))
    before = {name: b.data.copy() for name, b in model.named_buffers()}
    assert before  # running mean and variance
    assert check_module_gradients(model, lambda out: (out ** 2).sum(), x)  # training mode: batch statistics
    assert all(np.array_equal(b.data, before[name]) for name, b in model.named_buffers())
    model.eval()
    assert check_module_gradients(model, lambda out: (out ** 2).sum(), x)  # eval mode: running statistics


def test_check_module_gradients_refuses_dropout_in_training_mode():
    nn = _nn_or_skip("Sequential", "Linear", "Dropout")
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2))
    x = Tensor(np.random.default_rng(2).standard_normal((6, 3)))
    with pytest.raises(GradcheckError, match=r"determinism check.*call module.eval\(\)"):
        check_module_gradients(model, lambda out: out.sum(), x)
    assert check_module_gradients(model.eval(), lambda out: out.sum(), x)


def test_public_names():
    for name in ("numerical_grad", "gradcheck", "gradgradcheck", "directional_gradcheck", "check_backward",
                 "check_module_gradients", "rel_error", "GradcheckError"):
        assert hasattr(autograd, name) and name in autograd.__all__
    assert issubclass(GradcheckError, AssertionError)
    assert ops.Sin  # the engine's own sin, used above as the correct reference
