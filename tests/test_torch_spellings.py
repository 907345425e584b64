"""PyTorch's spellings next to numpy's (issue #18) and the constructors (issue #17).

Values and gradients of each spelling are checked against numpy, central differences and
PyTorch in tests/op_table.py ("PyTorch's spellings" rows); here: that every function with a
numpy argument takes PyTorch's too, the rule where the two disagree, the errors, and the
constructors.
"""
import inspect

import numpy as np
import pytest
import torch

import autograd
import nn
from autograd import Tensor, no_grad
from autograd.spellings import ValuesIndices
from nn import functional as F

X = np.array([[0.5, -1.5, 2.0, 0.0], [1.0, 3.0, -0.25, 3.0], [2.0, 0.5, 1.0, -2.0]])


def leaf(data=X, dtype=np.float64):
    return Tensor(np.asarray(data, dtype=dtype), requires_grad=True)


def torch_leaf(data=X):
    return torch.tensor(np.asarray(data), requires_grad=True)


def public_callables():
    """(label, function) for every Tensor method and public autograd function."""
    for name, member in inspect.getmembers(Tensor, inspect.isfunction):
        if not name.startswith("_"):
            yield f"Tensor.{name}", member
    for name in autograd.__all__:
        member = getattr(autograd, name)
        if inspect.isfunction(member):
            yield f"autograd.{name}", member


NO_PYTORCH_COUNTERPART = {"Tensor.sliding_window", "autograd.sliding_window",  # windows: no dim to spell
                          "autograd.fold_windows",
                          "Tensor.repeat", "autograd.repeat"}  # numpy's repeat; PyTorch's repeat is tile


def test_every_function_with_a_numpy_argument_takes_the_pytorch_spelling_too():
    """A new reduction (cumsum, prod, ...) fails here until it is decorated with @torch_spellings."""
    pairs = {"axis": "dim", "keepdims": "keepdim", "ddof": "unbiased"}
    missing = []
    for label, function in public_callables():
        parameters = inspect.signature(function).parameters
        for numpy_name, torch_name in pairs.items():
            if numpy_name in parameters and torch_name not in parameters and label not in NO_PYTORCH_COUNTERPART:
                missing.append(f"{label}: {numpy_name}= without {torch_name}=")
    assert not missing, "decorate with @torch_spellings (autograd/spellings.py):\n" + "\n".join(missing)


