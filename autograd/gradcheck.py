"""Gradient checking: compare the gradient backward computes with central differences.

    analytic   what backward returns (the chain rule through every recorded operation)
    numeric    (f(x + eps) - f(x - eps)) / (2 eps), one element of one input at a time

    numerical_grad           the numeric gradient alone
    gradcheck                analytic vs numeric, element by element; a table of the worst ones
    gradgradcheck            the same for second derivatives (backward of backward, create_graph)
    directional_gradcheck    a cheap check for big inputs along a few random directions
    check_backward           the exercise: a hand-written numpy forward/backward pair, with a verdict
    check_module_gradients   gradcheck of every parameter of an nn.Module under a loss
    rel_error                max |a - b| / max(|a| + |b|, 1e-8), the course notebooks' measure

Conventions shared by every check:
- float64 throughout. Each check runs the function on float64 copies of its inputs (float32 ones
  are upcast on purpose): eps = 1e-6 is below float32's resolution (about 1e-7 relative), so a
  float32 check would measure rounding, not the formula. A function that casts back to float32
  inside is refused with advice.
- Nothing the caller passed is changed: functions run on copies; module parameters are swapped for
  float64 copies during the check and the original arrays are put back afterwards.
- Only Tensor inputs with requires_grad=True are differentiated; the rest are constants.
- A non-scalar output y is reduced to the scalar f = <P, y> with a fixed random P (seeded), so one
  backward pass gives P^T J and every entry of the Jacobian counts. (Weighting with ones would hide
  errors that cancel: softmax's outputs sum to 1, so the gradient of their sum is 0 anyway.)
- Kinks. At a non-differentiable point (relu or clip at a bound, abs at 0, a tie in max) the slopes
  left and right differ and no gradient is "the" right one. Central differences return the average
  of the two slopes. Where backward picks one side (relu'(0) = 0) the check fails, and the report
  marks the element "kink" (its one-sided slopes differ) so you know to move the input off it;
  where backward's choice is the average (abs'(0) = 0, max splitting a tie evenly) it passes.
  check_backward leaves elements on a kink out of its error instead (a zero input row with a zero
  bias puts relu exactly at 0, a common set-up) and says which slope the backward took there.
  Random inputs almost never land on a kink.
- Numbers in reports never print as "-0" (autograd.formatting.format_number).
"""
from __future__ import annotations

import inspect
from typing import Callable, NamedTuple

import numpy as np

from autograd.engine import grad
from autograd.formatting import format_number
from autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from autograd.tensor import Tensor

GREAT, OK, SUSPICIOUS = 1e-7, 1e-4, 1e-2  # rel_error thresholds of check_backward's verdicts
_SEED = 0  # the random projections are the same on every run
_ROWS = 5  # worst elements shown per input in a failure report


class GradcheckError(AssertionError):
    """A gradient check failed; the message is the report (which check, which elements)."""


def rel_error(a, b) -> float:
    """max over elements of |a - b| / max(|a| + |b|, 1e-8), the measure used in course notebooks.
    Scale-free: about 1e-7 or below means agreement to ~7 significant digits."""
    a, b = _array(a), _array(b)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: the arrays have shapes {a.shape} and {b.shape}; they must match.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_grad(fn: Callable, inputs, eps: float = 1e-6, grad_output=None):
    """The gradient of fn(*inputs) by central differences: for every element x_i of every input
    that requires grad,  df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    fn takes Tensors and returns a Tensor. A scalar output is differentiated as it is; a non-scalar
    output y becomes f = sum(grad_output * y), with grad_output a fixed random array (seed 0) unless
    given. Runs in float64 on copies of the inputs (see the module docstring). Costs two calls of
    fn per element: meant for small inputs.

    Returns one float64 array per input (None for inputs that do not require grad), or a single
    array when `inputs` is a single Tensor.
    """
    single = isinstance(inputs, Tensor)
    copies = _float64_copies(inputs)
    tensors = _differentiable(copies, "numerical_grad")
    with no_grad():
        outputs = _outputs(fn(*copies), "numerical_grad")
    projections = _projections(outputs) if grad_output is None else _given(grad_output, outputs, "numerical_grad")
    numeric = _numeric_grad(lambda: _projected(fn(*copies), projections), tensors, eps).central
    by_id = {id(t): g for t, g in zip(tensors, numeric)}
    grads = [by_id.get(id(c)) for c in copies]
    return grads[0] if single else grads


