"""The custom Function API (autograd/function.py), as in PyTorch: static forward/backward,
ctx.save_for_backward, saved_tensors, needs_input_grad, apply; mistakes give clear errors."""
import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, no_grad

def leaf(value, dtype=np.float64, name=None):
    return Tensor(np.asarray(value, dtype=dtype), requires_grad=True, name=name)


# ----- a Function with its backward -------------------------------------------------------------------
class ScaledCube(Function):
    """out = s * x**3;  dx = grad * 3 s x**2,  ds = grad * x**3"""

    calls = []

    @staticmethod
    def forward(ctx, x, s):
        ctx.save_for_backward(x, s)
        return s * x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        ScaledCube.calls.append(ctx.needs_input_grad)
        return (
            grad * 3 * s * x ** 2 if ctx.needs_input_grad[0] else None,
            grad * x ** 3 if ctx.needs_input_grad[1] else None,
        )


def test_custom_function_gradients_and_needs_input_grad():
    ScaledCube.calls.clear()
    x, s = leaf([1.0, 2.0]), Tensor(np.array([3.0, 0.5]))
    y = ScaledCube.apply(x, s)
    assert y.grad_fn.name == "ScaledCube" and y.grad_fn.needs_input_grad == (True, False)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 3 * s.data * x.data ** 2)
    assert s.grad is None and ScaledCube.calls == [(True, False)]

    s.requires_grad_()
    (gx, gs) = autograd.grad(ScaledCube.apply(x, s).sum(), [x, s])
    np.testing.assert_allclose(gs.data, x.data ** 3)


def test_custom_function_second_derivative_and_broadcasting():
    x = leaf([1.0, 2.0])
    s = leaf(2.0)  # broadcast against x: the engine sums its gradient back to shape ()
    y = ScaledCube.apply(x, s).sum()
    gx, gs = autograd.grad(y, [x, s], create_graph=True)
    assert gs.shape == () and gs.item() == pytest.approx(9.0)
    (hxx,) = autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(hxx.data, 6 * 2.0 * x.data)


def test_custom_function_with_plain_number_input():
    class Shift(Function):
        @staticmethod
        def forward(ctx, x, amount):
            return x + amount

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    x = leaf([1.0])
    y = Shift.apply(x, 5.0)
    assert y.grad_fn.parents[1] == 5.0 and y.item() == 6.0
    y.backward()
    assert x.grad.item() == 1.0


def test_custom_forward_may_read_needs_input_grad_without_recording():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.seen = ctx.needs_input_grad[0]
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    with no_grad():
        assert Double.apply(Tensor(np.ones(2), requires_grad=True)).tolist() == [2.0, 2.0]
    assert Double.apply(Tensor(np.ones(2))).grad_fn is None


# ----- mistakes in a Function, named clearly ----------------------------------------------------------
def test_custom_function_wrong_number_of_gradients_is_a_clear_error():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradient.*2 input"):
        Bad.apply(leaf(1.0), leaf(2.0)).backward()


def test_custom_function_wrong_gradient_shape_is_a_clear_error():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return Tensor(np.ones(5))

    with pytest.raises(RuntimeError, match=r"BadShape.*\(5,\).*\(2,\)"):
        BadShape.apply(leaf([1.0, 2.0])).sum().backward()


def test_function_with_several_outputs_is_refused_clearly():
    class Two(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2, a * 3

    with pytest.raises(TypeError, match="one numpy array"):
        Two.apply(Tensor(np.ones(2), requires_grad=True))
