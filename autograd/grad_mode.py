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


class ScopeName(str):
    """One entry of a graph scope: a plain string (the name that `collapse=` and drawings use), with

    kind   what entered it: a module's class name ("Linear"), "function" for a function such as
           nn.functional.cross_entropy, None for a user's own `graph_scope("name")`
    path   for modules, the dotted path `named_modules()` gives ("features.conv1"; "" for the
           model itself), else None
    rule   the fused backward rule taught for it (one text per gradient), or None

    Drawings show it as `label` ("features.conv1 (Conv2d)")."""

    kind = path = rule = None

    @property
    def label(self) -> str:
        if self.kind in (None, "function") or self.path == "":
            return str(self)
        return f"{self} ({self.kind})"


class graph_scope:
    """Tags every operation recorded inside with a scope name (used to draw module clusters and
    the layer view of step pages); scopes nest.

        with graph_scope("encoder"): ...                   # a user's own group
        with graph_scope("cross_entropy", kind="function", rule="d{input} = ..."): ...

    `rule` is the fused backward rule taught for the group: one text or a tuple of texts, with
    {input}, {output}, {N} (the batch size) and parameter names ({weight}, {bias}) as placeholders.
    `nn.Module.__call__` enters `graph_scope(attribute_name, kind=class name, rule=..., module=True)`:
    a module's scope is named by its path below the enclosing module's, as `named_modules()` of
    the outermost one gives it ("features.conv1"), and the outermost module by its class. After
    entering, `.name` is the ScopeName pushed and `.depth` its position in the scope tuple.
    """

    def __init__(self, name: str, *, kind: str | None = None, rule=None, module: bool = False):
        self.name = ScopeName(name)
        self.kind, self.rule, self.module = kind, rule, module
        self.name.kind, self.name.rule = kind, rule

    def __enter__(self):
        self._previous = previous = state.scope
        if self.module:
            parent = next((s for s in reversed(previous) if getattr(s, "path", None) is not None), None)
            path = f"{parent.path}.{self.name}" if parent is not None and parent.path and self.name else str(self.name)
            self.name = ScopeName(path or self.kind or "module")
            self.name.kind, self.name.rule, self.name.path = self.kind, self.rule, path
        self.depth = len(previous)
        state.scope = previous + (self.name,)
        return self

    def __exit__(self, *exc_info):
        state.scope = self._previous
        return False
