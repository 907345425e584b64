"""Property tests: random shapes, broadcast pairs, axes and integer indices, compared with PyTorch.

Values come from a numpy generator seeded by Hypothesis, inside each op's valid domain;
forward values and gradients (a random vector-Jacobian product) must match PyTorch in float64.
"""
import os

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor

# Few examples keep the suite quick; CHALKGRAD_EXAMPLES=500 runs a thorough search. Applied to
# each test (not as a global profile, which would change other modules' Hypothesis tests).
examples = settings(
    max_examples=int(os.environ.get("CHALKGRAD_EXAMPLES", 25)), deadline=None, database=None, print_blob=True,
    derandomize="CHALKGRAD_EXAMPLES" not in os.environ,  # the same examples on every run of the suite
)

seeds = st.integers(0, 2**32 - 1)


def compare_with_torch(fn, torch_fn, arrays, rng):
    """Forward values and d sum(out * v)/d inputs, ours against PyTorch's."""
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    txs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tout = torch_fn(*txs)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-9, atol=1e-11)
    assert out.shape == tuple(tout.shape)
    v = rng.standard_normal(out.shape)
    grads = autograd.grad(out, xs, grad_outputs=Tensor(v), allow_unused=True)
    tgrads = torch.autograd.grad(tout, txs, grad_outputs=torch.tensor(v), allow_unused=True)
    for a, g, tg in zip(arrays, grads, tgrads):
        expected = np.zeros_like(a) if tg is None else tg.numpy(force=True)
        actual = np.zeros_like(a) if g is None else g.data
        assert actual.shape == a.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-8, atol=1e-10)


# ----- binary ops on broadcast pairs ------------------------------------------------------------
pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b),
    "maximum": (autograd.maximum, torch.maximum),
    "minimum": (autograd.minimum, torch.minimum),
}


def binary_inputs(name, shape_a, shape_b, rng):
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    if name == "div":
        b = np.sign(b + 1e-9) * (np.abs(b) + 0.5)
    if name == "pow":
        a = np.abs(a) + 0.5
    return a, b


@examples
@given(name=st.sampled_from(sorted(BINARY)), shapes=pairs, seed=seeds)
def test_binary_ops_broadcast_like_torch(name, shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = binary_inputs(name, *shapes.input_shapes, rng)
    compare_with_torch(*BINARY[name], (a, b), rng)


@examples
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3), seed=seeds)
def test_where_broadcasts_like_torch(shapes, seed):
    rng = np.random.default_rng(seed)
    cond_shape, a_shape, b_shape = shapes.input_shapes
    cond = rng.random(cond_shape) > 0.5
    compare_with_torch(
        lambda a, b: autograd.where(cond, a, b), lambda a, b: torch.where(torch.as_tensor(cond), a, b),
        (rng.standard_normal(a_shape), rng.standard_normal(b_shape)), rng,
    )


@examples
@given(
    batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3),
    n=st.integers(1, 3), k=st.integers(1, 3), m=st.integers(1, 3),
    vector=st.sampled_from(["none", "left", "right"]), seed=seeds,
)
def test_matmul_batched_like_torch(batch, n, k, m, vector, seed):
    rng = np.random.default_rng(seed)
    shape_a = (k,) if vector == "left" else batch.input_shapes[0] + (n, k)
    shape_b = (k,) if vector == "right" else batch.input_shapes[1] + (k, m)
    compare_with_torch(autograd.matmul, torch.matmul, (rng.standard_normal(shape_a), rng.standard_normal(shape_b)), rng)


# ----- reductions over random axes ------------------------------------------------------------------
@st.composite
def shape_and_axis(draw, allow_tuple=True):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    ndim = len(shape)
    kinds = ["none", "int", "tuple"] if allow_tuple else ["int"]
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1))
    else:
        axis = draw(hnp.valid_tuple_axes(ndim, min_size=1))
    return shape, axis


