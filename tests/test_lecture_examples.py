"""The lecture's worked examples, with the exact numbers from the notes."""
import math

import pytest

from autograd import Tensor


def test_gate_example():
    x = Tensor(-2.0, requires_grad=True)
    y = Tensor(5.0, requires_grad=True)
    z = Tensor(-4.0, requires_grad=True)
    f = (x + y) * z
    assert f.item() == -12.0
    f.backward()
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4.0, -4.0, 3.0)


def test_sigmoid_neuron():
    w0, x0, w1, x1, w2 = (Tensor(v, requires_grad=True) for v in (2.0, -1.0, -3.0, -2.0, -3.0))
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.backward()
    s = 1 / (1 + math.exp(-1.0))  # w0*x0 + w1*x1 + w2 = 1
    assert f.item() == pytest.approx(0.73, abs=5e-3)
    local = s * (1 - s)  # 0.1966...: the sigmoid gate's local gradient
    assert w0.grad.item() == pytest.approx(-1.0 * local)  # textbook: -0.20
    assert x0.grad.item() == pytest.approx(2.0 * local)  # 0.39
    assert w1.grad.item() == pytest.approx(-2.0 * local)  # -0.39
    assert x1.grad.item() == pytest.approx(-3.0 * local)  # -0.59
    assert w2.grad.item() == pytest.approx(local)  # 0.20
    assert [round(t.grad.item(), 2) for t in (w0, x0, w1, x1, w2)] == [-0.2, 0.39, -0.39, -0.59, 0.2]


def test_micrograd_style_scalars():
    a = Tensor(2.0, requires_grad=True)
    b = a * -3
    c = b + 10
    d = c.relu() * a
    d.backward()
    assert d.item() == 8.0
    assert a.grad.item() == 4 + 2 * -3  # d = (10 - 3a) * a -> dd/da = 10 - 6a = -2