def gradcheck(fn: Callable, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Check backward against central differences for every element of every input that
    requires grad: it passes where |analytic - numeric| <= atol + rtol * |numeric|.

    fn takes Tensors (fn(*inputs)) and returns a Tensor or a tuple of Tensors; non-scalar outputs
    are weighted by fixed random arrays (see the module docstring). It also checks that fn gives
    the same value twice at the same point (dropout in training mode would not).
    Returns True; on failure raises GradcheckError whose message names the failed check and shows,
    per input, the worst elements (index, analytic, numeric, relative error), or returns False
    when raise_exception=False.
    """
    copies = _float64_copies(inputs)
    tensors = _differentiable(copies, "gradcheck")
    names = [_input_name(i, c) for i, c in enumerate(copies) if any(c is t for t in tensors)]
    return _check(lambda: fn(*copies), tensors, names, eps, atol, rtol, raise_exception, "gradcheck",
                  "backward's gradient does not match central differences of fn")


def gradgradcheck(fn: Callable, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check second derivatives: gradcheck of x -> grad(fn(x), x, grad_outputs=v, create_graph=True).

    The first derivatives v^T J are computed by backward with create_graph=True (so backward's own
    operations are recorded), then their gradient is compared with central differences of the
    first derivatives. v is `grad_outputs` (a Tensor/array, or a tuple for several outputs) or fixed
    random arrays. Catches backward passes that are right but not differentiable, e.g. built from
    `.data` or numpy constants instead of Tensor operations. Same report and return value as gradcheck.
    """
    copies = _float64_copies(inputs)
    tensors = _differentiable(copies, "gradgradcheck")
    names = [_input_name(i, c) for i, c in enumerate(copies) if any(c is t for t in tensors)]
    with enable_grad():
        outputs = _outputs(fn(*copies), "gradgradcheck")
    vs = _projections(outputs, seed=_SEED + 1) if grad_outputs is None else _given(grad_outputs, outputs, "gradgradcheck")

    def first_derivatives():
        create_graph = is_grad_enabled()  # only the analytic pass needs the backward recorded
        with enable_grad():
            ys = _outputs(fn(*copies), "gradgradcheck")
            live = [(y, Tensor(v)) for y, v in zip(ys, vs, strict=True) if y.requires_grad]
            if not live:  # fn does not depend on the inputs: its first derivatives are zero
                return tuple(Tensor(np.zeros(t.shape)) for t in tensors)
            firsts = grad([y for y, _ in live], tensors, grad_outputs=[v for _, v in live],
                          create_graph=create_graph, allow_unused=True)
        return tuple(Tensor(np.zeros(t.shape)) if g is None else g for g, t in zip(firsts, tensors))

    return _check(first_derivatives, tensors, names, eps, atol, rtol, raise_exception, "gradgradcheck",
                  "second derivatives (backward of backward, create_graph=True) do not match central "
                  "differences of the first derivatives")


def directional_gradcheck(fn: Callable, inputs, directions: int = 3, eps: float = 1e-6, atol: float = 1e-5,
                          rtol: float = 1e-3, seed: int = 0, raise_exception: bool = True) -> bool:
    """A cheap gradient check for big inputs, along random directions (the idea of HIPS autograd's
    check_grads). With a random output weighting u, f(x) = <u, fn(x)>, and a random unit direction
    v spread over all inputs that require grad:

        analytic = <u^T J, v>                           (one backward pass serves every direction)
        numeric  = (f(x + eps v) - f(x - eps v)) / (2 eps)

    Cost: one backward plus two calls of fn per direction, whatever the size of the inputs (gradcheck
    needs two per element). A wrong gradient passes only if its error is orthogonal to every random
    v, which has probability zero. It tells *that* a gradient is wrong, not where: run gradcheck on
    a small input to find the elements. Returns True; raises GradcheckError (or returns False).
    """
    copies = _float64_copies(inputs)
    tensors = _differentiable(copies, "directional_gradcheck")
    with enable_grad():
        outputs = _outputs(fn(*copies), "directional_gradcheck")
    rng = np.random.default_rng(seed)
    projections = [np.ones(y.shape) if y.size == 1 else rng.standard_normal(y.shape) for y in outputs]
    analytic_grads = _analytic_grad(outputs, projections, tensors)
    originals = [t.data.copy() for t in tensors]

    def f_at(step, vs):
        for t, x, v in zip(tensors, originals, vs):
            t.data[...] = x + step * v
        with no_grad():
            return _projected(fn(*copies), projections)

    first, again = _projected(outputs, projections), f_at(0.0, [0.0] * len(tensors))
    if not np.isclose(first, again, rtol=1e-10, atol=1e-12):
        return _fail(_not_deterministic("directional_gradcheck", first, again), raise_exception)
    rows = []
    try:
        for _ in range(directions):
            vs = _unit_direction(rng, tensors)
            analytic = float(sum(np.sum(g * v) for g, v in zip(analytic_grads, vs)))
            numeric = (f_at(eps, vs) - f_at(-eps, vs)) / (2 * eps)
            rows.append((analytic, numeric, abs(analytic - numeric) <= atol + rtol * abs(numeric)))
    finally:
        for t, x in zip(tensors, originals):
            t.data[...] = x
    if all(ok for _, _, ok in rows):
        return True
    return _fail(_directional_report(rows, atol, rtol, eps), raise_exception)


def _unit_direction(rng: np.random.Generator, tensors: list) -> list:
    """A random direction v of length 1 spread over all the tensors: one array per tensor."""
    vs = [rng.standard_normal(t.shape) for t in tensors]
    norm = np.sqrt(sum(np.sum(v * v) for v in vs))
    return [v / norm for v in vs]


def _directional_report(rows: list, atol: float, rtol: float, eps: float) -> str:
    """directional_gradcheck's failure: one row per direction (analytic, numeric, passed)."""
    lines = [
        "directional_gradcheck failed: backward's vector-Jacobian product disagrees with central "
        f"differences along random directions (f = <u, fn(x)>; passes where |analytic - numeric| <= "
        f"atol + rtol * |numeric|, atol={atol:g}, rtol={rtol:g}; eps={eps:g}).",
        f"  {'direction':>9} {'analytic <u^T J, v>':>20} {'numeric df/dv':>16} {'rel. error':>11}",
    ]
    for k, (a, n, ok) in enumerate(rows):
        lines.append(f"  {k:>9} {format_number(a, '>20.9g')} {format_number(n, '>16.9g')} "
                     f"{rel_error(a, n):>11.2e}{'' if ok else '  FAIL'}")
    lines.append("Run gradcheck on a small input to see which elements are wrong.")
    return "\n".join(lines)


def check_backward(forward_or_layer, *args, eps: float = 1e-6, seed: int = 0) -> "BackwardCheck":
    """Check a hand-written backward pass in plain numpy (the classic exercise).

        check_backward(forward, backward, x, W, b)   # two functions
        check_backward(layer, x, W, b)               # an object with .forward and .backward

    forward(x, W, b) returns the output array; backward(x, W, b, grad_out) returns the gradients
    (dx, dW, db), one per input in the same order and of the same shape (a single array when there
    is only x). With a random grad_out (seeded), the loss is L = sum(grad_out * forward(x, W, b)),
    whose exact gradient is what backward should return. Each gradient a is compared with the
    central differences n of L by the relative error of the whole array,
    ||a - n|| / (||a|| + ||n||)  (Euclidean norms; 0 when both are 0), and judged:

        error < 1e-7   great       the gradient is right
        error < 1e-4   ok          normal near kinks (relu, max); too high for a smooth function
        error < 1e-2   suspicious  probably a bug; check again with other inputs
        otherwise      wrong       the gradient is wrong

    (The norms keep tiny entries, whose few correct digits drown in rounding, from deciding the
    verdict: rel_error's max over elements can exceed 1e-6 for a correct gradient. The table still
    shows the element with the largest rel_error.)

    Elements on a kink (their one-sided slopes differ: relu exactly at 0, a tie in a max) have no
    right answer, so they are left out of the error, the input's verdict is at best "ok", and a note
    says which slope your backward took there (relu'(0) = 0, PyTorch's choice, is the slope from
    the left). A note also says when your gradient is one constant times the numeric one in every
    element ("analytic = 4.00 × numeric in every element: a missing 1/4?").

    Runs on float64 copies (nothing passed is changed). Returns a BackwardCheck whose printout is a
    table (input, shape, relative error, verdict, the worst element) and the notes; `.verdict` is
    the worst one, `.passed` is True when every input is "great" or "ok", `.notes` lists the notes
    and `.kinks` the kink elements (boolean arrays).
    """
    forward, backward, inputs = _forward_and_backward(forward_or_layer, args)
    xs = [np.array(x, dtype=np.float64) for x in inputs]
    names = _argument_names(forward, len(xs))
    grad_out = np.random.default_rng(seed).standard_normal(np.shape(_numpy_output(forward(*xs), "forward")))
    grads = _checked_gradients(backward(*[x.copy() for x in xs], grad_out.copy()), xs, names)
    tensors = [Tensor._make(x) for x in xs]  # _numeric_grad perturbs .data of these in place
    differences = _numeric_grad(lambda: float(np.sum(grad_out * _numpy_output(forward(*xs), "forward"))), tensors, eps)
    return BackwardCheck(names, [x.shape for x in xs], [_array(g) for g in grads], differences)


def _forward_and_backward(forward_or_layer, args: tuple) -> tuple:
    """(forward, backward, inputs) from check_backward(forward, backward, *inputs) or
    check_backward(layer, *inputs)."""
    if hasattr(forward_or_layer, "forward") and hasattr(forward_or_layer, "backward"):
        forward, backward, inputs = forward_or_layer.forward, forward_or_layer.backward, args
    elif args and callable(args[0]):
        forward, backward, inputs = forward_or_layer, args[0], args[1:]
    else:
        raise TypeError(
            "check_backward: pass check_backward(forward, backward, x, *params) with two functions, "
            "or check_backward(layer, x, *params) with an object that has .forward and .backward."
        )
    if not inputs:
        raise TypeError("check_backward: no inputs given; pass x and the parameters after the function(s).")
    return forward, backward, inputs


def _checked_gradients(grads, xs: list, names: list) -> list:
    """What the user's backward returned, as a list with one gradient of the right shape per input."""
    grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
    if len(grads) != len(xs):
        raise ValueError(
            f"check_backward: backward returned {len(grads)} gradient(s) but there are {len(xs)} inputs "
            f"({', '.join(names)}); return one per input, in the same order."
        )
    for name, x, g in zip(names, xs, grads):
        if np.shape(g) != x.shape:
            raise ValueError(
                f"check_backward: backward returned a gradient of shape {np.shape(g)} for {name} of shape "
                f"{x.shape}; a gradient has the shape of its input (sum over the broadcast axes)."
            )
    return grads


class BackwardCheck:
    """The result of check_backward: per input, the relative error and its verdict, and notes on
    kinks and on a constant factor between your gradient and the numeric one."""

    def __init__(self, names, shapes, analytic, differences: _Differences):
        self.names, self.shapes, self.analytic = names, shapes, analytic
        self.numeric, self.kinks = differences.central, differences.kinks
        smooth = [~k for k in self.kinks]
        self.errors = [_norm_rel_error(a[s], n[s]) for a, n, s in zip(analytic, self.numeric, smooth)]
        # an input with elements on a kink is at best "ok": those elements could not be checked
        self.verdicts = [_worse(_verdict(e), "ok") if k.any() else _verdict(e) for e, k in zip(self.errors, self.kinks)]
        inputs = list(zip(names, shapes))
        self.notes = [note for name, a, n, k, left, right in zip(names, analytic, self.numeric, self.kinks,
                                                                  differences.left, differences.right)
                      for note in (_kink_note(name, a, left, right, k), _ratio_note(name, a[~k], n[~k], inputs)) if note]

    @property
    def verdict(self) -> str:
        """The worst verdict over all inputs."""
        return max(self.verdicts, key=_VERDICTS.index)

    @property
    def passed(self) -> bool:
        return self.verdict in ("great", "ok")

    def __repr__(self):
        width = max(5, *(len(n) for n in self.names))
        lines = [
            "check_backward: error = ||a - n|| / (||a|| + ||n||), a from your backward, n by central differences",
            f"  {'input':<{width}} {'shape':<12} {'error':>10}  {'verdict':<10}  element with the largest rel_error",
        ]
        for name, shape, a, n, kink, error, verdict in zip(
            self.names, self.shapes, self.analytic, self.numeric, self.kinks, self.errors, self.verdicts
        ):
            worst, shown = "", f"{error:.2e}"
            if (~kink).any():
                rel = np.where(kink, -1.0, np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))
                i = np.unravel_index(np.argmax(rel), a.shape)
                worst = f"{_index(i)}: analytic {format_number(a[i], '.7g')}, numeric {format_number(n[i], '.7g')}"
            elif a.size:
                worst, shown = "every element sits on a kink (see the note)", "—"
            lines.append(f"  {name:<{width}} {str(shape):<12} {shown:>10}  {verdict:<10}  {worst}")
        lines += [f"note: {note}" for note in self.notes]
        lines.append(
            f"verdicts: < {GREAT:g} great, < {OK:g} ok (normal near kinks such as relu; too high for smooth "
            f"functions), < {SUSPICIOUS:g} suspicious, otherwise wrong"
        )
        return "\n".join(lines)


