"""A differential fuzzer for the engine: random programs run in chalkgrad and in PyTorch side by side.

A program is a short sequence of steps drawn by Hypothesis. Each step takes tensors from a pool
and adds its result to it: + - * / with broadcasting, Python numbers and 0-d tensors, ** 2,
matmul, tanh, exp, relu, sum/mean over axes, reshape, transpose, indexing, astype, detach, a
result computed under no_grad (or enable_grad inside it), reading .data (which moves a 0-d
tensor's numpy scalar into an array), and in-place changes (+=, -=, *=, t[i] = v) of tensors in
the graph. Any tensor may be used many times (fan-out); leaves are float64 or float32, arrays or
0-d. Hooks that scale (or only look at) the gradient and retain_grad() go on random
intermediates. The program ends with a loss, a weighted sum of part of the pool, differentiated
one of several ways: backward, autograd.grad (also with grad_outputs for a non-scalar output),
backward twice with and without retain_graph, and grad with create_graph followed by the backward
of a function of the gradients; a quarter of the programs run under detect_anomaly.

Compared: every value in the pool, every leaf's gradient (its dtype too), every retained
gradient, what every hook saw, and whether a second backward fails, at float64 tolerances
(looser where float32 takes part). Documented differences from PyTorch are allowed for: chalkgrad
follows numpy's type promotion (PyTorch's operands are converted to chalkgrad's result dtype);
autograd.grad keeps nothing in .grad, where PyTorch's retain_grad() does; a gradient that is a
constant (relu's mask) does not require grad, where PyTorch's depends on relu's output with
derivative 0 (its second derivatives must then be 0).

In-place changes: PyTorch refuses a backward through a tensor saved for backward and changed in
place afterwards; chalkgrad gives the right gradient instead (README, "What chalkgrad promises").
So PyTorch runs the equivalent out-of-place program: `h += x` becomes `h = h + x` for every name
of h, retain_grad() moves to the new value and hooks stay with the earlier one (as PyTorch does
for a real in-place change). Tensors a view shares memory with refuse a recorded in-place change
in chalkgrad (documented); the fuzzer does not try those.

The suite runs 150 programs (a few seconds), the same ones every time; CHALKGRAD_EXAMPLES=5000
searches deeper with new programs on every run. A failure prints the program.
"""
import contextlib
import os

import numpy as np
import pytest
import torch
from hypothesis import given, note, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor

examples = settings(
    max_examples=int(os.environ.get("CHALKGRAD_EXAMPLES", 150)), deadline=None, database=None, print_blob=True,
    derandomize="CHALKGRAD_EXAMPLES" not in os.environ,
)

TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}
LIMIT = 1e3  # values stay below this (so exp, products and quotients stay far from overflow)


class Slot:
    """One name in the program: the chalkgrad tensor and the PyTorch tensor it stands for."""

    def __init__(self, ours, theirs, what):
        self.ours, self.theirs, self.what = ours, theirs, what


