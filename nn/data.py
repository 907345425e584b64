"""Data for training: mini-batches, splits, scaling, one-hot, toy datasets and image augmentation.

Everything here is plain numpy: functions take and return numpy arrays (a Tensor passed in is
read through `np.asarray`), and the training loop turns a batch into a Tensor when it calls the
model. Randomness always comes from a seeded `np.random.Generator`: every function that draws
random numbers takes `seed=` (an int, a Generator, or None for fresh entropy), so lecture results
are reproducible.

    X, y = make_moons(200, noise=0.1, seed=0)
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    for xb, yb in batches(scaler.transform(X_train), y_train, batch_size=32, seed=0):
        ...
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

__all__ = [
    "batches", "DataLoader", "train_val_test_split", "StandardScaler", "one_hot",
    "make_moons", "make_spirals", "make_xor", "make_linear_regression", "make_logistic_regression",
    "load_digits",
    "random_horizontal_flip", "random_crop", "cutout", "color_jitter", "mixup", "Mixup", "Compose",
]

Seed = int | np.random.Generator | None


def _rng(seed: Seed) -> np.random.Generator:
    """A Generator from an int seed, an existing Generator (used as is), or None (fresh entropy)."""
    return np.random.default_rng(seed)


def _check_same_length(where: str, X: np.ndarray, y: np.ndarray | None) -> None:
    if X.ndim == 0:
        raise ValueError(f"{where}: X must have a sample axis first, but it is a scalar (shape ()).")
    if y is not None and len(y) != len(X):
        raise ValueError(
            f"{where}: X and y must have the same number of samples (first axis), "
            f"but X has shape {X.shape} and y has shape {y.shape}."
        )


# ----- mini-batches ---------------------------------------------------------------------------
def batches(
    X, y=None, batch_size: int = 32, shuffle: bool = True, seed: Seed = None, drop_last: bool = False
) -> Iterator:
    """Yield mini-batches `(X[idx], y[idx])` (or just `X[idx]` when y is None) covering one epoch.

    With `shuffle=True` the sample order is a random permutation drawn from `seed`; every sample
    appears exactly once per epoch. The last batch is smaller when `batch_size` does not divide
    the number of samples, unless `drop_last=True` drops it. Batches are numpy arrays.
    """
    X = np.asarray(X)
    y = None if y is None else np.asarray(y)
    _check_same_length("batches", X, y)
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}.")
    n = len(X)
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        idx = order[start:start + batch_size]
        yield X[idx] if y is None else (X[idx], y[idx])


class DataLoader:
    """Mini-batches you can loop over once per epoch: `for xb, yb in loader: ...`.

    Like `batches`, but re-iterable: each pass (epoch) draws a new permutation from one
    Generator seeded once, so the sequence of epochs is reproducible. `len(loader)` is the
    number of batches per epoch.
    """

    def __init__(self, X, y=None, batch_size: int = 32, shuffle: bool = True, seed: Seed = None,
                 drop_last: bool = False):
        self.X = np.asarray(X)
        self.y = None if y is None else np.asarray(y)
        _check_same_length("DataLoader", self.X, self.y)
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}.")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = _rng(seed)

    def __iter__(self) -> Iterator:
        return batches(self.X, self.y, self.batch_size, self.shuffle, self._rng, self.drop_last)

    def __len__(self) -> int:
        n = len(self.X)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.X)} samples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")


# ----- splitting, scaling, one-hot ------------------------------------------------------------
def train_val_test_split(X, y=None, fractions: Sequence[float] = (0.8, 0.1, 0.1), seed: Seed = 0,
                         shuffle: bool = True) -> tuple:
    """Split samples into disjoint parts that together hold every sample once.

    Returns one `(X_part, y_part)` pair per fraction (just `X_part` when y is None):

        (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, (0.8, 0.1, 0.1))

    Two fractions give a train/test split. Part sizes are `round(n * cumulative fraction)`
    differences, so they always add up to n. Samples are shuffled with `seed` first.
    """
    X = np.asarray(X)
    y = None if y is None else np.asarray(y)
    _check_same_length("train_val_test_split", X, y)
    fractions = np.asarray(fractions, dtype=np.float64)
    if fractions.ndim != 1 or len(fractions) < 2 or np.any(fractions < 0) or not np.isclose(fractions.sum(), 1):
        raise ValueError(
            "train_val_test_split: fractions must be two or more non-negative numbers summing to 1, "
            f"e.g. (0.8, 0.1, 0.1); got {tuple(fractions.tolist())}."
        )
    n = len(X)
    bounds = np.round(np.cumsum(fractions) * n).astype(int)
    bounds[-1] = n
    sizes = np.diff(bounds, prepend=0)
    if np.any(sizes[fractions > 0] == 0):
        raise ValueError(
            f"train_val_test_split: {n} samples are too few for fractions {tuple(fractions.tolist())}: "
            f"the parts would have sizes {sizes.tolist()}. Use more samples or larger fractions."
        )
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
    parts = np.split(order, bounds[:-1])
    return tuple(X[idx] if y is None else (X[idx], y[idx]) for idx in parts)


class StandardScaler:
    """Standardise features: x' = (x - mean) / std, with mean and std measured on the training set.

    `fit(X_train)` stores `mean_` and `scale_` (the population std, ddof=0), reducing over
    `axis` (default 0: one statistic per feature column; use `axis=(0, 2, 3)` for one per
    channel of (N, C, H, W) images). A feature with zero variance gets scale 1 (it is only
    centred), so nothing is divided by zero. Apply the same statistics to validation and
    test data with `transform`; `inverse_transform` undoes it.
    """

    def __init__(self, axis: int | tuple = 0):
        self.axis = axis
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self._fitted_shape: tuple = ()

    def fit(self, X) -> StandardScaler:
        X = self._as_float(X)
        if X.ndim == 0 or X.shape[0] == 0:
            raise ValueError(f"StandardScaler.fit: need at least one sample, got X of shape {X.shape}.")
        axes = normalize_axis_tuple(self.axis, X.ndim)
        mean = X.mean(axis=axes, keepdims=True)
        std = X.std(axis=axes, keepdims=True)
        constant = std <= 10 * np.finfo(X.dtype).eps * np.maximum(np.abs(mean), 1.0)
        std = np.where(constant, 1.0, std).astype(X.dtype)
        if 0 in axes:  # drop the sample axis: mean_ has shape (D,) for an (N, D) matrix
            mean, std = mean[0], std[0]
        self.mean_, self.scale_ = mean, std
        self._fitted_shape = tuple(None if a in axes else size for a, size in enumerate(X.shape))
        return self

    def transform(self, X) -> np.ndarray:
        X = self._checked("transform", X)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X) -> np.ndarray:
        X = self._checked("inverse_transform", X)
        return X * self.scale_ + self.mean_

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    @staticmethod
    def _as_float(X) -> np.ndarray:
        X = np.asarray(X)
        return X if X.dtype.kind == "f" else X.astype(np.float64)

    def _checked(self, method: str, X) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError(f"StandardScaler.{method}: call fit(X_train) first.")
        X = self._as_float(X)
        expected = self._fitted_shape
        if X.ndim != len(expected) or any(e is not None and e != s for e, s in zip(expected, X.shape)):
            pretty = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
            raise ValueError(
                f"StandardScaler.{method}: X has shape {X.shape}, but the scaler was fitted on data of shape "
                f"{pretty} (* = any size). Pass data with the same features as the training set."
            )
        return X

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean_ is None else f"fitted, mean_ shape {self.mean_.shape}"
        return f"StandardScaler(axis={self.axis}, {fitted})"


def one_hot(labels, num_classes: int | None = None, dtype=np.float64) -> np.ndarray:
    """Encode integer class labels as rows of zeros with a single 1: shape `labels.shape + (K,)`.

    `num_classes` defaults to `labels.max() + 1`.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iub":
        if labels.dtype.kind == "f" and labels.size and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise TypeError(f"one_hot: labels must be integer class indices, got dtype {labels.dtype}.")
    labels = labels.astype(np.int64)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"one_hot: labels must lie in 0..{num_classes - 1} for num_classes={num_classes}, "
            f"but they range from {labels.min()} to {labels.max()}."
        )
    return np.eye(num_classes, dtype=dtype)[labels]


