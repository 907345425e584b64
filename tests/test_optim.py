"""Optimisers against torch.optim (float64 trajectories), the lecture's update rules,
parameter groups, in-place safety, state_dict round trips, clipping and bad input."""
import pathlib
import re

import numpy as np
import pytest
import torch

import optim
from autograd import Tensor
from tolerances import assert_within_budget, roundoff_budget

STEPS = 100


# ----- two problems written once, run with chalkgrad Tensors or torch tensors ----------------
class Quadratic:
    """f(x, w) = 1/2 x^T A x - b^T x + sum(c * (w - m)^2), eigenvalues of A from 1 to 50."""

    def __init__(self):
        rng = np.random.default_rng(0)
        q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
        self.A = q @ np.diag([1.0, 3.0, 10.0, 50.0]) @ q.T
        self.b = rng.normal(size=4)
        self.c = np.array([[0.5, 2.0], [8.0, 0.1]])
        self.m = rng.normal(size=(2, 2))
        self.init = [rng.normal(size=4), rng.normal(size=(2, 2))]

    def loss(self, params, const):
        x, w = params
        A, b, c, m = const(self.A), const(self.b), const(self.c), const(self.m)
        return 0.5 * (x * (A @ x)).sum() - (b * x).sum() + (c * (w - m) * (w - m)).sum()


class MLP:
    """Mean squared error of a 3-8-1 tanh network on 16 points: tanh(X W1 + b1) W2 + b2."""

    def __init__(self):
        rng = np.random.default_rng(1)
        self.X = rng.normal(size=(16, 3))
        self.Y = np.sin(self.X.sum(axis=1, keepdims=True))
        self.init = [rng.normal(size=(3, 8)) * 0.5, np.zeros(8), rng.normal(size=(8, 1)) * 0.5, np.zeros(1)]

    def loss(self, params, const):
        W1, b1, W2, b2 = params
        hidden = (const(self.X) @ W1 + b1).tanh()
        error = hidden @ W2 + b2 - const(self.Y)
        return (error * error).mean()


PROBLEMS = {"quadratic": Quadratic(), "mlp": MLP()}


def ours_params(problem):
    return [Tensor(v.copy(), requires_grad=True) for v in problem.init]


def run_ours(problem, make_optimizer, steps=STEPS, params=None, opt=None):
    params = ours_params(problem) if params is None else params
    opt = make_optimizer(params) if opt is None else opt
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(params, Tensor).backward()
        opt.step()
        trajectory.append(np.concatenate([p.data.ravel() for p in params]))
    return np.array(trajectory), params, opt


def run_torch(problem, make_optimizer, steps=STEPS, start=None):
    start = problem.init if start is None else start
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    opt = make_optimizer(params)
    const = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        problem.loss(params, const).backward()
        opt.step()
        trajectory.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(trajectory)


CONFIGS = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.01, momentum=0.8, dampening=0.5)),
    ("SGD", dict(lr=0.02, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.5, eps=1e-3, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, momentum=0.8)),
    ("RMSprop", dict(lr=0.01, eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.05)),
    ("Adam", dict(lr=0.01, eps=1e-4)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), weight_decay=0.1)),
]


@pytest.mark.parametrize("problem_name", list(PROBLEMS))
@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_trajectory_matches_torch(problem_name, name, kwargs):
    problem = PROBLEMS[problem_name]
    ours, _, _ = run_ours(problem, lambda ps: getattr(optim, name)(ps, **kwargs))
    make_torch = lambda ps: getattr(torch.optim, name)(ps, **kwargs)  # noqa: E731
    theirs, budget = roundoff_budget(lambda start: run_torch(problem, make_torch, start=start), problem.init)
    assert np.abs(ours[0] - np.concatenate([v.ravel() for v in problem.init])).max() > 1e-4  # it moves
    assert_within_budget(ours, theirs, budget)


