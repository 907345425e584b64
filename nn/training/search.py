"""Hyperparameter search: random search over distributions and grid search over lists.

    def train(lr, hidden):            # top level in a module, so a process pool can pickle it
        ...build, fit, evaluate...
        return {"val_loss": ..., "val_accuracy": ...}

    result = random_search(train, {"lr": LogUniform(1e-4, 1e-1), "hidden": Choice([16, 32, 64])},
                           n_trials=20, seed=0, metric="val_accuracy", mode="max",
                           executor=ProcessPoolExecutor(2))
    print(result)                     # a table, best trial first
    result.best_params

Trials run in this process one after another, or through any executor with
`submit(fn, *args)` whose futures have `.result()` (concurrent.futures pools, or a Dask
`distributed.Client`), without code changes.
"""
from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["LogUniform", "Uniform", "IntUniform", "Choice", "random_search", "grid_search", "SearchResult"]


# ----- distributions: each has sample(rng) ---------------------------------------------------
class LogUniform:
    """exp(U(log low, log high)): every factor of 10 between low and high is equally likely
    (the usual choice for learning rates and weight decay)."""

    def __init__(self, low: float, high: float):
        if not 0 < low < high:
            raise ValueError(f"LogUniform: need 0 < low < high, got low={low}, high={high}.")
        self.low, self.high = float(low), float(high)

    def sample(self, rng: np.random.Generator) -> float:
        """One value drawn with `rng`."""
        return float(np.exp(rng.uniform(np.log(self.low), np.log(self.high))))

    def __repr__(self) -> str:
        return f"LogUniform({self.low:g}, {self.high:g})"


class Uniform:
    """U(low, high): any value in [low, high) equally likely."""

    def __init__(self, low: float, high: float):
        if not low < high:
            raise ValueError(f"Uniform: need low < high, got low={low}, high={high}.")
        self.low, self.high = float(low), float(high)

    def sample(self, rng: np.random.Generator) -> float:
        """One value drawn with `rng`."""
        return float(rng.uniform(self.low, self.high))

    def __repr__(self) -> str:
        return f"Uniform({self.low:g}, {self.high:g})"


class IntUniform:
    """An integer from low to high inclusive, each equally likely (e.g. a layer width)."""

    def __init__(self, low: int, high: int):
        if int(low) != low or int(high) != high or low > high:
            raise ValueError(f"IntUniform: need integers low <= high, got low={low}, high={high}.")
        self.low, self.high = int(low), int(high)

    def sample(self, rng: np.random.Generator) -> int:
        """One value drawn with `rng`."""
        return int(rng.integers(self.low, self.high + 1))

    def __repr__(self) -> str:
        return f"IntUniform({self.low}, {self.high})"


class Choice:
    """One of the given options, each equally likely (e.g. Choice(["sgd", "adam"]))."""

    def __init__(self, options: Sequence):
        self.options = list(options)
        if not self.options:
            raise ValueError("Choice: needs at least one option.")

    def sample(self, rng: np.random.Generator):
        """One option drawn with `rng`."""
        value = self.options[int(rng.integers(len(self.options)))]
        return value.item() if isinstance(value, np.generic) else value

    def __repr__(self) -> str:
        return f"Choice({self.options!r})"


# ----- searches ------------------------------------------------------------------------------
class SearchResult:
    """The trials of a search, best first: a list of dicts {"trial", <params>, <metrics>}.

    `result.best` is the best trial, `result.best_params` its parameters; `print(result)`
    shows a table. A trial that raised an exception has an "error" entry and comes last.
    """

    def __init__(self, trials: list[dict], param_names: list[str], metric: str, mode: str):
        self.trials, self.param_names, self.metric, self.mode = trials, param_names, metric, mode

    @property
    def best(self) -> dict:
        """The best trial (a dict of its number, parameters and metrics)."""
        return self.trials[0]

    @property
    def best_params(self) -> dict:
        """The best trial's parameters."""
        return {name: self.best[name] for name in self.param_names}

    def __len__(self) -> int:
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    def __getitem__(self, index):
        return self.trials[index]

    def __str__(self) -> str:
        metrics = [key for t in self.trials for key in t if key not in ("trial", "error", *self.param_names)]
        columns = ["trial", *self.param_names, *dict.fromkeys(metrics)]
        if any("error" in t for t in self.trials):
            columns.append("error")
        rows = [[_cell(t.get(c, "")) for c in columns] for t in self.trials]
        return format_table(columns, rows) + f"\n(sorted by {self.metric}, {'lowest' if self.mode == 'min' else 'highest'} first)"

    def __repr__(self) -> str:
        return f"SearchResult({len(self)} trials, best {self.metric}={_cell(self.best.get(self.metric))}: {self.best_params})"


def random_search(train_fn: Callable, space: Mapping[str, Any], n_trials: int = 10, seed: int | None = 0,
                  executor=None, metric: str | None = None, mode: str = "min") -> SearchResult:
    """Try `n_trials` random parameter settings; return the trials sorted best first.

    `space` maps each parameter name to a distribution (LogUniform, Uniform, IntUniform,
    Choice) or to a fixed value. All settings are drawn up front from `seed`, so the trials
    do not depend on the executor. See `grid_search` for `train_fn`, `executor`, `metric`
    and `mode`.
    """
    if int(n_trials) != n_trials or n_trials < 1:
        raise ValueError(f"random_search: n_trials must be a positive integer, got {n_trials!r}.")
    rng = np.random.default_rng(seed)
    settings = [{name: dist.sample(rng) if hasattr(dist, "sample") else dist for name, dist in space.items()}
                for _ in range(n_trials)]
    return _run_trials("random_search", train_fn, settings, list(space), executor, metric, mode)