# ----- toy datasets ---------------------------------------------------------------------------
def _split_count(n_samples: int, n_parts: int) -> list[int]:
    """n_samples shared as evenly as possible: the first parts get one more."""
    return [n_samples // n_parts + (k < n_samples % n_parts) for k in range(n_parts)]


def make_moons(n_samples: int = 200, noise: float = 0.1, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D: X (n, 2) float64, y (n,) int64 in {0, 1}.

    Class 0: (cos t, sin t); class 1: (1 - cos t, 0.5 - sin t), t in [0, pi]; plus Gaussian noise.
    """
    rng = _rng(seed)
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
    rng = _rng(seed)
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
    X = corners[idx] + noise * _rng(seed).standard_normal((n_samples, 2))
    return X, labels[idx]


def make_linear_regression(n_samples: int = 100, slope: float = 2.5, intercept: float = 50.0,
                           noise: float = 25.0, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """House prices: X = living area in m^2 (n, 1), y = price in thousands (n,).

    area ~ Uniform(30, 200);  price = intercept + slope * area + noise * N(0, 1).
    The features are deliberately unscaled (tens to hundreds), so feature scaling matters.
    """
    rng = _rng(seed)
    area = rng.uniform(30.0, 200.0, size=(n_samples, 1))
    price = intercept + slope * area[:, 0] + noise * rng.standard_normal(n_samples)
    return area, price


def make_logistic_regression(n_samples: int = 200, n_features: int = 2, weights=None, bias: float = 0.0,
                             seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels from a logistic model: x ~ N(0, I), P(y=1 | x) = sigmoid(w . x + b).

    `weights` defaults to (2, -3) for two features, else to 2 * N(0, 1) draws from the seed.
    Labels are sampled (so classes overlap near the boundary). X float64 (n, d), y int64 (n,).
    """
    rng = _rng(seed)
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


# ----- image augmentation: batches of shape (N, C, H, W) --------------------------------------
def _check_images(where: str, x) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"{where}: expected a batch of images of shape (N, C, H, W), got shape {x.shape}.")
    return x


def random_horizontal_flip(x, p: float = 0.5, seed: Seed = None) -> np.ndarray:
    """Mirror each image left-right with probability p (p=1 flips all; flipping twice is the identity)."""
    x = _check_images("random_horizontal_flip", x)
    flip = _rng(seed).uniform(size=len(x)) < p
    out = x.copy()
    out[flip] = x[flip][..., ::-1]
    return out


def random_crop(x, padding: int = 4, seed: Seed = None, fill: float = 0.0) -> np.ndarray:
    """Pad every side by `padding` pixels (value `fill`), then cut an H x W window at a random offset.

    The output has the input's shape; content shifts by up to `padding` pixels in each direction.
    """
    x = _check_images("random_crop", x)
    if int(padding) != padding or padding < 0:
        raise ValueError(f"random_crop: padding must be a non-negative integer, got {padding!r}.")
    n, _, h, w = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    rng = _rng(seed)
    top, left = rng.integers(0, 2 * padding + 1, size=n), rng.integers(0, 2 * padding + 1, size=n)
    return np.stack([padded[i, :, top[i]:top[i] + h, left[i]:left[i] + w] for i in range(n)])


def cutout(x, size: int, seed: Seed = None, value: float = 0.0) -> np.ndarray:
    """Set a random size x size square (in all channels) of each image to `value` (default 0).

    The square lies fully inside the image.
    """
    x = _check_images("cutout", x)
    n, _, h, w = x.shape
    if int(size) != size or not 1 <= size <= min(h, w):
        raise ValueError(f"cutout: size must be an integer between 1 and {min(h, w)} for {h}x{w} images, got {size!r}.")
    rng = _rng(seed)
    top, left = rng.integers(0, h - size + 1, size=n), rng.integers(0, w - size + 1, size=n)
    out = x.copy()
    for i in range(n):
        out[i, :, top[i]:top[i] + size, left[i]:left[i] + size] = value
    return out


def color_jitter(x, brightness: float = 0.2, contrast: float = 0.2, seed: Seed = None) -> np.ndarray:
    """Random brightness and contrast per image.

    b ~ U(1 - brightness, 1 + brightness), c ~ U(1 - contrast, 1 + contrast), m = the image's mean:
        x' = c * (b * x - b * m) + b * m      (scale brightness, then stretch around the mean)
    No clipping: values stay in whatever units the data uses (e.g. standardised).
    """
    x = _check_images("color_jitter", x)
    for name, amount in (("brightness", brightness), ("contrast", contrast)):
        if not 0 <= amount <= 1:
            raise ValueError(f"color_jitter: {name} must lie in [0, 1], got {amount!r}.")
    rng = _rng(seed)
    b = rng.uniform(1 - brightness, 1 + brightness, size=(len(x), 1, 1, 1))
    c = rng.uniform(1 - contrast, 1 + contrast, size=(len(x), 1, 1, 1))
    bright = b * x  # float64 factors: integer images become float64, float32 stays float32 below
    mean = bright.mean(axis=(1, 2, 3), keepdims=True)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.float64
    return (c * (bright - mean) + mean).astype(out_dtype, copy=False)


def mixup(x, y_onehot, alpha: float = 0.2, seed: Seed = None) -> tuple[np.ndarray, np.ndarray]:
    """Blend each sample with a random partner: lam ~ Beta(alpha, alpha), perm a random permutation,
        x' = lam * x + (1 - lam) * x[perm],   y' = lam * y + (1 - lam) * y[perm].

    One lam per batch (as in the mixup paper). Targets must be one-hot (or probability) rows,
    so the mixed targets are probability rows too (each sums to 1). Works for any x shape.
    """
    x, y = np.asarray(x), np.asarray(y_onehot)
    if y.ndim != 2 or len(y) != len(x):
        raise ValueError(
            f"mixup: y_onehot must have shape (N, num_classes) with N = len(x) = {len(x)}, got shape {y.shape}. "
            "Encode class indices first with one_hot(labels, num_classes)."
        )
    if alpha <= 0:
        raise ValueError(f"mixup: alpha must be positive, got {alpha!r}.")
    rng = _rng(seed)
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(x))
    mixed_x = (lam * x + (1 - lam) * x[perm]).astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)
    mixed_y = (lam * y + (1 - lam) * y[perm]).astype(y.dtype if y.dtype.kind == "f" else np.float64, copy=False)
    return mixed_x, mixed_y