def test_adamw_is_adam_with_weight_decay_1e_2_by_default_as_torch():
    p = Tensor(np.ones(2), requires_grad=True)
    assert optim.AdamW([p]).defaults == {**optim.Adam([p]).defaults, "weight_decay": 1e-2}
    assert torch.optim.AdamW([torch.ones(2, requires_grad=True)]).defaults["weight_decay"] == 1e-2
    assert optim.AdamW([p], lr=0.1, weight_decay=0.5).defaults["weight_decay"] == 0.5


def test_optimisers_make_progress_on_the_quadratic():
    problem = PROBLEMS["quadratic"]
    start = problem.loss(ours_params(problem), Tensor).item()
    for name, kwargs in [("SGD", dict(lr=0.01, momentum=0.9)), ("Adam", dict(lr=0.05)), ("RMSprop", dict(lr=0.01))]:
        _, params, _ = run_ours(problem, lambda ps: getattr(optim, name)(ps, **kwargs))  # noqa: B023 - called here
        assert problem.loss(params, Tensor).item() < start - 1.0


def test_parameter_groups_with_their_own_hyperparameters_match_torch():
    problem = PROBLEMS["mlp"]

    def groups(ps):
        return [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.05, "momentum": 0.5}]

    ours, _, opt = run_ours(problem, lambda ps: optim.SGD(groups(ps), lr=0.01, momentum=0.9))
    make_torch = lambda ps: torch.optim.SGD(groups(ps), lr=0.01, momentum=0.9)  # noqa: E731
    theirs, budget = roundoff_budget(lambda start: run_torch(problem, make_torch, start=start), problem.init)
    assert_within_budget(ours, theirs, budget)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.05]
    assert opt.param_groups[0]["momentum"] == 0.9 and opt.param_groups[1]["nesterov"] is False


def test_add_param_group_and_lr_change_through_param_groups():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999) and opt.param_groups[1]["params"] == [b]
    opt.param_groups[0]["lr"] = 0.0
    ((a * a).sum() + (b * b).sum()).backward()
    opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 2.0])  # lr 0: untouched
    np.testing.assert_allclose(b.data, [2.5])  # Adam's first step is lr * sign(g)
    with pytest.raises(ValueError, match="appears twice"):
        opt.add_param_group({"params": [a]})


# ----- the lecture's formulations -------------------------------------------------------------
def _quadratic_grad(x):
    A = np.array([[10.0, 2.0], [2.0, 1.0]])
    return A @ x


def _lecture_momentum(x0, rho, lr, nesterov):
    x, v, path = x0.copy(), np.zeros(2), []
    for _ in range(STEPS):
        old_v = v
        v = rho * v - lr * _quadratic_grad(x)
        x = x + (-rho * old_v + (1 + rho) * v) if nesterov else x + v
        path.append(x.copy())
    return np.array(path)


def test_two_momentum_forms_and_nesterov_change_of_variables_give_the_same_trajectory():
    """Lecture: v = rho v - lr dx; x += v   ==   PyTorch: v = rho v + dx; x -= lr v;
    Nesterov: old_v = v; v = rho v - lr dx; x += -rho old_v + (1 + rho) v  == nesterov=True."""
    rho, lr, x0 = 0.9, 0.05, np.array([1.0, -2.0])
    paths = {}
    for nesterov in (False, True):
        expected, budget = roundoff_budget(lambda start, nesterov=nesterov: _lecture_momentum(start[0], rho, lr, nesterov),
                                           [x0])
        p = Tensor(x0.copy(), requires_grad=True)
        opt = optim.SGD([p], lr=lr, momentum=rho, nesterov=nesterov)
        ours = []
        for _ in range(STEPS):
            opt.zero_grad()
            p.grad = Tensor(_quadratic_grad(p.data))
            opt.step()
            ours.append(p.data.copy())
        assert_within_budget(ours, expected, budget, err_msg=f"nesterov={nesterov}")
        paths[nesterov] = expected
    assert np.abs(paths[False] - paths[True]).max() > 1e-3  # they are different methods


