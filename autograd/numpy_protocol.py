"""numpy functions on Tensors: numpy's two protocols, `__array_ufunc__` and `__array_function__`.

    np.exp(t), np.maximum(t, 0), np.float64(1) - t   ->  t.exp(), autograd.maximum(t, 0), 1.0 - t
    np.sum(t, axis=0), np.concatenate([t, u])        ->  t.sum(axis=0), autograd.concatenate([t, u])

A numpy function that chalkgrad has as an operation runs that operation, so the result is a Tensor
recorded in the graph (as in MyGrad). One that only inspects values (np.shape, np.allclose,
np.argsort, ...) runs on the data. Any other function of a Tensor that requires grad raises one
TypeError saying what to use instead: it would compute on the bare array, and the gradient would
silently stop there. Of constants (no gradient to lose) it runs on the data and returns what numpy
returns, so plotting and other numpy code keep working, as with PyTorch tensors that do not require
grad. numpy's `out=` (and `where=`, `dtype=`) are refused: a result cannot be written into a Tensor.

The tables below are the whole mapping: a new chalkgrad operation with a numpy name gets a row.
"""
from __future__ import annotations

import inspect

import numpy as np

from autograd import routines
from autograd.grad_mode import is_grad_enabled
from autograd.tensor import Tensor, _checked_operand, as_tensor


def _operator(name: str):
    """A binary ufunc as the Tensor operator `name`, called on whichever operand is the Tensor."""
    def call(a, b):
        return getattr(a, f"__{name}__")(b) if isinstance(a, Tensor) else getattr(b, f"__r{name}__")(a)
    return call


# ufunc -> chalkgrad operation on the ufunc's inputs (at least one of them a Tensor)
UFUNCS = {
    np.add: _operator("add"), np.subtract: _operator("sub"), np.multiply: _operator("mul"),
    np.divide: _operator("truediv"), np.power: _operator("pow"), np.matmul: _operator("matmul"),
    np.maximum: routines.maximum, np.minimum: routines.minimum,
    np.negative: Tensor.__neg__, np.positive: Tensor.__pos__, np.absolute: Tensor.abs,
    np.exp: Tensor.exp, np.log: Tensor.log, np.sqrt: Tensor.sqrt, np.square: lambda t: t ** 2,
    np.sin: Tensor.sin, np.cos: Tensor.cos, np.tanh: Tensor.tanh,
}
# ufuncs whose results carry no gradient (comparisons, tests): computed on the data, as `t < 0` is
NO_GRADIENT_UFUNCS = {
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.isnan, np.isinf,
    np.isfinite, np.signbit, np.logical_and, np.logical_or, np.logical_xor, np.logical_not,
}


def _transpose(t, axes=None):
    return t.transpose() if axes is None else t.transpose(axes)


def _atleast(ndim: int):
    """np.atleast_1d / atleast_2d: leading 1s added to the shape (a list for several arrays)."""
    def call(arrays):
        tensors = [as_tensor(a) for a in arrays]
        out = [t.reshape((1,) * (ndim - t.ndim) + t.shape) if t.ndim < ndim else t for t in tensors]
        return out[0] if len(out) == 1 else out
    return call


def _where(condition, x=None, y=None):
    if x is None and y is None:  # np.where(condition) is np.nonzero: indices, no gradient
        return np.nonzero(np.asarray(condition))
    return routines.where(condition, x, y)


def _dot(a, b):
    """np.dot is matmul for vectors and matrices and * for scalars; for N-d arrays it is neither."""
    a, b = _checked_operand(a, "np.dot"), _checked_operand(b, "np.dot")
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return _operator("mul")(a, b)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return routines.matmul(a, b)
    raise TypeError(f"np.dot of arrays with {np.ndim(a)} and {np.ndim(b)} dimensions is not matmul; chalkgrad "
                    "has matmul (a @ b, batched over leading dimensions): use that, reshaping first if needed.")


