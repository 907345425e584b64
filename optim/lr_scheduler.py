"""Learning-rate schedules: each one only changes `optimizer.param_groups[i]["lr"]`.

A scheduler remembers every group's starting rate a0 (stored as the group's "initial_lr",
as in PyTorch) and counts its `step()` calls in `t` (PyTorch calls it `last_epoch`):
construction sets the rate for t = 0, each `step()` moves to t + 1. Call it once per
epoch (or once per batch) after `optimizer.step()`:

    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for epoch in range(100):
        train_one_epoch(...)       # optimizer.step() inside
        scheduler.step()

The rates are closed-form functions of t (a0 * gamma**t, ...), so a schedule can be
resumed from its state_dict or handed over to another (see LinearWarmup).

One optimiser, one scheduler: each scheduler SETS the rate, so two schedulers stepped on
the same optimiser overwrite each other, the last one to step wins (PyTorch's chainable
schedulers multiply their factors instead). To combine a warm-up with a decay, compose them:
LinearWarmup(optimizer, warmup_steps, after=CosineAnnealingLR(optimizer, T_max)), and step
only the LinearWarmup.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Sequence

from optim.optimizer import Optimizer


class LRScheduler:
    """Base class: lr_t = self.lr_at(a0, t) for every parameter group."""

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: the first argument must be an optim.Optimizer, got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._apply()

    @property
    def t(self) -> int:
        """How many times step() has been called."""
        return self.last_epoch

    def lr_at(self, base_lr: float, t: int) -> float:
        """The learning rate after t steps for a group that started at base_lr (each schedule's formula)."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance t by one and set every group's learning rate to lr_t."""
        self.last_epoch += 1
        self._apply()

    def _apply(self) -> None:
        for group, base_lr in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base_lr, self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as this scheduler last set it."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser (save the optimiser's own state_dict beside it), and
        the scheduler's class name under "scheduler"."""
        return _own_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume: restores t and the settings, and sets each group's lr back to the rate this
        scheduler last set (so loading before or after the optimiser's state_dict is the same).
        A state saved by another kind of scheduler is refused."""
        self.__dict__.update(_checked_state(self, state_dict))
        _restore_lrs(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(t={self.last_epoch}, lr={self.get_last_lr()})"


def _own_state(scheduler) -> dict[str, Any]:
    state = {key: value for key, value in scheduler.__dict__.items() if key not in ("optimizer", "after")}
    return copy.deepcopy(dict(state, scheduler=type(scheduler).__name__))


def _checked_state(scheduler, state_dict: dict[str, Any]) -> dict[str, Any]:
    """A copy of state_dict (without its "scheduler" and "after" entries), after checking that
    it was saved by a scheduler of the same class, for as many parameter groups."""
    name = type(scheduler).__name__
    state = {key: value for key, value in state_dict.items() if key not in ("scheduler", "after")}
    saved_by = state_dict.get("scheduler")
    expected = set(_own_state(scheduler)) - {"scheduler"}
    if saved_by != name or set(state) != expected:
        raise ValueError(
            f"{name}.load_state_dict: this state was saved by {saved_by or 'something else'} "
            f"(keys {sorted(state_dict)}), not by a {name}. Build the same scheduler "
            "(class and arguments) before loading its state."
        )
    groups = len(scheduler.optimizer.param_groups)
    if len(state["_last_lr"]) != groups:
        raise ValueError(
            f"{name}.load_state_dict: saved for {len(state['_last_lr'])} parameter groups, "
            f"but the optimiser has {groups}."
        )
    return copy.deepcopy(state)


def _restore_lrs(scheduler) -> None:
    for group, lr in zip(scheduler.optimizer.param_groups, scheduler._last_lr):
        group["lr"] = lr


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


class StepLR(LRScheduler):
    """lr_t = a0 * gamma ** floor(t / step_size)  (multiply by gamma every step_size steps)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        _check(isinstance(step_size, int) and step_size >= 1,
               f"StepLR: step_size must be a positive integer, got {step_size!r}.")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


class MultiStepLR(LRScheduler):
    """lr_t = a0 * gamma ** (number of milestones <= t), e.g. milestones=[30, 60, 90]:
    multiply by gamma after epochs 30, 60 and 90."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1):
        milestones = list(milestones)
        _check(all(isinstance(m, int) and m >= 0 for m in milestones),
               f"MultiStepLR: milestones must be integers >= 0, got {milestones}.")
        self.milestones, self.gamma = sorted(milestones), gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** sum(1 for m in self.milestones if m <= t)


class ExponentialLR(LRScheduler):
    """lr_t = a0 * gamma ** t  (= a0 * exp(-k t) with gamma = exp(-k))."""

    def __init__(self, optimizer: Optimizer, gamma: float):
        _check(gamma > 0, f"ExponentialLR: gamma must be > 0, got {gamma}.")
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma**t


class InverseTimeLR(LRScheduler):
    """lr_t = a0 / (1 + k t)  (the lecture's 1/t decay)."""

    def __init__(self, optimizer: Optimizer, k: float):
        _check(k >= 0, f"InverseTimeLR: k must be >= 0, got {k}.")
        self.k = k
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr / (1 + self.k * t)


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (a0 - eta_min) * (1 + cos(pi t / T_max)) / 2

    (the lecture's a0 (1 + cos(t pi / T)) / 2 with eta_min = 0). Past T_max the
    cosine rises again, as PyTorch's CosineAnnealingLR does."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        _check(T_max > 0, f"CosineAnnealingLR: T_max must be > 0, got {T_max}.")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearDecayLR(LRScheduler):
    """lr_t = a0 * (1 - t / T) with T = total_steps; 0 from t = T on."""

    def __init__(self, optimizer: Optimizer, total_steps: int):
        _check(total_steps > 0, f"LinearDecayLR: total_steps must be > 0, got {total_steps}.")
        self.total_steps = total_steps
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * max(0.0, 1 - t / self.total_steps)


class InverseSqrtLR(LRScheduler):
    """lr_t = a0 / sqrt(max(t, 1))  (the lecture's a0 / sqrt(t); t = 0 uses a0)."""

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr / math.sqrt(max(t, 1))


class LinearWarmup(LRScheduler):
    """Warm-up: lr_t = a0 * t / warmup_steps for t <= warmup_steps (from 0 up to a0), then
    `after` takes over, or the rate stays a0 when after is None.

    `after` is another scheduler built on the SAME optimiser, before this one:

        cosine = CosineAnnealingLR(opt, T_max=900)
        scheduler = LinearWarmup(opt, warmup_steps=100, after=cosine)
        for step in range(1000): ...; scheduler.step()     # step only `scheduler`

    The hand-over: `after`'s own t counts from the end of the warm-up, i.e. at overall step
    t > warmup_steps this calls after.step() and `after` is at t - warmup_steps; every
    schedule here starts at a0 (lr at its t = 0), where the warm-up ends, so the rate is
    continuous. With after=ReduceLROnPlateau, pass the metric: scheduler.step(val_loss)
    (ignored during warm-up).
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, after: Any = None):
        _check(isinstance(warmup_steps, int) and warmup_steps >= 1,
               f"LinearWarmup: warmup_steps must be a positive integer, got {warmup_steps!r}.")
        if after is not None:
            if not isinstance(after, (LRScheduler, ReduceLROnPlateau)) or after.optimizer is not optimizer:
                raise ValueError("LinearWarmup: `after` must be a scheduler built on the same optimizer (construct it first).")
            if after.last_epoch != 0:
                raise ValueError(f"LinearWarmup: `after` has already been stepped (t={after.last_epoch}); pass a fresh scheduler.")
        self.warmup_steps, self.after = warmup_steps, after
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * min(t, self.warmup_steps) / self.warmup_steps

    def step(self, *args) -> None:
        """Advance t; past the warm-up, advance `after` (args, e.g. a metric, are passed to it)."""
        if self.after is None or self.last_epoch < self.warmup_steps:
            super().step()
            return
        self.last_epoch += 1
        self.after.step(*args)
        self._last_lr = self.after.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        if self.after is not None:
            state["after"] = self.after.state_dict()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = _checked_state(self, state_dict)
        after_state = state_dict.get("after")
        self.__dict__.update(state)
        if after_state is not None:
            if self.after is None:
                raise ValueError(
                    "LinearWarmup.load_state_dict: the saved warm-up had an `after` schedule; "
                    "build this one with the same `after`."
                )
            self.after.load_state_dict(after_state)
        _restore_lrs(self)


class ReduceLROnPlateau:
    """Multiply the rate by `factor` when a metric stops improving (step(metric) once per epoch).

    A metric is better when, in mode 'min', metric < best * (1 - threshold) (threshold_mode
    'rel') or metric < best - threshold ('abs'); 'max' mirrors it. After more than
    `patience` epochs in a row without improvement: lr <- max(lr * factor, min_lr), then
    `cooldown` epochs in which bad epochs are not counted. Same rules as PyTorch's
    (whose argument order starts with mode; pass them by name to be safe).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 0.1,
        patience: int = 10,
        mode: str = "min",
        threshold: float = 1e-4,
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        threshold_mode: str = "rel",
        eps: float = 1e-8,
    ):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: the first argument must be an optim.Optimizer, got {type(optimizer).__name__}.")
        _check(0 < factor < 1, f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}.")
        _check(mode in ("min", "max"), f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}.")
        _check(threshold_mode in ("rel", "abs"),
               f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}.")
        _check(patience >= 0 and cooldown >= 0,
               f"ReduceLROnPlateau: patience and cooldown must be >= 0 (got {patience}, {cooldown}).")
        groups = optimizer.param_groups
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * len(groups)
        _check(len(min_lrs) == len(groups),
               f"ReduceLROnPlateau: {len(groups)} parameter groups but {len(min_lrs)} min_lr values.")
        self.optimizer = optimizer
        self.factor, self.patience, self.mode, self.threshold = factor, patience, mode, threshold
        self.cooldown, self.min_lrs, self.threshold_mode, self.eps = cooldown, min_lrs, threshold_mode, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in groups]

    @property
    def t(self) -> int:
        """How many times step() has been called."""
        return self.last_epoch

    def is_better(self, metric: float, best: float) -> bool:
        """Whether `metric` beats `best` by more than the threshold (in the direction of `mode`)."""
        if self.mode == "min":
            return metric < (best * (1 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return metric > (best * (1 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    def step(self, metric: float) -> None:
        """Record one epoch's metric (e.g. the validation loss); cut the rate on a plateau."""
        metric = float(metric)
        self.last_epoch += 1
        if self.is_better(metric, self.best):
            self.best, self.num_bad_epochs = metric, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:  # changes smaller than eps are ignored
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group as this scheduler last set it."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser, and the scheduler's class name under "scheduler"."""
        return _own_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume: restores the counters and best metric, and each group's last lr."""
        self.__dict__.update(_checked_state(self, state_dict))
        _restore_lrs(self)

    def __repr__(self) -> str:
        return f"ReduceLROnPlateau(t={self.last_epoch}, lr={self.get_last_lr()}, best={self.best})"