_VERDICTS = ["great", "ok", "suspicious", "wrong"]


def _worse(a: str, b: str) -> str:
    return max(a, b, key=_VERDICTS.index)


def _kink_note(name, analytic, left, right, kink) -> str:
    """What check_backward says about an input's elements on a kink (they are left out of its error)."""
    count = int(kink.sum())
    if not count:
        return ""
    a, left, right = analytic[kink], left[kink], right[kink]
    tolerance = 1e-4 * (np.abs(left) + np.abs(right)) + 1e-7  # one-sided differences are accurate to O(eps)
    text = (f"{name}: {count} of {analytic.size} element(s) sit on a kink (relu at 0, a tie in a max: the slopes "
            "to the left and right differ, so no gradient is the right one) and are not graded")
    if (np.abs(a - left) <= tolerance).all():
        return text + "; yours takes the slope from the left at each, as relu'(0) = 0 does (PyTorch's choice)."
    if (np.abs(a - right) <= tolerance).all():
        return text + ("; yours takes the slope from the right at each, as relu'(0) = 1 does (a relu mask written "
                       "with >= 0? PyTorch takes relu'(0) = 0).")
    i = _index(np.argwhere(kink)[0])
    return (text + f"; e.g. at {i} yours is {format_number(a[0], '.7g')}, the slope from the left "
            f"{format_number(left[0], '.7g')}, from the right {format_number(right[0], '.7g')}.")


