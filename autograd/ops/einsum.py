"""Einstein summation: out[output indices] = sum over the other indices of the product of the
operands' elements, e.g. "ij,jk->ik" is a @ b, "ni,nj->ij" is aᵀ b, "ii->" the trace.

`canonical_subscripts` turns what a user writes (numpy's rules: implicit output, "...",
size-1 dimensions broadcasting) into explicit subscripts in which every index has one size,
so that the primitive and its backward rule never deal with broadcasting."""
from __future__ import annotations

import string
from collections import Counter

import numpy as np

from autograd.function import Primitive, plain

LETTERS = string.ascii_letters


def _refuse(subscripts: str, shapes, problem: str):
    shown = ", ".join(str(tuple(s)) for s in shapes)
    return ValueError(f"einsum({subscripts!r}) with operands of shapes {shown}: {problem}")


def _split_term(term: str, ndim: int, subscripts: str, shapes) -> tuple[str, int, str]:
    """A term "ab...c" for an operand with ndim dimensions -> ("ab", dims under "...", "c")."""
    if term.count("...") > 1 or "." in term.replace("...", "") or not all(c.isalpha() or c == "." for c in term):
        raise _refuse(subscripts, shapes, f"{term!r} is not a valid term: use letters and at most one '...'")
    if "..." in term:
        before, after = term.split("...")
        if len(before) + len(after) > ndim:
            raise _refuse(subscripts, shapes, f"{term!r} names more dimensions than its operand's {ndim}")
        return before, ndim - len(before) - len(after), after
    if len(term) != ndim:
        raise _refuse(subscripts, shapes, f"{term!r} has {len(term)} indices for an operand with {ndim} dimensions "
                                          "(use '...' for the dimensions you do not name)")
    return term, 0, ""


def canonical_subscripts(subscripts: str, shapes) -> str:
    """Explicit subscripts ("ij,jk->ik") equivalent to `subscripts` for operands of `shapes`:
    '...' becomes letters of its own, the implicit output is written out (the broadcast '...'
    dimensions, then the indices that occur once, in alphabetical order, as numpy), and a
    dimension of size 1 that broadcasts against a longer one gets a letter of its own (summed
    over a single element: the same values). '...' missing from an explicit output is summed
    over, as in PyTorch (numpy refuses it)."""
    spec = subscripts.replace(" ", "")
    if spec.count("->") > 1:
        raise _refuse(subscripts, shapes, "more than one '->'")
    inputs, output = spec.split("->") if "->" in spec else (spec, None)
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise _refuse(subscripts, shapes, f"{len(terms)} terms for {len(shapes)} operands; give one term per operand")
    fresh = iter([c for c in LETTERS if c not in spec])
    parts = [_split_term(term, len(shape), subscripts, shapes) for term, shape in zip(terms, shapes)]
    try:
        dots = np.broadcast_shapes(*[tuple(shape)[len(before):len(before) + n] for (before, n, _), shape in zip(parts, shapes)])
    except ValueError:
        raise _refuse(subscripts, shapes, "the dimensions under '...' do not broadcast together") from None
    try:
        dot_labels = [next(fresh) for _ in dots]
        labelled = [list(before) + dot_labels[len(dot_labels) - n:] + list(after) for before, n, after in parts]
        sizes = {}
        for labels, shape in zip(labelled, shapes):
            for label, size in zip(labels, shape):
                if sizes.get(label, 1) not in (1, size) and size != 1:
                    raise _refuse(subscripts, shapes, f"index {label!r} has sizes {sizes[label]} and {size}")
                sizes[label] = max(sizes.get(label, 1), size)
        for labels, shape in zip(labelled, shapes):  # size 1 against a longer dimension: broadcast
            for i, (label, size) in enumerate(zip(labels, shape)):
                if size == 1 and sizes[label] > 1:
                    labels[i] = next(fresh)
    except StopIteration:
        raise _refuse(subscripts, shapes, f"more than {len(LETTERS)} different indices") from None
    written = Counter("".join(before + after for before, _, after in parts))
    if output is None:
        out_labels = dot_labels + sorted(label for label, count in written.items() if count == 1)
    else:
        if output.count("...") > 1 or "." in output.replace("...", "") or not all(c.isalpha() or c == "." for c in output):
            raise _refuse(subscripts, shapes, f"the output {output!r} is not valid: use letters and at most one '...'")
        before, after = output.split("...") if "..." in output else (output, "")
        out_labels = list(before) + (dot_labels if "..." in output else []) + list(after)
        for label, count in Counter(before + after).items():
            if label not in written:
                raise _refuse(subscripts, shapes, f"the output index {label!r} does not occur in any input")
            if count > 1:
                raise _refuse(subscripts, shapes, f"the output index {label!r} occurs twice; an output names each index once")
    return ",".join("".join(labels) for labels in labelled) + "->" + "".join(out_labels)


