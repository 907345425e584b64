"""What the op table cannot show about the operations of issue #17: erf's accuracy, the
semantic choices (numpy's repeat and nonzero, scatter with repeated places), integer dtypes,
exact gradients of products with zeros, and clear errors."""
import math

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor, no_grad


# ----- erf ----------------------------------------------------------------------------------------
def test_erf_is_within_2_ulp_of_the_exact_value():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-7, 7, 4000), rng.standard_normal(4000), 10.0 ** rng.uniform(-300, 0, 500),
                        [0.0, 1.0, 1.75, 2.75, 4.0, 6.0, np.nextafter(1.0, 0), np.nextafter(6.0, 0), 5.9, -3.3]])
    ours = autograd.erf(x).data
    exact = np.array([float(mpmath.erf(mpmath.mpf(v))) for v in x])
    ulps = np.abs(ours - exact)[exact != 0] / np.spacing(np.abs(exact[exact != 0]))
    assert ulps.max() <= 2, f"erf is {ulps.max()} ulp off at x = {x[exact != 0][ulps.argmax()]}"


def test_erf_special_values_and_float32():
    out = autograd.erf(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 30.0])).data
    np.testing.assert_array_equal(out[[0, 2, 3, 5]], [0.0, 1.0, -1.0, 1.0])
    assert np.signbit(out[1]) and np.isnan(out[4])
    x32 = np.linspace(-4, 4, 101, dtype=np.float32)
    ours = autograd.erf(x32)
    assert ours.dtype == np.float32
    rounded_once = np.array([math.erf(v) for v in x32.astype(np.float64)]).astype(np.float32)
    np.testing.assert_array_equal(ours.data, rounded_once)  # computed in float64, rounded once
    np.testing.assert_allclose(ours.data, torch.erf(torch.from_numpy(x32)).numpy(), rtol=1e-6)


# ----- step functions: gradient zeros, as PyTorch ---------------------------------------------------
@pytest.mark.parametrize("name", ["sign", "round", "floor", "ceil", "trunc"])
def test_step_functions_give_zero_gradients_not_none(name):
    x = Tensor([-1.5, 0.0, 0.4, 2.5], requires_grad=True)
    out = getattr(x, name)()
    assert out.requires_grad
    out.backward(np.array([1.0, np.nan, np.inf, 2.0]))  # zeros whatever arrives (PyTorch: zeros_like)
    np.testing.assert_array_equal(x.grad.data, np.zeros(4))
    np.testing.assert_array_equal(out.data, getattr(torch, name)(torch.tensor(x.data)).numpy())
    ints = getattr(Tensor(np.array([-3, 0, 4])), name)()
    assert ints.dtype.kind == "i" and not ints.requires_grad


