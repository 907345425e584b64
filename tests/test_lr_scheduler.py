"""Learning-rate schedules: their formulas, PyTorch's schedules where it has the same one,
warm-up composition, ReduceLROnPlateau, state_dict round trips and bad input."""
import math
import warnings

import numpy as np
import pytest
import torch

import optim
from autograd import Tensor
from optim import lr_scheduler

A0 = (0.1, 0.5)  # two parameter groups with their own starting rates
STEPS = 60


def our_optimizer():
    groups = [{"params": [Tensor([1.0], requires_grad=True)], "lr": lr} for lr in A0]
    return optim.SGD(groups, lr=1.0)


def torch_optimizer():
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in A0]
    return torch.optim.SGD(groups, lr=1.0)


def schedule(make_scheduler, optimizer, steps=STEPS, metrics=None):
    """[lrs at t=0, lrs after 1 step, ...]; also checks the groups hold what get_last_lr says."""
    scheduler = make_scheduler(optimizer)
    rates = [scheduler.get_last_lr()]
    for t in range(steps):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t])
        rates.append(scheduler.get_last_lr())
        assert [g["lr"] for g in optimizer.param_groups] == pytest.approx(rates[-1], rel=1e-15, abs=0)
    return np.array(rates, dtype=np.float64)


def formula(f, steps=STEPS):
    return np.array([[f(a0, t) for a0 in A0] for t in range(steps + 1)])


