"""Mini-batches, train/validation/test splits, standardisation and one-hot labels (plain numpy).

    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(X, y, seed=0)
    scaler = StandardScaler().fit(X_train)
    for xb, yb in batches(scaler.transform(X_train), y_train, batch_size=32, seed=0):
        ...
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

Seed = int | np.random.Generator | None  # an int seed, a Generator (used as is), or None (fresh entropy)


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
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
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
        self._rng = np.random.default_rng(seed)

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
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
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
        """Measure the mean and standard deviation of X (the training set); returns the scaler."""
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
        """(X - mean) / std with the fitted statistics."""
        X = self._checked("transform", X)
        return (X - self.mean_) / self.scale_

    def inverse_transform(self, X) -> np.ndarray:
        """X * std + mean: undoes transform."""
        X = self._checked("inverse_transform", X)
        return X * self.scale_ + self.mean_

    def fit_transform(self, X) -> np.ndarray:
        """fit(X), then transform(X)."""
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

    `num_classes` defaults to `labels.max() + 1`. The rows have the dtype you give: float64 by
    default, so pass your features' dtype (e.g. `dtype=np.float32`) to keep float32 work float32.
    `nn.functional.one_hot` is PyTorch's version (a Tensor, int64 unless dtype= is given).
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