def _ratio_note(name, analytic, numeric, inputs) -> str:
    """'analytic = 4.00 × numeric in every element: a missing 1/4?' when the two differ by one constant
    factor (a forgotten 1/N, a factor 2, a flipped sign); '' otherwise. `inputs` are (name, shape) pairs."""
    significant = np.abs(numeric) > 1e-3 * np.abs(numeric).max(initial=0.0)
    if significant.sum() < 2:
        return ""
    ratios = analytic[significant] / numeric[significant]
    ratio = float(np.median(ratios))
    if abs(ratio - 1) < 1e-3 or np.ptp(ratios) > 1e-3 * max(abs(ratio), 1e-3):
        return ""
    if ratio == 0:
        return f"{name}: the analytic gradient is 0 in every element, the numeric one is not (is it connected?)."
    text = f"{name}: analytic = {format_number(ratio, '.2f')} × numeric in every element"
    if abs(ratio + 1) < 1e-3:
        return text + ": the sign is flipped?"
    factor = ratio if abs(ratio) > 1 else 1 / ratio
    k = round(abs(factor))
    if k < 2 or abs(abs(factor) - k) > 1e-3 * k:
        return text + "."
    hint = f"a missing 1/{k}?" if abs(ratio) > 1 else f"a missing factor {k}?"
    sizes = [f"{k} is the size of dimension {d} of {other}" for other, shape in inputs for d, n in enumerate(shape) if n == k]
    return text + f": {hint}" + (f" ({sizes[0]}: a mean where a sum belongs, or the other way round?)" if sizes else "")