SAME_AS_TORCH = {
    "StepLR": (dict(step_size=7, gamma=0.5),),
    "MultiStepLR": (dict(milestones=[5, 20, 21, 40], gamma=0.3),),
    "ExponentialLR": (dict(gamma=0.93),),
    "CosineAnnealingLR": (dict(T_max=25, eta_min=0.01),),
}
FORMULAS = {
    "StepLR": lambda a0, t: a0 * 0.5 ** (t // 7),
    "MultiStepLR": lambda a0, t: a0 * 0.3 ** sum(m <= t for m in (5, 20, 21, 40)),
    "ExponentialLR": lambda a0, t: a0 * math.exp(math.log(0.93) * t),
    "CosineAnnealingLR": lambda a0, t: 0.01 + (a0 - 0.01) * (1 + math.cos(math.pi * t / 25)) / 2,
}


@pytest.mark.parametrize("name", list(SAME_AS_TORCH))
def test_schedule_matches_its_formula_and_torch(name):
    (kwargs,) = SAME_AS_TORCH[name]
    ours = schedule(lambda opt: getattr(lr_scheduler, name)(opt, **kwargs), our_optimizer())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = schedule(lambda opt: getattr(torch.optim.lr_scheduler, name)(opt, **kwargs), torch_optimizer())
    np.testing.assert_allclose(ours, formula(FORMULAS[name]), rtol=1e-12, atol=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert len(np.unique(ours[:, 0])) > 3  # the rate really changes


def test_inverse_time_and_inverse_sqrt_follow_their_formulas():
    ours = schedule(lambda opt: lr_scheduler.InverseTimeLR(opt, k=0.2), our_optimizer())
    np.testing.assert_allclose(ours, formula(lambda a0, t: a0 / (1 + 0.2 * t)), rtol=1e-15)
    ours = schedule(lambda opt: lr_scheduler.InverseSqrtLR(opt), our_optimizer())
    np.testing.assert_allclose(ours, formula(lambda a0, t: a0 / math.sqrt(max(t, 1))), rtol=1e-15)
    assert ours[4, 0] == pytest.approx(0.1 / 2)


def test_linear_decay_matches_formula_and_torchs_linear_and_polynomial_schedules():
    T = 40
    ours = schedule(lambda opt: lr_scheduler.LinearDecayLR(opt, total_steps=T), our_optimizer())
    np.testing.assert_allclose(ours, formula(lambda a0, t: a0 * max(0.0, 1 - t / T)), rtol=1e-15, atol=0)
    assert (ours[T:] == 0).all()  # clamped at 0 from t = T on
    for make in [
        lambda opt: torch.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=T),
        lambda opt: torch.optim.lr_scheduler.PolynomialLR(opt, total_iters=T, power=1.0),
    ]:
        np.testing.assert_allclose(ours, schedule(make, torch_optimizer()), rtol=1e-9, atol=1e-15)


def test_linear_warmup_alone_ramps_from_zero_then_holds():
    ours = schedule(lambda opt: lr_scheduler.LinearWarmup(opt, warmup_steps=10), our_optimizer(), steps=15)
    np.testing.assert_allclose(ours, formula(lambda a0, t: a0 * min(t, 10) / 10, steps=15), rtol=1e-15)
    assert ours[0].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("after_name, after_kwargs, after_formula", [
    ("CosineAnnealingLR", dict(T_max=30), lambda a0, t: a0 * (1 + math.cos(math.pi * t / 30)) / 2),
    ("StepLR", dict(step_size=5, gamma=0.5), lambda a0, t: a0 * 0.5 ** (t // 5)),
    ("InverseSqrtLR", {}, lambda a0, t: a0 / math.sqrt(max(t, 1))),
])
def test_warmup_hands_over_to_another_schedule_whose_t_starts_at_the_end_of_warmup(after_name, after_kwargs, after_formula):
    W = 8

    def make(opt):
        after = getattr(lr_scheduler, after_name)(opt, **after_kwargs)
        return lr_scheduler.LinearWarmup(opt, warmup_steps=W, after=after)

    ours = schedule(make, our_optimizer(), steps=40)
    expected = formula(lambda a0, t: a0 * t / W if t <= W else after_formula(a0, t - W), steps=40)
    np.testing.assert_allclose(ours, expected, rtol=1e-15, atol=0)


def test_warmup_then_reduce_on_plateau():
    opt = our_optimizer()
    plateau = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    scheduler = lr_scheduler.LinearWarmup(opt, warmup_steps=4, after=plateau)
    rates = [scheduler.get_last_lr()[0]]
    for metric in [5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1]:  # improving during warm-up, then a plateau
        scheduler.step(metric)
        rates.append(scheduler.get_last_lr()[0])
    assert rates[:5] == pytest.approx([0.0, 0.025, 0.05, 0.075, 0.1])
    assert rates[5:] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


METRICS = [10, 9, 9, 9, 9, 8.9995, 9, 9, 9, 9, 9, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6] * 2


@pytest.mark.parametrize("kwargs", [
    dict(factor=0.5, patience=2),
    dict(factor=0.1, patience=0, cooldown=2, min_lr=0.004),
    dict(factor=0.5, patience=3, threshold=0.01, threshold_mode="abs", min_lr=[0.0, 0.1]),
    dict(mode="max", factor=0.3, patience=1),
])
def test_reduce_on_plateau_matches_torch(kwargs):
    ours = schedule(lambda opt: lr_scheduler.ReduceLROnPlateau(opt, **kwargs), our_optimizer(), len(METRICS), METRICS)
    theirs = schedule(lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs), torch_optimizer(), len(METRICS), METRICS)
    np.testing.assert_allclose(ours, theirs, rtol=1e-15)
    assert len(np.unique(ours[:, 0])) > 1


def test_reduce_on_plateau_cuts_after_patience_bad_epochs():
    opt = our_optimizer()
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=3)
    scheduler.step(1.0)  # best so far
    for _ in range(3):  # three bad epochs: within patience
        scheduler.step(1.0)
        assert scheduler.get_last_lr() == [0.1, 0.5]
    scheduler.step(1.0)  # the fourth bad epoch: cut
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.05])
    scheduler.step(0.5)  # an improvement resets the count
    assert scheduler.num_bad_epochs == 0