# ----- same meaning: the PyTorch keyword gives what the numpy keyword gives ----------------------
SAME = {  # name: (numpy spelling, PyTorch spelling)
    "sum": (lambda t: t.sum(axis=1, keepdims=True), lambda t: t.sum(dim=1, keepdim=True)),
    "mean": (lambda t: t.mean(axis=(0, 1)), lambda t: t.mean(dim=(0, 1))),
    "logsumexp": (lambda t: t.logsumexp(axis=0), lambda t: t.logsumexp(dim=0)),
    "softmax": (lambda t: t.softmax(axis=0), lambda t: t.softmax(dim=0)),
    "log_softmax": (lambda t: t.log_softmax(axis=0), lambda t: t.log_softmax(dim=0)),
    "amax": (lambda t: t.max(axis=1, keepdims=True), lambda t: t.amax(dim=1, keepdim=True)),
    "amin": (lambda t: t.min(axis=0), lambda t: t.amin(dim=0)),
    "var_unbiased": (lambda t: t.var(axis=0, ddof=1), lambda t: t.var(dim=0, unbiased=True)),
    "var_correction": (lambda t: t.var(axis=1, ddof=2), lambda t: t.var(dim=1, correction=2)),
    "std_biased": (lambda t: t.std(axis=0, keepdims=True), lambda t: t.std(0, keepdim=True, unbiased=False)),
    "unsqueeze": (lambda t: t.unsqueeze(1), lambda t: t.unsqueeze(dim=1)),
    "expand_dims": (lambda t: t.expand_dims(-1), lambda t: t.expand_dims(dim=-1)),
    "view": (lambda t: t.reshape(2, 6), lambda t: t.view(2, 6)),
    "view_tuple": (lambda t: t.reshape(-1), lambda t: t.view((-1,))),
    "clone": (lambda t: t * 1, lambda t: t.clone()),
    "free_sum": (lambda t: autograd.sum(t, axis=0), lambda t: autograd.sum(t, dim=0)),
    "free_mean": (lambda t: autograd.mean(t, axis=0, keepdims=True), lambda t: autograd.mean(t, dim=0, keepdim=True)),
    "free_logsumexp": (lambda t: autograd.logsumexp(t, axis=1), lambda t: autograd.logsumexp(t, dim=1)),
    "free_softmax": (lambda t: autograd.softmax(t, axis=0), lambda t: autograd.softmax(t, dim=0)),
    "free_log_softmax": (lambda t: autograd.log_softmax(t, axis=0), lambda t: autograd.log_softmax(t, dim=0)),
    "concatenate": (lambda t: autograd.concatenate([t, 2 * t], axis=1), lambda t: autograd.concatenate([t, 2 * t], dim=1)),
    "cat": (lambda t: autograd.concatenate([t, t.exp()], axis=0), lambda t: autograd.cat([t, t.exp()], dim=0)),
    "stack": (lambda t: autograd.stack([t, t * t], axis=2), lambda t: autograd.stack([t, t * t], dim=2)),
    "split_list": (lambda t: autograd.concatenate(autograd.split(t, [1, 3], axis=1)[::-1], axis=1),
                   lambda t: autograd.cat(autograd.split(t, [1, 2, 1], dim=1)[::-1], dim=1)),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_pytorch_keyword_gives_the_numpy_keyword_values_and_gradients(name):
    numpy_form, torch_form = SAME[name]
    a, b = leaf(), leaf()
    out_a, out_b = numpy_form(a), torch_form(b)
    np.testing.assert_array_equal(out_b.data, out_a.data)
    weights = np.random.default_rng(0).standard_normal(out_a.shape)
    (out_a * weights).sum().backward()
    (out_b * weights).sum().backward()
    np.testing.assert_allclose(b.grad.data, a.grad.data, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("method", ["all", "any", "argmax", "argmin"])
def test_index_and_truth_reductions_take_dim_and_keepdim(method, keepdim):
    ours, theirs = Tensor(X), torch.tensor(X)
    if method in ("all", "any"):
        ours, theirs = ours > 0.4, theirs > 0.4
    kwargs = {"dim": 1, "keepdim": keepdim}
    np.testing.assert_array_equal(getattr(ours, method)(**kwargs).data, getattr(theirs, method)(**kwargs).numpy())
    free = getattr(autograd, method, None)
    if free is not None:
        np.testing.assert_array_equal(free(ours, **kwargs).data, getattr(theirs, method)(**kwargs).numpy())


# ----- where numpy and PyTorch disagree, a PyTorch keyword selects PyTorch's meaning ------------
def test_max_and_min_with_dim_return_values_and_indices_as_pytorch():
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [0.0, 5.0, 1.0]])
    for name in ("max", "min"):
        for kwargs in ({"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": -1, "keepdim": False}):
            ours, theirs = getattr(leaf(ties), name)(**kwargs), getattr(torch_leaf(ties), name)(**kwargs)
            assert isinstance(ours, ValuesIndices) and type(ours).__name__ == "ValuesIndices"
            values, indices = ours  # unpacks like torch.return_types.max
            np.testing.assert_array_equal(values.data, theirs.values.detach().numpy())
            np.testing.assert_array_equal(indices.data, theirs.indices.numpy())
            assert indices.dtype == np.int64 and not indices.requires_grad
    assert isinstance(leaf().max(axis=1), Tensor) and isinstance(leaf().max(1), Tensor)  # numpy: values only
    assert leaf().max(1, keepdim=True).values.shape == (3, 1)  # the exercise's logits.max(1, keepdim=True).values


