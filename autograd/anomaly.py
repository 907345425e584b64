"""detect_anomaly(): stop at the first NaN or Inf, naming the operation and where it was made."""
from __future__ import annotations

import traceback

import numpy as np

from autograd.grad_mode import _Switch


class detect_anomaly(_Switch):
    """Inside this context every operation checks its output, and backward checks every
    gradient, for NaN/Inf; the error names the operation and the line that created it."""

    field = "anomaly"
    value = True


def _where(ctx) -> str:
    if ctx is None or not ctx.created_at:
        return ""
    frames = [f for f in ctx.created_at if "/autograd/" not in f.filename.replace("\\", "/")] or ctx.created_at
    return "\nThe operation was created at:\n" + "".join(traceback.format_list(frames[-3:]))


def _bad(array) -> str | None:
    array = np.asarray(array)
    if array.dtype.kind != "f" or np.isfinite(array).all():
        return None
    return "NaN" if np.isnan(array).any() else "Inf"


def check_forward(function, out, ctx) -> None:
    kind = _bad(out)
    if kind:
        raise FloatingPointError(f"{function.__name__}: forward produced {kind} (output shape {out.shape}).{_where(ctx)}")


def check_backward(ctx, input_grads) -> None:
    for i, g in enumerate(input_grads):
        kind = None if g is None else _bad(getattr(g, "data", g))
        if kind:
            raise FloatingPointError(
                f"{ctx.name}Backward: the gradient for input {i} contains {kind}.{_where(ctx)}"
            )
