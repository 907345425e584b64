"""Tensor (autograd/tensor.py): dtypes, shape errors that name the shapes, numpy interplay and repr."""
import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor

def leaf(value, dtype=np.float64, name=None):
    return Tensor(np.asarray(value, dtype=dtype), requires_grad=True, name=name)


# ----- dtypes -----------------------------------------------------------------------------------------
def test_requires_grad_on_integers_is_a_clear_error():
    with pytest.raises(TypeError, match="int64.*float"):
        Tensor(np.array([1, 2]), requires_grad=True)
    t = Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match="floating-point"):
        t.requires_grad_()
    assert Tensor([1, 2], requires_grad=True).dtype == np.float64  # Python ints mean floats here


@pytest.mark.parametrize("dtype", [np.complex128, object, np.float16])
def test_unsupported_dtypes_are_refused(dtype):
    with pytest.raises(TypeError, match="unsupported dtype"):
        Tensor(np.zeros(2, dtype=dtype))


def test_float32_end_to_end_with_scalars():
    x = leaf([0.5, 1.5], dtype=np.float32)
    y = ((2 * x + 1) ** 2 / 3 - np.float64(1)).exp().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.bool_])
def test_functions_of_small_integers_are_float32_not_float16(dtype):
    """numpy computes np.exp(int8) in float16, a dtype Tensors refuse (3 digits); PyTorch in float32."""
    values = np.array([1, 0, 1], dtype=dtype)
    for name in ("exp", "sqrt", "tanh", "log1p"):
        ours = getattr(Tensor(values), name)()
        theirs = getattr(torch.from_numpy(values).to(torch.float32), name)()
        assert ours.dtype == np.float32, name
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, err_msg=name)
    assert Tensor(values).reshape(3, 1).broadcast_to((3, 2)).exp().dtype == np.float32  # the general path
    assert Tensor(values[0]).exp().dtype == np.float32  # 0-d


def test_integer_and_bool_tensors_work_without_gradients():
    i = Tensor(np.array([3, 1, 2]))
    assert (i + 1).dtype == np.int64 and (i * 2).data.tolist() == [6, 2, 4]
    assert not (i + 1).requires_grad
    mask = i > 1
    assert mask.dtype == bool and mask.data.tolist() == [True, False, True]
    assert mask.any().item() is True and not mask.all().item()
    x = leaf([10.0, 20.0, 30.0, 40.0])
    picked = x[i]  # an integer Tensor as index
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0])
    y = leaf([1.0, -2.0, 3.0])
    y[y > 0].sum().backward()  # a boolean Tensor as mask
    np.testing.assert_array_equal(y.grad.data, [1.0, 0.0, 1.0])
    cast = leaf([1.5, 2.5]).astype(np.int64)
    assert cast.dtype == np.int64 and not cast.requires_grad  # as PyTorch: no gradient through int casts
    assert (i + x[:3]).dtype == np.float64 and (i + x[:3]).requires_grad


def test_comparisons_carry_no_gradient():
    x = leaf([1.0, 2.0])
    for r in (x < 1.5, x <= 1.5, x > 1.5, x >= 1.5, x == 2.0, x != 2.0):
        assert r.dtype == bool and not r.requires_grad


# ----- shape errors -----------------------------------------------------------------------------------
def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError) as info:
        Tensor(np.zeros((2, 3))) @ Tensor(np.zeros((4, 5)))
    assert "(2, 3)" in str(info.value) and "(4, 5)" in str(info.value)
    with pytest.raises(ValueError, match="matmul"):
        autograd.matmul(Tensor(1.0), Tensor([1.0]))


def test_broadcast_error_names_op_and_shapes():
    a, b = leaf(np.zeros((3, 4))), Tensor(np.zeros(5))
    for op, name in ((lambda: a + b, "+ (add)"), (lambda: a * b, "* (mul)"), (lambda: autograd.maximum(a, b), "maximum")):
        with pytest.raises(ValueError) as info:
            op()
        message = str(info.value)
        assert message.startswith(name) and "(3, 4)" in message and "(5,)" in message and "broadcast" in message


def test_other_shape_errors_are_clear():
    x = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="reshape"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="split"):
        x.split(4, axis=1)
    with pytest.raises(ValueError, match="same shape"):
        autograd.stack([x, Tensor(np.zeros(3))])
    with pytest.raises(IndexError, match=r"t\[\.\.\.\] \(indexing\)"):
        x[5]
    with pytest.raises(ValueError, match="item"):
        x.item()
    with pytest.raises(TypeError, match="boolean"):
        autograd.where(np.array([1, 0]), 1.0, 2.0)


