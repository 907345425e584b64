"""L-BFGS: a quasi-Newton method that builds an inverse-Hessian estimate from the last steps.

Newton's step is x* = x - H^{-1} grad f(x), but H has N^2 entries and inverting it costs N^3.
BFGS instead improves an estimate of H^{-1} with a rank-two update after every step;
L-BFGS never forms that matrix: it keeps the last `history_size` pairs
    s_k = x_{k+1} - x_k,   y_k = grad f(x_{k+1}) - grad f(x_k)
and applies the estimate to the gradient with the two-loop recursion. The algorithm
follows PyTorch's torch.optim.LBFGS (itself a port of minFunc) step for step, so the
iterates agree with PyTorch's.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from autograd import Tensor, enable_grad, no_grad
from optim.optimizer import Optimizer


class LBFGS(Optimizer):
    """LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
             tolerance_change=1e-9, history_size=100, line_search_fn=None)

    Full-batch: `step(closure)` runs up to `max_iter` iterations, calling `closure()`
    (which must zero the gradients, compute the loss, call backward and return the loss)
    whenever it needs f and grad f. One iteration:
        d = -H_k grad f(x)        two-loop recursion over the stored (s, y) pairs,
                                  starting from H_0 = (s.y / y.y) I
        x = x + t d               t = lr, or found by a strong-Wolfe line search
                                  (line_search_fn="strong_wolfe")
    It stops early when max|grad| <= tolerance_grad, when the step or the change of the
    loss falls below tolerance_change, or after max_eval evaluations (default max_iter * 5 // 4).
    All parameters form one group (one flat vector x).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
            tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: parameter groups are not supported; pass one list of parameters.")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group: dict) -> None:
        self._check_nonnegative(group, "lr", "tolerance_grad", "tolerance_change")
        for key in ("max_iter", "max_eval", "history_size"):
            if not isinstance(group[key], (int, np.integer)) or group[key] < 1:
                raise ValueError(f"LBFGS: {key} must be a positive integer, got {group[key]!r}.")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {group['line_search_fn']!r}.")

    def _check_loaded_state(self, p: Tensor, index: int, state: dict) -> None:
        pass  # its state holds flat vectors over all parameters, not per-parameter arrays

    # ----- the parameters as one flat vector ------------------------------------------------
    def _gather_flat_grad(self) -> np.ndarray:
        return np.concatenate([
            np.zeros(p.data.size, dtype=p.dtype) if p.grad is None else self._grad_array(p).reshape(-1)
            for p in self._params
        ])

    def _add_to_params(self, step_size: float, direction: np.ndarray) -> None:
        """x += step_size * direction, in place (versions bumped)."""
        offset = 0
        for p in self._params:
            p += step_size * direction[offset : offset + p.data.size].reshape(p.shape)
            offset += p.data.size

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, value in zip(self._params, values):
            p[...] = value

    def _directional_evaluate(self, closure, x: list[np.ndarray], t: float, d: np.ndarray):
        """f and grad f at x + t d; the parameters are put back to x afterwards."""
        self._add_to_params(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_params(x)
        return loss, flat_grad

    # ----- one step (up to max_iter iterations) ----------------------------------------------
    def step(self, closure: Callable[[], Tensor] | None = None):
        """Minimise for up to max_iter iterations; returns the loss at the starting point."""
        if closure is None or not callable(closure):
            raise TypeError(
                "LBFGS.step needs a closure: a function that zeroes the gradients, computes the loss, "
                "calls loss.backward() and returns the loss, e.g. optimizer.step(lambda: closure())."
            )
        with no_grad():
            return self._minimise(closure)

    def _minimise(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]

        # the state is global; it is stored under the first parameter, as in PyTorch
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss  # already optimal

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # --- direction d = -H grad f -------------------------------------------------
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only if the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # H_0 = (s.y / y.y) I
                d = _two_loop(flat_grad, old_stps, old_dirs, ro, H_diag)

            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # --- step length ---------------------------------------------------------------
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)  # directional derivative
            if gtd > -tolerance_change:
                break

            ls_func_evals = 0
            if group["line_search_fn"] == "strong_wolfe":
                x_init = [p.data.copy() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_to_params(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d)  # fixed step
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's loss is not needed
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # --- stopping tests ---------------------------------------------------------------
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # the step is tiny
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss no longer changes
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss


def _two_loop(flat_grad, old_stps, old_dirs, ro, H_diag) -> np.ndarray:
    """-H grad with the L-BFGS two-loop recursion over the pairs (s_i, y_i), rho_i = 1/(y_i.s_i)."""
    q = -flat_grad
    alphas = [0.0] * len(old_dirs)
    for i in range(len(old_dirs) - 1, -1, -1):
        alphas[i] = old_stps[i].dot(q) * ro[i]
        q = q - alphas[i] * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_dirs)):
        beta = old_dirs[i].dot(r) * ro[i]
        r = r + (alphas[i] - beta) * old_stps[i]
    return r


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """Minimiser of the cubic through (x1, f1, f1'=g1) and (x2, f2, f2'=g2), clamped to bounds."""
    xmin_bound, xmax_bound = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find t with f(x + t d) <= f + c1 t gtd (sufficient decrease) and
    |grad f(x + t d) . d| <= c2 |gtd| (curvature): bracket such a t, then zoom in on it
    by cubic interpolation. Returns (f_new, g_new, t, evaluations)."""
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracketing phase
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: shrink the bracket until a point satisfies both conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # if t is too close to an end of the bracket, move it 10% of the bracket inside
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # not enough decrease: the new point becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # strong Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
