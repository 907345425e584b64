"""PyTorch's spellings next to numpy's: one decorator, `@torch_spellings`, lets a function
written with numpy's argument names also take PyTorch's.

    dim=        -> axis=        (and `end=` -> `stop=`, `steps=` -> `num=` for the ranges)
    keepdim=    -> keepdims=
    unbiased=b  -> ddof=int(b)
    correction= -> ddof=

The rule where numpy and PyTorch disagree: a call that uses a PyTorch keyword gets PyTorch's
meaning; positional arguments and numpy's keywords keep numpy's. So `t.var(axis=0)` is the
population variance (numpy's ddof=0) and `t.var(dim=0)` the sample variance (PyTorch's
correction=1); `t.max(axis=1)` gives the values and `t.max(dim=1)` the pair (values, indices).
A function whose PyTorch meaning differs in more than defaults names it with `torch_form=`.
Passing both spellings of one argument is a TypeError ("sum: pass axis= or dim=, not both").
"""
from __future__ import annotations

import functools
import inspect
import itertools
import numbers
from typing import Callable, NamedTuple

import numpy as np

# PyTorch's keyword -> numpy's; a function accepts the ones whose numpy name it has.
RENAMES = {"dim": "axis", "keepdim": "keepdims", "end": "stop", "steps": "num"}
VARIANCE = ("unbiased", "correction")  # both become ddof
PYTORCH_DDOF = 1  # torch.var/std divide by n - 1 unless told otherwise


class ValuesIndices(NamedTuple):
    """What `t.max(dim=...)` / `t.min(dim=...)` return, as PyTorch's `torch.return_types.max`."""

    values: object
    indices: object


def torch_spellings(function: Callable | None = None, *, torch_form: Callable | None = None):
    """Let `function` (written with numpy's argument names) also take PyTorch's keywords.

    When a PyTorch keyword is used, the call is translated to numpy's names and goes to
    `torch_form` if one is given (PyTorch's meaning where it differs), else to `function`;
    for functions with `ddof`, PyTorch's default correction (1) applies. Without a PyTorch
    keyword the call goes straight to `function`. help() and inspect.signature show the
    accepted PyTorch keywords as keyword-only parameters.
    """
    if function is None:
        return functools.partial(torch_spellings, torch_form=torch_form)
    signature = inspect.signature(function)
    positional = [p.name for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    renames = {torch: numpy for torch, numpy in RENAMES.items() if numpy in signature.parameters}
    if "ddof" in signature.parameters:
        renames.update(dict.fromkeys(VARIANCE, "ddof"))
    if not renames:
        raise TypeError(f"torch_spellings: {function.__qualname__} has no argument with a PyTorch spelling")
    label, torch_names = function.__name__, frozenset(renames)

    @functools.wraps(function)
    def spelled(*args, **kwargs):
        if not kwargs or torch_names.isdisjoint(kwargs):
            return function(*args, **kwargs)
        kwargs = _translate(label, positional, renames, args, kwargs)
        return (torch_form or function)(*args, **kwargs)

    spelled.__signature__ = _with_keywords(signature, renames)
    spellings = {}
    for torch, numpy in renames.items():
        spellings.setdefault(numpy, []).append(f"{torch}=")
    note = ", ".join(f"{' or '.join(torch)} for {numpy}=" for numpy, torch in spellings.items())
    spelled.__doc__ = (function.__doc__ or "").rstrip() + (
        f"\n\nAlso takes PyTorch's spellings ({note}); a PyTorch keyword selects PyTorch's meaning "
        "(see autograd.spellings)."
    )
    return spelled


def _translate(label: str, positional: list, renames: dict, args: tuple, kwargs: dict) -> dict:
    """kwargs with PyTorch's keywords replaced by numpy's, or a TypeError naming both spellings."""
    out = {k: v for k, v in kwargs.items() if k not in renames}
    spelled_as = {name: name for name in [*positional[: len(args)], *out]}  # numpy name -> spelling used
    for torch, numpy in renames.items():
        if torch not in kwargs:
            continue
        if numpy in spelled_as:
            raise TypeError(f"{label}: pass {spelled_as[numpy]}= or {torch}=, not both")
        value = kwargs[torch]
        if torch == "unbiased":
            value = int(bool(value))
        elif torch == "correction" and value is None:
            value = PYTORCH_DDOF
        out[numpy], spelled_as[numpy] = value, torch
    if "ddof" in renames.values() and "ddof" not in spelled_as:
        out["ddof"] = PYTORCH_DDOF
    return out


def _with_keywords(signature: inspect.Signature, renames: dict) -> inspect.Signature:
    """The signature plus PyTorch's keywords as keyword-only parameters (default None)."""
    params = list(signature.parameters.values())
    extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None) for name in renames]
    at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
    return signature.replace(parameters=params[:at] + extra + params[at:])