def test_adam_and_adagrad_follow_the_lecture_pseudo_code():
    x0, lr, eps = np.array([1.0, -2.0]), 0.1, 1e-7
    for name, kwargs in [("Adam", dict(lr=lr, eps=eps)), ("Adagrad", dict(lr=lr, eps=eps)), ("RMSprop", dict(lr=lr, eps=eps, alpha=0.9))]:
        x, first, second, expected = x0.copy(), 0.0, 0.0, []
        for t in range(1, 21):
            dx = _quadratic_grad(x)
            if name == "Adam":
                first = 0.9 * first + (1 - 0.9) * dx
                second = 0.999 * second + (1 - 0.999) * dx * dx
                x = x - lr * (first / (1 - 0.9**t)) / (np.sqrt(second / (1 - 0.999**t)) + eps)
            elif name == "Adagrad":
                second = second + dx * dx
                x = x - lr * dx / (np.sqrt(second) + eps)
            else:
                second = 0.9 * second + (1 - 0.9) * dx * dx
                x = x - lr * dx / (np.sqrt(second) + eps)
            expected.append(x)
        p = Tensor(x0.copy(), requires_grad=True)
        opt = getattr(optim, name)([p], **kwargs)
        ours = []
        for _ in range(20):
            p.grad = Tensor(_quadratic_grad(p.data))
            opt.step()
            ours.append(p.data.copy())
        np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12, err_msg=name)


# ----- in-place safety and gradients ------------------------------------------------------------
def test_step_updates_in_place_and_bumps_the_version():
    p = Tensor([1.0, 2.0], requires_grad=True)
    array = p.data
    y = (p * p).sum()  # Mul saved p for backward
    (p * 3).sum().backward()
    optim.SGD([p], lr=0.1).step()
    assert p.data is array  # same memory, changed in place
    np.testing.assert_allclose(array, [0.7, 1.7])
    with pytest.raises(RuntimeError):
        y.backward()  # p was modified after Mul saved it


def test_step_never_writes_into_gradient_arrays():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    shared = Tensor([0.5, -0.5])
    a.grad = b.grad = shared
    for opt in [optim.SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.1), optim.Adam([a, b], weight_decay=0.1)]:
        opt.step()
        opt.step()
    np.testing.assert_array_equal(shared.data, [0.5, -0.5])
    optim.clip_grad_norm_([a, b], 0.1)
    optim.clip_grad_value_([a, b], 0.01)
    np.testing.assert_array_equal(shared.data, [0.5, -0.5])
    assert a.grad is not shared


def test_zero_grad():
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    old = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is not old and p.grad.data.tolist() == [0.0, 0.0]
    np.testing.assert_array_equal(old.data, [2.0, 4.0])
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # parameters without a gradient are skipped
    np.testing.assert_array_equal(p.data, [1.0, 2.0])


def test_float32_parameters_stay_float32():
    p = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    for opt in [optim.SGD([p], lr=0.1, momentum=0.9), optim.Adam([p]), optim.RMSprop([p], momentum=0.5), optim.Adagrad([p]), optim.AdamW([p])]:
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


def test_closure_returns_the_loss():
    p = Tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 1.0
    assert p.data.tolist() == [0.0]


# ----- saving and resuming ---------------------------------------------------------------------------
RESUME_CONFIGS = [
    ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("Adagrad", dict(lr=0.1)),
    ("RMSprop", dict(lr=0.005, momentum=0.5)),
    ("Adam", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01)),
]


