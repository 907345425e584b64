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
        """Up to max_iter iterations, each: a direction, a step length, a step, the stopping tests.
        The state (step count, history of pairs, last direction and step) lives under the first
        parameter, as in PyTorch, so the next call to step() continues where this one stopped."""
        group = self.param_groups[0]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss, flat_grad = float(orig_loss), self._gather_flat_grad()
        current_evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss  # already optimal

        for n_iter in range(1, group["max_iter"] + 1):
            state["n_iter"] += 1
            d = _direction(state, flat_grad, group["history_size"])
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * group["lr"]
            else:
                t = group["lr"]
            state.update(d=d, t=t, prev_flat_grad=flat_grad.copy(), prev_loss=loss)
            gtd = flat_grad.dot(d)  # directional derivative
            if gtd > -tolerance_change:
                break

            loss, flat_grad, t, evals = self._move(closure, group, d, t, loss, flat_grad, gtd,
                                                   max_ls=group["max_eval"] - current_evals,
                                                   last=n_iter == group["max_iter"])
            state["t"] = t
            current_evals += evals
            state["func_evals"] += evals

            # stopping tests
            if n_iter == group["max_iter"] or current_evals >= group["max_eval"]:
                break
            if np.abs(flat_grad).max() <= tolerance_grad:  # optimal
                break
            if np.abs(d * t).max() <= tolerance_change:  # the step is tiny
                break
            if abs(loss - state["prev_loss"]) < tolerance_change:  # the loss no longer changes
                break
        return orig_loss

    def _move(self, closure, group, d, t, loss, flat_grad, gtd, max_ls, last):
        """x = x + t d, with t from a strong-Wolfe line search (line_search_fn="strong_wolfe"), or
        the fixed t, after which f and grad f are evaluated (unless this is the last iteration:
        then they are not needed). Returns (loss, flat_grad, t, evaluations) at the new x."""
        if group["line_search_fn"] == "strong_wolfe":
            x_init = [p.data.copy() for p in self._params]

            def obj_func(x, t, d):
                return self._directional_evaluate(closure, x, t, d)

            loss, flat_grad, t, evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_ls)
            self._add_to_params(t, d)
            return loss, flat_grad, t, evals
        self._add_to_params(t, d)
        if last:
            return loss, flat_grad, t, 0
        with enable_grad():
            loss = float(closure())
        return loss, self._gather_flat_grad(), t, 1


def _direction(state: dict, flat_grad: np.ndarray, history_size: int) -> np.ndarray:
    """d = -H grad f. The first time H = I; after that the last step's pair
        s = t d (the step),  y = grad f(x_new) - grad f(x_old)
    joins the history (the oldest leaves beyond history_size) when its curvature s.y is positive,
    H_0 = (s.y / y.y) I, and the two-loop recursion applies H to the gradient."""
    if state["n_iter"] == 1:
        state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
        return -flat_grad
    y = flat_grad - state["prev_flat_grad"]
    s = state["d"] * state["t"]
    ys = y.dot(s)
    if ys > 1e-10:  # keep the pair only if the curvature is positive
        if len(state["old_dirs"]) == history_size:
            for key in ("old_dirs", "old_stps", "ro"):
                state[key].pop(0)
        state["old_dirs"].append(y)
        state["old_stps"].append(s)
        state["ro"].append(1.0 / ys)
        state["H_diag"] = ys / y.dot(y)  # H_0 = (s.y / y.y) I
    return _two_loop(flat_grad, state["old_stps"], state["old_dirs"], state["ro"], state["H_diag"])


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
    search = _LineSearch(obj_func, x, d, f, gtd, c1, c2, max_ls)
    bracket, done = search.bracket(t, g.copy())
    low = search.zoom(bracket, done, tolerance_change)
    steps, values, grads, _ = bracket
    return values[low], grads[low], steps[low], search.evaluations