class Program:
    """The pool of tensors and what was done to it, run in both libraries step by step."""

    def __init__(self, data):
        self.data = data
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
        self.pool: list[Slot] = []
        self.leaves: list[Slot] = []
        self.retained: list[Slot] = []
        self.hooks = []  # (what it saw in chalkgrad, in PyTorch, label)
        self.float32 = False
        self.log = []

    # ----- making tensors ------------------------------------------------------------------------
    def values(self, shape, dtype, away_from_zero=False):
        v = self.rng.uniform(-2, 2, shape)
        if away_from_zero:
            v = np.sign(v + 1e-12) * (np.abs(v) + 0.5)
        return np.asarray(v, dtype=dtype)

    def new(self, shape, dtype, requires_grad, away_from_zero=False):
        """A fresh leaf (requires_grad) or constant of `shape`."""
        value = self.values(shape, dtype, away_from_zero)
        self.float32 |= np.dtype(dtype) == np.float32
        ours = Tensor(value, requires_grad=requires_grad)
        theirs = torch.tensor(value, requires_grad=requires_grad)
        slot = Slot(ours, theirs, f"{'leaf' if requires_grad else 'const'}{len(self.pool)}{shape}{np.dtype(dtype)}")
        if requires_grad:
            self.leaves.append(slot)
        self.pool.append(slot)
        return slot

    def add(self, ours, theirs, what):
        """Put an operation's result into the pool (the same PyTorch tensor where chalkgrad gave back
        an existing tensor, as reshape to the same shape does)."""
        for slot in self.pool:
            if slot.ours is ours:
                theirs = slot.theirs
                break
        slot = Slot(ours, theirs, what)
        self.pool.append(slot)
        self.log.append(f"s{len(self.pool) - 1} = {what}  # shape {ours.shape} {ours.dtype}")
        return slot

    def pick(self, label="operand", where=None):
        candidates = [i for i, s in enumerate(self.pool) if where is None or where(s)]
        if not candidates:
            return None
        return self.pool[self.data.draw(st.sampled_from(candidates), label=label)]

    def name(self, slot):
        return f"s{self.pool.index(slot)}"

    # ----- steps ------------------------------------------------------------------------------------
    def step(self):
        kind = self.data.draw(st.sampled_from(STEPS), label="step")
        getattr(self, kind)()

    def leaf(self):
        ndim = self.data.draw(st.integers(0, 3), label="ndim")
        shape = tuple(self.data.draw(st.integers(1, 3), label="side") for _ in range(ndim))
        dtype = self.data.draw(st.sampled_from([np.float64, np.float64, np.float32]), label="dtype")
        slot = self.new(shape, dtype, requires_grad=self.data.draw(st.booleans(), label="requires_grad"))
        self.log.append(f"s{len(self.pool) - 1} = {slot.what}")

    def operand_for(self, shape, away_from_zero=False):
        """Something to combine with a tensor of `shape`: a Python number, a tensor from the pool that
        broadcasts with it, or a new leaf or constant of a broadcasting shape."""
        choice = self.data.draw(st.sampled_from(["number", "pool", "pool", "new"]), label="operand kind")
        if choice == "number":
            number = self.data.draw(st.sampled_from([2, -1, 0.5, 3.0, 1.5]), label="number")
            return number, number, repr(number)
        if choice == "pool":
            slot = self.pick(where=lambda s: _broadcasts(s.ours.shape, shape)
                             and (not away_from_zero or np.min(np.abs(_plain(s.ours)), initial=1.0) > 0.3))
            if slot is not None:
                return slot.ours, slot.theirs, self.name(slot)
        dims = [self.data.draw(st.sampled_from([n, 1]), label="broadcast") for n in shape]
        dims = dims[self.data.draw(st.integers(0, len(dims)), label="leading dims dropped"):]
        dtype = self.data.draw(st.sampled_from([np.float64, np.float32]), label="dtype")
        slot = self.new(tuple(dims), dtype, self.data.draw(st.booleans(), label="requires_grad"), away_from_zero)
        self.log.append(f"s{len(self.pool) - 1} = {slot.what}")
        return slot.ours, slot.theirs, self.name(slot)

    def binary(self):
        a = self.pick()
        if a is None:
            return
        op = self.data.draw(st.sampled_from("+-*/"), label="op")
        b, tb, b_name = self.operand_for(a.ours.shape, away_from_zero=op == "/")
        reverse = self.data.draw(st.booleans(), label="reverse")
        x, y, tx, ty, names = (b, a.ours, tb, a.theirs, (b_name, self.name(a))) if reverse else (
            a.ours, b, a.theirs, tb, (self.name(a), b_name))
        if op == "/" and np.min(np.abs(_plain(y)), initial=1) < 0.3:
            return
        if not _small(_apply(op, _plain(x), _plain(y))):
            return
        ours = _apply(op, x, y)
        self.add(ours, _apply(op, _like(tx, ours), _like(ty, ours)), f"{names[0]} {op} {names[1]}")

    def power(self):
        a = self.pick()
        if a is None or not _small(_plain(a.ours) ** 2):
            return
        self.add(a.ours ** 2, a.theirs ** 2, f"{self.name(a)} ** 2")

    def unary(self):
        a = self.pick()
        if a is None:
            return
        op = self.data.draw(st.sampled_from(["tanh", "exp", "relu", "neg"]), label="unary")
        if op == "exp" and np.max(_plain(a.ours), initial=0) > 5:
            return
        ours = {"tanh": a.ours.tanh, "exp": a.ours.exp, "relu": a.ours.relu, "neg": a.ours.__neg__}[op]()
        theirs = {"tanh": a.theirs.tanh, "exp": a.theirs.exp, "relu": a.theirs.relu, "neg": a.theirs.neg}[op]()
        self.add(ours, theirs, f"{op}({self.name(a)})")

    def matmul(self):
        a = self.pick(where=lambda s: s.ours.ndim >= 1)
        if a is None:
            return
        k = a.ours.shape[-1]
        other_ndim = self.data.draw(st.integers(1, 2), label="other ndim")
        shape = (k,) if other_ndim == 1 else (k, self.data.draw(st.integers(1, 3), label="m"))
        b = self.pick(where=lambda s: s.ours.shape == shape) if self.data.draw(st.booleans(), label="from pool") else None
        if b is None:
            b = self.new(shape, self.data.draw(st.sampled_from([np.float64, np.float32]), label="dtype"),
                         self.data.draw(st.booleans(), label="requires_grad"))
            self.log.append(f"s{len(self.pool) - 1} = {b.what}")
        if a.ours.ndim == 1 and b.ours.ndim == 1 and self.data.draw(st.booleans(), label="swap"):
            a, b = b, a
        if not _small(_plain(a.ours) @ _plain(b.ours)):
            return
        ours = a.ours @ b.ours
        self.add(ours, _like(a.theirs, ours) @ _like(b.theirs, ours), f"{self.name(a)} @ {self.name(b)}")

    def reduce(self):
        a = self.pick()
        if a is None:
            return
        op = self.data.draw(st.sampled_from(["sum", "mean"]), label="reduction")
        keepdims = self.data.draw(st.booleans(), label="keepdims")
        if a.ours.ndim == 0 or self.data.draw(st.booleans(), label="all axes"):
            axis, dim = None, None
        else:
            axes = self.data.draw(st.sets(st.integers(-a.ours.ndim, a.ours.ndim - 1), min_size=1), label="axes")
            if len({x % a.ours.ndim for x in axes}) != len(axes):
                return
            axis = tuple(sorted(axes))
            dim = axis
        if not _small(getattr(_plain(a.ours), op)(axis=axis)):
            return
        ours = getattr(a.ours, op)(axis=axis, keepdims=keepdims)
        theirs = getattr(a.theirs, op)() if dim is None else getattr(a.theirs, op)(dim=dim, keepdim=keepdims)
        if dim is None and keepdims:
            theirs = theirs.reshape((1,) * a.ours.ndim)
        self.add(ours, theirs, f"{self.name(a)}.{op}(axis={axis}, keepdims={keepdims})")

    def reshape(self):
        a = self.pick()
        if a is None:
            return
        shape = a.ours.shape
        how = self.data.draw(st.sampled_from(["flat", "reversed", "unsqueeze", "same"]), label="reshape")
        new = {"flat": (-1,), "reversed": shape[::-1], "unsqueeze": (1,) + shape, "same": shape}[how]
        self.add(a.ours.reshape(new), a.theirs.reshape(new), f"{self.name(a)}.reshape({new})")

    def transpose(self):
        a = self.pick(where=lambda s: s.ours.ndim >= 2)
        if a is None:
            return
        perm = tuple(self.data.draw(st.permutations(range(a.ours.ndim)), label="perm"))
        self.add(a.ours.transpose(perm), a.theirs.permute(perm), f"{self.name(a)}.transpose({perm})")

    def index(self):
        a = self.pick(where=lambda s: s.ours.ndim >= 1)
        if a is None:
            return
        index, tindex, text = self.draw_index(a.ours.shape, repeats=True)
        self.add(a.ours[index], a.theirs[tindex].clone(), f"{self.name(a)}[{text}]")

    def draw_index(self, shape, repeats):
        """An index into a tensor of `shape`: an int, a slice, an int array (with repeats when
        `repeats`), a boolean mask of the first axis, or (slice, int)."""
        n = shape[0]
        kinds = ["int", "slice", "array", "mask", "tuple"] if n and (len(shape) < 2 or shape[1]) else ["mask"]
        kind = self.data.draw(st.sampled_from(kinds), label="index kind")
        if kind == "int":
            i = self.data.draw(st.integers(-n, n - 1), label="i")
            return i, i, str(i)
        if kind == "slice" or (kind == "tuple" and len(shape) < 2):
            start = self.data.draw(st.integers(0, n - 1), label="start")
            step = self.data.draw(st.integers(1, 2), label="step")
            return slice(start, None, step), slice(start, None, step), f"{start}::{step}"
        if kind == "tuple":
            j = self.data.draw(st.integers(0, shape[1] - 1), label="j")
            return (slice(None), j), (slice(None), j), f":, {j}"
        if kind == "array":
            if repeats:
                picks = self.data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4), label="picks")
            else:
                picks = self.data.draw(st.permutations(range(n)), label="picks")[: self.data.draw(
                    st.integers(1, n), label="count")]
            array = np.array(picks, dtype=np.int64)
            return array, torch.from_numpy(array), str(list(picks))
        mask = np.array(self.data.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="mask"), dtype=bool)
        return mask, torch.from_numpy(mask), f"mask{mask.astype(int).tolist()}"

    def astype(self):
        a = self.pick()
        if a is None:
            return
        dtype = self.data.draw(st.sampled_from([np.float32, np.float64]), label="dtype")
        self.float32 |= np.dtype(dtype) == np.float32
        self.add(a.ours.astype(dtype), a.theirs.to(TORCH_DTYPE[np.dtype(dtype)]), f"{self.name(a)}.astype({dtype.__name__})")

    def detach(self):
        a = self.pick()
        if a is None:
            return
        self.add(a.ours.detach(), a.theirs.detach(), f"{self.name(a)}.detach()")

    def no_grad(self):
        """a * 2 + 1 under no_grad, or under enable_grad inside no_grad (recorded again)."""
        a = self.pick()
        if a is None:
            return
        again = self.data.draw(st.booleans(), label="enable_grad inside")
        with autograd.no_grad(), (autograd.enable_grad() if again else autograd.no_grad()):
            ours = a.ours * 2 + 1
        with torch.no_grad(), (torch.enable_grad() if again else torch.no_grad()):
            theirs = a.theirs * 2 + 1
        self.add(ours, theirs, f"{'enable_grad in ' if again else ''}no_grad: {self.name(a)} * 2 + 1")

    def touch(self):
        """Read .data: a 0-d float64 tensor's numpy scalar moves into a 0-d array (the engine's
        other storage), so the lean paths meet both."""
        a = self.pick()
        if a is not None:
            a.ours.data
            self.log.append(f"{self.name(a)}.data")

    def inplace(self):
        """h += x, h -= x, h *= x or h[index] = v on a tensor of the graph (recorded); PyTorch runs
        h = h + x (see the module docstring)."""
        h = self.pick("target", where=lambda s: s.ours.grad_fn is not None and s.ours._base is None)
        if h is None:
            return
        op = self.data.draw(st.sampled_from(["+=", "-=", "*=", "setitem"]), label="in-place op")
        if op == "setitem":
            if h.ours.ndim == 0:
                return
            index, tindex, text = self.draw_index(h.ours.shape, repeats=False)
            target_shape = _plain(h.ours)[index].shape
            value, tvalue, v_name = self.operand_for(target_shape)
            if not _broadcasts(np.shape(_plain(value)), target_shape):
                return
            h.ours[index] = value
            theirs = h.theirs.clone()
            theirs[tindex] = tvalue.to(theirs.dtype) if isinstance(tvalue, torch.Tensor) else tvalue
            text = f"{self.name(h)}[{text}] = {v_name}"
        else:
            other, tother, o_name = self.operand_for(h.ours.shape)
            expected = _apply(op[0], _plain(h.ours), _plain(other))
            if expected.shape != h.ours.shape or expected.dtype != h.ours.dtype or not _small(expected):
                return
            before = h.ours
            if op == "+=":
                h.ours += other
            elif op == "-=":
                h.ours -= other
            else:
                h.ours *= other
            assert h.ours is before
            theirs = _apply(op[0], h.theirs, tother).to(h.theirs.dtype)
            text = f"{self.name(h)} {op} {o_name}"
        old = h.theirs
        for slot in self.pool:  # every name of h sees the change
            if slot.theirs is old:
                slot.theirs = theirs
        for slot in self.retained:  # retain_grad() moves to the new value (PyTorch)
            if slot.theirs is theirs:
                theirs.retain_grad()
        self.log.append(text)

    def retain(self):
        a = self.pick(where=lambda s: s.ours.requires_grad)
        if a is None:
            return
        a.ours.retain_grad()
        a.theirs.retain_grad()
        self.retained.append(a)
        self.log.append(f"{self.name(a)}.retain_grad()")

    def hook(self):
        a = self.pick(where=lambda s: s.ours.requires_grad)
        if a is None:
            return
        scale = self.data.draw(st.sampled_from([None, 2.0, -0.5]), label="hook scale")
        seen, tseen = [], []

        def ours(g):
            seen.append(np.array(g.data, dtype=np.float64))
            return None if scale is None else g * scale

        def theirs(g):
            tseen.append(g.detach().numpy().astype(np.float64))
            return None if scale is None else g * scale

        a.ours.register_hook(ours)
        a.theirs.register_hook(theirs)
        self.hooks.append((seen, tseen, f"hook on {self.name(a)}"))
        self.log.append(f"{self.name(a)}.register_hook(g * {scale})")

    # ----- the end: differentiate -----------------------------------------------------------------------
    def loss(self):
        """sum_i (s_i * w_i).sum() over the pool's tensors that require grad (the ones chosen)."""
        chosen = [s for s in self.pool if s.ours.requires_grad and self.data.draw(st.booleans(), label="in loss")]
        if not chosen:
            chosen = [s for s in self.pool if s.ours.requires_grad][-1:]
        if not chosen:
            return None, None
        ours, theirs = 0.0, 0.0
        for s in chosen:
            w = self.values(s.ours.shape, np.float64)
            ours = ours + (s.ours * Tensor(w.astype(s.ours.dtype))).sum()
            theirs = theirs + (s.theirs * torch.tensor(w.astype(s.ours.dtype))).sum()
        self.log.append(f"loss = weighted sum of {[self.name(s) for s in chosen]}")
        return ours, theirs

    def tolerance(self):
        return 2e-4 if self.float32 else 1e-9


