"""Toy datasets generated in code (moons, spirals, XOR, regression data) and scikit-learn's digits."""
from __future__ import annotations

import numpy as np

from nn.data.batching import Seed


# ----- toy datasets ---------------------------------------------------------------------------
def _split_count(n_samples: int, n_parts: int) -> list[int]:
    """n_samples shared as evenly as possible: the first parts get one more."""
    return [n_samples // n_parts + (k < n_samples % n_parts) for k in range(n_parts)]


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D: X (n, 2) float64, y (n,) int64 in {0, 1}.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t in [0, pi]; plus Gaussian noise.
    """
    rng = np.random.default_rng(seed)
    n0, n1 = _split_count(n_samples, 2)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(n_samples)
    return X[order], y[order]


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2,
                 seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """K interleaved spiral arms in 2-D (the classic non-linear toy problem).

    Arm k: radius r from 0 to 1, angle t = 4k + 4r + noise * N(0, 1) (radians),
    point (r sin t, r cos t). Returns X (n, 2) float64 and y (n,) int64 in 0..K-1.
    """
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k, n_k in enumerate(_split_count(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n_k)
        t = 4.0 * k + 4.0 * r + noise * rng.standard_normal(n_k)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], 1))
        y.append(np.full(n_k, k, np.int64))
    return np.concatenate(X), np.concatenate(y)


def make_xor(n_samples: int = 4, noise: float = 0.0, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """The XOR problem: corners (0,0), (0,1), (1,0), (1,1) with labels 0, 1, 1, 0.

    By default exactly the four rows of the truth table, in that order. With more samples,
    sample i sits at corner i % 4 plus Gaussian noise of std `noise`. X float64 (n, 2), y int64 (n,).
    """
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0], np.int64)
    idx = np.arange(n_samples) % 4
    X = corners[idx] + noise * np.random.default_rng(seed).standard_normal((n_samples, 2))
    return X, labels[idx]


def make_linear_regression(n_samples: int = 100, slope: float = 2.5, intercept: float = 50.0,
                           noise: float = 25.0, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """House prices: X = living area in m^2 (n, 1), y = price in thousands (n,).

    area ~ Uniform(30, 200);  price = intercept + slope * area + noise * N(0, 1).
    The features are deliberately unscaled (tens to hundreds), so feature scaling matters.
    """
    rng = np.random.default_rng(seed)
    area = rng.uniform(30.0, 200.0, size=(n_samples, 1))
    price = intercept + slope * area[:, 0] + noise * rng.standard_normal(n_samples)
    return area, price


def make_logistic_regression(n_samples: int = 200, n_features: int = 2, weights=None, bias: float = 0.0,
                             seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels from a logistic model: x ~ N(0, I), P(y=1 | x) = sigmoid(w . x + b).

    `weights` defaults to (2, -3) for two features, else to 2 * N(0, 1) draws from the seed.
    Labels are sampled (so classes overlap near the boundary). X float64 (n, d), y int64 (n,).
    """
    rng = np.random.default_rng(seed)
    if weights is None:
        weights = [2.0, -3.0] if n_features == 2 else 2.0 * rng.standard_normal(n_features)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (n_features,):
        raise ValueError(f"make_logistic_regression: weights must have shape ({n_features},), got {weights.shape}.")
    X = rng.standard_normal((n_samples, n_features))
    p = 1.0 / (1.0 + np.exp(-(X @ weights + bias)))
    y = (rng.uniform(size=n_samples) < p).astype(np.int64)
    return X, y


def load_digits(dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's handwritten digits: X (1797, 1, 8, 8) scaled to [0, 1], y (1797,) int64 in 0..9.

    Needs scikit-learn (the data ship with it; nothing is downloaded).
    """
    try:
        from sklearn.datasets import load_digits as _sklearn_load_digits
    except ImportError:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the 8x8 digits data set. Install it with "
            "`pip install scikit-learn` (or `pip install chalkgrad[test]`), or use a toy data set "
            "from nn.data such as make_spirals()."
        ) from None
    digits = _sklearn_load_digits()
    X = (digits.images / 16.0).astype(dtype)[:, None, :, :]
    return X, digits.target.astype(np.int64)
