"""Views, in-place changes and the version counter, compared with PyTorch (issues #13.2, #13.3, #18.3).

A reshape, a transpose, .T or detach() of a view shares memory with its base, and so its version:
changing either in place makes a backward that saved the other refuse to run, as in PyTorch.
Assignments and augmented assignments are recorded while gradients are (t[i] = w lets w's
gradient flow; d[rows, y] -= 1 on a softmax works), a leaf that requires grad refuses them.
"""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, no_grad
from nn import functional as F


def outcome(run):
    """('error', None) if backward refused (a saved value was modified), else ('ok', gradients)."""
    try:
        return "ok", run()
    except RuntimeError as error:
        assert "modified" in str(error) or "inplace" in str(error)
        return "error", None


# ----- the four cases of issue #13.2 ------------------------------------------------------------
def case_reshape_setitem(lib):
    w = lib.ones(3, requires_grad=True)
    x = lib.tensor([1.0, 2.0, 3.0])
    y = (w * x).sum()
    x.reshape(1, 3)[0, 0] = 100
    y.backward()
    return w.grad


def case_transpose_iadd(lib):
    w = lib.ones(2, 3, requires_grad=True)
    x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = (w * x).sum()
    with lib.no_grad():
        v = x.T
        v += 10
    y.backward()
    return w.grad


def case_reshape_of_saved_output(lib):
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    y = w.exp()  # exp saves its output
    loss = y.sum()
    with lib.no_grad():
        r = y.reshape(2, 1)
        r *= 2
    loss.backward()
    return w.grad


def case_detach_of_view(lib):
    w = lib.tensor([0.5, -1.0], requires_grad=True)
    y = w.exp()
    loss = y.sum()
    y.reshape(2, 1).detach()[0, 0] = 5
    loss.backward()
    return w.grad


class Chalk:
    """The part of PyTorch's vocabulary the cases use, spelled with chalkgrad."""

    @staticmethod
    def ones(*shape, requires_grad=False):
        return Tensor(np.ones(shape), requires_grad=requires_grad)

    @staticmethod
    def tensor(values, requires_grad=False):
        return Tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)

    no_grad = staticmethod(no_grad)


class Torch:
    @staticmethod
    def ones(*shape, requires_grad=False):
        return torch.ones(*shape, dtype=torch.float64, requires_grad=requires_grad)

    @staticmethod
    def tensor(values, requires_grad=False):
        return torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad)

    no_grad = staticmethod(torch.no_grad)


@pytest.mark.parametrize("case", [case_reshape_setitem, case_transpose_iadd, case_reshape_of_saved_output,
                                  case_detach_of_view], ids=lambda c: c.__name__)
def test_a_change_through_a_view_is_caught_as_pytorch_catches_it(case):
    ours, theirs = outcome(lambda: case(Chalk)), outcome(lambda: case(Torch))
    assert ours[0] == theirs[0] == "error"


def test_a_view_of_an_unsaved_tensor_may_change():
    w = Tensor(np.ones(3), requires_grad=True)
    x = Tensor(np.array([1.0, 2.0, 3.0]))
    y = (w + x).sum()  # add saves nothing
    x.reshape(3, 1)[0, 0] = 100
    y.backward()
    np.testing.assert_array_equal(w.grad.data, np.ones(3))


# ----- the property: chains of view operations and in-place changes ------------------------------
VIEWS = {
    "reshape": (lambda t: t.reshape(3, 2), lambda t: t.reshape(3, 2)),
    "T": (lambda t: t.T, lambda t: t.T),
    "transpose": (lambda t: t.transpose(1, 0), lambda t: t.transpose(1, 0)),
    "detach": (lambda t: t.detach(), lambda t: t.detach()),
}
SAVERS = {  # operations on the base: some save their input (mul, exp), some do not (add)
    "mul": (lambda w, x: (w * x).sum(), lambda w, x: (w * x).sum()),
    "add": (lambda w, x: (w + x).sum(), lambda w, x: (w + x).sum()),
    "exp_of_x": (lambda w, x: (w * x.exp()).sum(), lambda w, x: (w * x.exp()).sum()),
}


def run_chain(lib, views, saver, change):
    w = lib.ones(2, 3, requires_grad=True)
    x = lib.tensor(np.arange(6.0).reshape(2, 3).tolist())
    loss = SAVERS[saver][lib is Torch](w, x)
    v = x
    for name in views:
        v = VIEWS[name][lib is Torch](v)
    with lib.no_grad():
        if change == "iadd":
            v += 1
        else:
            v[0, 0] = 7.0
    loss.backward()
    return w.grad


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(views=st.lists(st.sampled_from(sorted(VIEWS)), min_size=1, max_size=3),
       saver=st.sampled_from(sorted(SAVERS)), change=st.sampled_from(["iadd", "setitem"]))