# ----- resuming ----------------------------------------------------------------------------------
def train(opt, scheduler, x, steps, metric=False):
    for _ in range(steps):
        opt.zero_grad()
        loss = (x * x * Tensor([1.0, 30.0])).sum()
        loss.backward()
        opt.step()
        scheduler.step(loss.item() // 10) if metric else scheduler.step()
    return x.data.copy()


@pytest.mark.parametrize("load_order", ["scheduler-built-before-loading", "scheduler-built-after-loading"])
@pytest.mark.parametrize("make, metric", [
    (lambda opt: lr_scheduler.LinearWarmup(opt, 20, after=lr_scheduler.CosineAnnealingLR(opt, T_max=60)), False),
    (lambda opt: lr_scheduler.StepLR(opt, step_size=15, gamma=0.5), False),
    (lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2), True),
], ids=["warmup+cosine", "step", "plateau"])
def test_state_dict_round_trip_resumes_identically(make, metric, load_order):
    def fresh():
        x = Tensor([1.0, 1.0], requires_grad=True)
        return x, optim.SGD([x], lr=0.03, momentum=0.9)

    x, opt = fresh()
    uninterrupted = train(opt, make(opt), x, 100, metric)

    x, opt = fresh()
    scheduler = make(opt)
    middle = train(opt, scheduler, x, 50, metric)
    saved_opt, saved_scheduler = opt.state_dict(), scheduler.state_dict()

    y = Tensor(middle, requires_grad=True)
    new_opt = optim.SGD([y], lr=0.03, momentum=0.9)
    if load_order == "scheduler-built-before-loading":
        new_scheduler = make(new_opt)
        new_opt.load_state_dict(saved_opt)
        new_scheduler.load_state_dict(saved_scheduler)
    else:
        new_opt.load_state_dict(saved_opt)
        new_scheduler = make(new_opt)
        new_scheduler.load_state_dict(saved_scheduler)
    assert new_scheduler.t == 50 and new_scheduler.get_last_lr() == scheduler.get_last_lr()
    np.testing.assert_array_equal(train(new_opt, new_scheduler, y, 50, metric), uninterrupted)


def test_load_state_dict_refuses_a_state_of_another_scheduler():
    step = lr_scheduler.StepLR(our_optimizer(), step_size=3)
    step.step()
    exponential = lr_scheduler.ExponentialLR(our_optimizer(), gamma=0.5)
    with pytest.raises(ValueError, match="saved by StepLR.*not by a ExponentialLR"):
        exponential.load_state_dict(step.state_dict())
    assert exponential.t == 0 and exponential.gamma == 0.5  # left untouched
    plateau = lr_scheduler.ReduceLROnPlateau(our_optimizer())
    with pytest.raises(ValueError, match="saved by StepLR"):
        plateau.load_state_dict(step.state_dict())
    warmup = lr_scheduler.LinearWarmup(our_optimizer(), 5)
    with pytest.raises(ValueError, match="saved by ExponentialLR"):
        warmup.load_state_dict(exponential.state_dict())
    with pytest.raises(ValueError, match="saved by something else"):
        step.load_state_dict({"last_epoch": 3})
    lr_scheduler.StepLR(our_optimizer(), step_size=3).load_state_dict(step.state_dict())  # same class: fine


def test_initial_lr_is_the_base_rate_as_in_pytorch():
    opt = our_optimizer()
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    scheduler.step()
    assert [g["initial_lr"] for g in opt.param_groups] == list(A0)
    assert scheduler.base_lrs == list(A0) and scheduler.t == 1
    assert opt.state_dict()["param_groups"][1]["initial_lr"] == 0.5


def test_bad_arguments():
    opt = our_optimizer()
    with pytest.raises(TypeError, match="Optimizer"):
        lr_scheduler.StepLR("not an optimizer", step_size=3)
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)
    with pytest.raises(ValueError, match="factor"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=2.0)
    with pytest.raises(ValueError, match="mode"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(ValueError, match="min_lr"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.0])
    with pytest.raises(ValueError, match="same optimizer"):
        lr_scheduler.LinearWarmup(opt, 5, after=lr_scheduler.StepLR(our_optimizer(), 3))
    stepped = lr_scheduler.StepLR(opt, 3)
    stepped.step()
    with pytest.raises(ValueError, match="already been stepped"):
        lr_scheduler.LinearWarmup(opt, 5, after=stepped)
