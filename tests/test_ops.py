"""Per-operation tests generated from tests/op_table.py.

For every row: forward values against numpy and PyTorch; float64 gradients against central
differences and against PyTorch (a random vector-Jacobian product); second derivatives
against PyTorch; float32 kept through forward and backward. A registry test fails when a
primitive in autograd.ops has no row.
"""
import importlib
import inspect
import pkgutil
import re
import warnings

import numpy as np
import pytest
import torch
from op_table import ROWS

import autograd
from autograd import Function, Tensor, ops
from autograd.engine import toposort

DIFFERENTIABLE = [r for r in ROWS if r.differentiable]
NUMERIC = [r for r in DIFFERENTIABLE if r.numeric_check]
SECOND_ORDER = [r for r in DIFFERENTIABLE if r.second_order]


def by_name(rows):
    return pytest.mark.parametrize("row", rows, ids=[r.name for r in rows])


# ----- helpers ------------------------------------------------------------------------------
def leaves(arrays, dtype=np.float64):
    return [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]


def torch_leaves(arrays):
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]


def cotangent(shape, seed=1, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def zeros_for_none(grads, arrays):
    return [np.zeros_like(a) if g is None else (g.detach().numpy(force=True) if isinstance(g, torch.Tensor) else g.data)
            for g, a in zip(grads, arrays)]


def chalk_vjp(row, arrays, v, dtype=np.float64):
    """d sum(fn(x) * v) / dx with chalkgrad."""
    xs = leaves(arrays, dtype)
    out = row.fn(*xs)
    grads = autograd.grad(out, xs, grad_outputs=Tensor(v.astype(out.dtype)), allow_unused=True)
    return out, grads


def torch_vjp(row, arrays, v):
    xs = torch_leaves(arrays)
    out = row.torch_fn(*xs)
    grads = torch.autograd.grad(out, xs, grad_outputs=torch.tensor(v, dtype=out.dtype), allow_unused=True)
    return out, grads


def numeric_vjp(row, arrays, v, eps=1e-6):
    """Central differences of L(x) = sum(fn(x) * v), element by element, in float64."""
    arrays = [a.copy() for a in arrays]

    def loss():
        with autograd.no_grad():
            return float(np.sum(np.asarray(row.fn(*[Tensor(a) for a in arrays]).data, dtype=np.float64) * v))

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)  # views
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            up = loss()
            flat[i] = keep - eps
            down = loss()
            flat[i] = keep
            gflat[i] = (up - down) / (2 * eps)
        grads.append(g)
    return grads