@pytest.mark.parametrize("name, kwargs", RESUME_CONFIGS, ids=[n for n, _ in RESUME_CONFIGS])
def test_state_dict_round_trip_resumes_identically(name, kwargs):
    problem = PROBLEMS["mlp"]
    make = lambda ps: getattr(optim, name)(ps, **kwargs)  # noqa: E731
    full, _, _ = run_ours(problem, make, steps=100)
    first, params, opt = run_ours(problem, make, steps=50)
    saved = opt.state_dict()
    opt.step()  # changing the old optimiser must not change what was saved
    fresh = [Tensor(v, requires_grad=True) for v in (first[-1][:24].reshape(3, 8), first[-1][24:32], first[-1][32:40].reshape(8, 1), first[-1][40:])]
    new_opt = make(fresh)
    new_opt.load_state_dict(saved)
    second, _, _ = run_ours(problem, None, steps=50, params=fresh, opt=new_opt)
    np.testing.assert_array_equal(np.concatenate([first, second]), full)


def test_state_dict_layout_is_pytorchs():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([[3.0]], requires_grad=True)
    ta, tb = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True), torch.tensor([[3.0]], dtype=torch.float64, requires_grad=True)
    for name, kwargs in [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("Adagrad", {}), ("RMSprop", dict(momentum=0.1))]:
        ours = getattr(optim, name)([{"params": [a]}, {"params": [b], "lr": 0.5}], **kwargs)
        theirs = getattr(torch.optim, name)([{"params": [ta]}, {"params": [tb], "lr": 0.5}], **kwargs)
        for opt, params in [(ours, (a, b)), (theirs, (ta, tb))]:
            for p in params:
                p.grad = None
            ((params[0] * params[0]).sum() + (params[1] * params[1]).sum()).backward()
            opt.step()
        mine, reference = ours.state_dict(), theirs.state_dict()
        assert [g["params"] for g in mine["param_groups"]] == [g["params"] for g in reference["param_groups"]] == [[0], [1]]
        assert mine["param_groups"][1]["lr"] == 0.5
        assert set(mine["state"]) == set(reference["state"])
        for i in mine["state"]:
            assert set(mine["state"][i]) == set(reference["state"][i]), name
            for key, value in mine["state"][i].items():
                np.testing.assert_allclose(value, np.asarray(reference["state"][i][key]), rtol=1e-12)


def test_load_state_dict_errors():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    (a.sum() + b.sum()).backward()
    opt.step()
    saved = opt.state_dict()
    with pytest.raises(ValueError, match="parameters"):
        optim.SGD([a], lr=0.1).load_state_dict(saved)
    with pytest.raises(ValueError, match="groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).load_state_dict(saved)
    c = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match="shape"):
        optim.SGD([c, b], lr=0.1).load_state_dict(saved)


# ----- L-BFGS ----------------------------------------------------------------------------------------
def rosenbrock(x, y):
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


def run_lbfgs(make, lib, steps, start=(-1.5, 2.0)):
    """Parameters x and y as two tensors (so the flat-vector bookkeeping is exercised);
    returns every point where the closure was evaluated and the final point."""
    if lib == "ours":
        x, y = Tensor([start[0]], requires_grad=True), Tensor([start[1]], requires_grad=True)
    else:
        x, y = (torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in start)
    opt = make([x, y])
    visited = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x, y).sum()
        loss.backward()
        visited.append([float(x.data[0]) if lib == "ours" else x.item(), float(y.data[0]) if lib == "ours" else y.item()])
        return loss

    for _ in range(steps):
        opt.step(closure)
    final = [float(x.data[0]), float(y.data[0])] if lib == "ours" else [x.item(), y.item()]
    return np.array(visited), np.array(final)


