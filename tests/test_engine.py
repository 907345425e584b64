"""The engine: graph walks, gradient accumulation, backward and grad(), higher derivatives, hooks,
grad modes, anomaly detection and memory. In-place safety is in test_inplace.py, the custom
Function API in test_function.py, the engine on a Function of its own (no autograd.ops) in
test_engine_alone.py."""
import gc
import sys
import threading
import weakref

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor, detect_anomaly, enable_grad, no_grad
from autograd.engine import toposort

def leaf(value, dtype=np.float64, name=None):
    return Tensor(np.asarray(value, dtype=dtype), requires_grad=True, name=name)


# ----- graph shapes -----------------------------------------------------------------------------------
def test_diamond_graph_sums_both_paths():
    x = leaf(3.0)
    a, b = x * 2, x * 5  # two paths from x to f
    f = a * b  # f = 10 x^2
    f.backward()
    assert f.item() == 90.0
    assert x.grad.item() == 60.0  # 20 x


def test_a_plus_a_and_a_times_a():
    a = leaf(3.0)
    (a + a).backward()
    assert a.grad.item() == 2.0
    b = leaf(3.0)
    (b * b).backward()
    assert b.grad.item() == 6.0
    c = leaf([1.0, -2.0])
    (c * c * c).sum().backward()  # a node used three times through two Mul nodes
    np.testing.assert_allclose(c.grad.data, 3 * c.data ** 2)


def test_toposort_puts_every_tensor_after_all_its_inputs():
    """A node reached first by a short path must still wait for its longer-path inputs."""
    x = leaf([0.5, 1.5])
    c32 = x.astype(np.float32)
    back = c32.astype(np.float64)
    y = back * x  # Mul's parents: (back, x); x is also reached through back -> c32 -> x
    order = toposort([y])
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        for parent in (t.grad_fn.parents if t.grad_fn else ()):
            if isinstance(parent, Tensor) and parent.requires_grad:
                assert position[id(parent)] < position[id(t)]
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * x.data)


def test_toposort_is_deterministic():
    def build():
        x, w = leaf([1.0, 2.0], name="x"), leaf([3.0, 4.0], name="w")
        return ((x * w).exp() + x.sin() * w).sum()

    names = [[t.grad_fn.name if t.grad_fn else t.name for t in toposort([build()])] for _ in range(3)]
    assert names[0] == names[1] == names[2]
    assert names[0][:2] == ["x", "w"]


def test_deep_chain_has_no_recursion_error():
    depth = 100_000
    assert depth > sys.getrecursionlimit() * 10
    x = leaf(0.5)
    y = x
    for _ in range(depth):
        y = -y  # the cheapest node; an even number of them gives y = x
    assert y.item() == 0.5 and y.grad_fn.name == "Neg"
    y.backward()
    assert x.grad.item() == 1.0
    del y  # dropping a 100,000-node graph must not overflow the C stack either


# ----- backward, retain_graph, grad() -----------------------------------------------------------------
def test_retain_graph_accumulates_and_freed_graph_errors():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * 2 * x.data)  # two backward calls: twice 2x
    with pytest.raises(RuntimeError, match="retain_graph=True") as info:
        y.backward()
    assert "Mul" in str(info.value) and "second time" in str(info.value)