def assert_close(actual, expected, rtol=1e-7, atol=1e-9, what=""):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != expected {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def forward_shape(row):
    with autograd.no_grad():
        return row.fn(*[Tensor(a) for a in row.sample()]).shape


# ----- forward ------------------------------------------------------------------------------
@by_name(ROWS)
def test_forward_matches_numpy(row):
    arrays = row.sample()
    expected = np.asarray(row.numpy_fn(*arrays))
    for requires_grad in (False, True):
        out = row.fn(*[Tensor(a, requires_grad=requires_grad and row.differentiable) for a in arrays])
        assert isinstance(out, Tensor)
        assert out.shape == expected.shape, f"shape {out.shape} != numpy {expected.shape}"
        assert out.dtype == (row.out_dtype or expected.dtype)
        assert_close(out.data, expected, rtol=1e-12, atol=1e-12, what=row.name)
        assert out.requires_grad == (requires_grad and row.differentiable)


@by_name(ROWS)
def test_forward_matches_torch(row):
    arrays = row.sample()
    out = row.fn(*[Tensor(a) for a in arrays])
    expected = row.torch_fn(*[torch.tensor(a) for a in arrays])
    assert_close(out.data, expected.numpy(), rtol=1e-12, atol=1e-12, what=row.name)


@by_name(DIFFERENTIABLE)
def test_covers_the_declared_primitives(row):
    """The primitives a row claims to exercise do appear in its graph."""
    out = row.fn(*leaves(row.sample()))
    seen = {t.grad_fn.function for t in toposort([out]) if t.grad_fn is not None}
    assert set(row.covers) <= seen, f"{row.name}: declared {row.covers}, graph has {seen}"


# ----- first derivatives --------------------------------------------------------------------
@by_name(NUMERIC)
def test_gradient_matches_central_differences(row):
    arrays = row.sample()
    v = cotangent(forward_shape(row))
    _, analytic = chalk_vjp(row, arrays, v)
    numeric = numeric_vjp(row, arrays, v)
    for i, (a, n) in enumerate(zip(zeros_for_none(analytic, arrays), numeric)):
        assert_close(a, n, rtol=1e-5, atol=1e-6, what=f"{row.name}: input {i}")


@by_name(DIFFERENTIABLE)
def test_gradient_matches_torch(row):
    arrays = row.sample()
    v = cotangent(forward_shape(row))
    out, ours = chalk_vjp(row, arrays, v)
    _, theirs = torch_vjp(row, arrays, v)
    for i, (g, a) in enumerate(zip(ours, arrays)):
        assert g is None or (g.shape == a.shape and g.dtype == a.dtype), f"input {i}: grad {g!r}"
    for i, (a, b) in enumerate(zip(zeros_for_none(ours, arrays), zeros_for_none(theirs, arrays))):
        assert_close(a, b, what=f"{row.name}: input {i}")


@by_name(DIFFERENTIABLE)
def test_backward_accumulates_into_leaves(row):
    """x.grad after out.backward(v), twice (retain_graph), equals twice the vector-Jacobian product."""
    arrays = row.sample()
    v = cotangent(forward_shape(row))
    xs = leaves(arrays)
    out = row.fn(*xs)
    out.backward(v, retain_graph=True)
    first = [None if x.grad is None else x.grad.data.copy() for x in xs]
    out.backward(v)
    _, expected = torch_vjp(row, arrays, v)
    for x, once, e in zip(xs, first, zeros_for_none(expected, arrays)):
        if x.grad is None:
            assert not np.any(e), f"{row.name}: torch has a gradient, we have none"
            continue
        assert_close(once, e, what=f"{row.name}: first backward")
        assert_close(x.grad.data, 2 * e, what=f"{row.name}: accumulated")


# ----- second derivatives -------------------------------------------------------------------
@by_name(SECOND_ORDER)
def test_second_derivative_matches_torch(row):
    arrays = row.sample()
    v = cotangent(forward_shape(row), seed=2)
    w = [cotangent(a.shape, seed=3 + i) for i, a in enumerate(arrays)]

    xs, vt = leaves(arrays), Tensor(v, requires_grad=True)
    gs = autograd.grad(row.fn(*xs), xs, grad_outputs=vt, create_graph=True, allow_unused=True)
    terms = [(g * Tensor(wi)).sum() for g, wi in zip(gs, w) if g is not None and g.requires_grad]
    ours = autograd.grad(sum(terms[1:], terms[0]), xs + [vt], allow_unused=True) if terms else [None] * (len(xs) + 1)

    txs = torch_leaves(arrays)
    tv = torch.tensor(v, requires_grad=True)
    tgs = torch.autograd.grad(row.torch_fn(*txs), txs, grad_outputs=tv, create_graph=True, allow_unused=True)
    tterms = [(g * torch.tensor(wi)).sum() for g, wi in zip(tgs, w) if g is not None and g.requires_grad]
    theirs = torch.autograd.grad(sum(tterms), txs + [tv], allow_unused=True) if tterms else [None] * (len(txs) + 1)

    # the first derivatives built with create_graph are the plain ones
    for i, (g, tg) in enumerate(zip(zeros_for_none(gs, arrays), zeros_for_none(tgs, arrays))):
        assert_close(g, tg, what=f"{row.name}: create_graph gradient of input {i}")
    targets = list(arrays) + [v]
    for i, (a, b) in enumerate(zip(zeros_for_none(ours, targets), zeros_for_none(theirs, targets))):
        label = "the output gradient v" if i == len(arrays) else f"input {i}"
        assert_close(a, b, rtol=1e-6, atol=1e-8, what=f"{row.name}: second derivative w.r.t. {label}")


# ----- dtypes -------------------------------------------------------------------------------
@by_name(DIFFERENTIABLE)
def test_float32_stays_float32(row):
    arrays = row.sample()
    v = cotangent(forward_shape(row), dtype=np.float32)
    out, grads = chalk_vjp(row, arrays, v, dtype=np.float32)
    assert out.dtype == np.dtype(row.out_dtype or np.float32), f"{row.name}: output {out.dtype}"
    _, grads64 = chalk_vjp(row, arrays, v.astype(np.float64))
    for i, (g, g64) in enumerate(zip(grads, grads64)):
        if g is None:
            continue
        assert g.dtype == np.float32, f"{row.name}: gradient of input {i} is {g.dtype}"
        scale = np.abs(g64.data).max(initial=0.0) + 1.0
        assert_close(g.data, g64.data, rtol=1e-3, atol=1e-4 * scale, what=f"{row.name}: float32 gradient {i}")
    if row.name.startswith("cast"):
        return
    expected = np.asarray(row.numpy_fn(*arrays))
    scale = np.abs(expected).max(initial=0.0) + 1.0
    assert_close(out.data, expected, rtol=1e-4, atol=1e-5 * scale, what=f"{row.name}: float32 forward")


# ----- 0-d inputs -----------------------------------------------------------------------------
def zero_d_run(row, dtype):
    """The row on 0-d inputs (the first element of each sample): (our gradients, torch's), or
    None when the operation does not take 0-d inputs (matmul, axis arguments, ...) or the row's
    inputs are empty."""
    if any(a.size == 0 for a in row.sample()):
        return None
    arrays = tuple(np.asarray(a.flat[0]) for a in row.sample())
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch: "Tensor.T is deprecated on 0-D tensors"
            xs = leaves(arrays, dtype)
            out = row.fn(*xs)
            txs = torch_leaves(arrays)
            tout = row.torch_fn(*txs)
    except (ValueError, IndexError, TypeError, RuntimeError):
        return None
    if out.shape != () or tuple(tout.shape) != () or not torch.is_floating_point(tout) or not tout.requires_grad:
        return None
    out.backward()
    tout.backward()
    return xs, txs


def test_scalar_graphs_match_torch():
    """0-d nodes run their backward rules on numpy scalars (faster than 0-d arrays): every row
    that takes 0-d inputs must still give PyTorch's gradients, as 0-d arrays of the inputs' dtype."""
    checked = 0
    for row in DIFFERENTIABLE:
        for dtype, rtol in ((np.float64, 1e-7), (np.float32, 1e-4)):
            run = zero_d_run(row, dtype)
            if run is None:
                continue
            checked += 1
            for i, (x, tx) in enumerate(zip(*run)):
                if x.grad is None:
                    assert tx.grad is None or not tx.grad.item(), f"{row.name}: no gradient for input {i}"
                    continue
                assert type(x.grad.data) is np.ndarray and x.grad.shape == () and x.grad.dtype == dtype, row.name
                assert_close(x.grad.data, tx.grad.numpy(), rtol=rtol, atol=1e-6, what=f"{row.name} {dtype.__name__}: input {i}")
    assert checked >= 200, f"only {checked} row/dtype pairs took 0-d inputs"


# ----- the registry -------------------------------------------------------------------------
def primitive_classes():
    """Every Function subclass defined in autograd.ops and its submodules."""
    modules = [ops] + [importlib.import_module(f"autograd.ops.{m.name}") for m in pkgutil.iter_modules(ops.__path__)]
    return {
        obj
        for module in modules
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Function) and obj.__module__.startswith("autograd.ops")
        and obj.forward is not Function.forward  # not an abstract base such as Elementwise
    }