def test_max_with_dim_sends_the_gradient_to_the_index_and_max_with_axis_shares_it():
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    a, b, t = leaf(ties), leaf(ties), torch_leaf(ties)
    a.max(dim=1).values.sum().backward()
    t.max(dim=1).values.sum().backward()
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())
    b.max(axis=1).sum().backward()
    np.testing.assert_allclose(b.grad.data, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_max_with_dim_edge_cases():
    scalar = Tensor(2.5, requires_grad=True)
    values, indices = scalar.max(dim=0)
    assert values.shape == indices.shape == () and values.item() == 2.5 and indices.item() == 0
    values.backward()
    assert scalar.grad.item() == 1.0
    with pytest.raises(IndexError, match="out of range"):
        scalar.max(dim=1)
    with pytest.raises(TypeError, match=r"one dimension.*amax\(dim=...\)"):
        leaf().max(dim=(0, 1))
    assert isinstance(leaf().max(keepdim=True), Tensor) and leaf().max(keepdim=True).shape == (1, 1)


def test_var_and_std_with_a_pytorch_keyword_default_to_pytorch_correction():
    ours, theirs = Tensor(X), torch.tensor(X)
    np.testing.assert_allclose(ours.var(dim=0).data, theirs.var(dim=0).numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours.std(1, keepdim=True).data, theirs.std(1, keepdim=True).numpy(), rtol=1e-14)
    np.testing.assert_allclose(ours.var(axis=0).data, X.var(axis=0), rtol=1e-14)  # numpy's ddof=0 stands
    np.testing.assert_allclose(ours.var(0).data, X.var(axis=0), rtol=1e-14)
    np.testing.assert_allclose(ours.std(dim=1, correction=0).data, X.std(axis=1), rtol=1e-14)


def test_squeeze_with_dim_leaves_a_dimension_that_is_not_one_as_pytorch():
    t = Tensor(np.zeros((1, 3, 1)))
    assert t.squeeze(dim=1).shape == torch.zeros(1, 3, 1).squeeze(dim=1).shape == (1, 3, 1)
    assert t.squeeze(dim=(0, 1)).shape == (3, 1)
    with pytest.raises(ValueError, match=r"squeeze.*squeeze\(dim=...\) leaves such a dimension alone"):
        t.squeeze(1)  # numpy's squeeze refuses


def test_split_with_dim_cuts_pieces_of_that_size_as_pytorch():
    data = np.arange(10.0).reshape(2, 5)
    for args in ((2,), ([1, 4],), ([0, 2, 3],)):
        ours = Tensor(data).split(*args, dim=1)
        theirs = torch.tensor(data).split(*args, dim=1)
        assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]
        for p, q in zip(ours, theirs):
            np.testing.assert_array_equal(p.data, q.numpy())
    assert [p.shape for p in Tensor(data).split(5, axis=1)] == [(2, 1)] * 5  # numpy: 5 equal sections
    with pytest.raises(ValueError, match="add up to the length 5"):
        Tensor(data).split([2, 2], dim=1)


def test_transpose_of_two_axes_names_swapaxes():
    t = Tensor(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"swapaxes\(1, 2\)"):
        t.transpose(1, 2)
    assert t.swapaxes(1, 2).shape == tuple(torch.zeros(2, 3, 4).transpose(1, 2).shape)


# ----- both spellings at once -------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda t: t.sum(axis=0, dim=0), "sum: pass axis= or dim=, not both"),
    (lambda t: t.sum(0, dim=0), "sum: pass axis= or dim=, not both"),
    (lambda t: t.mean(keepdims=True, keepdim=True), "mean: pass keepdims= or keepdim=, not both"),
    (lambda t: t.max(1, dim=1), "max: pass axis= or dim=, not both"),
    (lambda t: t.var(ddof=1, unbiased=True), "var: pass ddof= or unbiased=, not both"),
    (lambda t: t.std(unbiased=True, correction=1), "std: pass unbiased= or correction=, not both"),
    (lambda t: t.var(0, False, 1, unbiased=True), "var: pass ddof= or unbiased=, not both"),
    (lambda t: t.softmax(axis=0, dim=0), "softmax: pass axis= or dim=, not both"),
    (lambda t: t.squeeze(axis=0, dim=0), "squeeze: pass axis= or dim=, not both"),
    (lambda t: t.argmax(keepdims=True, keepdim=True), "argmax: pass keepdims= or keepdim=, not both"),
    (lambda t: autograd.concatenate([t, t], axis=0, dim=0), "concatenate: pass axis= or dim=, not both"),
    (lambda t: autograd.stack([t, t], 1, dim=1), "stack: pass axis= or dim=, not both"),
    (lambda t: autograd.linspace(0, 1, 5, steps=5), "linspace: pass num= or steps=, not both"),
    (lambda t: autograd.arange(0, 5, end=5), "arange: pass stop= or end=, not both"),
])
def test_both_spellings_at_once_is_a_clear_error(call, message):
    with pytest.raises(TypeError, match=message):
        call(leaf())