class Mixup:
    """mixup as a batch transform: `fit(..., augment=Mixup(num_classes=10, alpha=0.2, seed=0))`.

    Called as `Mixup(...)(xb, yb) -> (mixed xb, mixed targets)`: class-index targets are
    one-hot encoded first, then `mixup` blends the batch (train with a loss that accepts
    class probabilities, such as nn.CrossEntropyLoss). `takes_targets = True` tells `fit`
    to pass the targets too.
    """

    takes_targets = True

    def __init__(self, num_classes: int, alpha: float = 0.2, seed: Seed = None):
        self.num_classes, self.alpha = num_classes, alpha
        self._rng = _rng(seed)

    def __call__(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(y)
        if y.ndim == 1:
            y = one_hot(y, self.num_classes)
        return mixup(x, y, self.alpha, seed=self._rng)

    def __repr__(self) -> str:
        return f"Mixup(num_classes={self.num_classes}, alpha={self.alpha})"


class Compose:
    """Chain augmentations that share one seeded Generator:

        augment = Compose([random_horizontal_flip, partial(random_crop, padding=1),
                           partial(cutout, size=2)], seed=0)
        xb = augment(xb)

    Each transform is called as `t(x, seed=generator)`, in order. (mixup also changes the
    targets, so apply it separately.)
    """

    def __init__(self, transforms: Sequence[Callable], seed: Seed = None):
        self.transforms = list(transforms)
        self._rng = _rng(seed)

    def __call__(self, x) -> np.ndarray:
        for transform in self.transforms:
            x = transform(x, seed=self._rng)
        return x

    def __repr__(self) -> str:
        return f"Compose([{', '.join(_describe(t) for t in self.transforms)}])"


def _describe(transform: Callable) -> str:
    """`cutout(size=2)` for functools.partial(cutout, size=2); the function name otherwise."""
    if isinstance(transform, partial):
        args = [repr(a) for a in transform.args] + [f"{k}={v!r}" for k, v in transform.keywords.items()]
        return f"{_describe(transform.func)}({', '.join(args)})"
    return getattr(transform, "__name__", repr(transform))
