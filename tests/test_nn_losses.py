"""Every loss (function and Module) against PyTorch in float64: values and input gradients,
for every reduction, including extreme inputs; penalties against their formulas; errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import nn
from autograd import Tensor
from nn import functional as F

rng = np.random.default_rng(99)
REDUCTIONS = ["mean", "sum", "none"]


def compare(ours_fn, torch_fn, x, *args, atol=1e-10, **kwargs):
    """ours_fn(Tensor x, *args, **kwargs) vs torch_fn(torch x, *torch args, **kwargs): value and dL/dx."""
    xt = Tensor(x, requires_grad=True)
    out = ours_fn(xt, *args, **kwargs)
    upstream = rng.standard_normal(out.shape)
    (out * upstream).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    targs = [torch.from_numpy(np.asarray(a)) if isinstance(a, np.ndarray) else a for a in args]
    tkwargs = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    tout = torch_fn(tx, *targs, **tkwargs)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), atol=atol, rtol=1e-7)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), atol=atol, rtol=1e-7)
    return out


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_match_torch(reduction):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    compare(F.mse_loss, TF.mse_loss, x, y, reduction=reduction)
    compare(F.l1_loss, TF.l1_loss, x, y, reduction=reduction)
    compare(nn.MSELoss(reduction), torch.nn.MSELoss(reduction=reduction), x, y)
    compare(nn.L1Loss(reduction), torch.nn.L1Loss(reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses_match_torch(reduction):
    p = rng.uniform(0.05, 0.95, (5, 2))
    y = rng.integers(0, 2, (5, 2)).astype(np.float64)
    weight = rng.uniform(0.5, 2, (5, 2))
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, p, y, reduction=reduction)
    compare(F.binary_cross_entropy, TF.binary_cross_entropy, p, y, weight=weight, reduction=reduction)
    compare(nn.BCELoss(reduction=reduction), torch.nn.BCELoss(reduction=reduction), p, y)
    logits = rng.standard_normal((5, 2)) * 4
    logits[0, 0] = 0.0
    soft = rng.uniform(0, 1, (5, 2))
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, logits, soft, reduction=reduction)
    compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, logits, y, weight=weight, reduction=reduction)
    compare(nn.BCEWithLogitsLoss(reduction=reduction), torch.nn.BCEWithLogitsLoss(reduction=reduction), logits, y)


def test_bce_with_logits_is_stable_at_plus_minus_1000():
    logits = np.array([1000.0, -1000.0, 1000.0, -1000.0, 40.0, -40.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0])
    out = compare(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, logits, y, reduction="none")
    np.testing.assert_allclose(out.data[:4], [0.0, 0.0, 1000.0, 1000.0])


def test_bce_clamps_log_at_minus_100_like_torch():
    p, y = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    out = F.binary_cross_entropy(Tensor(p), y, reduction="none").data
    expected = TF.binary_cross_entropy(torch.tensor(p), torch.tensor(y), reduction="none").numpy()
    np.testing.assert_allclose(out, expected)
    np.testing.assert_allclose(out, [100.0, 100.0, 0.0, 0.0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_gradient_at_saturation_matches_torch(dtype):
    # a confident wrong prediction (p = 0, y = 1) must get a huge gradient, not zero
    p = np.array([0.0, 0.3, 1.0, 0.0, 1.0, 1e-20], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    ours = Tensor(p, requires_grad=True)
    loss = F.binary_cross_entropy(ours, y)
    loss.backward()
    theirs = torch.tensor(p, requires_grad=True)
    expected = TF.binary_cross_entropy(theirs, torch.tensor(y))
    expected.backward()
    assert loss.dtype == ours.grad.dtype == dtype
    np.testing.assert_allclose(loss.data, expected.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-6)
    assert ours.grad.data[0] < -1e11 and ours.grad.data[2] > 1e11


@pytest.mark.parametrize("loss_fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_binary_losses_keep_float32_with_a_float64_weight(loss_fn):
    p = Tensor(np.array([0.2, 0.9], dtype=np.float32), requires_grad=True)
    y = np.array([0.0, 1.0], dtype=np.float32)
    loss = loss_fn(p, y, weight=np.array([1.0, 2.0]))  # a float64 weight
    loss.backward()
    assert loss.dtype == p.grad.dtype == np.float32
    assert loss_fn(p, y, weight=Tensor(np.array([1.0, 2.0]))).dtype == np.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_torch(reduction, label_smoothing, weighted):
    logits, target = rng.standard_normal((6, 4)) * 3, rng.integers(0, 4, 6)
    weight = rng.uniform(0.5, 2, 4) if weighted else None
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing)
    if weighted:
        kwargs["weight"] = weight
    compare(F.cross_entropy, TF.cross_entropy, logits, target, **kwargs)
    module_kwargs = dict(kwargs, weight=torch.from_numpy(weight)) if weighted else kwargs
    ours_module = nn.CrossEntropyLoss(**kwargs)
    compare(ours_module, torch.nn.CrossEntropyLoss(**module_kwargs), logits, target)


def test_cross_entropy_with_probabilities_images_and_single_example():
    logits = rng.standard_normal((5, 3))
    probs = rng.dirichlet(np.ones(3), 5)
    for smoothing in (0.0, 0.1):
        compare(F.cross_entropy, TF.cross_entropy, logits, probs, label_smoothing=smoothing)
    images, pixel_targets = rng.standard_normal((2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    for reduction in REDUCTIONS:
        compare(F.cross_entropy, TF.cross_entropy, images, pixel_targets, reduction=reduction)
    compare(F.cross_entropy, TF.cross_entropy, rng.standard_normal(4), np.array(2))


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]])
    target = np.array([2, 0, 1])
    out = compare(F.cross_entropy, TF.cross_entropy, logits, target, reduction="none")
    np.testing.assert_allclose(out.data, [2e4, 1e4 + np.log(2), np.log(3)])
    assert np.all(np.isfinite(out.data))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(reduction):
    log_p = np.log(rng.dirichlet(np.ones(4), 6))
    target = rng.integers(0, 4, 6)
    compare(F.nll_loss, TF.nll_loss, log_p, target, reduction=reduction)
    compare(F.nll_loss, TF.nll_loss, log_p, target, weight=rng.uniform(0.5, 2, 4), reduction=reduction)
    compare(nn.NLLLoss(reduction=reduction), torch.nn.NLLLoss(reduction=reduction), log_p, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss_matches_torch(reduction, p):
    scores, target = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    scores[0, :] = [1.0, 0.0, 2.0, 3.0]  # hinge exactly at 0 for class 1 vs target 0: no gradient, as torch
    target[0] = 0
    compare(F.multi_margin_loss, TF.multi_margin_loss, scores, target, p=p, reduction=reduction)
    compare(F.multi_margin_loss, TF.multi_margin_loss, scores, target, p=p, margin=0.5, weight=rng.uniform(0.5, 2, 4), reduction=reduction)
    compare(nn.MultiMarginLoss(p=p, reduction=reduction), torch.nn.MultiMarginLoss(p=p, reduction=reduction), scores, target)


def test_multi_margin_loss_is_the_lecture_svm_loss_over_c():
    # the lecture's example: scores of cat/car/frog for a cat image, L = max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9
    scores = Tensor([[3.2, 5.1, -1.7]])
    loss = F.multi_margin_loss(scores, np.array([0]), reduction="none")
    np.testing.assert_allclose(loss.data * 3, [2.9])


def test_penalties_follow_their_formulas():
    w1 = nn.Parameter(rng.standard_normal((3, 2)))
    w2 = nn.Parameter(rng.standard_normal(4))
    l1 = np.abs(w1.data).sum() + np.abs(w2.data).sum()
    l2 = (w1.data ** 2).sum() + (w2.data ** 2).sum()
    np.testing.assert_allclose(nn.l1_penalty([w1, w2]).item(), l1)
    np.testing.assert_allclose(nn.l2_penalty([w1, w2]).item(), l2)
    penalty = nn.elastic_net_penalty([w1, w2], beta=0.3)
    np.testing.assert_allclose(penalty.item(), 0.3 * l2 + l1)
    penalty.backward()
    np.testing.assert_allclose(w1.grad.data, 0.6 * w1.data + np.sign(w1.data))
    model = nn.Linear(3, 2)
    np.testing.assert_allclose(nn.l2_penalty(model).item(), sum((p.data ** 2).sum() for p in model.parameters()))
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])


# ----- errors ---------------------------------------------------------------------------------
def test_cross_entropy_errors_name_shapes_dtypes_and_the_fix():
    logits = Tensor(np.zeros((3, 4)))
    with pytest.raises(TypeError, match=r"integer class indices.*float64.*\(3,\).*astype\(np.int64\)"):
        F.cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(IndexError, match=r"class index 4 is out of range for 4 classes.*\(3, 4\)"):
        F.cross_entropy(logits, np.array([0, 4, 1]))
    with pytest.raises(IndexError, match="class index -1"):
        F.nll_loss(logits, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match=r"target must have shape \(3,\)"):
        F.cross_entropy(logits, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(logits, np.array([0, 1, 2]), reduction="avg")
    with pytest.raises(ValueError, match="reduction must be"):
        nn.MSELoss(reduction="avg")


def test_regression_and_bce_errors():
    with pytest.raises(ValueError, match=r"input shape \(4, 1\) and target shape \(4,\).*reshape"):
        F.mse_loss(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ValueError, match="binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(Tensor(np.array([2.0, -1.0])), np.array([1.0, 0.0]))


# ----- issue #17: ignore_index, probability targets with gradients, Huber, smooth L1, KL ----------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_cross_entropy_ignore_index_matches_torch(reduction, label_smoothing, weighted, ignore_index):
    logits, target = rng.standard_normal((7, 4)) * 2, np.array([0, -100, 3, 1, 1, 2, -100])
    if ignore_index == 1:
        target = np.where(target == -100, 0, target)  # an ignored class inside the range
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing, ignore_index=ignore_index)
    if weighted:
        kwargs["weight"] = rng.uniform(0.5, 2, 4)
    compare(F.cross_entropy, TF.cross_entropy, logits, target, **kwargs)
    if not label_smoothing:
        compare(F.nll_loss, TF.nll_loss, np.log(rng.dirichlet(np.ones(4), 7)), target,
                **{k: v for k, v in kwargs.items() if k != "label_smoothing"})


def test_cross_entropy_ignore_index_for_images_and_when_everything_is_ignored():
    images, pixels = rng.standard_normal((2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    pixels[0, :2] = -100
    for reduction in REDUCTIONS:
        compare(F.cross_entropy, TF.cross_entropy, images, pixels, reduction=reduction)
    nothing = F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([-100, -100]))
    assert np.isnan(nothing.item())  # 0 / 0, as PyTorch
    assert F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([-100, -100]), reduction="sum").item() == 0
    float32 = F.cross_entropy(Tensor(np.zeros((3, 4), np.float32)), np.array([1, -100, 2]), weight=np.ones(4))
    assert float32.dtype == np.float32
    with pytest.raises(IndexError, match=r"class index -1 .*ignore_index=-100"):
        F.cross_entropy(Tensor(np.zeros((2, 3))), np.array([-1, 0]))


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probability_targets_get_gradients_as_in_torch(weighted):
    logits, probs = rng.standard_normal((5, 3)), rng.dirichlet(np.ones(3), 5)
    weight = rng.uniform(0.5, 2, 3) if weighted else None
    x, p = Tensor(logits, requires_grad=True), Tensor(probs, requires_grad=True)
    F.cross_entropy(x, p, weight=weight, label_smoothing=0.1).backward()
    tx, tp = torch.tensor(logits, requires_grad=True), torch.tensor(probs, requires_grad=True)
    TF.cross_entropy(tx, tp, weight=None if weight is None else torch.from_numpy(weight), label_smoothing=0.1).backward()
    np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_huber_and_smooth_l1_match_torch_with_target_gradients(reduction):
    x, y = rng.standard_normal((4, 3)) * 2, rng.standard_normal((4, 3))
    y[0, 0] = x[0, 0] + 1.0  # |d| == delta: the boundary
    for delta in (1.0, 0.3):
        compare(F.huber_loss, TF.huber_loss, x, y, reduction=reduction, delta=delta)
        compare(nn.HuberLoss(reduction, delta), torch.nn.HuberLoss(reduction, delta), x, y)
    for beta in (1.0, 0.5, 0.0):
        compare(F.smooth_l1_loss, TF.smooth_l1_loss, x, y, reduction=reduction, beta=beta)
        compare(nn.SmoothL1Loss(reduction, beta), torch.nn.SmoothL1Loss(reduction=reduction, beta=beta), x, y)
    target = Tensor(y, requires_grad=True)
    F.huber_loss(Tensor(x), target, reduction).sum().backward()
    their_target = torch.tensor(y, requires_grad=True)
    TF.huber_loss(torch.tensor(x), their_target, reduction=reduction).sum().backward()
    np.testing.assert_allclose(target.grad.data, their_target.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("reduction", ["batchmean", "mean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_with_target_gradients(reduction, log_target):
    log_q = np.log(rng.dirichlet(np.ones(4), 3))
    p = rng.dirichlet(np.ones(4), 3)
    p[0, 1] = 0.0  # p = 0 contributes 0 (0 log 0)
    target = np.log(p + 0.1) if log_target else p
    compare(F.kl_div, TF.kl_div, log_q, target, reduction=reduction, log_target=log_target)
    compare(nn.KLDivLoss(reduction, log_target), torch.nn.KLDivLoss(reduction=reduction, log_target=log_target),
            log_q, target)
    if log_target:  # the gradient of the target (PyTorch's is nan where p = 0 and the target is p)
        ours, theirs = Tensor(target, requires_grad=True), torch.tensor(target, requires_grad=True)
        F.kl_div(Tensor(log_q), ours, reduction, log_target=True).sum().backward()
        TF.kl_div(torch.tensor(log_q), theirs, reduction=reduction, log_target=True).sum().backward()
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="batchmean"):
        nn.KLDivLoss("average")