def test_leaf_gradients_are_independent_and_writable():
    """Add hands one array to both inputs and Sum a read-only broadcast view; each .grad must
    still be a tensor of its own that can be changed in place (gradient clipping does)."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.data, b.grad.data)
    with no_grad():
        a.grad *= 0.5
    assert a.grad.data.tolist() == [0.5, 0.5] and b.grad.data.tolist() == [1.0, 1.0]
    c, d = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (c + d).sum().backward(create_graph=True)
    assert c.grad is not d.grad and not np.shares_memory(c.grad.data, d.grad.data)


def test_grad_returns_without_touching_dot_grad_and_handles_non_leaves():
    x = leaf([1.0, 2.0, 3.0])
    h = x * 2  # a non-leaf input
    f = (h ** 2).sum()
    (dh, dx) = autograd.grad(f, [h, x])
    np.testing.assert_allclose(dh.data, 2 * h.data)
    np.testing.assert_allclose(dx.data, 8 * x.data)
    assert x.grad is None and h.grad is None
    single = autograd.grad((x * 3).sum(), x)  # a single Tensor input gives a 1-tuple
    assert isinstance(single, tuple) and len(single) == 1
    np.testing.assert_allclose(single[0].data, [3.0, 3.0, 3.0])


def test_grad_allow_unused():
    x, unused = leaf(2.0), leaf(5.0)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        autograd.grad(x * x, [x, unused], retain_graph=True)
    gx, gu = autograd.grad(x * x, [x, unused], allow_unused=True)
    assert gx.item() == 4.0 and gu is None


def test_grad_with_grad_outputs_is_a_vector_jacobian_product():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[0.5, -1.0], [2.0, 0.25]])
    (g,) = autograd.grad(x.exp() * x, x, grad_outputs=Tensor(w))
    np.testing.assert_allclose(g.data, w * np.exp(x.data) * (1 + x.data))


def test_backward_with_gradient_argument():
    x = leaf([1.0, 2.0])
    (x * 3).backward(gradient=np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.data, [3.0, 30.0])
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * 3).backward(gradient=np.ones(3))


def test_grad_checks_grad_outputs_and_allows_repeated_inputs():
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="2 output"):
        autograd.grad([(x * 2).sum(), (x * 3).sum()], x, grad_outputs=[None])
    first, second = autograd.grad((x * x).sum(), [x, x])
    assert first.tolist() == second.tolist() == [2.0, 2.0]


def test_grad_of_a_non_leaf_leaves_the_rest_of_the_graph_usable():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * x
    (dz_dy,) = autograd.grad((y * 3).sum(), y)
    assert dz_dy.tolist() == [3.0, 3.0]
    y.sum().backward()  # the x -> y part was neither walked nor freed
    assert x.grad.tolist() == [2.0, 2.0]


def test_non_scalar_backward_without_gradient_is_a_clear_error():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*gradient="):
        y.backward()


def test_a_gradient_that_is_not_numbers_is_a_clear_error():
    """None became NaN and a complex gradient lost its imaginary part (or numpy's bare ValueError)."""
    x = leaf([1.0, 2.0])
    for gradient in ([None, None], ["a", "b"], np.array([1j, 1.0])):
        with pytest.raises(TypeError, match=r"backward: `gradient` must hold real numbers.*\(2,\)"):
            (x * 2).backward(gradient)
    assert x.grad is None


def test_backward_of_a_tensor_without_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scalar_graph_backward_hands_out_0d_arrays(dtype):
    # 0-d nodes run their backward rules on numpy scalars (faster than 0-d arrays); what users
    # see (.grad, hooks, autograd.grad) must still be 0-d arrays of the tensors' dtype.
    a = Tensor(np.array(1.5, dtype), requires_grad=True)
    b = Tensor(np.array(-0.5, dtype), requires_grad=True)
    h = a * b + a  # h = a(b + 1) = 0.75
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g))
    loss = (h * h).tanh()  # d loss/dh = 2h (1 - tanh(h^2)^2)
    loss.backward()
    dh = 2 * 0.75 * (1 - np.tanh(0.75**2) ** 2)
    expected = {"h": dh, "a": dh * (-0.5 + 1), "b": dh * 1.5}
    tol = 1e-6 if dtype == np.float32 else 1e-12
    for name, t in (("h", h), ("a", a), ("b", b)):
        assert type(t.grad.data) is np.ndarray and t.grad.shape == () and t.grad.dtype == dtype, name
        assert abs(float(t.grad.data) - expected[name]) < tol, name
    assert type(seen[0].data) is np.ndarray and seen[0].dtype == dtype
    a.grad.data += 1  # a .grad is the leaf's own array, safe to change in place
    assert abs(float(b.grad.data) - expected["b"]) < tol
    ga, gb = autograd.grad((a * b).exp(), [a, b])
    assert type(ga.data) is np.ndarray and ga.dtype == dtype
    assert abs(float(gb.data) - np.exp(-0.75) * 1.5) < tol


# ----- higher derivatives (create_graph) --------------------------------------------------------------
def test_hessian_vector_product_matches_torch():
    rng = np.random.default_rng(0)
    x0, a0, v0 = rng.standard_normal(4), rng.standard_normal((4, 4)), rng.standard_normal(4)

    x = leaf(x0)
    f = (x.tanh() * x.sin()).sum() + x @ (Tensor(a0) @ x) + (x ** 4).sum()
    (g,) = autograd.grad(f, x, create_graph=True)
    (hv,) = autograd.grad((g * Tensor(v0)).sum(), x)

    tx = torch.tensor(x0, requires_grad=True)
    tf = (tx.tanh() * tx.sin()).sum() + tx @ (torch.tensor(a0) @ tx) + (tx ** 4).sum()
    (tg,) = torch.autograd.grad(tf, tx, create_graph=True)
    (thv,) = torch.autograd.grad((tg * torch.tensor(v0)).sum(), tx)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(hv.data, thv.numpy(), rtol=1e-10)