STEPS = ["leaf", "binary", "binary", "binary", "power", "unary", "unary", "matmul", "reduce", "reshape",
         "transpose", "index", "astype", "detach", "no_grad", "inplace", "inplace", "retain", "hook", "hook", "touch"]


def _plain(x):
    """The value of a Tensor as an array, without moving a 0-d tensor's numpy scalar into one."""
    return np.asarray(x._data) if isinstance(x, Tensor) else x


def _like(theirs, ours):
    """A PyTorch operand converted to the dtype of chalkgrad's result (numpy's promotion: a 0-d
    float64 tensor next to a float32 array gives float64, where PyTorch keeps float32)."""
    return theirs.to(TORCH_DTYPE[ours.dtype]) if isinstance(theirs, torch.Tensor) else theirs


def _apply(op, x, y):
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / y


def _small(value) -> bool:
    value = np.asarray(value)
    return bool(np.all(np.isfinite(value)) and np.max(np.abs(value), initial=0) < LIMIT)


def _broadcasts(shape, to) -> bool:
    try:
        return np.broadcast_shapes(shape, to) == tuple(to)
    except ValueError:
        return False


def assert_close(ours, theirs, tol, what):
    if ours is None and theirs is not None:
        ours = np.zeros(tuple(theirs.shape))
    if theirs is None:
        assert ours is None or not np.any(_plain(ours)), f"{what}: PyTorch has no gradient, chalkgrad {ours}"
        return
    expected = theirs.detach().numpy().astype(np.float64)
    actual = np.asarray(_plain(ours), dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, PyTorch {expected.shape}"
    scale = max(1.0, np.max(np.abs(expected), initial=0))
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol * scale, err_msg=what)