# ----- PyTorch's meaning where it differs ----------------------------------------------------
def max_with_indices(tensor, axis=None, keepdims: bool = False):
    """`t.max(dim=d)`: (values, indices) along d, as torch.max; the gradient goes to the
    element at the index only (the first one at a tie), as in PyTorch."""
    return _values_and_indices(tensor, axis, keepdims, "max")


def min_with_indices(tensor, axis=None, keepdims: bool = False):
    """`t.min(dim=d)`: (values, indices) along d, as torch.min."""
    return _values_and_indices(tensor, axis, keepdims, "min")


def _values_and_indices(tensor, axis, keepdims: bool, name: str) -> ValuesIndices:
    """values = tensor[indices] with indices = argmax (argmin) along `axis`: picked by indexing,
    so the gradient reaches only the picked elements."""
    if axis is None:  # no dimension: the one value, as t.max()
        return getattr(tensor, name)(keepdims=keepdims)
    if not isinstance(axis, numbers.Integral):
        raise TypeError(
            f"{name}(dim=...) takes one dimension, as in PyTorch (got {axis!r}); for several use "
            f"a{name}(dim=...) or {name}(axis=...), which give the values only."
        )
    if tensor.ndim == 0:  # PyTorch allows dimension 0 (or -1) of a 0-d tensor
        if axis not in (0, -1):
            raise IndexError(f"{name}: dimension {axis} is out of range for a 0-d tensor (valid: -1, 0)")
        return _values_and_indices(tensor.reshape(1), 0, False, name)
    axis = tensor._axis(axis, name)
    indices = (tensor.argmax if name == "max" else tensor.argmin)(axis=axis, keepdims=True)
    at = list(np.indices(indices.shape, sparse=True))  # an open grid: every row, ...
    at[axis] = indices.data  # ... and along `axis` the winner's position
    values = tensor[tuple(at)]
    if keepdims:
        return ValuesIndices(values, indices)
    return ValuesIndices(values.squeeze(axis), indices.squeeze(axis))


def squeeze_if_one(tensor, axis=None):
    """`t.squeeze(dim=d)`: remove the dimensions in d that have size 1 and leave the others
    (PyTorch's squeeze; numpy's raises for a dimension that is not 1)."""
    if axis is None:
        return tensor.squeeze()
    axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
    ones = tuple(a for a in (tensor._axis(a, "squeeze") for a in axes) if tensor.shape[a] == 1)
    return tensor.squeeze(ones) if ones else tensor


def split_by_sizes(tensor, indices_or_sections, axis: int = 0) -> list:
    """`t.split(n, dim=d)`: PyTorch's split, pieces of n along d (the last may be shorter), or
    of the listed sizes (numpy's split(n) makes n equal pieces and a list gives cut points)."""
    length = tensor.shape[axis]
    if isinstance(indices_or_sections, numbers.Integral):
        size = indices_or_sections
        if size <= 0:
            raise ValueError(f"split: the piece size must be positive, got {size}")
        return tensor.split(list(range(size, length, size)), axis=axis)
    sizes = [int(s) for s in indices_or_sections]
    if sum(sizes) != length or min(sizes, default=0) < 0:
        raise ValueError(
            f"split(dim=...): the sizes {sizes} must be non-negative and add up to the length "
            f"{length} of dimension {axis} (shape {tensor.shape})"
        )
    return tensor.split(list(itertools.accumulate(sizes[:-1])), axis=axis)