def check_module_gradients(module, loss_fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5,
                           rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """gradcheck every parameter of an nn.Module under a loss: loss = loss_fn(module(*inputs)).

    loss_fn closes over the targets, e.g. `lambda out: F.cross_entropy(out, y)`. Every parameter
    from module.named_parameters() that requires grad is checked, element by element (the report
    names them as named_parameters does: "0.weight"); the inputs are constants. For the check, each parameter's .data
    is swapped for a float64 copy and the original array is put back afterwards, so the module is
    unchanged (its .grad too: gradients are computed with autograd.grad; buffers such as batch
    norm's running statistics, which every forward pass in training mode updates, are restored).
    Call module.eval() first if it uses dropout: random masks make the check fail as "not
    deterministic".
    Costs two forward passes per parameter element: use small layers.
    """
    named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError(f"check_module_gradients: {type(module).__name__} has no parameters that require grad.")
    constants = [Tensor(x.data, dtype=_float64_dtype(x.dtype)) if isinstance(x, Tensor) else x for x in inputs]
    originals = [p.data for _, p in named]
    buffers = {name: b.data.copy() for name, b in getattr(module, "named_buffers", dict)() if b is not None}
    try:
        for _, p in named:
            p.data = np.array(p.data, dtype=np.float64, copy=True)
        return _check(lambda: loss_fn(module(*constants)), [p for _, p in named], [n for n, _ in named],
                      eps, atol, rtol, raise_exception, "check_module_gradients",
                      f"backward's gradients of {type(module).__name__}'s parameters do not match central differences")
    finally:
        for (_, p), data in zip(named, originals):
            p.data = data
        for name, b in getattr(module, "named_buffers", dict)():
            if name in buffers:
                b.data[...] = buffers[name]


# ----- the shared machinery -----------------------------------------------------------------

def _check(evaluate, tensors, names, eps, atol, rtol, raise_exception, where, what) -> bool:
    """Compare analytic and numeric gradients of <P, evaluate()> with respect to `tensors`."""
    with enable_grad():
        outputs = _outputs(evaluate(), where)
    projections = _projections(outputs)
    analytic = _analytic_grad(outputs, projections, tensors)
    first = _projected(outputs, projections)

    def f():
        with no_grad():
            return _projected(evaluate(), projections)

    again = f()
    if not np.isclose(first, again, rtol=1e-10, atol=1e-12):
        return _fail(_not_deterministic(where, first, again), raise_exception)
    numeric, kinks, _, _ = _numeric_grad(f, tensors, eps, f_x=again)
    sections = [_mismatches(name, a, n, k, atol, rtol) for name, a, n, k in zip(names, analytic, numeric, kinks)]
    failed = [s for s in sections if s]
    if not failed:
        return True
    header = (
        f"{where} failed: {what} for {len(failed)} of {len(tensors)} input(s).\n"
        f"(element passes where |analytic - numeric| <= atol + rtol * |numeric|, atol={atol:g}, "
        f"rtol={rtol:g}; numeric = central differences with eps={eps:g}; analytic = backward)"
    )
    if any(y.size > 1 for y in outputs):
        header += "\n(the output is not a scalar: both are gradients of sum(P * output), P fixed random weights)"
    footer = ""
    if any("kink" in s for s in failed):
        footer = (
            "\n'kink': the slopes left and right of that point differ, so the function is not differentiable "
            "there (relu at 0, clip at a bound...) and backward took one side. Move the input away from it."
        )
    return _fail("\n\n".join([header, *failed]) + footer, raise_exception)


class _Differences(NamedTuple):
    """Finite differences of f, one array per tensor: central, the kink mask, and the one-sided slopes."""

    central: list
    kinks: list
    left: list  # (f(x) - f(x - eps)) / eps
    right: list  # (f(x + eps) - f(x)) / eps


def _numeric_grad(f, tensors, eps, f_x=None) -> _Differences:
    """Central differences of the scalar f() with respect to every element of every tensor,
    perturbing each element in place and restoring it. Also flags kinks: elements where the
    one-sided slopes (f(x+eps) - f(x))/eps and (f(x) - f(x-eps))/eps clearly differ."""
    f_x = f() if f_x is None else f_x
    result = _Differences([], [], [], [])
    for t in tensors:
        g, kink, left, right = np.zeros(t.shape), np.zeros(t.shape, dtype=bool), np.zeros(t.shape), np.zeros(t.shape)
        for i in np.ndindex(*t.shape):
            old = t.data[i]
            t.data[i] = old + eps
            plus = f()
            t.data[i] = old - eps
            minus = f()
            t.data[i] = old
            g[i] = (plus - minus) / (2 * eps)
            left[i], right[i] = (f_x - minus) / eps, (plus - f_x) / eps
            kink[i] = abs((plus - f_x) - (f_x - minus)) / eps > 1e-3 * (1 + abs(g[i]))
        for kept, array in zip(result, (g, kink, left, right)):
            kept.append(array)
    return result


def _analytic_grad(outputs, projections, tensors):
    """P^T J by one backward pass: the gradient of <P, outputs> with respect to each tensor."""
    live = [(y, Tensor(p)) for y, p in zip(outputs, projections) if y.requires_grad]
    if not live:  # the outputs do not depend on the tensors: their gradient is zero
        return [np.zeros(t.shape) for t in tensors]
    grads = grad([y for y, _ in live], tensors, grad_outputs=[p for _, p in live], allow_unused=True)
    return [np.zeros(t.shape) if g is None else np.array(g.data, dtype=np.float64) for g, t in zip(grads, tensors)]


def _mismatches(name, analytic, numeric, kink, atol, rtol) -> str:
    """The report section of one input: its worst failing elements as a table ('' if none fail)."""
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    failing = int(np.sum(excess > 0))
    if not failing:
        return ""
    rel = np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))
    worst = np.argsort(-excess, axis=None, kind="stable")[: min(_ROWS, failing)]
    rows = [np.unravel_index(k, analytic.shape) for k in worst]
    width = max(5, *(len(_index(i)) for i in rows))
    lines = [
        f"{name}, shape {analytic.shape}: {failing} of {analytic.size} elements fail, "
        f"max rel. error {rel.max():.2e}",
        f"  {'index':<{width}} {'analytic':>15} {'numeric':>15} {'rel. error':>11}",
    ]
    for i in rows:
        note = "  kink" if kink[i] else ""
        lines.append(f"  {_index(i):<{width}} {format_number(analytic[i], '>15.8g')} "
                     f"{format_number(numeric[i], '>15.8g')} {rel[i]:>11.2e}{note}")
    ratio = _ratio_note("  all elements", analytic[~kink], numeric[~kink], [])
    return "\n".join(lines + ([ratio] if ratio else []))


