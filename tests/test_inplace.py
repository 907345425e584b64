"""In-place changes and versions: a tensor saved for backward and changed afterwards makes that
backward fail with a clear message; augmented assignment and setitem follow PyTorch's rules."""
import numpy as np
import pytest
import torch

from autograd import Tensor, no_grad

def leaf(value, dtype=np.float64, name=None):
    return Tensor(np.asarray(value, dtype=dtype), requires_grad=True, name=name)


# ----- a saved tensor changed in place: backward refuses ----------------------------------------------
def test_modifying_a_saved_leaf_under_no_grad_makes_backward_fail():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="modified in place") as info:
        y.backward()
    assert "Mul" in str(info.value)


def test_modifying_a_saved_output_makes_backward_fail():
    x = leaf([1.0, 2.0])
    e = x.exp()  # Exp saves its output
    loss = e.sum()  # Sum saves nothing, so Exp is the node that notices
    with no_grad():
        e *= 2
    with pytest.raises(RuntimeError, match="Exp.*modified in place"):
        loss.backward()


def test_modifying_through_a_detached_tensor_is_caught():
    """detach() shares memory, so an in-place change through it changes the saved tensor (as PyTorch)."""
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    d = x.detach()
    d += 10  # d does not require grad: a plain in-place change
    assert x.data.tolist() == [11.0, 12.0]
    with pytest.raises(RuntimeError, match="Mul.*modified in place"):
        y.backward()

    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = (w * x.detach()).sum()  # the detached tensor is the saved one; its base changes
    with no_grad():
        x *= 2
    with pytest.raises(RuntimeError, match="Mul.*modified in place"):
        y.backward()


def test_detached_siblings_share_versions_after_the_base_is_gone():
    x = Tensor([1.0, 2.0])
    w = Tensor([1.0, 1.0], requires_grad=True)
    a, b = x.detach(), x.detach()
    del x
    y = (w * a).sum()
    with no_grad():
        b += 100
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_modifying_a_constant_with_setitem_after_use_is_caught():
    w = Tensor([1.0, 2.0])  # a constant (no grad) saved by Mul
    x = leaf([3.0, 4.0])
    y = (x * w).sum()
    w[0] = 100.0
    with pytest.raises(RuntimeError, match="Mul.*modified in place"):
        y.backward()


def test_modifying_an_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    y = x + 1  # Add saves nothing
    loss = y.sum()
    with no_grad():
        x += 100
    loss.backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])


# ----- augmented assignment and setitem ---------------------------------------------------------------
def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0, 2.0])
    for op in ("+=", "-=", "*=", "/="):
        with pytest.raises(RuntimeError, match="leaf"):
            exec(f"x {op} 2", {"x": x})
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_inplace_on_non_leaf_is_recorded_in_place_as_pytorch_does():
    x = leaf([1.0, 2.0])
    h = x * 1
    before = h
    early = h * 3  # uses h's value before the changes (Mul saves it)
    h += x  # h = x + x
    h *= x  # h = 2 x^2
    assert h is before and h.data.tolist() == [2.0, 8.0]
    h.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.data, 4 * x.data)
    x.grad = None
    early.sum().backward()  # what it saved was kept (PyTorch would refuse): still 3 x
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])


def test_inplace_on_non_leaf_keeps_earlier_users_on_the_earlier_value():
    x = leaf([1.0, 2.0])
    h = x * 2
    early = h + 1  # Add saves nothing: it keeps working after h changes
    h *= x
    (early.sum() + h.sum()).backward()
    tx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    th = tx * 2
    tearly = th + 1
    th *= tx
    (tearly.sum() + th.sum()).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())


def test_inplace_under_no_grad_mutates_and_bumps_version():
    x = leaf([1.0, 2.0])
    data, version = x.data, x._version
    with no_grad():
        x -= 0.5
        x /= 2
    assert x.data is data and x.data.tolist() == [0.25, 0.75]
    assert x._version > version
    assert x.requires_grad and x.is_leaf


def test_inplace_on_constant_tensor_mutates():
    t = Tensor([1.0, 2.0])
    data = t.data
    t += Tensor([1.0, 1.0])
    assert t.data is data and t.data.tolist() == [2.0, 3.0]
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        t += np.ones((3, 2))


def test_setitem_rules():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="no_grad"):
        x[0] = 5.0
    with no_grad():
        x[0] = 5.0
    assert x.data.tolist() == [5.0, 2.0, 3.0]


def test_hooks_registered_before_an_inplace_change_see_the_earlier_values_gradient():
    """As PyTorch: a hook stays with the value it was registered on, retain_grad() moves to the new
    value. (Found by tests/test_engine_fuzz.py: the hook ran on the new value's gradient.)"""
    def program(x):
        seen = []
        h = x * 1
        h.register_hook(lambda g: seen.append(("before", g.tolist())) or g * 10)
        h.retain_grad()
        early = h + 0  # uses the earlier value: its gradient reaches the hook too
        h *= 3
        h.register_hook(lambda g: seen.append(("after", g.tolist())))
        ((h * h).sum() + early.sum()).backward()
        return seen, x.grad.tolist(), h.grad.tolist()

    x = leaf([1.0, 2.0])
    tx = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    assert program(x) == program(tx)
