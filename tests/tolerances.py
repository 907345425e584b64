"""Tolerances from an error budget, for comparing long float64 computations with a reference.

Two correct implementations of a trajectory (chalkgrad's optimiser steps and torch's) round
differently: which roundings happen depends on the BLAS kernel OpenBLAS/MKL pick for the CPU, the
thread count (summation order), fused multiply-adds and the vectorised tanh/exp of the CPU. Each
step carries the earlier round-off on and amplifies it as much as the problem amplifies any small
change (its conditioning), so a fixed tolerance that passes on one CPU fails on another (issue #13).
`roundoff_budget` measures that amplification on the reference itself and turns it into a
tolerance per step; `assert_within_budget` compares with it.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

EPS = np.finfo(np.float64).eps  # 2.2e-16: the spacing of float64 numbers near 1
PROBE = 1e-13  # relative size of the probing change of the start: ~450 ulps, far above
#                round-off and far below where the problem stops responding linearly
SAFETY = 1000.0  # unit roundings per step (~100, see roundoff_budget) times a margin of 10
TIGHT = 1e-12  # relative agreement asked for in the first steps, before round-off has grown


def roundoff_budget(run: Callable[[list], np.ndarray], start: Sequence, directions: int = 3):
    """(reference trajectory, budget per step) for `run(start) -> array (steps, values)`.

    amp(t): how far `run` from a start changed by PROBE (relative; random signs, the worst of
    `directions` tries) has moved from `run(start)` after step t, per unit of that change: the
    problem's sensitivity, measured on the reference, so the same on every CPU. Round-off made at
    step s is a change of relative size ~EPS that grows by step t roughly by amp(t - s) (exact when
    every step is the same linear map, as gradient descent on a quadratic) or by amp(t) / amp(s) (what
    the start's change grew by from s to t: larger when the growth comes late, as along Rosenbrock's
    valley); we take the larger of the two and add up the steps:
        budget(t) = SAFETY * EPS * scale * sum_{s <= t} max(amp(t - s), amp(t) / amp(s))
    with scale the largest |value| of the reference. SAFETY = 1000: one step rounds many times (sums
    over a batch forward and backward, ~10 element-wise operations in the update); the measured
    |ours - torch| / (EPS * scale * sum ...) stayed below ~10 over OpenBLAS's Haswell, Sandybridge,
    Nehalem and Prescott kernels, 1 or 2 threads and torch's AVX2 or plain code: 100 roundings x 10.
    """
    start = [np.asarray(v, dtype=np.float64) for v in start]
    reference = np.asarray(run(start), dtype=np.float64)
    size = max(np.abs(v).max() for v in start)
    rng = np.random.default_rng(0)
    amp = np.zeros(len(reference))
    for _ in range(directions):
        changed = [v + PROBE * size * rng.choice([-1.0, 1.0], size=v.shape) for v in start]
        moved = np.asarray(run(changed), dtype=np.float64)
        assert moved.shape == reference.shape, (
            f"a change of the start by {PROBE:g} changed the run's shape {reference.shape} -> {moved.shape}:"
            " this comparison is decided by round-off and cannot be checked step by step")
        amp = np.maximum(amp, np.abs(moved - reference).reshape(len(reference), -1).max(axis=1) / (PROBE * size))
    amp = np.maximum(amp, EPS / PROBE)  # smaller separations are the two runs' own round-off
    growth = [np.maximum(amp[t::-1], amp[t] / amp[: t + 1]).sum() for t in range(len(amp))]
    scale = max(np.abs(reference).max(), size)
    return reference, SAFETY * EPS * scale * np.array(growth)


def assert_within_budget(ours, reference, budget, tight_steps: int = 20, err_msg: str = "") -> None:
    """Step t of `ours` within budget[t] of the reference (max over the values), and the first
    `tight_steps` steps within TIGHT * scale too, whatever the budget: before round-off has been
    amplified the two must agree to a few hundred ulps."""
    ours, reference = np.asarray(ours, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    assert ours.shape == reference.shape, f"{err_msg}: shape {ours.shape} != reference {reference.shape}"
    deviation = np.abs(ours - reference).reshape(len(reference), -1).max(axis=1)
    deviation = np.where(np.isnan(deviation), np.inf, deviation)
    scale = max(np.abs(reference).max(), 1e-300)
    allowed = np.array(budget, dtype=np.float64)
    allowed[:tight_steps] = np.minimum(allowed[:tight_steps], TIGHT * scale)
    bad = np.flatnonzero(~(deviation <= allowed))
    if bad.size:
        worst = bad[np.argmax(deviation[bad] / allowed[bad])]
        raise AssertionError(
            f"{err_msg}: {bad.size} of {len(reference)} steps outside the round-off budget; first at step"
            f" {bad[0]} (|ours - reference| = {deviation[bad[0]]:.3g} > {allowed[bad[0]]:.3g}), worst at step"
            f" {worst} ({deviation[worst]:.3g} > {allowed[worst]:.3g})")


def matmul_error_bound(a, b) -> np.ndarray:
    """How far apart two correct float64 computations of a @ b can be, entry by entry.

    In any summation order, blocked, threaded or with fused multiply-adds, a dot product of length k
    is computed with an error of at most gamma_k * sum_i |a_i b_i|, gamma_k = k u / (1 - k u) with
    u = EPS / 2 (Higham, Accuracy and Stability of Numerical Algorithms, section 3.1): two of them
    differ by at most twice that. A proven bound, so no safety factor; it is large only where the
    products cancel, which is where a relative tolerance is wrong."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    k, u = a.shape[-1], EPS / 2
    return 2 * k * u / (1 - k * u) * (np.abs(a) @ np.abs(b))


def assert_within(actual, expected, bound, err_msg: str = "") -> None:
    """|actual - expected| <= bound, entry by entry (bound an array of the same shape)."""
    deviation = np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    bad = ~(deviation <= bound)
    if bad.any():
        worst = np.unravel_index(np.argmax(np.where(bad, deviation / np.maximum(bound, 1e-300), 0)), deviation.shape)
        raise AssertionError(f"{err_msg}: {bad.sum()} of {bad.size} entries outside the bound; worst at {worst}:"
                             f" |actual - expected| = {deviation[worst]:.3g} > {np.broadcast_to(bound, deviation.shape)[worst]:.3g}")