def test_registry_finds_the_primitives():
    found = {cls.__name__ for cls in primitive_classes()}
    assert {"Add", "Mul", "MatMul", "GetItem", "ScatterAdd", "SlidingWindows", "FoldWindows", "Where"} <= found
    assert set(ops.__all__) <= found


def test_every_primitive_has_a_row():
    covered = {cls for row in ROWS for cls in row.covers}
    missing = sorted(cls.__name__ for cls in primitive_classes() - covered)
    assert not missing, f"primitives without a row in tests/op_table.py: {missing}"


def test_every_primitive_is_gradient_checked_numerically_and_twice():
    numeric = {cls for row in NUMERIC for cls in row.covers}
    second = {cls for row in SECOND_ORDER for cls in row.covers}
    primitives = primitive_classes()
    no_numeric = sorted(c.__name__ for c in primitives - numeric - {ops.Cast})  # a float32 cast is lossy
    no_second = sorted(c.__name__ for c in primitives - second)
    assert not no_numeric, f"primitives without a central-difference row: {no_numeric}"
    assert not no_second, f"primitives without a second-order row: {no_second}"


def _arity(cls) -> int | None:
    """How many inputs forward takes (None: any number, as concatenate)."""
    parameters = list(inspect.signature(cls.forward).parameters.values())[1:]  # after ctx
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return None
    return sum(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty for p in parameters)