# ----- products with zeros --------------------------------------------------------------------------
def test_prod_gradient_is_the_product_of_the_others_with_zeros():
    x = Tensor([1.5, -2.0, 0.0, 0.5], requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.5 * -2.0 * 0.5, 0.0])
    y = Tensor([[2.0, 0.0, 3.0, 0.0], [1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    y.prod(axis=1).sum().backward()
    np.testing.assert_array_equal(y.grad.data, [[0.0] * 4, [24.0, 12.0, 8.0, 6.0]])


def test_cumprod_second_derivative_with_zeros_matches_torch():
    x = np.array([0.5, 0.0, 2.0, 0.0, -1.5, 3.0, 0.0])
    v = np.random.default_rng(1).standard_normal(7)
    ours = Tensor(x, requires_grad=True)
    (g,) = autograd.grad(ours.cumprod(0), ours, grad_outputs=Tensor(v), create_graph=True)
    (h,) = autograd.grad((g * g).sum(), ours)
    theirs = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.cumprod(theirs, 0), theirs, torch.tensor(v), create_graph=True)
    (th,) = torch.autograd.grad((tg * tg).sum(), theirs)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(h.data, th.numpy(), atol=1e-12)


# ----- numpy's conventions where PyTorch's differ ---------------------------------------------------
def test_repeat_is_numpys_and_a_pytorch_style_call_is_refused():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.repeat(2).data, [1, 1, 2, 2, 3, 3, 4, 4])
    np.testing.assert_array_equal(x.repeat(2, axis=0).data, np.repeat(x.data, 2, 0))
    np.testing.assert_array_equal(x.tile((2, 3)).data, torch.tensor(x.data).repeat(2, 3).numpy())
    with pytest.raises(TypeError, match=r"x.repeat\(2, axis=3\).*x.tile\(\(2, 3\)\)"):
        x.repeat(2, 3)
    with pytest.raises(ValueError, match="one per element"):
        x.repeat(np.array([1, 2, 3]), axis=0)


def test_nonzero_is_numpys_tuple_and_argwhere_is_torchs_nonzero():
    x = Tensor([[0.0, 1.5], [2.0, 0.0]], requires_grad=True)
    rows, cols = x.nonzero()
    np.testing.assert_array_equal(x[x.nonzero()].data, [1.5, 2.0])
    np.testing.assert_array_equal(x.argwhere().data, torch.nonzero(torch.tensor(x.data)).numpy())
    np.testing.assert_array_equal(x.nonzero(as_tuple=False).data, x.argwhere().data)
    assert rows.dtype == cols.dtype == np.int64


def test_scatter_with_a_repeated_place_keeps_the_last_value_and_gives_it_the_gradient():
    x = Tensor(np.zeros((1, 3)), requires_grad=True)
    src = Tensor([[5.0, 6.0, 7.0]], requires_grad=True)
    out = x.scatter(1, np.array([[2, 0, 2]]), src)
    np.testing.assert_array_equal(out.data, [[6.0, 0.0, 7.0]])  # numpy's x[[2, 0, 2]] = [5, 6, 7]
    out.backward(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(src.grad.data, [[0.0, 1.0, 3.0]])
    np.testing.assert_array_equal(x.grad.data, [[0.0, 2.0, 0.0]])


def test_scatter_reduce_on_integers_rounds_the_mean_down_as_torch():
    x, index, src = np.array([1, 2, 3, 4]), np.array([0, 0, 2]), np.array([5, 6, 8])
    for include_self in (True, False):
        for reduce in ("sum", "prod", "mean", "amax", "amin"):
            ours = Tensor(x).scatter_reduce(0, index, src, reduce, include_self=include_self)
            theirs = torch.tensor(x).scatter_reduce(0, torch.tensor(index), torch.tensor(src), reduce,
                                                    include_self=include_self)
            np.testing.assert_array_equal(ours.data, theirs.numpy(), err_msg=f"{reduce} {include_self}")
            assert ours.dtype == x.dtype


def test_masked_fill_keeps_the_dtype_and_masks_combine_with_bitwise_operators():
    ints = Tensor(np.array([1, 2, 3]))
    filled = ints.masked_fill(np.array([True, False, True]), 2.7)
    np.testing.assert_array_equal(filled.data, [2, 2, 2])  # as torch: the value takes the tensor's dtype
    assert filled.dtype == np.int64
    x = Tensor([-2.0, 0.5, 3.0])
    np.testing.assert_array_equal(((x > 0) & ~(x > 1)).data, [False, True, False])
    np.testing.assert_array_equal((Tensor(np.array([12, 5])) ^ 6).data, [10, 3])
    np.testing.assert_array_equal((3 << Tensor(np.array([1, 2]))).data, [6, 12])


# ----- integer min and minimum (no overflow), var with ddof >= n -----------------------------------
def test_integer_min_and_minimum_do_not_overflow():
    lowest = np.iinfo(np.int64).min
    assert Tensor(np.array([lowest, 5])).min().item() == lowest
    np.testing.assert_array_equal(autograd.minimum(np.array([lowest, 3]), Tensor(np.array([0, lowest]))).data,
                                  [lowest, lowest])
    np.testing.assert_array_equal(Tensor(np.array([0, 7], np.uint8)).min(axis=0).data, 0)
    np.testing.assert_array_equal(autograd.minimum(Tensor(np.array([-128], np.int8)), 2.5).data, [-128.0])
    with pytest.raises(ValueError, match="empty"):
        Tensor(np.zeros(0, dtype=np.int64)).min()


def test_var_with_ddof_at_least_n_gives_inf_or_nan_as_numpy():
    with np.errstate(divide="ignore", invalid="ignore"):
        out = Tensor([[1.0, 2.0], [3.0, 3.0]]).var(axis=1, ddof=3).data
    assert np.isinf(out[0]) and np.isnan(out[1])  # not -0.5 and -0.0


# ----- einsum ----------------------------------------------------------------------------------------
def test_einsum_result_does_not_share_memory_with_its_operand():
    a = Tensor(np.arange(6.0).reshape(2, 3))
    t = autograd.einsum("ij->ji", a)
    with no_grad():
        a += 1
    np.testing.assert_array_equal(t.data, np.arange(6.0).reshape(2, 3).T)


def test_einsum_keeps_float32_and_explains_bad_subscripts():
    a = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    out = autograd.einsum("ij,jk->ik", a, np.ones((3, 4), np.float32))
    out.sum().backward()
    assert out.dtype == a.grad.dtype == np.float32
    with pytest.raises(ValueError, match="2 terms for 1 operands"):
        autograd.einsum("ij,jk", a)
    with pytest.raises(ValueError, match="index 'j' has sizes 3 and 4"):
        autograd.einsum("ij,jk", a, np.ones((4, 2)))
    with pytest.raises(ValueError, match="output index 'k' does not occur"):
        autograd.einsum("ij->k", a)
    with pytest.raises(ValueError, match="'ijk' has 3 indices for an operand with 2"):
        autograd.einsum("ijk", a)


# ----- clear errors ------------------------------------------------------------------------------------
def test_index_operations_explain_bad_indices():
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match=r"gather: index 4 is out of range for axis 1 of length 4"):
        x.gather(1, np.array([[0, 4]]))
    with pytest.raises(ValueError, match="as many dimensions as the tensor"):
        x.gather(1, np.array([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        x.scatter(0, np.array([[0.0]]), 1.0)
    with pytest.raises(ValueError, match="reduce must be"):
        x.scatter_reduce(0, np.array([[0]]), np.ones((1, 1)), "max")
    with pytest.raises(TypeError, match="boolean"):
        x.masked_fill(np.zeros((3, 4)), 1.0)
    with pytest.raises(TypeError, match=r"& \(bitwise_and\).*float64"):
        x & 1
    with pytest.raises(ValueError, match="3 components"):
        x.cross(x)
    with pytest.raises(ValueError, match="matrix"):
        Tensor([1.0, 2.0]).tril()
