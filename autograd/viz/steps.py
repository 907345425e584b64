"""Backprop one node at a time: the lecture's gate view, for scalars and for whole networks.

    steps = backprop_steps(f)         # f = (x + y) * z at x=-2, y=5, z=-4
    print(steps)
    step  node       upstream  input  local  sent
       1  f = q × z         1  q         -4    -4
                               z          3     3
       2  q = x + y        -4  x          1    -4
                               y          1    -4
    steps.save_html("backprop.html")  # the step page: focus view, overview, layer view, quiz

How the numbers are obtained: backprop_steps runs the real backward pass (`loss.backward()`,
so .grad is filled in exactly as backward() fills it) while watching it through the engine's
one observer hook, `autograd.engine.observe`. For every node the engine reports the gradient
that arrived (upstream), what the node's rule returned for each input (sent, in the output's
shape) and what was added to each input after the engine summed broadcasting back
(received). Nothing is computed a second time: every number shown is the engine's. The
"local" factor of an elementwise primitive is sent / upstream ("—" where upstream is 0).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd.engine import observe, toposort
from autograd.tensor import Tensor
from autograd.viz import rules
from autograd.viz.graph import Graph, _Summary, shape_text, trace
from autograd.viz.limits import DEFAULT_MAX_NODES, DotNotFoundError


@dataclass
class Step:
    """One node of the backward pass.

    index       1, 2, ... in the order the engine visits nodes (reverse topological)
    op          the primitive's class name ('MatMul'); `function` the class itself
    node / output / inputs   node ids in `steps.graph` (the op, its result, its inputs)
    labels      the inputs' labels;  expression 't1 = X @ W1'
    rules       per input, the primitive's rule with names and shapes ('dX = dt1 · W1ᵀ   (4×3 = 4×5 · 5×3)'),
                None for inputs that get no gradient (constants)
    notes       sentences for gradients the engine summed back ('b1 gets dt2 summed over the batch axis (4×5 → 5)')
    locals_     per input, an elementwise primitive's local derivative as taught ('σ(1−σ)'), else None
    upstream    d loss / d output: the gradient that arrived at the node
    sent        per input, what the rule returned (in the output's shape), None for no gradient
    received    per input, what the engine added to the input's gradient (summed back to its shape)
    """

    index: int
    op: str
    function: type
    node: str
    output: str
    inputs: tuple
    labels: tuple
    expression: str
    rules: tuple
    notes: tuple
    locals_: tuple
    upstream: np.ndarray
    sent: tuple
    received: tuple
    scope: tuple = ()
    output_label: str = ""
    _summary: _Summary = field(default=None, repr=False)

    @property
    def rule(self) -> str:
        """The rule lines of the inputs that get a gradient, joined with '; '."""
        return "; ".join(r for r in self.rules if r)

    @property
    def elementwise(self) -> bool:
        return self.function.local is not None

    @property
    def local(self) -> tuple:
        """Per input, d output / d input of an elementwise primitive as the engine's numbers show it:
        sent / upstream (nan where upstream is 0); None for other primitives and for constants."""
        if not self.elementwise:
            return (None,) * len(self.sent)
        with np.errstate(divide="ignore", invalid="ignore"):
            return tuple(None if s is None else np.where(self.upstream != 0, s / np.where(self.upstream != 0, self.upstream, 1),
                                                         np.nan) for s in self.sent)

    @property
    def scalar(self) -> bool:
        return np.size(self.upstream) == 1 and all(r is None or np.size(r) == 1 for r in self.received)

    def caption(self) -> str:
        """One line for slides: the expression, the rule and what each input gets."""
        f = self._f
        parts = []
        for label, local, received in zip(self.labels, self.local, self.received):
            if received is None:
                continue
            if self.scalar and local is not None and np.isfinite(local).all():
                parts.append(f"{label} gets {f(self.upstream)} × {f(local)} = {f(received)}")
            elif self.scalar:
                parts.append(f"{label} gets {f(received)}")
        text = f"{self.expression}: {self.rule}."
        if self.notes:
            text += " " + "; ".join(self.notes) + "."
        return text + (" " + "; ".join(parts) + "." if parts else "")

    def _f(self, value) -> str:
        if value is None:
            return "—"
        if np.ndim(value) == 0 and not np.isfinite(value):
            return "—"
        return self._summary.of(value)

    def __str__(self) -> str:
        lines = [f"step {self.index}: {self.expression}"]
        lines += [f"  {r}" for r in self.rules if r] + [f"  {n}" for n in self.notes]
        lines.append(f"  upstream d{rules.term(self.output_label)}: {matrix_text(self.upstream, self._summary)}")
        for label, received in zip(self.labels, self.received):
            if received is not None:
                lines.append(f"  {label} receives: {matrix_text(received, self._summary)}")
        return "\n".join(lines)


def matrix_text(value, summary: _Summary, indent: str = "    ", max_rows: int = 6, max_cols: int = 6) -> str:
    """A number, or a small matrix with its shape on the lines below (elided with ⋯ when large)."""
    array = np.asarray(value)
    if array.size == 1 and array.ndim <= 1:
        return summary.of(array.reshape(()))
    from autograd.viz.values import grid

    shown = grid(array, summary.of, max_rows, max_cols)
    width = max((len(cell) for row in shown["rows"] for cell in row), default=1)
    lines = [f"({shape_text(array.shape)}{', ' + shown['note'] if shown['note'] else ''})"]
    lines += [indent + "  ".join(cell.rjust(width) for cell in row) for row in shown["rows"]]
    return "\n".join(lines)


@dataclass
class Frame:
    """One picture of a step-by-step sequence: the drawing, its caption and the highlighted node."""

    caption: str
    drawing: object  # a graphviz.Digraph
    current: str | None


class BackpropSteps(list):
    """The steps of one backward pass (a list of `Step`), with the traced graph in `.graph`.

    print(steps) shows the table; `steps.layers` the layer view (one step per module, see
    autograd.viz.layers); steps.save_html(path) writes the step page (to_html() gives its text;
    Jupyter displays it); steps.draw(i), steps.frames() and steps.save_svgs(folder) give
    Graphviz pictures of the sequence."""

    def __init__(self, steps, graph: Graph, summary: _Summary, seed: np.ndarray, draw_options: dict):
        super().__init__(steps)
        self.graph = graph
        self.seed = seed
        self._summary = summary
        self._draw_options = draw_options
        self._layers = None

    @property
    def collapse(self):
        return self._draw_options.get("collapse", False)

    @property
    def layers(self) -> list:
        """The layer view: one `LayerStep` per module box (collapse=True grouping unless another
        `collapse=` was given), primitives outside every box as their own `Step`."""
        if self._layers is None:
            from autograd.viz.layers import layer_steps

            self._layers = layer_steps(self, self.collapse or True)
        return self._layers

    # ----- text -----------------------------------------------------------------------------
    def table(self, layers: bool | None = None) -> str:
        """The steps as text: for scalars a table with one row per (node, input); for tensors one
        block per step with the rule and the gradients as small matrices. `layers` (default: when
        collapse was asked for) prints the layer view instead."""
        if layers if layers is not None else bool(self.collapse):
            return "\n\n".join(str(step) for step in self.layers)
        if all(step.scalar for step in self):
            return self._scalar_table()
        return "\n\n".join(str(step) for step in self)

    def _scalar_table(self) -> str:
        f = self._summary.of
        rows = [("step", "node", "upstream", "input", "local", "sent")]
        for step in self:
            first = True
            for label, local, received in zip(step.labels, step.local, step.received):
                if received is None:
                    continue  # a constant: it gets no gradient
                rows.append((str(step.index) if first else "", step.expression if first else "",
                             f(step.upstream) if first else "", label, step._f(local), f(received)))
                first = False
        widths = [max(len(row[i]) for row in rows) for i in range(6)]
        right = (True, False, True, False, True, True)
        return "\n".join(
            "  ".join(cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(row, widths, right)).rstrip()
            for row in rows
        )

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<backprop_steps: {len(self)} steps>\n{self.table()}"

    # ----- the page ----------------------------------------------------------------------------
    def to_html(self, mode: str = "backward", title: str = "Backpropagation, step by step", quiz: bool = False,
                **options) -> str:
        """One self-contained HTML page: the active step in a focus view (its inputs, output and
        gradients as small matrices with shapes, the rule with names and shapes) beside an overview
        of the whole graph (pan and zoom, the active node highlighted), a layer view when the graph
        has modules (key L; E expands a layer into its primitives), and a quiz (key Q, or
        quiz=True to start in it). mode: 'backward', 'forward' or 'both'. Loads nothing from the
        network; a Content-Security-Policy allows only its own inline script and style."""
        from autograd.viz.page import build_page

        return build_page(self, mode=mode, title=title, quiz=quiz, options=self._options(options))

    def save_html(self, path, mode: str = "backward", title: str = "Backpropagation, step by step",
                  quiz: bool = False, **options) -> Path:
        """Write `to_html(...)` to `path`; returns the path."""
        path = Path(path)
        path.write_text(self.to_html(mode, title, quiz=quiz, **options), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """In Jupyter: the interactive step page itself, in an iframe (its script runs there)."""
        from autograd.viz.page import notebook_frame

        return notebook_frame(self)

    # ----- pictures -------------------------------------------------------------------------
    def draw(self, step: int | None = None, **options):
        """The graph after `step` steps (0: only the seed at the output; default: all of them),
        with the node of that step highlighted. Options as for draw_graph."""
        step = len(self) if step is None else step
        if not 0 <= step <= len(self):
            raise IndexError(f"draw: step must be between 0 and {len(self)}, got {step}")
        return self.frames("backward", **options)[step].drawing

    def frames(self, mode: str = "backward", fixed_layout: bool = True, captions: bool = True, **options) -> list:
        """The sequence of `Frame`s. mode: 'backward' (the seed, then one frame per step: gradients
        fill in), 'forward' (values appear in topological order) or 'both' (forward, then backward).

        With `fixed_layout` (and Graphviz installed) the graph is laid out once and every frame
        keeps each node in the same place. With `captions` each drawing carries its caption."""
        if mode not in ("backward", "forward", "both"):
            raise ValueError(f"frames: mode must be 'backward', 'forward' or 'both', got {mode!r}")
        specs = (self._forward_specs() if mode != "backward" else []) + (
            self._backward_specs() if mode != "forward" else [])
        from autograd.viz.dot import layout_of, render_graph  # needs the graphviz package

        options = self._options(options)
        layout = None
        if fixed_layout:
            longest = max((caption for caption, _, _ in specs), key=len) if captions else None
            widest = dict(specs[-1][1], caption=longest)
            try:
                layout = layout_of(render_graph(self.graph, **options, **widest))
            except DotNotFoundError:
                layout = None  # the drawings still have their DOT source
        return [Frame(caption, render_graph(self.graph, caption=caption if captions else None, layout=layout,
                                            **options, **spec), current)
                for caption, spec, current in specs]

    def save_svgs(self, folder, mode: str = "backward", prefix: str = "step", **options) -> list:
        """Write the frames as numbered SVG files (step_00.svg, step_01.svg, ...); returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        from autograd.viz.dot import pipe_many

        frames = self.frames(mode, **options)
        digits = max(2, len(str(len(frames) - 1)))
        paths = []
        for k, svg in enumerate(pipe_many([frame.drawing for frame in frames])):
            path = folder / f"{prefix}_{k:0{digits}d}.svg"
            path.write_text(svg, encoding="utf-8")
            paths.append(path)
        return paths

    def _options(self, options: dict) -> dict:
        merged = dict(self._draw_options)
        merged.update(options)
        return merged

    def accumulated(self) -> list:
        """After the seed and after each step: {node id: the gradient accumulated so far}."""
        root = self.graph.outputs[0]
        total = {root: self.seed}
        states = [dict(total)]
        for step in self:
            for input_id, received in zip(step.inputs, step.received):
                if received is not None:
                    total[input_id] = total[input_id] + received if input_id in total else received
            states.append(dict(total))
        return states

    def receivers(self) -> set:
        """The node ids that get a gradient during the pass (the output and every input sent one)."""
        return {self.graph.outputs[0]} | {i for step in self for i, r in zip(step.inputs, step.received)
                                          if r is not None}

    def _backward_specs(self) -> list:
        """(caption, what to show, highlighted node) for the seed and for each step."""
        graph, f = self.graph, self._summary.of
        root = graph.outputs[0]
        grads = {node.id: "?" for node in graph.nodes if node.id in self.receivers()}
        states = self.accumulated()
        name = graph[root].label
        grads.update({k: f(v) for k, v in states[0].items()})
        specs = [(f"Backward pass: start at the output with d{name}/d{name} = {f(self.seed)}.",
                  {"grads": dict(grads), "highlight": [root]}, root)]
        for step, state in zip(self, states[1:]):
            grads.update({k: f(v) for k, v in state.items()})
            specs.append((f"Step {step.index} of {len(self)}: {step.caption()}",
                          {"grads": dict(grads), "highlight": [step.node]}, step.node))
        return specs

    def _forward_specs(self) -> list:
        """(caption, what to show, highlighted node) for the inputs and for each operation."""
        graph = self.graph
        values = {node.id: "?" for node in graph.nodes if node.id in graph.op_ids}
        inputs = ", ".join(f"{n.label} = {n.value}" for n in graph.nodes
                           if n.is_tensor and n.id not in graph.op_ids)
        specs = [(f"Forward pass: the inputs {inputs}.", {"values": dict(values), "grads": {}}, None)]
        ops = [(graph.op_ids[n.id], n) for n in graph.nodes if n.id in graph.op_ids]
        for k, (op_id, out) in enumerate(ops, start=1):
            values.pop(out.id)
            caption = f"Forward {k} of {len(ops)}: {forward_expression(graph, op_id, out.id)} = {out.value}."
            specs.append((caption, {"values": dict(values), "grads": {}, "highlight": [op_id, out.id]}, out.id))
        return specs


def forward_expression(graph: Graph, op_id: str, out_id: str) -> str:
    """'t1 = X @ W1' for an op node of the traced graph."""
    op = graph[op_id]
    names = {str(k): graph[i].label for k, i in enumerate(op.inputs)}
    names["y"] = graph[out_id].label
    return rules.expression(op.function, names, graph[out_id].label, op.notation)


def backprop_steps(loss: Tensor, gradient=None, retain_graph: bool = False, number_format: str = ".4g",
                   max_nodes: int | None = DEFAULT_MAX_NODES, collapse=False, **draw_options) -> BackpropSteps:
    """Run the backward pass from `loss` (exactly as loss.backward() does: .grad of the leaves is
    filled in the same way) and record it node by node through the engine's observer hook.

    `gradient` seeds a non-scalar loss, as in backward(); the graph is kept when `retain_graph`.
    `number_format` formats numbers; `collapse` (True, a depth, or module names, as for
    draw_graph) makes the layer view the one printed and shown first; `max_nodes` and other
    drawing options (rankdir, show_shapes, clusters, ...) are used by draw/frames/save_html."""
    if not isinstance(loss, Tensor):
        raise TypeError(f"backprop_steps: expected a Tensor (the loss), got {type(loss).__name__}")
    if not loss.requires_grad:
        raise RuntimeError(
            "backprop_steps: this tensor does not require grad, so there is no backward pass to show. "
            "Give the inputs requires_grad=True before computing it (and not under no_grad)."
        )
    graph = trace(loss, number_format=number_format, keep_values=True)  # before backward: .grad as the user left it
    summary = _Summary(number_format, 4)
    order = toposort([loss])
    ours = {id(t) for t in order}
    seen = {}

    def watch(tensor, upstream, sent, received):
        if id(tensor) in ours:
            seen[id(tensor)] = (_copy(upstream), tuple(_copy(s) for s in sent), tuple(_copy(r) for r in received))

    with observe(watch):
        loss.backward(gradient, retain_graph=retain_graph)

    steps = []
    for tensor in reversed(order):
        if tensor.grad_fn is None or id(tensor) not in seen:
            continue
        upstream, sent, received = seen[id(tensor)]
        output_id = graph.tensor_ids[id(tensor)]
        steps.append(_step(len(steps) + 1, graph, graph[graph.op_ids[output_id]], output_id, upstream, sent,
                           received, summary))
    _add_fork_notes(steps)
    seed = np.ones(loss.shape, dtype=loss.dtype) if gradient is None else np.array(
        gradient.data if isinstance(gradient, Tensor) else gradient, dtype=loss.dtype)
    if loss.grad_fn is not None and id(loss) in seen:
        seed = seen[id(loss)][0]  # after the output's own hooks, as the engine passed it on
    options = dict(draw_options, max_nodes=max_nodes, collapse=collapse)
    return BackpropSteps(steps, graph, summary, seed, options)


def _add_fork_notes(steps: list) -> None:
    """A tensor used more than once gets the sum of what every use sends: say so at each use
    ('t5 is used 2 times: dt5 is the sum of what each use sends (1 of 2 so far)')."""
    uses = {}
    for step in steps:
        for input_id, received in zip(step.inputs, step.received):
            if received is not None:
                uses[input_id] = uses.get(input_id, 0) + 1
    arrived = {}
    for step in steps:
        notes = []
        for input_id, label in dict(zip(step.inputs, step.labels)).items():
            count = sum(1 for i, r in zip(step.inputs, step.received) if i == input_id and r is not None)
            if count and uses[input_id] > 1:
                arrived[input_id] = arrived.get(input_id, 0) + count
                k, n = arrived[input_id], uses[input_id]
                notes.append(f"{label} is used {n} times: {rules.grad_name(label)} is the sum of what each use "
                             f"sends ({k} of {n} {'so far' if k < n else 'arrived: complete'})")
        step.notes += tuple(notes)


def _copy(value):
    """The engine's arrays, copied: a later in-place change of a .grad leaves the record as it was."""
    if value is None:
        return None
    return np.array(value.data if isinstance(value, Tensor) else value, copy=True)


def _step(index, graph, op, output_id, upstream, sent, received, summary) -> Step:
    function = op.function
    arity = len(op.inputs)
    inputs = [graph[i] for i in op.inputs]
    out = graph[output_id]
    names = {str(k): node.label for k, node in enumerate(inputs)}
    names["y"] = out.label
    shapes = {str(k): node.shape for k, node in enumerate(inputs)}
    shapes["y"] = out.shape
    templates = rules.rule_texts(function, arity)
    texts, notes = [], []
    for k, (template, s, r) in enumerate(zip(templates, sent, received)):
        if r is None:
            texts.append(None)
            continue
        texts.append(rules.render(template, names, shapes) if template else f"d{rules.term(names[str(k)])} = …")
        if s is not None and np.shape(s) != np.shape(r):
            notes.append(rules.sum_back(template, names, str(k), np.shape(s), np.shape(r)))
    locals_ = tuple(None if text is None else _local_text(text, names, k, arity)
                    for k, text in enumerate(rules.local_texts(function, arity)))
    step = Step(index=index, op=function.__name__, function=function, node=op.id, output=output_id,
                inputs=op.inputs, labels=tuple(n.label for n in inputs),
                expression=rules.expression(function, names, out.label, op.notation), rules=tuple(texts), notes=tuple(notes),
                locals_=locals_, upstream=upstream, sent=sent, received=received, scope=op.scope,
                output_label=out.label, _summary=summary)
    return step


def _local_text(text: str, names: dict, k: int, arity: int) -> str:
    """A local derivative with the names put in: 'z' for the multiply gate, 'σ(1−σ)' as taught."""
    text = rules.fill(text, names)
    if arity == 1:
        text = re.sub(r"\bx\b", rules.term(names["0"]), text)
    return text