def test_bad_axes_and_int_division_in_place_are_clear():
    with pytest.raises(IndexError, match="flatten: axis 3"):
        Tensor(np.ones((2, 3))).flatten(3)
    with pytest.raises(ValueError, match="mT"):
        Tensor(np.ones(3)).mT
    ints = Tensor(np.arange(3))
    with pytest.raises(TypeError, match="in place"):
        ints /= 2


def test_hostile_operands_get_errors_naming_the_operation():
    """Found by hand while fuzzing the engine: each of these gave a bare numpy error, Python's list
    arithmetic ("can't multiply sequence by non-int") or a silent NaN."""
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"\* \(mul\).*shape \(2,\).*list.*Tensor\(values\)"):
        x * [1, 2]
    with pytest.raises(TypeError, match=r"\* \(mul\).*tuple"):
        (1, 2) * x
    with pytest.raises(TypeError, match=r"\+ \(add\).*list"):
        x += [1, 2]
    with pytest.raises(TypeError, match=r"unsupported dtype object.*beyond int64"):
        Tensor([2**70, 1])
    h = leaf([1.0, 2.0]) * 1
    for target in (x, h):  # not recorded, and recorded
        with pytest.raises(TypeError, match=r"setitem.*NoneType.*shape \(2,\)"):
            target[0] = None  # numpy would write NaN
    assert x.tolist() == [1.0, 2.0] and h.tolist() == [1.0, 2.0]
    with pytest.raises(IndexError, match=r"setitem.*out of bounds.*shape \(2,\)"):
        x[5] = 1.0
    with pytest.raises(ValueError, match=r"setitem.*\(2,\) and \(3,\)"):
        x[:] = np.ones(3)
    small = Tensor(np.array([100], dtype=np.int8))
    with pytest.raises(OverflowError, match=r"setitem.*1000.*int8"):
        small[0] = 1000
    with pytest.raises(OverflowError, match=r"\+ \(add\) in place.*int8"):
        small += 1000
    with pytest.raises(OverflowError, match=r"\+ \(add\): Python integer 1000.*astype.*int8"):
        small + 1000
    with pytest.raises(OverflowError, match=r"\+ \(add\).*int8"):
        Tensor(np.array([[1]], dtype=np.int8)).broadcast_to((2, 1)) + 1000  # the general path


# ----- numpy interplay, repr, PyTorch agreement -------------------------------------------------------
def test_numpy_interplay():
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32))
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
    r = np.float64(1) - t
    assert isinstance(r, Tensor) and r.data.tolist() == [0.0, -1.0]
    assert (2 * t).dtype == np.float32 and (t * 2.5).dtype == np.float32 and (t / 3).dtype == np.float32
    assert (np.float32(2) * t).dtype == np.float32
    assert isinstance(np.array([1.0, 1.0]) + t, Tensor)
    x = leaf(3.0)
    y = np.float64(2.0) * x
    y.backward()
    assert x.grad.item() == 2.0
    assert Tensor(2.5).dtype == np.float64 and float(Tensor(2.5)) == 2.5


def test_repr_shows_data_dtype_grad_fn_and_name():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    r = repr(w)
    assert "1." in r and "2." in r and "float64" in r and "requires_grad=True" in r and "'w'" in r
    y = w * 2
    assert "grad_fn=<MulBackward>" in repr(y) and "4." in repr(y)
    assert repr(Tensor(3.5)) == "Tensor(3.5, dtype=float64)"
    assert "float32" in repr(Tensor(np.ones(2, dtype=np.float32)))


def test_permute_with_negative_axes_matches_torch():
    x = np.random.default_rng(0).random((2, 3, 4))
    weights = np.random.default_rng(1).random((4, 2, 3))
    t = Tensor(x, requires_grad=True)
    (t.permute(-1, 0, 1) * weights).sum().backward()
    reference = torch.tensor(x, requires_grad=True)
    (reference.permute(-1, 0, 1) * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(t.grad.data, reference.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_over_a_nan_gives_a_nan_gradient_like_torch_amax(dtype):
    values = [[1.0, np.nan, 0.0], [2.0, 2.0, 1.0], [3.0, 1.0, 0.0]]
    x = leaf(values, dtype)
    x.max(axis=1).sum().backward()
    t = torch.tensor(values, requires_grad=True)
    t.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy().astype(dtype))  # NaN row, shared tie, winner
    assert x.grad.dtype == dtype