@pytest.mark.parametrize("cls", sorted(primitive_classes(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_every_primitive_carries_its_lecture_rule(cls):
    """symbol (drawings), notation (the forward as written) and rule (the backward in matrix form,
    one text per input, or one text with {i} for every input) are set, and every placeholder
    names an input ({0}, {1}, ...), the output ({y}) or, in a shared rule, the input at hand ({i})."""
    assert cls.symbol and cls.notation and cls.rule, f"{cls.__name__} lacks symbol, notation or rule"
    arity = _arity(cls)
    rules = (cls.rule,) if isinstance(cls.rule, str) else cls.rule
    if not isinstance(cls.rule, str):
        assert len(rules) == arity, f"{cls.__name__}.rule has {len(rules)} texts for {arity} inputs"
    allowed = {"y", "i"} | {str(k) for k in range(arity or 0)}
    for text in (cls.notation, *[r for r in rules if r is not None]):
        fields = set(re.findall(r"\{(\w*)\}", text))
        assert fields <= allowed, f"{cls.__name__}: unknown placeholders {fields - allowed} in {text!r}"
    assert "{i}" not in cls.notation and (isinstance(cls.rule, str) or not any("{i}" in (r or "") for r in rules))


def test_table_covers_broadcast_pairs_for_every_binary_primitive():
    broadcast = {cls for row in ROWS if "broadcast" in row.tags for cls in row.covers}
    assert {ops.Add, ops.Sub, ops.Mul, ops.Div, ops.Pow, ops.Maximum, ops.Where, ops.MatMul} <= broadcast


# ----- free functions -----------------------------------------------------------------------
FREE_FUNCTIONS = {  # autograd.<name>(x, ...) against the method it stands for
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(), "abs": lambda x: x.abs(),
    "sin": lambda x: x.sin(), "cos": lambda x: x.cos(), "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(), "relu": lambda x: x.relu(), "sum": lambda x: x.sum(),
    "mean": lambda x: x.mean(), "logsumexp": lambda x: x.logsumexp(), "softmax": lambda x: x.softmax(),
    "log_softmax": lambda x: x.log_softmax(),
    "log1p": lambda x: x.log1p(), "expm1": lambda x: x.expm1(), "log2": lambda x: x.log2(),
    "log10": lambda x: x.log10(), "tan": lambda x: x.tan(), "atan": lambda x: x.atan(), "sinh": lambda x: x.sinh(),
    "cosh": lambda x: x.cosh(), "erf": lambda x: x.erf(), "reciprocal": lambda x: x.reciprocal(),
    "square": lambda x: x.square(), "rsqrt": lambda x: x.rsqrt(), "sign": lambda x: x.sign(),
    "round": lambda x: x.round(), "floor": lambda x: x.floor(), "ceil": lambda x: x.ceil(),
    "trunc": lambda x: x.trunc(), "cumsum": lambda x: x.cumsum(), "cumprod": lambda x: x.cumprod(),
    "prod": lambda x: x.prod(), "flip": lambda x: x.flip(), "clone": lambda x: x.clone(),
    "tril": lambda x: x.tril(), "triu": lambda x: x.triu(), "trace": lambda x: x.trace(),
    "diagonal": lambda x: x.diagonal(), "diag": lambda x: x.diag(),
}


@pytest.mark.parametrize("name", sorted(FREE_FUNCTIONS))
def test_free_function_matches_method_and_accepts_arrays(name):
    data = np.array([[0.5, 1.5, 2.0], [1.0, 0.25, 3.0]])
    x = Tensor(data, requires_grad=True)
    ours, method = getattr(autograd, name)(x), FREE_FUNCTIONS[name](x)
    np.testing.assert_array_equal(ours.data, method.data)
    assert ours.grad_fn.name == method.grad_fn.name
    from_array = getattr(autograd, name)(data)  # plain arrays are accepted too
    assert isinstance(from_array, Tensor) and not from_array.requires_grad
    np.testing.assert_array_equal(from_array.data, method.data)


def test_fold_windows_undoes_sliding_window_counts():
    """fold(windows(x)) adds every element once per window it is in: ones fold to the counts."""
    ones = Tensor(np.ones((1, 7)))
    windows = ones.sliding_window(3, axis=1, stride=2, dilation=2)  # spans 5: windows at 0 and 2
    np.testing.assert_array_equal(autograd.fold_windows(windows, (1, 7), axis=1, stride=2, dilation=2).data,
                                  [[1, 0, 2, 0, 2, 0, 1]])
    with pytest.raises(ValueError, match=r"fold_windows: windows of shape \(1, 2, 3\).*\(1, 8\)"):
        autograd.fold_windows(windows, (1, 8), axis=1, stride=1)