# numpy function -> (chalkgrad call, {numpy parameter: chalkgrad keyword}). The first parameter is
# passed positionally; other numpy parameters must keep their defaults.
FUNCTIONS = {
    np.sum: (Tensor.sum, {"axis": "axis", "keepdims": "keepdims"}),
    np.mean: (Tensor.mean, {"axis": "axis", "keepdims": "keepdims"}),
    np.max: (Tensor.max, {"axis": "axis", "keepdims": "keepdims"}),
    np.amax: (Tensor.max, {"axis": "axis", "keepdims": "keepdims"}),
    np.min: (Tensor.min, {"axis": "axis", "keepdims": "keepdims"}),
    np.amin: (Tensor.min, {"axis": "axis", "keepdims": "keepdims"}),
    np.var: (Tensor.var, {"axis": "axis", "keepdims": "keepdims", "ddof": "ddof", "correction": "ddof"}),
    np.std: (Tensor.std, {"axis": "axis", "keepdims": "keepdims", "ddof": "ddof", "correction": "ddof"}),
    np.all: (Tensor.all, {"axis": "axis", "keepdims": "keepdims"}),
    np.any: (Tensor.any, {"axis": "axis", "keepdims": "keepdims"}),
    np.argmax: (Tensor.argmax, {"axis": "axis", "keepdims": "keepdims"}),
    np.argmin: (Tensor.argmin, {"axis": "axis", "keepdims": "keepdims"}),
    np.reshape: (lambda t, shape: t.reshape(shape), {"shape": "shape"}),
    np.ravel: (Tensor.flatten, {}),
    np.transpose: (_transpose, {"axes": "axes"}),
    np.swapaxes: (Tensor.swapaxes, {"axis1": "axis1", "axis2": "axis2"}),
    np.squeeze: (Tensor.squeeze, {"axis": "axis"}),
    np.expand_dims: (Tensor.expand_dims, {"axis": "axis"}),
    np.broadcast_to: (lambda t, shape: t.broadcast_to(shape), {"shape": "shape"}),
    np.atleast_1d: (_atleast(1), {}),
    np.atleast_2d: (_atleast(2), {}),
    np.clip: (routines.clip, {"a_min": "min", "a_max": "max", "min": "min", "max": "max"}),
    np.split: (routines.split, {"indices_or_sections": "indices_or_sections", "axis": "axis"}),
    np.pad: (routines.pad, {"pad_width": "pad_width", "constant_values": "value"}),
    np.concatenate: (routines.concatenate, {"axis": "axis"}),
    np.stack: (routines.stack, {"axis": "axis"}),
    np.where: (_where, {"x": "x", "y": "y"}),
    np.dot: (_dot, {"b": "b"}),
}
# functions that only inspect values, write them out, or make arrays whose values do not depend on the
# input's (np.zeros_like(w) for an optimiser's state): run on the data, there is no gradient to keep
ON_DATA = {
    np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.may_share_memory,
    np.shares_memory, np.allclose, np.isclose, np.array_equal, np.array_equiv, np.count_nonzero, np.nonzero,
    np.flatnonzero, np.argwhere, np.argsort, np.array_repr, np.array_str, np.array2string, np.save, np.savez,
    np.savez_compressed, np.savetxt,
}


def array_ufunc(ufunc, method: str, inputs: tuple, kwargs: dict):
    """Tensor.__array_ufunc__: np.exp(t), np.add(a, t), and numpy's operators with a Tensor."""
    name = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    _refuse_keywords(name, {k: v for k, v in kwargs.items() if k != "out" or any(o is not None for o in v)})
    if method == "__call__" and ufunc in NO_GRADIENT_UFUNCS:
        return Tensor._make(np.asarray(ufunc(*[x.data if isinstance(x, Tensor) else x for x in inputs])))
    if method == "__call__" and ufunc in UFUNCS:
        return UFUNCS[ufunc](*[x if isinstance(x, Tensor) else _checked_operand(x, name) for x in inputs])
    if _needs_gradient(inputs):
        raise _not_an_operation(name)
    return getattr(ufunc, method)(*_data(inputs), **kwargs)


