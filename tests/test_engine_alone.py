"""The engine alone: graphs built from two tiny Functions defined here, whose forward and backward
compute with numpy, so these tests pass or fail with engine.py and function.py whatever
autograd.ops does (every primitive is made to fail while they run).

    Times(a, k): out = k a,   da = k grad      (k a constant number)
    Product(a, b): out = a b, da = b grad, db = a grad
"""
import sys

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, no_grad
from autograd.engine import toposort
from autograd.function import Primitive


class Times(Function):
    """out = k a;  da = k grad"""

    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return k * a

    @staticmethod
    def backward(ctx, grad):
        return Tensor(ctx.k * grad.data), None


class Product(Function):
    """out = a b;  da = b grad,  db = a grad"""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return Tensor(grad.data * b.data), Tensor(grad.data * a.data)


def primitives(cls=Primitive):
    for sub in cls.__subclasses__():
        yield sub
        yield from primitives(sub)


@pytest.fixture(autouse=True)
def no_primitive_runs(request, monkeypatch):
    """Every primitive of autograd.ops raises if it is run (but those a test is `allowing`)."""
    def refuse(*args, **kwargs):
        raise AssertionError("a primitive of autograd.ops ran in an engine test")

    allowed = getattr(request.function, "allowed_primitives", ())
    for op in set(primitives()) - set(allowed):
        monkeypatch.setattr(op, "forward", staticmethod(refuse))
        monkeypatch.setattr(op, "backward", staticmethod(refuse))


def allowing(*ops):
    """Let these primitives run in one test: the engine itself uses them there."""
    def mark(test):
        test.allowed_primitives = ops
        return test
    return mark


def leaf(value):
    return Tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def test_the_fixture_refuses_primitives():
    with pytest.raises(AssertionError, match="primitive"):
        leaf(1.0) * 2


def test_a_node_used_twice_gets_both_gradients():
    a = leaf(3.0)
    Product.apply(a, a).backward()  # a * a
    assert a.grad.item() == 6.0
    x = leaf([1.0, -2.0])
    y = Product.apply(Times.apply(x, 2.0), Times.apply(x, 5.0))  # the diamond: 10 x^2 along two paths
    y.backward(np.ones(2))
    assert y.data.tolist() == [10.0, 40.0] and x.grad.data.tolist() == [20.0, -40.0]


def test_the_walk_runs_each_backward_once_after_all_its_users():
    x = leaf(2.0)
    h = Times.apply(x, 3.0)
    y = Product.apply(Product.apply(h, x), h)  # h reached by a short and a long path
    order = toposort([y])
    assert order[0] is x and order[-1] is y
    position = {id(t): i for i, t in enumerate(order)}
    assert all(position[id(p)] < position[id(t)] for t in order if t.grad_fn for p in t.grad_fn.parents
               if isinstance(p, Tensor))
    y.backward()  # y = 9 x^3
    assert x.grad.item() == 27 * 2.0 ** 2


def test_a_chain_deeper_than_the_recursion_limit():
    depth = 100_000
    assert depth > sys.getrecursionlimit() * 10
    x = leaf(0.5)
    y = x
    for _ in range(depth):
        y = Times.apply(y, -1.0)
    y.backward()
    assert x.grad.item() == 1.0 and y.grad_fn.name == "Times"


@allowing(autograd.ops.Add)  # a second backward adds into .grad with Tensor +
def test_gradients_accumulate_and_a_freed_graph_says_retain_graph():
    x = leaf(2.0)
    y = Product.apply(x, Times.apply(x, 4.0))  # 4 x^2
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 2 * 16.0
    with pytest.raises(RuntimeError, match=r"retain_graph=True") as info:
        y.backward()
    assert "Product" in str(info.value)


def test_grad_returns_gradients_and_leaves_dot_grad_alone():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    h = Product.apply(x, w)
    gx, gh = autograd.grad(Times.apply(h, 2.0), [x, h], grad_outputs=Tensor(np.ones(2)))
    assert gx.data.tolist() == [6.0, 8.0] and gh.data.tolist() == [2.0, 2.0]
    assert x.grad is None and w.grad is None


def test_no_grad_records_nothing():
    x = leaf(1.0)
    with no_grad():
        y = Product.apply(x, x)
    assert y.grad_fn is None and not y.requires_grad and y.item() == 1.0
    assert Times.apply(x, 2.0).grad_fn.needs_input_grad == (True, False)


def test_a_hook_sees_and_replaces_the_gradient():
    x = leaf(1.0)
    h = Times.apply(x, 3.0)
    seen = []
    h.register_hook(lambda g: seen.append(g.item()) or Tensor(10 * g.data))
    Times.apply(h, 2.0).backward()
    assert seen == [2.0] and x.grad.item() == 60.0


def test_a_saved_tensor_changed_in_place_stops_backward():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = Product.apply(x, w)
    with no_grad():
        w.data[...] = 0  # through .data: not seen (as PyTorch's .data)
    y.backward(np.ones(2))
    assert x.grad.data.tolist() == [0.0, 0.0]
    y = Product.apply(x, w)
    with no_grad():
        w[...] = 1.0  # setitem bumps the version
    with pytest.raises(RuntimeError, match="Product.*modified in place"):
        y.backward(np.ones(2))