def run(data):
    program = Program(data)
    try:
        differentiate(program, data)
    finally:
        note("\n".join(program.log))  # the program, shown when it fails


def differentiate(program, data):
    program.new((2, 3), np.float64, requires_grad=True)
    program.log.append(f"s0 = {program.pool[0].what}")
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        program.step()
    how = data.draw(st.sampled_from(["backward", "grad", "twice", "retain", "double", "vjp"]), label="how")
    program.log.append(f"then: {how}")
    tol = program.tolerance()
    for slot in program.pool:
        assert_close(slot.ours, slot.theirs, tol, f"value of {slot.what}")
    if how == "vjp":
        out = program.pick("output", where=lambda s: s.ours.requires_grad)
        if out is None:
            return
        v = program.values(out.ours.shape, out.ours.dtype)
        leaves = program.leaves
        ours = autograd.grad(out.ours, [s.ours for s in leaves], grad_outputs=Tensor(v), allow_unused=True)
        theirs = torch.autograd.grad(out.theirs, [s.theirs for s in leaves], grad_outputs=torch.tensor(v),
                                     allow_unused=True)
        for slot, g, tg in zip(leaves, ours, theirs):
            assert_close(g, tg, tol, f"grad of {slot.what}")
        compare_hooks(program, tol)
        return
    loss, tloss = program.loss()
    if loss is None:
        return
    assert_close(loss, tloss, tol, "loss")
    if how == "backward":
        loss.backward()
        tloss.backward()
        compare_grads(program, tol)
    elif how == "grad":
        leaves = program.leaves
        ours = autograd.grad(loss, [s.ours for s in leaves], allow_unused=True)
        theirs = torch.autograd.grad(tloss, [s.theirs for s in leaves], allow_unused=True)
        for slot, g, tg in zip(leaves, ours, theirs):
            assert_close(g, tg, tol, f"grad of {slot.what}")
        assert all(slot.ours.grad is None for slot in program.leaves + program.retained)
        compare_hooks(program, tol)
    elif how in ("twice", "retain"):
        retain = how == "retain"
        loss.backward(retain_graph=retain)
        tloss.backward(retain_graph=retain)
        errors = []
        for fn in (loss.backward, tloss.backward):
            try:
                fn()
                errors.append(None)
            except RuntimeError as error:
                errors.append(error)
        assert (errors[0] is None) == (errors[1] is None), f"second backward: chalkgrad {errors[0]!r}, PyTorch {errors[1]!r}"
        if errors[0] is not None:
            assert "second time" in str(errors[0])
            return
        compare_grads(program, tol)
    else:  # double: grad with create_graph, then the backward of a function of those gradients
        leaves = program.leaves
        ours = autograd.grad(loss, [s.ours for s in leaves], create_graph=True, allow_unused=True)
        theirs = torch.autograd.grad(tloss, [s.theirs for s in leaves], create_graph=True, allow_unused=True)
        for slot in program.retained:  # autograd.grad keeps nothing in .grad (PyTorch's retain_grad does)
            slot.theirs.grad = None
        second, tsecond = 0.0, 0.0
        for slot, g, tg in zip(leaves, ours, theirs):
            assert_close(g, tg, tol, f"grad of {slot.what}")
            if tg is None:
                continue
            w = program.values(tg.shape, np.float64).astype(slot.ours.dtype)
            second = second + (g * g * Tensor(w)).sum()
            tsecond = tsecond + (tg * tg * torch.tensor(w)).sum()
        if not isinstance(tsecond, torch.Tensor) or not tsecond.requires_grad:
            return  # the gradients are constants (the loss is linear in every leaf)
        assert_close(second, tsecond, tol, "function of the gradients")
        if not second.requires_grad:
            # The gradients are constants here, where PyTorch's may depend on the leaves with zero
            # derivatives: relu's backward rule reads relu's output, ours a constant mask.
            for slot, tg in zip(leaves, torch.autograd.grad(tsecond, [s.theirs for s in leaves], allow_unused=True)):
                assert_close(None, tg, tol, f"second derivative of {slot.what}")
            return
        second.backward()
        tsecond.backward()
        compare_grads(program, tol, second_order=True)