def torch_dim(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return axis


REDUCTIONS = {
    "sum": (lambda x, ax, kd: x.sum(axis=ax, keepdims=kd), lambda x, ax, kd: x.sum(dim=ax, keepdim=kd)),
    "mean": (lambda x, ax, kd: x.mean(axis=ax, keepdims=kd), lambda x, ax, kd: x.mean(dim=ax, keepdim=kd)),
    "max": (lambda x, ax, kd: x.max(axis=ax, keepdims=kd), lambda x, ax, kd: torch.amax(x, dim=ax, keepdim=kd)),
    "min": (lambda x, ax, kd: x.min(axis=ax, keepdims=kd), lambda x, ax, kd: torch.amin(x, dim=ax, keepdim=kd)),
    "var": (lambda x, ax, kd: x.var(axis=ax, keepdims=kd), lambda x, ax, kd: x.var(dim=ax, keepdim=kd, unbiased=False)),
    "std": (lambda x, ax, kd: x.std(axis=ax, keepdims=kd), lambda x, ax, kd: x.std(dim=ax, keepdim=kd, unbiased=False)),
    "logsumexp": (lambda x, ax, kd: x.logsumexp(axis=ax, keepdims=kd), lambda x, ax, kd: torch.logsumexp(x, dim=ax, keepdim=kd)),
}


@examples
@given(name=st.sampled_from(sorted(REDUCTIONS)), shape_axis=shape_and_axis(), keepdims=st.booleans(), seed=seeds)
def test_reductions_over_random_axes_like_torch(name, shape_axis, keepdims, seed):
    shape, axis = shape_axis
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    x = rng.permutation(size).reshape(shape) * 0.1 + rng.uniform(0, 0.05, shape)  # distinct: no max ties
    ours, theirs = REDUCTIONS[name]
    dim = torch_dim(axis, len(shape))
    compare_with_torch(lambda t: ours(t, axis, keepdims), lambda t: theirs(t, dim, keepdims), (x,), rng)


@examples
@given(shape_axis=shape_and_axis(allow_tuple=False), log=st.booleans(), seed=seeds)
def test_softmax_over_random_axis_like_torch(shape_axis, log, seed):
    shape, axis = shape_axis
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    if log:
        compare_with_torch(lambda t: t.log_softmax(axis=axis), lambda t: torch.log_softmax(t, dim=axis), (x,), rng)
    else:
        compare_with_torch(lambda t: t.softmax(axis=axis), lambda t: torch.softmax(t, dim=axis), (x,), rng)


@examples
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=3), seed=seeds, data=st.data())
def test_transpose_and_reshape_like_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    perm = tuple(data.draw(st.permutations(range(len(shape)))))
    compare_with_torch(lambda t: t.transpose(perm).reshape(-1), lambda t: t.permute(perm).reshape(-1),
                       (rng.standard_normal(shape),), rng)


# ----- integer indices with repeats -------------------------------------------------------------
@st.composite
def indexed(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    axis = draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    picks = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=8))  # repeats and negatives
    return shape, axis, np.array(picks, dtype=np.int64)


@examples
@given(case=indexed(), seed=seeds)
def test_integer_array_index_with_repeats_like_torch(case, seed):
    shape, axis, picks = case
    rng = np.random.default_rng(seed)
    index = (slice(None),) * axis + (picks,)
    tindex = (slice(None),) * axis + (torch.as_tensor(picks),)
    compare_with_torch(lambda t: t[index], lambda t: t[tindex], (rng.standard_normal(shape),), rng)


@examples
@given(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), seed=seeds, data=st.data())
def test_two_integer_arrays_with_repeats_like_torch(shape, seed, data):
    rng = np.random.default_rng(seed)
    length = data.draw(st.integers(1, 6))
    rows = np.array(data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=length, max_size=length)))
    cols = np.array(data.draw(st.lists(st.integers(-shape[1], shape[1] - 1), min_size=length, max_size=length)))
    compare_with_torch(lambda t: t[rows, cols], lambda t: t[torch.as_tensor(rows), torch.as_tensor(cols)],
                       (rng.standard_normal(shape),), rng)


@examples
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), seed=seeds)
def test_boolean_mask_like_torch(shape, seed):
    rng = np.random.default_rng(seed)
    mask = rng.random(shape) > 0.5
    compare_with_torch(lambda t: t[mask] * 2, lambda t: t[torch.as_tensor(mask)] * 2, (rng.standard_normal(shape),), rng)


@examples
@given(
    length=st.integers(1, 7), start=st.integers(-8, 8) | st.none(), stop=st.integers(-8, 8) | st.none(),
    step=st.integers(1, 3), seed=seeds,
)
def test_slices_like_torch(length, start, stop, step, seed):
    rng = np.random.default_rng(seed)
    index = slice(start, stop, step)
    compare_with_torch(lambda t: t[index], lambda t: t[index], (rng.standard_normal((length, 2)),), rng)