def test_second_and_third_derivative_of_tanh():
    x = leaf(0.7)
    (d1,) = autograd.grad(x.tanh(), x, create_graph=True)
    (d2,) = autograd.grad(d1, x, create_graph=True)
    (d3,) = autograd.grad(d2, x)
    t = np.tanh(0.7)
    assert d1.item() == pytest.approx(1 - t ** 2)
    assert d2.item() == pytest.approx(-2 * t * (1 - t ** 2))
    assert d3.item() == pytest.approx(-2 * (1 - t ** 2) ** 2 + 4 * t ** 2 * (1 - t ** 2))


def test_backward_create_graph_makes_dot_grad_differentiable():
    x = leaf(2.0)
    (x ** 3).backward(create_graph=True)
    assert x.grad.item() == 12.0 and x.grad.requires_grad
    (d2,) = autograd.grad(x.grad, x)
    assert d2.item() == 12.0  # 6x


def test_pow_second_derivative_at_zero_base():
    """d2(a**b)/da2 = b (b-1) a**(b-2): at a = 0 it is 2 for b = 2 and 0 for b = 3
    (PyTorch returns NaN here; the table row skips its second-order comparison)."""
    for b, expected in ((2.0, 2.0), (3.0, 0.0)):
        a, bt = leaf(0.0), leaf(b)
        (ga,) = autograd.grad(a ** bt, a, create_graph=True)
        (gaa,) = autograd.grad(ga, a)
        assert gaa.item() == expected
        (gb,) = autograd.grad(a ** bt, bt)
        assert gb.item() == 0.0  # d(a**b)/db = a**b log a -> 0 at a = 0


# ----- hooks and retain_grad --------------------------------------------------------------------------
def test_hook_can_replace_the_gradient_and_be_removed():
    x = leaf([1.0, 2.0])
    h = x * 3
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.data.copy()) or g * 10)
    (h * h).sum().backward(retain_graph=True)
    np.testing.assert_allclose(seen[0], 2 * h.data)
    np.testing.assert_allclose(x.grad.data, 10 * 2 * h.data * 3)  # the replaced gradient flows on
    handle.remove()
    x.grad = None
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * h.data * 3)
    assert len(seen) == 1


def test_hook_on_leaf_changes_what_is_accumulated():
    x = leaf(2.0)
    x.register_hook(lambda g: g + 1)
    (x * 5).backward()
    assert x.grad.item() == 6.0


def test_retain_grad_keeps_gradient_of_non_leaf():
    x = leaf([1.0, 2.0])
    h = x.exp()
    h.retain_grad()
    other = x * 2
    (h * other).sum().backward()
    np.testing.assert_allclose(h.grad.data, other.data)
    assert other.grad is None  # non-leaves without retain_grad keep nothing
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).retain_grad()


def test_hook_changing_the_shape_is_refused():
    x = Tensor(np.ones(2), requires_grad=True)
    x.register_hook(lambda g: np.zeros(3))
    with pytest.raises(RuntimeError, match="shape"):
        (x * 1).sum().backward()


def test_hook_returning_something_other_than_a_gradient_is_refused():
    x = Tensor(np.ones(2), requires_grad=True)
    x.register_hook(lambda g: "done")
    with pytest.raises(TypeError, match=r"hook.*shape \(2,\) returned str.*None"):
        (x * 1).sum().backward()


# ----- gradients handed out ---------------------------------------------------------------------------
def test_gradients_users_can_see_are_never_overwritten():
    rng = np.random.default_rng(1)
    x, w = leaf(rng.standard_normal((100, 100))), leaf(rng.standard_normal((100, 100)))
    upstream = rng.standard_normal((100, 100))
    h = x.relu()
    (h + w).backward(upstream.copy())  # Add hands the same array to h and to the leaf w
    np.testing.assert_array_equal(w.grad.data, upstream)
    seen = []
    h = (x * 2.0).relu()
    h.register_hook(lambda g: seen.append(g.data.copy()) or None)
    h.retain_grad()
    given = upstream.copy()
    (h * 1.5).backward(given)
    np.testing.assert_array_equal(given, upstream)  # the caller's gradient is untouched
    np.testing.assert_array_equal(h.grad.data, 1.5 * upstream)  # retain_grad keeps the incoming one
    np.testing.assert_array_equal(seen[0], 1.5 * upstream)
    h2 = (x * 2.0).relu()
    g_h, g_x = autograd.grad((h2 * 1.5).sum(), [h2, x])
    np.testing.assert_array_equal(g_h.data, np.full((100, 100), 1.5))  # asked for: not overwritten
    np.testing.assert_array_equal(g_x.data, 3.0 * (x.data > 0))