def grid_search(train_fn: Callable, grid: Mapping[str, Any], executor=None, metric: str | None = None,
                mode: str = "min") -> SearchResult:
    """Try every combination of the listed values (the Cartesian product); return them best first.

    `grid` maps each name to a list of values (or one fixed value). `train_fn(**params)`
    trains and returns a number (the score, lower is better unless mode="max") or a dict of
    numbers, then `metric` names the one to sort by (e.g. metric="val_accuracy", mode="max").
    Trials run one after another in this process, or through `executor`: any object with
    `submit(fn, *args)` returning a future with `.result()` — a
    `concurrent.futures.ProcessPoolExecutor` or ThreadPoolExecutor, or a Dask
    `distributed.Client` (README: "On a Dask cluster"). A trial's parameters travel as one
    dict, so no name clashes with the executor's own keywords (Dask's `key=`, `retries=`, ...).
    For a process pool `train_fn` must be picklable: a function defined at the top level of a
    module, not a lambda or a nested function (in a Jupyter notebook on Linux, a top-level
    function of the notebook works too, because workers are forked; Dask ships lambdas too);
    it should build its own data and model from its arguments. A trial that raises is
    recorded with its error and sorted last; if every trial fails, the first error is raised.
    """
    values = {}
    for name, options in grid.items():
        if hasattr(options, "sample"):
            raise TypeError(f"grid_search: {name!r} is a distribution ({options!r}); list the values to try, "
                            "or use random_search for distributions.")
        values[name] = list(options) if isinstance(options, (list, tuple, range, np.ndarray)) else [options]
    settings = [dict(zip(values, combo)) for combo in itertools.product(*values.values())]
    settings = [{k: v.item() if isinstance(v, np.generic) else v for k, v in s.items()} for s in settings]
    return _run_trials("grid_search", train_fn, settings, list(grid), executor, metric, mode)


def _run_trials(where: str, train_fn: Callable, settings: list[dict], names: list[str], executor,
                metric: str | None, mode: str) -> SearchResult:
    if mode not in ("min", "max"):
        raise ValueError(f"{where}: mode must be 'min' or 'max', got {mode!r}.")
    if executor is None:
        outcomes = [_call(train_fn, params) for params in settings]
    else:
        futures = [executor.submit(_call_with, train_fn, params) for params in settings]
        outcomes = [_result(future) for future in futures]
    errors = [error for _, error in outcomes if error is not None]
    if len(errors) == len(outcomes):
        hint = ("" if executor is None else " With a process pool, train_fn must be picklable: define it at the "
                "top level of a module (not as a lambda or a nested function).")
        raise RuntimeError(f"{where}: every trial failed; the first error was: {errors[0]!r}.{hint}") from errors[0]
    trials = []
    for i, (params, (outcome, error)) in enumerate(zip(settings, outcomes)):
        trial = {"trial": i, **params}
        if error is not None:
            trial["error"] = f"{type(error).__name__}: {error}"
        elif isinstance(outcome, Mapping):
            trial.update(outcome)
        else:
            trial["score"] = outcome
        trials.append(trial)
    metric = _pick_metric(where, trials, names, metric)
    if errors:
        warnings.warn(f"{where}: {len(errors)} of {len(trials)} trials failed (see their 'error' column).",
                      RuntimeWarning, stacklevel=3)

    def order(trial):
        value = trial.get(metric)
        try:
            value = float(value)
        except (TypeError, ValueError):
            return (1, 0.0)
        if math.isnan(value):
            return (1, 0.0)
        return (0, value if mode == "min" else -value)

    return SearchResult(sorted(trials, key=order), names, metric, mode)


def _pick_metric(where: str, trials: list[dict], names: list[str], metric: str | None) -> str:
    reported = list(dict.fromkeys(k for t in trials if "error" not in t for k in t if k != "trial" and k not in names))
    if metric is None:
        if len(reported) != 1:
            raise ValueError(f"{where}: train_fn returned several metrics {reported}; choose one with metric=..., "
                             "e.g. metric='val_loss' (and mode='max' for accuracies).")
        return reported[0]
    if metric not in reported:
        raise ValueError(f"{where}: metric={metric!r} is not among what train_fn returned: {reported}.")
    return metric


def _call(train_fn: Callable, params: dict):
    try:
        return train_fn(**params), None
    except Exception as error:  # one diverging trial should not end the whole search
        return None, error


def _call_with(train_fn: Callable, params: dict):
    """One trial, run by the executor: train_fn(**params)."""
    return train_fn(**params)


def _result(future):
    try:
        return future.result(), None
    except Exception as error:
        return None, error


# ----- printing -------------------------------------------------------------------------------
def _cell(value) -> str:
    return f"{value:.4g}" if isinstance(value, (float, np.floating)) else str(value)


def format_table(columns: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with right-aligned columns and a rule under the header."""
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(cell.rjust(w) for cell, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in rows])
