"""Switches that change how operations are recorded: gradient mode, anomaly checks and graph scopes.

Each is a `with` block (or a decorator) that sets one field of the recording state and restores
it on the way out. The state is thread-local: `no_grad()` in one thread does not affect another.
"""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    grad_enabled = True  # record operations for backward?
    anomaly = False  # check every value for NaN/Inf (see anomaly.py)
    scope = ()  # names of the graph scopes (e.g. nn.Module paths) we are inside


state = _State()


class _Open:
    """How many anomaly and scope blocks are open, in all threads together: while none is, every
    operation can skip reading those two fields of the thread's state (a thread-local read costs
    as much as the rest of recording a node's scope)."""

    anomaly = 0
    scope = 0


open_blocks = _Open()


def is_grad_enabled() -> bool:
    """Whether operations are recorded for backward now (False inside no_grad, in this thread)."""
    return state.grad_enabled


class _Switch:
    """Sets `state.<field>` to `self.value` inside a with-block or a decorated function and
    restores the earlier value afterwards. Subclasses name the field and the value."""

    field = None
    value = None

    def __enter__(self):
        self._previous = getattr(state, self.field)
        setattr(state, self.field, self._inside(self._previous))
        if hasattr(_Open, self.field):
            setattr(open_blocks, self.field, getattr(open_blocks, self.field) + 1)
        return self

    def __exit__(self, *exc_info):
        setattr(state, self.field, self._previous)
        if hasattr(_Open, self.field):
            setattr(open_blocks, self.field, getattr(open_blocks, self.field) - 1)
        return False

    def _inside(self, previous):
        """The value the field takes inside the block (given the value outside)."""
        return self.value

    def __call__(self, func):
        """As a decorator: every call of `func` runs inside a fresh copy of this block."""
        switch = self

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with switch._copy():
                return func(*args, **kwargs)

        return wrapper

    def _copy(self):
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        return copy


class _GradMode(_Switch):
    """no_grad / enable_grad: usable as `with no_grad():`, `@no_grad()` or bare `@no_grad`."""

    field = "grad_enabled"

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if callable(func):  # used as a bare decorator: @no_grad
            return self(func)
        return self


class no_grad(_GradMode):
    """Operations inside are not recorded: results have no grad_fn and cost no graph memory.

    Use as `with no_grad():` or as a decorator (`@no_grad()` or `@no_grad`).
    """

    value = False


class enable_grad(_GradMode):
    """Turns recording back on inside a `no_grad` region (context manager or decorator)."""

    value = True


class set_grad_enabled(_Switch):
    """`with set_grad_enabled(flag):` records operations only when `flag` is true."""

    field = "grad_enabled"

    def __init__(self, mode: bool):
        self.value = bool(mode)


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


class graph_scope(_Switch):
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

    field = "scope"

    def __init__(self, name: str, *, kind: str | None = None, rule=None, module: bool = False):
        self.name = ScopeName(name)
        self.kind, self.rule, self.module = kind, rule, module
        self.name.kind, self.name.rule = kind, rule

    def _inside(self, previous):
        if self.module:
            parent = next((s for s in reversed(previous) if getattr(s, "path", None) is not None), None)
            path = f"{parent.path}.{self.name}" if parent is not None and parent.path and self.name else str(self.name)
            self.name = ScopeName(path or self.kind or "module")
            self.name.kind, self.name.rule, self.name.path = self.kind, self.rule, path
        self.depth = len(previous)
        return previous + (self.name,)