def test_chains_of_views_and_changes_agree_with_pytorch(views, saver, change):
    shapes_fit = all(True for _ in views)
    if not shapes_fit:
        return
    ours = outcome(lambda: run_chain(Chalk, views, saver, change))
    theirs = outcome(lambda: run_chain(Torch, views, saver, change))
    assert ours[0] == theirs[0], (views, saver, change, ours, theirs)
    if ours[0] == "ok":
        np.testing.assert_allclose(np.asarray(ours[1].data), theirs[1].numpy())


# ----- assignment records the gradient (#13.3) ----------------------------------------------------
def test_assigning_a_tensor_that_requires_grad_records_it():
    w = Tensor(np.array([2.0]), requires_grad=True)
    x = Tensor(np.array([0.0, 0.0]))
    x[0:1] = w
    (x * np.array([3.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [3.0])
    assert x.requires_grad and not x.is_leaf
    tw = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    tx = torch.zeros(2, dtype=torch.float64)
    tx[0:1] = tw
    (tx * torch.tensor([3.0, 5.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(w.grad.data, tw.grad.numpy())


def test_a_leaf_that_requires_grad_refuses_assignment():
    w = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0] = 1.0
    with no_grad():
        w[0] = 1.0  # as optimisers do
    assert w.data[0] == 1.0


# ----- the classroom exercise of #18: an in-place edit of a softmax ------------------------------
def test_softmax_minus_onehot_edited_in_place_as_in_the_pytorch_exercise():
    """d = softmax(logits); d[range(n), y] -= 1; d /= n is the exercise's gradient of the loss,
    computed while gradients are recorded; the loss's own backward still runs."""
    rng = np.random.default_rng(0)
    logits, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    n = len(y)

    def run(lib, x):
        loss = (F.cross_entropy if lib is Chalk else torch.nn.functional.cross_entropy)(x, lib_y(lib, y))
        d = (F.softmax if lib is Chalk else torch.nn.functional.softmax)(x, 1)
        d[range(n), y] -= 1
        d /= n
        loss.backward()
        return d, x.grad

    d, g = run(Chalk, Tensor(logits, requires_grad=True))
    td, tg = run(Torch, torch.tensor(logits, requires_grad=True))
    np.testing.assert_allclose(d.data, td.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-12)
    np.testing.assert_allclose(d.data, g.data, rtol=1e-12)  # the exercise's answer is the gradient


def lib_y(lib, y):
    return Tensor(y) if lib is Chalk else torch.tensor(y)


def test_backward_through_an_inplace_edit_matches_pytorch():
    rng = np.random.default_rng(1)
    logits, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])

    def run(lib, x):
        d = x * 2 + 1  # (PyTorch's softmax saves its output, so it cannot be edited before its backward)
        d[range(4), y] -= 1
        d *= x
        (d * d).sum().backward()
        return x.grad

    g = run(Chalk, Tensor(logits, requires_grad=True))
    tg = run(Torch, torch.tensor(logits, requires_grad=True))
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-12)


def test_an_inplace_edit_after_a_saving_use_keeps_the_saved_value():
    """Where PyTorch stops ("modified by an inplace operation"), chalkgrad's earlier node kept its
    value: the gradient is the right one (what PyTorch gives when the edit is out of place)."""
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    e = (x * 2).exp()  # saves its output e
    e += 1
    e.sum().backward()
    tx = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    te = (tx * 2).exp()
    with pytest.raises(RuntimeError, match="inplace"):
        te2 = te
        te2 += 1
        te2.sum().backward()
    tx.grad = None
    ((tx * 2).exp() + 1).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)


def test_a_tensor_a_view_shares_refuses_a_recorded_change():
    h = Tensor(np.arange(4.0), requires_grad=True) * 1
    v = h.reshape(2, 2)
    with pytest.raises(RuntimeError, match="shares its memory with a view"):
        h += 1
    assert v.data.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_autograd_grad_through_an_inplace_edit():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    h = x * 3
    h[1] = x[0] * x[2]
    (g,) = autograd.grad(h.sum(), x)
    np.testing.assert_array_equal(g.data, [3.0 + 3.0, 0.0, 3.0 + 1.0])


def test_second_derivatives_through_an_inplace_edit():
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    h = x * x
    early = h.exp()  # saved before the edit
    h *= x  # h = x^3
    (g,) = autograd.grad(h.sum() + early.sum(), x, create_graph=True)
    (gg,) = autograd.grad(g.sum(), x)
    tx = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    tg, = torch.autograd.grad((tx ** 3).sum() + (tx * tx).exp().sum(), tx, create_graph=True)
    tgg, = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gg.data, tgg.numpy(), rtol=1e-12)
