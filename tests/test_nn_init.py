"""nn.init: empirical variances match the formulas, seeds reproduce, fans and gains."""
import math

import numpy as np
import pytest
import torch

import nn
from autograd import Tensor
from nn import init


def empty(*shape):
    return nn.Parameter(np.empty(shape))


@pytest.mark.parametrize("shape", [(400, 300), (64, 32, 3, 3)])
def test_xavier_and_kaiming_variances_match_their_formulas(shape):
    w = empty(*shape)
    fan_in = shape[1] * int(np.prod(shape[2:]))
    fan_out = shape[0] * int(np.prod(shape[2:]))
    cases = [
        (init.xavier_uniform_, {}, 2 / (fan_in + fan_out)),
        (init.xavier_normal_, {}, 2 / (fan_in + fan_out)),
        (init.xavier_normal_, {"gain": init.calculate_gain("tanh")}, (5 / 3) ** 2 * 2 / (fan_in + fan_out)),
        (init.kaiming_uniform_, {}, 2 / fan_in),  # He: Var = 2 / fan_in
        (init.kaiming_normal_, {}, 2 / fan_in),
        (init.kaiming_normal_, {"mode": "fan_out"}, 2 / fan_out),
        (init.kaiming_normal_, {"nonlinearity": "linear"}, 1 / fan_in),
        (init.normal_, {}, 0.01 ** 2),  # the lecture's 0.01 * randn
        (init.uniform_, {"a": -1.0, "b": 1.0}, 1 / 3),
    ]
    for fill, kwargs, variance in cases:
        fill(w, generator=0, **kwargs)
        assert abs(w.data.mean()) < 0.03 * math.sqrt(variance)
        assert abs(w.data.var() / variance - 1) < 0.03, (fill.__name__, kwargs)


def test_uniform_bounds_are_the_documented_ones():
    w = empty(50, 200)
    init.xavier_uniform_(w, generator=1)
    bound = math.sqrt(6 / 250)
    assert w.data.max() <= bound and w.data.min() >= -bound and w.data.max() > 0.95 * bound
    init.kaiming_uniform_(w, generator=1, nonlinearity="relu")
    assert np.abs(w.data).max() <= math.sqrt(6 / 200)


def test_same_seed_same_weights():
    a, b = nn.Linear(5, 4, generator=42), nn.Linear(5, 4, generator=42)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    assert not np.array_equal(a.weight.data, nn.Linear(5, 4, generator=43).weight.data)
    nn.manual_seed(7)
    first = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(3, 3)).state_dict()
    nn.manual_seed(7)
    second = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(3, 3)).state_dict()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(init.normal_(empty(3, 3), generator=g1).data, init.normal_(empty(3, 3), generator=g2).data)


def test_default_init_is_pytorchs_uniform_one_over_sqrt_fan_in():
    layer = nn.Linear(300, 200, generator=0)
    k = 1 / math.sqrt(300)
    assert np.abs(layer.weight.data).max() <= k and np.abs(layer.bias.data).max() <= k
    assert abs(layer.weight.data.var() / (k * k / 3) - 1) < 0.03
    conv = nn.Conv2d(4, 8, 3, generator=0)
    assert np.abs(conv.weight.data).max() <= 1 / math.sqrt(36)


def test_fans_gains_and_values_in_place():
    assert init.calculate_fan_in_and_fan_out(empty(8, 3)) == (3, 8)
    assert init.calculate_fan_in_and_fan_out(empty(8, 3, 5, 5)) == (75, 200)
    for name in ["linear", "sigmoid", "tanh", "relu", "selu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_normal_(empty(5))
    w = empty(2, 3)
    assert init.constant_(w, 0.5) is w and np.all(w.data == 0.5)
    assert np.all(init.zeros_(w).data == 0) and np.all(init.ones_(w).data == 1)
    w32 = nn.Parameter(np.empty((3, 3), dtype=np.float32))
    assert init.kaiming_normal_(w32).dtype == np.float32
    with pytest.raises(TypeError, match="generator"):
        init.normal_(w, generator="seed")
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.constant_(np.zeros(3), 1.0)


def test_initialising_a_tensor_used_in_a_graph_is_caught_by_the_version_check():
    w = nn.Parameter(np.ones((2, 2)))
    out = (w * w).sum()
    init.zeros_(w)
    with pytest.raises(RuntimeError, match="modified in place"):
        out.backward()
    assert isinstance(w, Tensor)