class Einsum(Primitive):
    """out = einsum(subscripts, a, b, ...) with explicit subscripts (see canonical_subscripts);
    the gradient of each operand is the einsum of grad with the other operands, back to that
    operand's indices: for "ij,jk->ik", da = einsum("ik,jk->ij", grad, b) = grad bᵀ. An index
    summed over in only one operand gets grad copied along it (an operand of ones), a repeated
    index ("ii->i") gets grad on the diagonal (an operand of the identity matrix).
    (A primitive, one node with the lecture's index notation; numpy contracts it with BLAS.)

    Three or more operands are contracted in PyTorch's order, left to right, and each gradient
    in the order backpropagation through those pairwise products takes: numpy's cheapest order
    may multiply two tiny operands first and underflow where PyTorch's result is a number."""

    call_name = "einsum"
    symbol = "einsum"
    notation = "einsum(…)"
    rule = "d{i} = einsum of d{y} with the other operands, to the indices of {i}"

    @staticmethod
    def forward(ctx, *arrays, subscripts, order=None):
        ctx.subscripts = subscripts
        ctx.save_for_backward(*arrays)
        order = _chain(list(range(len(arrays))))[0] if order is None and arrays else order
        out = np.einsum(subscripts, *arrays, optimize=_path(len(arrays), order))
        if isinstance(out, np.ndarray) and any(np.may_share_memory(out, a) for a in arrays):
            out = out.copy()  # "ij->ji" is a view of its operand: a later in-place change must not alter it
        return out

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        inputs, output = ctx.subscripts.split("->")
        terms = inputs.split(",")
        return tuple(
            _operand_gradient(grad, operands, terms, output, k, ctx.subscripts) if needed else None
            for k, needed in enumerate(ctx.needs_input_grad)
        )


def _operand_gradient(grad, operands, terms, output, k, subscripts):
    """einsum(grad, the other operands) to the indices of operand k (see Einsum)."""
    dtype = np.result_type(plain(grad))
    sources = [output] + [t for i, t in enumerate(terms) if i != k]
    values = [grad] + [x for i, x in enumerate(operands) if i != k]
    present = set("".join(sources))
    fresh = iter([c for c in LETTERS if c not in subscripts])
    target = []
    for label, size in zip(terms[k], np.shape(plain(operands[k]))):
        if label not in present:  # summed over in forward: the gradient is the same all along it
            sources.append(label)
            values.append(np.ones(size, dtype=dtype))
            present.add(label)
        if label in target:  # a repeated index: the gradient goes to the diagonal
            diagonal = next(fresh)
            sources.append(label + diagonal)
            values.append(np.eye(size, dtype=dtype))
            label = diagonal
        target.append(label)
    return Einsum.apply(*values, subscripts=",".join(sources) + "->" + "".join(target),
                        order=_backpropagation_order(len(terms), k, len(values)))


def _chain(members):
    """The pairs that contract `members` one after another, (a, b), ((a, b), c), ..., and the last."""
    merges, held = [], members[0]
    for member in members[1:]:
        held = (held, member)
        merges.append(held)
    return merges, held


def _backpropagation_order(n, k, count):
    """How operand k's gradient is contracted: its operands are [grad, the other n - 1 operands in
    order, count - n helpers]. As backpropagation through PyTorch's left-to-right products: grad
    meets the operands right of k from the last one inwards, then the product of those left of k."""
    merges, held = _chain([0, *range(n - 1, k, -1)])  # operand j > k is at place j
    if k > 0:
        left, product = _chain(list(range(1, k + 1)))  # operand j < k is at place j + 1
        merges += left + [(held, product)]
        held = merges[-1]
    return merges + _chain([held, *range(n, count)])[0]


def _path(n, merges):
    """np.einsum's optimize= argument (an "einsum_path" of places) that contracts n operands by
    `merges`, pairs of operand numbers or earlier pairs (their results)."""
    if n < 2:
        return False
    alive, path = list(range(n)), ["einsum_path"]
    for merge in merges:
        path.append(tuple(sorted(alive.index(member) for member in merge)))
        alive = [member for member in alive if member not in merge] + [merge]
    return path
