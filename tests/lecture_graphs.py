"""The graphs the step pages are made for, built fresh for each test: the lecture's gate, the
two-layer MLP in matrix form with softmax cross-entropy (batch 4), a small CNN and an MLP with
batch norm (both as nn modules)."""
from __future__ import annotations

import numpy as np

import nn
from autograd import Tensor
from autograd.cli import gate_example
from nn import functional as F


def gate():
    """f = (x + y) * z at x=-2, y=5, z=-4 (q and f named as in the lecture)."""
    return gate_example()[-1], {}


def mlp():
    """F.cross_entropy((X @ W1 + b1).relu() @ W2 + b2, y) with X of shape 4×3, 5 hidden units, 3 classes."""
    rng = np.random.default_rng(0)
    X = Tensor(rng.standard_normal((4, 3)), name="X")
    params = {"W1": Tensor(rng.standard_normal((3, 5)) * 0.5, requires_grad=True, name="W1"),
              "b1": Tensor(rng.standard_normal(5) * 0.1, requires_grad=True, name="b1"),
              "W2": Tensor(rng.standard_normal((5, 3)) * 0.5, requires_grad=True, name="W2"),
              "b2": Tensor(rng.standard_normal(3) * 0.1, requires_grad=True, name="b2")}
    W1, b1, W2, b2 = params.values()
    loss = F.cross_entropy((X @ W1 + b1).relu() @ W2 + b2, np.array([0, 2, 1, 0]))
    return loss, params


def cnn():
    """Conv2d 1→4 3×3, ReLU, MaxPool2d 2, Flatten, Linear, cross-entropy; a batch of 8 8×8 images."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, generator=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(4 * 3 * 3, 3, generator=1))
    images = Tensor(rng.standard_normal((8, 1, 8, 8)), name="images")
    loss = nn.CrossEntropyLoss()(model(images), rng.integers(0, 3, 8))
    return loss, dict(model.named_parameters())


def batchnorm():
    """Linear 3→5, BatchNorm1d, ReLU, Linear 5→3 on a batch of 4, F.cross_entropy."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 5, generator=0), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3, generator=1))
    x = Tensor(rng.standard_normal((4, 3)), name="x")
    loss = F.cross_entropy(model(x), np.array([0, 2, 1, 0]))
    return loss, dict(model.named_parameters())


GRAPHS = {"gate": gate, "mlp": mlp, "cnn": cnn, "batchnorm": batchnorm}
