"""Index arithmetic (plain numpy) behind the composites gather, scatter, scatter_reduce and
cummax/cummin: they turn "along an axis" into ordinary numpy indexing, whose gradient the
indexing primitives already know (GetItem adds the gradient back where it picked)."""
from __future__ import annotations

import numpy as np


def checked_index(index, shape: tuple, axis: int, op: str) -> np.ndarray:
    """An integer index array of the tensor's rank, no longer than the tensor along the other axes
    and inside it along `axis` (negative values count from the end), as non-negative int64."""
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must hold integers, got dtype {index.dtype} (convert with .astype(np.int64))")
    if index.ndim != len(shape):
        raise ValueError(f"{op}: the index must have as many dimensions as the tensor ({len(shape)}), got index "
                         f"shape {index.shape} for tensor shape {shape}")
    for d, (n, m) in enumerate(zip(index.shape, shape)):
        if d != axis and n > m:
            raise ValueError(f"{op}: the index (shape {index.shape}) is longer than the tensor (shape {shape}) along "
                             f"axis {d}; along every axis but axis={axis} it may be at most as long")
    length = shape[axis]
    if index.size and (index.min() < -length or index.max() >= length):
        bad = index[(index < -length) | (index >= length)].ravel()[0]
        raise IndexError(f"{op}: index {bad} is out of range for axis {axis} of length {length} (tensor shape {shape})")
    return np.where(index < 0, index + length, index).astype(np.int64, copy=False)


def along_axis(index: np.ndarray, axis: int) -> tuple:
    """The advanced index that picks x[i_0, ..., index[i_0, ..., i_n], ..., i_n] for every place
    (i_0, ..., i_n) of `index` (numpy's take_along_axis, PyTorch's gather): index along `axis`,
    the place's own coordinates along the other axes."""
    coordinates = list(np.indices(index.shape, sparse=True))
    coordinates[axis] = index
    return tuple(coordinates)


def flat_targets(where: tuple, shape: tuple) -> np.ndarray:
    """The flat (C-order) position in a tensor of `shape` of every place an advanced index picks."""
    return np.ravel_multi_index(np.broadcast_arrays(*where), shape).ravel()


def last_writers(targets: np.ndarray) -> np.ndarray:
    """Positions in `targets` that are the last to write to their place (numpy's assignment
    x[index] = values keeps the last value for a repeated place)."""
    _, from_the_end = np.unique(targets[::-1], return_index=True)
    return np.sort(len(targets) - 1 - from_the_end)


def group_table(targets: np.ndarray, include_self: bool) -> tuple[np.ndarray, np.ndarray]:
    """For scatter_reduce: which places receive values, and a table with one row per such place
    listing the positions of its values in [self's values at those places (if include_self),
    then the scattered values, then one padding value]; short rows are filled with the padding's
    position. Reducing the table's rows (max, product) reduces every place's values at once."""
    places, group = np.unique(targets, return_inverse=True)
    group = group.ravel()
    if include_self:
        group = np.concatenate([np.arange(len(places)), group])
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=len(places))
    rank = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
    table = np.full((len(places), counts.max(initial=0)), len(group))
    table[group[order], rank] = order
    return places, table


def running_extreme_index(x: np.ndarray, axis: int, largest: bool) -> np.ndarray:
    """Index of the running maximum (or minimum) along `axis`, as PyTorch's cummax/cummin: at a
    tie the later place; once a NaN appears, the latest NaN."""
    accumulate = np.maximum.accumulate if largest else np.minimum.accumulate
    running = accumulate(x, axis=axis)
    reached = x == running
    if x.dtype.kind == "f":
        reached |= np.isnan(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    places = np.arange(x.shape[axis]).reshape(shape)
    return np.maximum.accumulate(np.where(reached, places, 0), axis=axis)