def _not_deterministic(where, first, again) -> str:
    return (
        f"{where} failed the determinism check: the function gave {first!r} and then {again!r} at the "
        "same inputs, so differences of its values mean nothing. Remove the randomness (dropout in "
        "training mode: call module.eval(); random numbers: fix them outside the function)."
    )


def _fail(report, raise_exception) -> bool:
    if raise_exception:
        raise GradcheckError(report)
    return False


def _float64_copies(inputs) -> list:
    """fn's inputs as fresh leaves: float Tensors copied to float64 (keeping requires_grad and
    name); integer/boolean Tensors copied as they are; anything else passed through."""
    items = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    return [
        Tensor(x.data, requires_grad=x.requires_grad, dtype=_float64_dtype(x.dtype), name=x.name)
        if isinstance(x, Tensor) else x
        for x in items
    ]


def _float64_dtype(dtype):
    return np.float64 if dtype.kind == "f" else dtype


def _differentiable(copies, where) -> list:
    tensors = [x for x in copies if isinstance(x, Tensor) and x.requires_grad]
    if not tensors:
        raise ValueError(
            f"{where}: none of the inputs requires grad, so there is nothing to check. Create the inputs "
            "to differentiate with requires_grad=True, e.g. Tensor(np.random.randn(3, 4), requires_grad=True)."
        )
    return tensors


