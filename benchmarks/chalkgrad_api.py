"""Which parts of chalkgrad exist yet: the benchmarks use nn/optim layers where they are
available and fall back to the same computation in raw autograd operations otherwise
(the table says which one ran)."""
from __future__ import annotations


def has_nn(*layers: str, functional: tuple = (), optim: tuple = ()) -> bool:
    """True when `nn` has every name in `layers`, `nn.functional` every name in `functional`
    and `optim` every name in `optim`."""
    try:
        import nn
        import nn.functional
        import optim as optim_module
    except ImportError:
        return False
    return (
        all(hasattr(nn, name) for name in layers)
        and all(hasattr(nn.functional, name) for name in functional)
        and all(hasattr(optim_module, name) for name in optim)
    )


def has_draw_graph() -> bool:
    try:
        import autograd
    except ImportError:
        return False
    return hasattr(autograd, "draw_graph")