@pytest.mark.parametrize("kwargs, steps", [
    (dict(line_search_fn="strong_wolfe"), 3),
    (dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7), 10),
    (dict(lr=0.5, history_size=10, max_iter=50), 5),
    (dict(lr=0.5, history_size=5, max_iter=25), 8),
], ids=["wolfe", "wolfe-short-history", "fixed-step", "fixed-step-short-history"])
def test_lbfgs_matches_torch_and_reaches_rosenbrocks_minimum(kwargs, steps):
    """Same points, same number of evaluations. The first points agree to round-off; later
    ones drift apart by round-off amplified along Rosenbrock's curved valley (torch's
    `add_(v, alpha=a)` uses a fused multiply-add, numpy's `x + a * v` rounds twice), by up to
    1e8 per unit of change in the fixed-step runs: every evaluated point and the final one are
    held to the round-off budget of their place in the run (tests/tolerances.py)."""
    ours_visited, ours_final = run_lbfgs(lambda ps: optim.LBFGS(ps, **kwargs), "ours", steps)

    def torch_points(start):
        visited, final = run_lbfgs(lambda ps: torch.optim.LBFGS(ps, **kwargs), "torch", steps, start=[s.item() for s in start])
        return np.vstack([visited, final])

    theirs, budget = roundoff_budget(torch_points, [np.array(-1.5), np.array(2.0)])
    assert len(ours_visited) == len(theirs) - 1 > 20
    assert_within_budget(np.vstack([ours_visited, ours_final]), theirs, budget, tight_steps=8)
    np.testing.assert_allclose(ours_final, [1.0, 1.0], atol=1e-4)


def test_lbfgs_state_dict_round_trip():
    make = lambda ps: optim.LBFGS(ps, line_search_fn="strong_wolfe", max_iter=4)  # noqa: E731
    _, full = run_lbfgs(make, "ours", 6)
    _, middle = run_lbfgs(make, "ours", 3)
    x, y = Tensor(middle[:1], requires_grad=True), Tensor(middle[1:], requires_grad=True)
    first_x, first_y = Tensor([-1.5], requires_grad=True), Tensor([2.0], requires_grad=True)
    first = make([first_x, first_y])

    def closure_for(opt, a, b):
        def closure():
            opt.zero_grad()
            loss = rosenbrock(a, b).sum()
            loss.backward()
            return loss
        return closure

    for _ in range(3):
        first.step(closure_for(first, first_x, first_y))
    resumed = make([x, y])
    resumed.load_state_dict(first.state_dict())
    for _ in range(3):
        resumed.step(closure_for(resumed, x, y))
    np.testing.assert_array_equal([x.data[0], y.data[0]], full)


def test_lbfgs_bad_input():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="closure"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match="line_search_fn"):
        optim.LBFGS([p], line_search_fn="armijo")
    with pytest.raises(ValueError, match="groups"):
        optim.LBFGS([{"params": [p]}, {"params": [Tensor([2.0], requires_grad=True)]}])


# ----- gradient clipping ---------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    ours = [Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = Tensor(g), torch.tensor(g)
    total = optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_with_a_nan_gradient_matches_torch():
    grads = [np.array([np.nan, 3.0, 4.0]), np.array([30.0, 40.0])]
    ours = [Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = Tensor(g), torch.tensor(g)
    total = optim.clip_grad_norm_(ours, 1.0)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert np.isnan(total.item()) and np.isnan(expected.item())
    for p, q in zip(ours, theirs):  # every entry is nan, none left unclipped
        np.testing.assert_array_equal(p.grad.data, q.grad.numpy())
        assert np.all(np.isnan(p.grad.data))


def test_clip_grad_value_matches_torch():
    g = np.linspace(-3, 3, 12).reshape(3, 4)
    p, q = Tensor(np.zeros((3, 4)), requires_grad=True), torch.zeros(3, 4, dtype=torch.float64, requires_grad=True)
    p.grad, q.grad = Tensor(g), torch.tensor(g)
    optim.clip_grad_value_(p, 1.5)  # a single tensor works too
    torch.nn.utils.clip_grad_value_([q], 1.5)
    np.testing.assert_array_equal(p.grad.data, q.grad.numpy())


def test_clip_bad_input():
    p = Tensor([1.0], requires_grad=True)
    p.grad = Tensor([np.nan])
    with pytest.raises(RuntimeError, match="nan or inf"):
        optim.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="clip_value"):
        optim.clip_grad_value_([p], -1.0)
    with pytest.raises(TypeError, match="Tensors"):
        optim.clip_grad_norm_([np.zeros(2)], 1.0)