def array_function(func, types, args: tuple, kwargs: dict):
    """Tensor.__array_function__: np.sum(t), np.concatenate([t, u]), np.where(c, t, 0), ..."""
    if not all(issubclass(kind, (Tensor, np.ndarray)) for kind in types):
        return NotImplemented  # another array library is involved: let it (or numpy) decide
    if func in ON_DATA:
        return func(*_data(args), **_data(kwargs))
    name = f"{func.__module__.replace('numpy', 'np', 1)}.{func.__name__}"  # np.sum, np.fft.fft
    if func not in FUNCTIONS:
        if _needs_gradient((args, kwargs)):
            raise _not_an_operation(name)
        return func(*_data(args), **_data(kwargs))
    call, keywords = FUNCTIONS[func]
    parameters = inspect.signature(func).parameters
    bound = inspect.signature(func).bind(*args, **kwargs).arguments
    for key, parameter in parameters.items():  # np.pad(..., **kwargs): its keywords count as parameters
        if parameter.kind is parameter.VAR_KEYWORD:
            bound.update(bound.pop(key, {}))
    first = bound.pop(next(iter(parameters)))
    passed = {keywords[k]: bound.pop(k) for k in list(bound) if k in keywords}
    if func is np.pad and bound.get("mode") == "constant":
        bound.pop("mode")
    _refuse_keywords(name, {k: v for k, v in bound.items() if not _is_default(v, parameters.get(k))})
    return call(first, **passed)


def _is_default(value, parameter) -> bool:
    default = inspect.Parameter.empty if parameter is None else parameter.default
    return value is default or (isinstance(value, str) and value == default)


def _refuse_keywords(name: str, given: dict) -> None:
    if "out" in given:
        raise TypeError(
            f"{name}(..., out=...): numpy cannot write a chalkgrad result into an array (nor into a Tensor, "
            f"which would cut the graph). Assign the result instead: y = {name}(...)."
        )
    if given:
        raise TypeError(
            f"{name}: chalkgrad's operation does not take {', '.join(f'{k}={v!r}' for k, v in given.items())}. "
            "Leave it out (convert dtypes first with t.astype(...)), or compute on the array on purpose: "
            f"{name}(t.numpy(), ...) (no gradient)."
        )


# unmapped numpy functions with a chalkgrad spelling
HINTS = {
    "np.add.reduce": "t.sum(axis=...)", "np.maximum.reduce": "t.max(axis=...)", "np.minimum.reduce": "t.min(axis=...)",
    "np.copy": "Tensor(t) (a copy, outside the graph) or t + 0 (inside it)",
    "np.linalg.norm": "(t * t).sum().sqrt() (or (t * t).sum(axis=...).sqrt())",
    "np.outer": "a.reshape(-1, 1) * b.reshape(1, -1)",
    "np.tensordot": "reshape the operands and use a @ b",
}


def _not_an_operation(name: str) -> TypeError:
    use = HINTS.get(name, "Tensor methods and autograd functions instead (t.exp(), t.sum(axis=0), autograd.where, ...)")
    return TypeError(
        f"{name} is not a chalkgrad operation, so its result could not carry a gradient. Use {use}; to leave "
        f"the graph on purpose, call it on the array: {name}(t.numpy(), ...) (if a library such as matplotlib "
        "called it, give the library t.numpy())."
    )


def _needs_gradient(value) -> bool:
    """Is a Tensor that requires grad among these values (also inside lists, tuples and dicts), with
    gradients being recorded?"""
    if isinstance(value, Tensor):
        return value.requires_grad and is_grad_enabled()
    if isinstance(value, (list, tuple)):
        return any(_needs_gradient(v) for v in value)
    if isinstance(value, dict):
        return any(_needs_gradient(v) for v in value.values())
    return False


def _data(value):
    """Tensors (also inside lists, tuples and dicts) replaced by their arrays."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (list, tuple)):
        return type(value)(_data(v) for v in value)
    if isinstance(value, dict):
        return {k: _data(v) for k, v in value.items()}
    return value