def test_signature_and_help_show_the_pytorch_keywords():
    signature = inspect.signature(Tensor.var)
    assert list(signature.parameters) == ["self", "axis", "keepdims", "ddof", "dim", "keepdim", "unbiased", "correction"]
    assert signature.parameters["dim"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "dim= for axis=" in Tensor.sum.__doc__ and "population variance" in Tensor.var.__doc__
    assert Tensor.sum.__name__ == "sum" and Tensor.sum.__wrapped__.__name__ == "sum"
    assert "steps" in inspect.signature(autograd.linspace).parameters


def test_unknown_keywords_still_fail_as_before():
    with pytest.raises(TypeError, match="unexpected keyword"):
        leaf().sum(dim=0, axes=1)


# ----- new names with the same meaning ---------------------------------------------------------
def test_numel_nelement_and_size():
    t = Tensor(np.zeros((3, 4, 2)))
    assert t.numel() == t.nelement() == t.size == torch.zeros(3, 4, 2).numel() == 24


def test_view_refuses_a_dtype_with_advice():
    with pytest.raises(TypeError, match="astype"):
        leaf().view(np.float32)


def test_clone_copies_and_passes_the_gradient():
    t = leaf()
    c = t.clone()
    assert c.grad_fn.name == "Clone" and c.data is not t.data
    with no_grad():
        c[0, 0] = 100.0
    assert t.data[0, 0] == 0.5
    (c * 3).sum().backward()
    np.testing.assert_array_equal(t.grad.data, np.full(X.shape, 3.0))
    integers = Tensor([1, 2]).clone()
    assert integers.dtype == np.int64 and integers.grad_fn is None
    negative_zero = Tensor(-0.0).clone()
    assert np.signbit(negative_zero.data)


def test_log10_is_exact_at_powers_of_ten():
    powers = Tensor([1.0, 10.0, 100.0, 1000.0, 1e10])
    np.testing.assert_array_equal(powers.log10().data, [0, 1, 2, 3, 10])
    np.testing.assert_array_equal(autograd.log10(powers).data, torch.log10(torch.tensor(powers.data)).numpy())


def test_allclose_as_pytorch():
    a = np.array([1.0, 2.0, np.nan])
    for b, kwargs in ((a + 1e-9, {}), (a + 1e-3, {}), (a + 1e-3, {"atol": 1e-2}), (a, {"equal_nan": True})):
        expected = torch.allclose(torch.tensor(a), torch.tensor(b), **kwargs)
        assert Tensor(a).allclose(Tensor(b), **kwargs) is expected
        assert autograd.allclose(a, Tensor(b), **kwargs) is expected


def test_zero_resets_a_gradient_by_hand_as_in_a_pytorch_training_loop():
    w = leaf()
    (w * w).sum().backward()
    with no_grad():
        w -= 0.1 * w.grad
        w.grad.zero_()
    np.testing.assert_array_equal(w.grad.data, np.zeros(X.shape))
    np.testing.assert_allclose(w.data, 0.8 * X)
    with pytest.raises(RuntimeError, match="requires grad"):
        w.zero_()  # a leaf that requires grad, while gradients are recorded (PyTorch refuses too)


def test_one_hot_as_pytorch():
    labels = np.array([[0, 2], [3, 1]])
    ours, theirs = F.one_hot(Tensor(labels)), torch.nn.functional.one_hot(torch.tensor(labels))
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == np.int64 and ours.shape == (2, 2, 4)
    assert F.one_hot([1, 0], num_classes=3).shape == (2, 3)
    as_float32 = F.one_hot(Tensor([1, 0]), 3, dtype=np.float32)
    assert as_float32.dtype == np.float32 and (as_float32 * Tensor(np.ones(3, np.float32))).dtype == np.float32
    with pytest.raises(ValueError, match="0..2"):
        F.one_hot([0, 3], num_classes=3)


def test_data_one_hot_keeps_the_dtype_given_and_mixup_keeps_float32():
    assert nn.data.one_hot([0, 1], 2, dtype=np.float32).dtype == np.float32
    assert nn.data.one_hot([0, 1], 2).dtype == np.float64  # documented default
    images = np.zeros((4, 1, 2, 2), np.float32)
    mixed_x, mixed_y = nn.data.Mixup(num_classes=3, seed=0)(images, np.array([0, 1, 2, 0]))
    assert mixed_x.dtype == mixed_y.dtype == np.float32
    np.testing.assert_allclose(mixed_y.sum(axis=1), 1.0, rtol=1e-6)


# ----- constructors (issue #17) ----------------------------------------------------------------
CONSTRUCTORS = {  # name: a call with dtype= and requires_grad= passed through **kw
    "zeros": lambda **kw: autograd.zeros(2, 3, **kw),
    "ones": lambda **kw: autograd.ones((2, 3), **kw),
    "empty": lambda **kw: autograd.empty(2, 3, **kw),
    "full": lambda **kw: autograd.full((2, 3), 1.5, **kw),
    "zeros_like": lambda **kw: autograd.zeros_like(Tensor(np.ones((2, 3))), **kw),
    "ones_like": lambda **kw: autograd.ones_like(np.ones((2, 3)), **kw),
    "full_like": lambda **kw: autograd.full_like(Tensor(np.ones((2, 3))), 7.0, **kw),
    "eye": lambda **kw: autograd.eye(2, 3, **kw),
    "arange": lambda **kw: autograd.arange(0.0, 3.0, 0.5, **kw),
    "linspace": lambda **kw: autograd.linspace(0, 1, 6, **kw),
    "randn": lambda **kw: autograd.randn(2, 3, **kw),
    "rand": lambda **kw: autograd.rand((2, 3), **kw),
    "randint": lambda **kw: autograd.randint(0, 5, (2, 3), **kw),
    "randperm": lambda **kw: autograd.randperm(6, **kw),
}


def test_every_constructor_is_tested():
    from autograd import creation

    assert set(CONSTRUCTORS) == set(creation.__all__) - {"manual_seed", "get_generator"}


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_constructors_take_dtype_and_requires_grad(name):
    make = CONSTRUCTORS[name]
    default = make()
    assert default.dtype == (np.int64 if name in ("randint", "randperm") else np.float64)
    assert not default.requires_grad and default.is_leaf
    made = make(dtype=np.float32, requires_grad=True)
    assert made.dtype == np.float32 and made.requires_grad and made.is_leaf
    if not name.startswith("rand"):
        np.testing.assert_array_equal(made.data, default.data.astype(np.float32))
    assert make(dtype=np.int32).dtype == np.int32
    with pytest.raises(TypeError, match="floating-point"):
        make(dtype=np.int64, requires_grad=True)


def test_constant_constructors_match_pytorch():
    pairs = [
        (autograd.zeros(2, 3), torch.zeros(2, 3)), (autograd.ones((3,)), torch.ones((3,))),
        (autograd.empty(2, 2), torch.zeros(2, 2)),  # chalkgrad's empty is zero-filled (documented)
        (autograd.full((2, 2), 3), torch.full((2, 2), 3)), (autograd.full((2,), True), torch.full((2,), True)),
        (autograd.eye(3), torch.eye(3)), (autograd.eye(2, 4), torch.eye(2, 4)),
        (autograd.arange(5), torch.arange(5)), (autograd.arange(1, 7, 2), torch.arange(1, 7, 2)),
        (autograd.arange(0, end=1, step=0.25), torch.arange(0, end=1, step=0.25)),
        (autograd.linspace(-1, 1, steps=5), torch.linspace(-1, 1, steps=5)),
        (autograd.linspace(0, 2, 3), torch.linspace(0, 2, 3)),
        (autograd.zeros_like(Tensor([1, 2])), torch.zeros_like(torch.tensor([1, 2]))),
        (autograd.full_like(Tensor([1.0, 2.0]), 4), torch.full_like(torch.tensor([1.0, 2.0]), 4)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.data, theirs.numpy())
        expected = np.float64 if theirs.is_floating_point() else theirs.numpy().dtype  # float64 is our default
        assert ours.dtype == expected, (ours, theirs)
    assert autograd.linspace(0, 1).shape == (50,)  # numpy's default count (PyTorch needs steps)


def test_random_constructors_reproduce_from_a_seed_or_a_generator():
    assert np.array_equal(autograd.randn(3, generator=7).data, autograd.randn(3, generator=7).data)
    assert not np.array_equal(autograd.randn(3, generator=7).data, autograd.randn(3, generator=8).data)
    generator = np.random.default_rng(1)
    first, second = autograd.rand(4, generator=generator), autograd.rand(4, generator=generator)
    assert not np.array_equal(first.data, second.data)  # a Generator advances
    np.testing.assert_array_equal(np.concatenate([first.data, second.data]), np.random.default_rng(1).random(8))
    np.testing.assert_array_equal(autograd.randn(3, generator=5, dtype=np.float32).data,
                                  autograd.randn(3, generator=5).data.astype(np.float32))
    with pytest.raises(TypeError, match="numpy Generator"):
        autograd.randn(2, generator="seed")


def test_manual_seed_restarts_one_generator_shared_with_nn():
    autograd.manual_seed(3)
    a, layer_a = autograd.randn(2, 2), nn.Linear(2, 2)
    nn.manual_seed(3)
    b, layer_b = autograd.randn(2, 2), nn.Linear(2, 2)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(layer_a.weight.data, layer_b.weight.data)
    assert nn.init.get_generator() is autograd.get_generator()


def test_random_constructors_draw_from_the_right_distributions():
    normal, uniform = autograd.randn(20000, generator=0).data, autograd.rand(100, 200, generator=0).data
    assert abs(normal.mean()) < 0.03 and abs(normal.std() - 1) < 0.03
    assert uniform.shape == (100, 200) and 0 <= uniform.min() and uniform.max() < 1 and abs(uniform.mean() - 0.5) < 0.01
    perm = autograd.randperm(50, generator=0).data
    assert sorted(perm) == list(range(50)) and not np.array_equal(perm, np.arange(50))


@pytest.mark.parametrize("args, low, high, shape", [
    ((5, (1000,)), 0, 5, (1000,)),  # PyTorch's randint(high, size)
    ((2, 5, (10, 100)), 2, 5, (10, 100)),  # randint(low, high, size), PyTorch and numpy
    ((3,), 0, 3, ()),  # numpy's randint(high): one number
])
def test_randint_forms(args, low, high, shape):
    drawn = autograd.randint(*args, generator=0).data
    assert drawn.shape == shape and drawn.dtype == np.int64
    assert drawn.min() >= low and drawn.max() < high
    if drawn.size > 100:
        assert set(np.unique(drawn)) == set(range(low, high))



@pytest.mark.parametrize("make, op", [(lambda: autograd.zeros((2, -1)), "zeros"), (lambda: autograd.ones(2.5), "ones"),
                                      (lambda: autograd.full((2, -3), 1.0), "full"), (lambda: autograd.randn(-1), "randn"),
                                      (lambda: autograd.rand(2, True), "rand"), (lambda: autograd.empty(-2), "empty")])
def test_constructors_refuse_a_bad_shape_naming_themselves(make, op):
    with pytest.raises(ValueError, match=rf"^{op}: a shape is whole numbers >= 0, such as \(2, 3\); got"):
        make()


def test_constructors_take_a_shape_both_ways():
    assert autograd.zeros(2, 3).shape == autograd.ones((2, 3)).shape == autograd.randn([2, 3]).shape == (2, 3)
    assert autograd.full(3, 1.0).shape == (3,) and autograd.zeros().shape == () and autograd.rand(0).shape == (0,)