def _outputs(result, where) -> list:
    """fn's result as a list of float64 Tensors, or a clear error."""
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    for k, y in enumerate(outputs):
        if not isinstance(y, Tensor):
            raise TypeError(f"{where}: the function must return a Tensor (or a tuple of Tensors); "
                            f"output {k} is a {type(y).__name__}.")
        if y.dtype != np.float64:
            raise TypeError(
                f"{where}: gradient checking runs in float64, but output {k} has dtype {y.dtype}. The function "
                "casts somewhere (astype, .float(), a float32 constant or parameter): make those float64 for the check."
            )
    return outputs


def _numpy_output(out, name) -> np.ndarray:
    out = np.asarray(out)
    if out.dtype != np.float64:
        raise TypeError(
            f"check_backward: {name} returned dtype {out.dtype}; the check runs in float64, so compute in "
            "float64 (do not cast to float32 inside)."
        )
    return out


def _projections(outputs, seed=_SEED) -> list:
    """The fixed weights P of f = <P, y>: 1 for a scalar output, seeded random numbers otherwise."""
    rng = np.random.default_rng(seed)
    return [np.ones(y.shape) if y.size == 1 else rng.standard_normal(y.shape) for y in outputs]


def _given(weights, outputs, where) -> list:
    """User-given weights v of <v, y>: one array per output, each of its output's shape."""
    weights = [_array(w) for w in (weights if isinstance(weights, (tuple, list)) else [weights])]
    if len(weights) != len(outputs):
        raise ValueError(f"{where}: {len(weights)} weight array(s) given for {len(outputs)} output(s); give one per output.")
    for k, (w, y) in enumerate(zip(weights, outputs)):
        if w.shape != y.shape:
            raise ValueError(f"{where}: the weights for output {k} have shape {w.shape} but the output has shape {y.shape}.")
    return weights


def _projected(result, projections) -> float:
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    return float(sum(np.sum(p * y.data) for p, y in zip(projections, outputs, strict=True)))


def _array(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _index(i) -> str:
    return "[" + ", ".join(str(int(k)) for k in i) + "]"


def _input_name(i, tensor) -> str:
    return f"input {i} ({tensor.name!r})" if tensor.name else f"input {i}"


def _argument_names(forward, count) -> list:
    """The names of forward's parameters (x, W, b) for the report, else input 0, input 1, ..."""
    try:
        params = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    if len(params) == count and all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        return [p.name for p in params]
    return [f"input {i}" for i in range(count)]


def _norm_rel_error(a, n) -> float:
    """||a - n|| / (||a|| + ||n||), the relative error of a whole gradient (0 when both are 0)."""
    total = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / total) if total > 0 else 0.0


def _verdict(error: float) -> str:
    if error < GREAT:
        return "great"
    if error < OK:
        return "ok"
    return "suspicious" if error < SUSPICIOUS else "wrong"


__all__ = [
    "GradcheckError", "rel_error", "numerical_grad", "gradcheck", "gradgradcheck", "directional_gradcheck",
    "check_backward", "BackwardCheck", "check_module_gradients",
]