def compare_grads(program, tol, second_order=False):
    for slot in program.leaves:
        assert_close(slot.ours.grad, slot.theirs.grad, tol, f".grad of {slot.what}")
        if slot.ours.grad is not None:
            assert slot.ours.grad.dtype == slot.ours.dtype, f".grad of {slot.what} has dtype {slot.ours.grad.dtype}"
    for slot in program.retained:
        assert_close(slot.ours.grad, slot.theirs.grad, tol, f"retained .grad of {slot.what}")
    compare_hooks(program, tol, second_order)


def compare_hooks(program, tol, second_order=False):
    for seen, tseen, what in program.hooks:
        if second_order:  # PyTorch's relu rule reads relu's output: its hooks see a zero gradient again
            tseen = [g for g in tseen if np.any(g)]
            seen = [g for g in seen if np.any(g)]
        assert len(seen) == len(tseen), f"{what}: called {len(seen)} times, PyTorch {len(tseen)}"
        for ours, theirs in zip(seen, tseen):
            assert_close(ours, torch.from_numpy(theirs), tol, what)


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:grad and param do not obey")  # empty tensors
@examples
@given(data=st.data())
def test_random_programs_agree_with_pytorch(data):
    anomaly = data.draw(st.sampled_from([False, False, False, True]), label="detect_anomaly")
    with np.errstate(all="ignore"), (autograd.detect_anomaly() if anomaly else contextlib.nullcontext()):
        run(data)


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    yield
    assert autograd.is_grad_enabled() and torch.is_grad_enabled()