class _LineSearch:
    """The strong-Wolfe line search along d from x, where the loss is f and its directional
    derivative gtd < 0, in PyTorch's two phases. A bracket is four lists: step lengths, losses,
    gradients and directional derivatives at its ends."""

    def __init__(self, obj_func, x, d, f, gtd, c1, c2, max_ls):
        self.obj_func, self.x, self.d, self.f, self.gtd = obj_func, x, d, f, gtd
        self.c1, self.c2, self.max_ls = c1, c2, max_ls
        self.evaluations = 0
        self.iterations = 0

    def evaluate(self, t):
        """f, grad f and the directional derivative at x + t d."""
        self.evaluations += 1
        f_new, g_new = self.obj_func(self.x, t, self.d)
        return f_new, g_new, g_new.dot(self.d)

    def too_little_decrease(self, t, f_new) -> bool:
        """Is the first (sufficient decrease) condition violated at step t?"""
        return f_new > self.f + self.c1 * t * self.gtd

    def curvature(self, gtd_new) -> bool:
        """Does the second (curvature) condition hold?"""
        return abs(gtd_new) <= -self.c2 * self.gtd

    def bracket(self, t, g):
        """Step further out (cubic extrapolation) until [t_prev, t] contains a point that satisfies
        both conditions, or t satisfies them itself (then done). Returns (bracket, done)."""
        f_new, g_new, gtd_new = self.evaluate(t)
        t_prev, f_prev, g_prev, gtd_prev = 0, self.f, g, self.gtd
        while self.iterations < self.max_ls:
            if self.too_little_decrease(t, f_new) or (self.iterations > 1 and f_new >= f_prev):
                return ([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new]), False
            if self.curvature(gtd_new):
                return ([t], [f_new], [g_new], [gtd_new]), True
            if gtd_new >= 0:
                return ([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()], [gtd_prev, gtd_new]), False
            # extrapolate
            min_step = t + 0.01 * (t - t_prev)
            max_step = t * 10
            tmp = t
            t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
            t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
            f_new, g_new, gtd_new = self.evaluate(t)
            self.iterations += 1
        return ([0, t], [self.f, f_new], [g, g_new], [self.gtd, gtd_new]), False  # out of evaluations

    def zoom(self, bracket, done: bool, tolerance_change: float) -> int:
        """Shrink the bracket until a point satisfies both conditions, the bracket is shorter than
        tolerance_change (along d) or the evaluations run out. Returns the index of its best end."""
        steps, values, grads, gtds = bracket
        d_norm = np.abs(self.d).max()
        insuf_progress = False
        low_pos, high_pos = (0, 1) if values[0] <= values[-1] else (1, 0)
        while not done and self.iterations < self.max_ls:
            if abs(steps[1] - steps[0]) * d_norm < tolerance_change:
                break
            t = _cubic_interpolate(steps[0], values[0], gtds[0], steps[1], values[1], gtds[1])
            # if t is too close to an end of the bracket, move it 10% of the bracket inside
            eps = 0.1 * (max(steps) - min(steps))
            if min(max(steps) - t, t - min(steps)) < eps:
                if insuf_progress or t >= max(steps) or t <= min(steps):
                    t = max(steps) - eps if abs(t - max(steps)) < abs(t - min(steps)) else min(steps) + eps
                    insuf_progress = False
                else:
                    insuf_progress = True
            else:
                insuf_progress = False

            f_new, g_new, gtd_new = self.evaluate(t)
            self.iterations += 1

            if self.too_little_decrease(t, f_new) or f_new >= values[low_pos]:
                # not enough decrease: the new point becomes the high end
                steps[high_pos], values[high_pos] = t, f_new
                grads[high_pos], gtds[high_pos] = g_new.copy(), gtd_new
                low_pos, high_pos = (0, 1) if values[0] <= values[1] else (1, 0)
            else:
                if self.curvature(gtd_new):
                    done = True  # strong Wolfe conditions hold
                elif gtd_new * (steps[high_pos] - steps[low_pos]) >= 0:
                    steps[high_pos], values[high_pos] = steps[low_pos], values[low_pos]
                    grads[high_pos], gtds[high_pos] = grads[low_pos], gtds[low_pos]
                steps[low_pos], values[low_pos] = t, f_new
                grads[low_pos], gtds[low_pos] = g_new.copy(), gtd_new
        return low_pos