def test_observe_sees_every_node_with_what_the_engine_computed():
    x = Tensor(np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]]), requires_grad=True)
    b = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True)
    events = []
    with autograd.engine.observe(lambda t, up, sent, received: events.append((t, up, sent, received))):
        h = (x + b).relu()
        loss = (h * h).sum()
        loss.backward()
    assert [t.grad_fn.name for t, *_ in events] == ["Sum", "Mul", "Relu", "Add"]
    t, upstream, sent, received = events[-1]  # the broadcast add: b's gradient summed over the batch axis
    assert sent[1].shape == (2, 3) and received[1].shape == (3,)
    np.testing.assert_allclose(received[1], b.grad.data)
    np.testing.assert_allclose(received[0], x.grad.data)
    np.testing.assert_allclose(upstream, 2 * np.maximum(x.data + b.data, 0) * (x.data + b.data > 0))
    ((x * 2).sum()).backward()  # outside the with-block: not observed
    assert len(events) == 4


# ----- grad modes and detach --------------------------------------------------------------------------
def test_no_grad_and_enable_grad_as_context_managers():
    x = leaf(1.0)
    with no_grad():
        y = x * 2
        assert not autograd.is_grad_enabled()
        with enable_grad():
            z = x * 2
        w = x * 2
    assert autograd.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad
    assert z.requires_grad and z.grad_fn.name == "Mul"
    assert not w.requires_grad


def test_grad_modes_as_decorators_and_restored_after_errors():
    @no_grad
    def bare(t):
        return t * 2

    @no_grad()
    def called(t):
        return t * 2

    @enable_grad()
    def recording(t):
        return t * 2

    x = leaf(1.0)
    assert not bare(x).requires_grad and not called(x).requires_grad
    with no_grad():
        assert recording(x).requires_grad
    assert bare.__name__ == "bare"

    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert autograd.is_grad_enabled()


def test_no_grad_is_thread_local():
    x = leaf(1.0)
    inside, started, done = threading.Event(), threading.Event(), threading.Event()
    results = {}

    def worker():
        with no_grad():
            started.set()
            inside.wait(5)
            results["worker"] = (x * 2).requires_grad
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert started.wait(5)
    results["main"] = (x * 2).requires_grad  # while the worker is inside no_grad
    inside.set()
    thread.join(5)
    assert done.is_set()
    assert results == {"main": True, "worker": False}


def test_set_grad_enabled():
    x = leaf(1.0)
    with autograd.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with autograd.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_detach_shares_data_and_stops_gradients():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (x * d).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.data, d.data)  # d is a constant: no 4x term
    e = x.detach()
    assert np.shares_memory(e.data, x.data)


# ----- anomaly detection ------------------------------------------------------------------------------
def test_detect_anomaly_forward_names_op_and_line():
    x = leaf([1.0, -1.0])
    with np.errstate(invalid="ignore"), detect_anomaly():
        with pytest.raises(FloatingPointError) as info:
            y = x.log()  # the line the message must point at  # noqa: F841
    message = str(info.value)
    assert "Log" in message and "NaN" in message
    assert "test_engine.py" in message and "y = x.log()" in message


def test_detect_anomaly_backward_names_the_backward_node():
    x = leaf([0.0, 4.0])
    with detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError) as info, np.errstate(divide="ignore"):
            y.backward()
    message = str(info.value)
    assert "SqrtBackward" in message and "Inf" in message
    assert "y = x.sqrt().sum()" in message


def test_without_detect_anomaly_nan_passes_silently():
    x = leaf([0.0, 4.0])
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0])


# ----- memory -----------------------------------------------------------------------------------------
def test_intermediates_of_a_dropped_graph_are_freed():
    gc_was_enabled = gc.isenabled()
    gc.disable()  # freed by reference counting alone: the graph holds no cycles
    try:
        x = leaf(np.ones(1000))
        h = x.exp()
        ref = weakref.ref(h)
        ctx_ref = weakref.ref(h.grad_fn)
        loss = (h * h).sum()
        del h
        assert ref() is not None  # the graph still needs it
        loss.backward()
        del loss
        assert ref() is None and ctx_ref() is None
        assert x.grad is not None
    finally:
        if gc_was_enabled:
            gc.enable()


def test_backward_frees_saved_values():
    x = leaf(np.ones(100))
    y = x.exp()
    z = y * x
    loss = z.sum()
    loss.backward()
    assert z.grad_fn._saved is None and y.grad_fn._saved is None


def test_detach_of_detach_and_graph_not_kept_alive():
    x = Tensor(np.ones(3), requires_grad=True)
    twice = x.detach().detach()  # a multi-element base must not be asked for its truth value
    assert twice.data is x.data
    y = (x * 2).sum()
    kept = y.detach()  # e.g. a loss stored for a plot
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None, "a detached tensor must not keep its base's graph alive"
    assert kept.item() == 6.0
