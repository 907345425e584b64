"""Switches that change how operations are recorded: gradient mode and graph scopes.

The state is thread-local: `no_grad()` in one thread does not affect another.
"""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    grad_enabled = True  # record operations for backward?
    anomaly = False  # check every value for NaN/Inf (see anomaly.py)
    scope = ()  # names of the graph scopes (e.g. nn.Module paths) we are inside


state = _State()


def is_grad_enabled() -> bool:
    """Whether operations are recorded for backward now (False inside no_grad, in this thread)."""
    return state.grad_enabled


class _GradMode:
    """Context manager and decorator that sets gradient recording on or off."""

    enabled = True

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):  # used as a bare decorator: @no_grad
            return self(func)
        return self

    def __enter__(self):
        self._previous = state.grad_enabled
        state.grad_enabled = self.enabled
        return self

    def __exit__(self, *exc_info):
        state.grad_enabled = self._previous
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Operations inside are not recorded: results have no grad_fn and cost no graph memory.

    Use as `with no_grad():` or as a decorator (`@no_grad()` or `@no_grad`).
    """

    enabled = False


class enable_grad(_GradMode):
    """Turns recording back on inside a `no_grad` region (context manager or decorator)."""

    enabled = True


class set_grad_enabled:
    """`with set_grad_enabled(flag):` records operations only when `flag` is true."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self):
        self._previous = state.grad_enabled
        state.grad_enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        state.grad_enabled = self._previous
        return False


class graph_scope:
    """Tags every operation recorded inside with a scope name (used to draw module clusters).

    `nn.Module.__call__` enters `graph_scope(<module path>)`; scopes nest.
    """

    def __init__(self, name: str):
        self.name = str(name)

    def __enter__(self):
        self._previous = state.scope
        state.scope = self._previous + (self.name,)
        return self

    def __exit__(self, *exc_info):
        state.scope = self._previous
        return False