# ----- bad arguments ---------------------------------------------------------------------------------
def test_bad_arguments_give_clear_errors():
    p = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="lr=-0.1"):
        optim.SGD([p], lr=-0.1)
    with pytest.raises(ValueError, match="lr=-1"):
        optim.Adam([{"params": [p], "lr": -1}])
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="alpha"):
        optim.RMSprop([p], alpha=1.5)
    with pytest.raises(ValueError, match="does not require grad"):
        optim.SGD([Tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match="leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="set"):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(TypeError, match="iterable"):
        optim.Adam(3.0)
    with pytest.raises(TypeError, match="only Tensors"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([p, p], lr=0.1)


def test_a_generator_of_parameters_is_read_once():
    params = [Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)]
    opt = optim.SGD((p for p in params), lr=0.5)
    assert opt.param_groups[0]["params"] == params
    for _ in range(2):  # stepping twice still sees both parameters
        opt.zero_grad()
        (params[0] * params[0] + params[1] * params[1]).sum().backward()
        opt.step()
    assert [p.item() for p in params] == [0.0, 0.0]
    group_opt = optim.SGD([{"params": (p for p in params)}], lr=0.1)
    assert group_opt.param_groups[0]["params"] == params


def test_optim_uses_only_public_autograd_names_and_no_backward():
    import autograd

    source_dir = pathlib.Path(optim.__file__).parent
    for path in source_dir.glob("*.py"):
        text = path.read_text()
        assert "def backward" not in text, path.name
        assert not re.search(r"(from|import) autograd\.", text), path.name
        for names in re.findall(r"from autograd import ([^\n]+)", text):
            for name in names.split(","):
                assert name.strip() in autograd.__all__, (path.name, name)


def test_nn_module_parameters_train_like_torch():
    """optim with nn.Parameter / Module.parameters() (a generator), against torch.nn + torch.optim."""
    import nn

    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    model = nn.Sequential(nn.Linear(3, 8, generator=0), nn.Tanh(), nn.Linear(8, 2, generator=1))
    start = [p.data.copy() for p in model.parameters()]

    def torch_trajectory(start):
        reference = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
        with torch.no_grad():
            for theirs, value in zip(reference.parameters(), start):
                theirs.copy_(torch.tensor(value))
        torch_opt = torch.optim.Adam(reference.parameters(), lr=0.01, weight_decay=0.01)
        trajectory = []
        for _ in range(30):
            torch_opt.zero_grad()
            ((reference(torch.tensor(X)) - torch.tensor(Y)) ** 2).mean().backward()
            torch_opt.step()
            trajectory.append(np.concatenate([p.detach().numpy().ravel() for p in reference.parameters()]))
        return np.array(trajectory)

    opt = optim.Adam(model.parameters(), lr=0.01, weight_decay=0.01)
    ours = []
    for _ in range(30):
        opt.zero_grad()
        error = model(Tensor(X)) - Tensor(Y)
        (error * error).mean().backward()
        opt.step()
        ours.append(np.concatenate([p.data.ravel() for p in model.parameters()]))
    assert isinstance(opt.param_groups[0]["params"][0], nn.Parameter)
    assert_within_budget(ours, *roundoff_budget(torch_trajectory, start))


def test_a_gradient_that_is_not_a_tensor_of_the_right_shape_is_refused():
    p = Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.array([1.0, 1.0])
    with pytest.raises(TypeError, match="ndarray"):
        opt.step()
    p.grad = Tensor([1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match=r"shape \(3,\)"):
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0, 2.0])
