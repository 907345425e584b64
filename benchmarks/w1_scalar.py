"""W1 scalar graph: micrograd's demo, one forward + backward.

A 2-16-16-1 MLP built neuron by neuron from 0-d tensors (every weight its own scalar),
evaluated on `points` moons points with the max-margin loss plus an L2 penalty:

    loss = mean_i relu(1 - y_i * score_i) + 1e-4 * sum_p p**2

About 650 operations per point, so 100 points make a graph of ~65,000 nodes. There is
no sensible numpy version of a graph of scalars; the references are PyTorch (0-d tensors)
and a micrograd-style pure-Python `Value` class written below, for context.
"""
from __future__ import annotations

import math

import numpy as np

IMPLEMENTATIONS = ("chalkgrad", "torch", "micrograd")


def make_moons(points: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles with noise 0.1, labels -1/+1 (as sklearn's make_moons)."""
    rng = np.random.default_rng(seed)
    upper = points // 2
    angles = np.concatenate([np.linspace(0, np.pi, upper), np.linspace(0, np.pi, points - upper)])
    x = np.where(np.arange(points) < upper, np.cos(angles), 1 - np.cos(angles))
    y = np.where(np.arange(points) < upper, np.sin(angles), 0.5 - np.sin(angles))
    X = np.stack([x, y], axis=1) + rng.normal(scale=0.1, size=(points, 2))
    labels = np.where(np.arange(points) < upper, -1.0, 1.0)
    return X, labels


def initial_weights(sizes=(2, 16, 16, 1), seed: int = 1) -> list:
    """Per layer, per neuron: (weights, bias) as Python floats, uniform(-1, 1) as micrograd."""
    rng = np.random.default_rng(seed)
    return [
        [(rng.uniform(-1, 1, fan_in).tolist(), 0.0) for _ in range(fan_out)]
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    ]


def forward_loss(layers, X, labels, constant):
    """The demo's loss, written once for every scalar type that has + * relu().

    `layers` holds the scalar parameters as produced by `initial_weights`; `constant`
    wraps a Python float into that scalar type (inputs are constants, as in the demo)."""
    losses = []
    for xrow, label in zip(X, labels):
        activations = [constant(v) for v in xrow]
        for depth, layer in enumerate(layers):
            last = depth == len(layers) - 1
            outputs = []
            for weights, bias in layer:
                act = sum((w * a for w, a in zip(weights, activations)), bias)
                outputs.append(act if last else act.relu())
            activations = outputs
        losses.append((1 + -label * activations[0]).relu())
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in parameters(layers))
    return data_loss + reg_loss


def parameters(layers) -> list:
    return [p for layer in layers for weights, bias in layer for p in [*weights, bias]]


def setup(impl: str, points: int = 100):
    X, labels = make_moons(points)
    X, labels = X.tolist(), labels.tolist()
    weights = initial_weights()
    if impl == "chalkgrad":
        from autograd import Tensor

        make_param, constant = (lambda v: Tensor(v, requires_grad=True)), Tensor
    elif impl == "torch":
        import torch

        torch.set_num_threads(2)
        make_param = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
        constant = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    elif impl == "micrograd":
        make_param, constant = Value, Value
    else:
        raise ValueError(f"W1 has no implementation {impl!r}")
    layers = [[([make_param(w) for w in ws], make_param(b)) for ws, b in layer] for layer in weights]
    params = parameters(layers)

    def step():
        for p in params:
            p.grad = 0.0 if impl == "micrograd" else None
        loss = forward_loss(layers, X, labels, constant)
        loss.backward()
        return float(_value(loss)), math.fsum(float(_value(p.grad)) for p in params)

    info = {"points": points, "parameters": len(params)}
    if impl == "chalkgrad":
        info["nodes"] = count_nodes(forward_loss(layers, X, labels, constant))
    return step, info


def _value(x) -> float:
    return x.data if isinstance(x, Value) else x.item() if hasattr(x, "item") else x


def count_nodes(root) -> int:
    """Operations recorded in a chalkgrad graph (each Context once)."""
    seen, stack = set(), [root]
    while stack:
        t = stack.pop()
        ctx = t.grad_fn
        if ctx is None or id(ctx) in seen:
            continue
        seen.add(id(ctx))
        stack.extend(p for p in ctx.parents if hasattr(p, "grad_fn"))
    return len(seen)


class Value:
    """A micrograd-style scalar (for context only): data, grad, and a closure per node."""

    __slots__ = ("data", "grad", "_backward", "_prev")

    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0.0
        self._backward = _noop
        self._prev = _children

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, (self,))

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def backward(self):
        order, visited = [], set()
        stack = [(self, False)]
        while stack:  # iterative post-order (micrograd's recursive one dies on deep graphs)
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _noop():
    pass
