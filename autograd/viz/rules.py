"""The lecture's rules with the tensors' names and shapes put in.

A primitive carries its forward as `notation` ("{0} @ {1}") and its backward as `rule`
(("d{0} = d{y} · {1}ᵀ", "d{1} = {0}ᵀ · d{y}")); a module or loss carries a fused rule with
named placeholders ("d{weight} = d{output}ᵀ · {input}"). Here they become

    t1 = X @ W1
    dX = dt1 · W1ᵀ   (4×3 = 4×5 · 5×3)

and, when the engine summed a broadcast gradient back to an input's shape,

    b1 gets dt2 summed over the batch axis (4×5 → 5)
"""
from __future__ import annotations

import re

from autograd.viz.graph import shape_text

_PLACEHOLDER = re.compile(r"(d?)\{(\w+)\}(ᵀ?)")
_PRODUCT = re.compile(r"^(d?\{\w+\}ᵀ?) = (d?\{\w+\}ᵀ?) · (d?\{\w+\}ᵀ?)$")
_SIMPLE = re.compile(r"^[^\W\d]\w*$")
_NUMBER = re.compile(r"^\d+(\.\d+)?([eE][-+]?\d+)?$")


def term(label: str) -> str:
    """A name as it appears inside a formula: 'W1' or '4', '(fc1 out)' when it has spaces or signs."""
    return label if _SIMPLE.match(label) or _NUMBER.match(label) else f"({label})"


def grad_name(label: str) -> str:
    """'dW1', 'd(fc1 out)'."""
    return "d" + term(label)


def fill(template: str, names: dict) -> str:
    """Put the names into a template: d{0} -> dX, {1}ᵀ -> W1ᵀ, {y} -> t1. Placeholders without a
    name are left as written."""

    def put(match):
        d, key, transposed = match.groups()
        if key not in names:
            return match.group(0)
        if not d and not transposed and template[match.start() - 1:match.start()] in ("(", "[") \
                and template[match.end():match.end() + 1] in (")", "]", ","):
            return names[key]  # an argument: softmax(fc1 out), not softmax((fc1 out))
        return (grad_name(names[key]) if d else term(names[key])) + transposed

    return _PLACEHOLDER.sub(put, template)


def placeholders(template: str) -> set:
    """The names a template refers to: {'0', 'y'} for 'd{0} = d{y} · {1}ᵀ' (and '1')."""
    return {key for _, key, _ in _PLACEHOLDER.findall(template)}


def target(template: str) -> str | None:
    """Whose gradient a rule gives: 'weight' for 'd{weight} = ...' (None if it does not start so)."""
    match = re.match(r"^d\{(\w+)\}", template)
    return match.group(1) if match else None


def shape_equation(template: str, shapes: dict) -> str | None:
    """For a matrix product rule 'd{0} = d{y} · {1}ᵀ': the shapes '4×3 = 4×5 · 5×3', else None."""
    match = _PRODUCT.match(template)
    if match is None:
        return None
    parts = []
    for part in match.groups():
        d, key, transposed = _PLACEHOLDER.match(part).groups()
        shape = shapes.get(key)
        if shape is None:
            return None
        shape = tuple(shape)
        if transposed:
            if len(shape) < 2:
                return None
            shape = shape[:-2] + (shape[-1], shape[-2])
        parts.append(shape_text(shape))
    return f"{parts[0]} = {parts[1]} · {parts[2]}"


def render(template: str, names: dict, shapes: dict) -> str:
    """The rule with names, and for matrix products the shapes: 'dX = dt1 · W1ᵀ   (4×3 = 4×5 · 5×3)'."""
    text = fill(template, names)
    equation = shape_equation(template, shapes)
    return f"{text}   ({equation})" if equation else text


def rule_texts(function, arity: int) -> tuple:
    """A primitive's rule as one template per input ({i} replaced by the input's number)."""
    rule = function.rule
    if rule is None:
        return (None,) * arity
    if isinstance(rule, str):
        return tuple(rule.replace("{i}", "{%d}" % k) for k in range(arity))
    return tuple(rule) + (None,) * (arity - len(rule))


def local_texts(function, arity: int) -> tuple:
    """An elementwise primitive's local derivative per input (None for the others)."""
    local = function.local
    if local is None:
        return (None,) * arity
    if isinstance(local, str):
        return (local,) * arity
    return tuple(local) + (None,) * (arity - len(local))


def summed_axes(sent_shape: tuple, received_shape: tuple) -> tuple:
    """The axes the engine summed to bring a gradient of `sent_shape` back to `received_shape`."""
    lead = len(sent_shape) - len(received_shape)
    stretched = tuple(lead + i for i, n in enumerate(received_shape) if n == 1 and sent_shape[lead + i] != 1)
    return tuple(range(lead)) + stretched


def axes_text(axes: tuple, ndim: int) -> str:
    """'the batch axis' (axis 0 of a matrix or larger), 'axis 1', 'axes 0 and 2'."""
    if axes == (0,) and ndim >= 2:
        return "the batch axis"
    if len(axes) == 1:
        return f"axis {axes[0]}"
    return "axes " + ", ".join(str(a) for a in axes[:-1]) + f" and {axes[-1]}"


def sum_back(template: str | None, names: dict, key: str, sent_shape: tuple, received_shape: tuple) -> str:
    """'b1 gets dt2 summed over the batch axis (4×5 → 5)' for a gradient the engine summed back."""
    axes = summed_axes(tuple(sent_shape), tuple(received_shape))
    what = "its gradient"
    if template and " = " in template:
        right = fill(template.split(" = ", 1)[1], names)
        what = right if re.match(r"^−?d?(\w+|\(.*\))$", right) else f"({right})"
    return (f"{names[key]} gets {what} summed over {axes_text(axes, len(sent_shape))} "
            f"({shape_text(sent_shape)} → {shape_text(received_shape)})")


def expression(function, names: dict, output: str, notation: str | None = None) -> str:
    """'t1 = X @ W1', 'h = tanh(a)' from the primitive's notation (or the `notation` given: the
    traced node's, with what its … stands for)."""
    notation = notation or function.notation or (function.__name__.lower() + "(" +
                                                 ", ".join("{%d}" % k for k in range(len(names) - 1)) + ")")
    return f"{output} = {fill(notation, names)}"
