"""Backprop one node at a time: the lecture's gate view, frames and a self-contained HTML page.

    steps = backprop_steps(f)         # f = (x + y) * z at x=-2, y=5, z=-4
    print(steps)
    step  node       upstream  input  local  sent
       1  f = q × z         1  q         -4    -4
                               z          3     3
       2  q = x + y        -4  x          1    -4
                               y          1    -4
    steps.save_html("backprop.html")  # prev/next through the frames, offline

How the numbers are obtained (and why they agree with backward()): backprop_steps runs
the real engine — `loss.backward(retain_graph=True)` — with a recording hook on every
tensor, so each step's upstream gradient is the one the engine used and every .grad is
exactly what backward() leaves. It then asks each node's own `Function.backward` for
what it sends to its inputs (upstream given; summed back to each input's shape with the
engine's `sum_to`) and for its local gradient (the same backward with an upstream
gradient of ones: d out / d input for scalar and elementwise nodes).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograd.engine import sum_to, toposort
from autograd.grad_mode import no_grad
from autograd.tensor import Tensor
from autograd.viz.graph import OP_SYMBOLS, Graph, _Summary, trace
from autograd.viz.limits import DEFAULT_MAX_NODES, DotNotFoundError

# What each gate does with the gradient, in the lecture's words.
RULES = {
    "Add": "add distributes: every input gets the upstream gradient unchanged",
    "Sub": "subtract: the first input gets the upstream gradient, the second its negative",
    "Mul": "multiply swaps: each input gets the upstream gradient times the OTHER input's value",
    "Div": "divide: a/b sends upstream/b to a and -upstream·a/b² to b",
    "Maximum": "max routes: the larger input gets the whole upstream gradient, the other gets 0",
    "Max": "max routes: the largest element gets the upstream gradient, the others 0",
    "Relu": "relu routes: the gradient passes where the input was positive, else 0",
    "Sum": "sum copies the upstream gradient to every element it added up",
    "MatMul": "matmul: dA = upstream @ Bᵀ, dB = Aᵀ @ upstream",
    "Neg": "negate flips the sign of the gradient",
}
DEFAULT_RULE = "each input gets upstream × its local gradient"
INFIX = {"Add": "+", "Sub": "−", "Mul": "×", "Div": "/", "Pow": "**", "MatMul": "@"}


@dataclass
class Step:
    """One node of the backward pass.

    index     1, 2, ... in the order the engine visits nodes (reverse topological)
    op        the operation ('Mul'); node / output / inputs are node ids in `steps.graph`
    expression  'f = q × z' with the tensors' labels
    upstream  d loss / d output, the gradient arriving at the node's result
    local     per input: d output / d input (the node's backward applied to ones), None for constants
    sent      per input: the gradient this node hands to it (upstream × local, summed back to
              the input's shape), None for inputs that need no gradient
    """

    index: int
    op: str
    node: str
    output: str
    inputs: tuple
    expression: str
    rule: str
    upstream: np.ndarray
    local: tuple
    sent: tuple
    labels: tuple  # the inputs' labels, in order
    _summary: _Summary = field(repr=False)

    def caption(self) -> str:
        """A one-line description for slides: the gate, its rule and the numbers."""
        parts = []
        for label, local, sent in zip(self.labels, self.local, self.sent):
            if sent is None:
                continue
            if np.ndim(self.upstream) == 0 and local is not None and np.ndim(local) == 0:
                parts.append(f"{label} gets {self._f(self.upstream)} × {self._f(local)} = {self._f(sent)}")
            else:
                parts.append(f"{label} gets {self._f(sent)}")
        return f"{self.expression}: {self.rule}. " + ("; ".join(parts) + "." if parts else "")

    def _f(self, value) -> str:
        return "—" if value is None else self._summary.of(value)

    def __str__(self) -> str:
        lines = [f"step {self.index}: {self.expression}   ({self.rule})",
                 f"  upstream gradient: {self._f(self.upstream)}"]
        for label, local, sent in zip(self.labels, self.local, self.sent):
            lines.append(f"  {label}: local gradient {self._f(local)}, receives {self._f(sent)}")
        return "\n".join(lines)


@dataclass
class Frame:
    """One picture of a step-by-step sequence: the drawing, its caption and the highlighted node."""

    caption: str
    drawing: object  # a graphviz.Digraph
    current: str | None


class BackpropSteps(list):
    """The steps of one backward pass (a list of `Step`), with the traced graph in `.graph`.

    print(steps) shows the table; steps.draw(i) the graph after step i; steps.frames(),
    steps.save_svgs(folder) and steps.save_html(path) export the sequence."""

    def __init__(self, steps, graph: Graph, summary: _Summary, seed: np.ndarray, draw_options: dict):
        super().__init__(steps)
        self.graph = graph
        self.seed = seed
        self._summary = summary
        self._draw_options = draw_options

    # ----- text -----------------------------------------------------------------------------
    def table(self) -> str:
        """The steps as a table: one row per (node, input)."""
        f = self._summary.of
        rows = [("step", "node", "upstream", "input", "local", "sent")]
        for step in self:
            for k, (label, local, sent) in enumerate(zip(step.labels, step.local, step.sent)):
                first = k == 0
                rows.append((str(step.index) if first else "", step.expression if first else "",
                             f(step.upstream) if first else "", label,
                             "—" if local is None else f(local), "—" if sent is None else f(sent)))
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

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.table())}</pre>"

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
        keeps each node in the same place (and renders much faster). With `captions` each
        drawing carries its caption under the graph."""
        if mode not in ("backward", "forward", "both"):
            raise ValueError(f"frames: mode must be 'backward', 'forward' or 'both', got {mode!r}")
        specs = (self._forward_specs() if mode != "backward" else []) + (
            self._backward_specs() if mode != "forward" else [])
        from autograd.viz.dot import (  # needs the graphviz package
            layout_of,
            render_graph,
        )

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

    def to_html(self, mode: str = "backward", title: str = "Backpropagation, step by step", **options) -> str:
        """One self-contained HTML page: inline SVG frames, prev/next buttons, ← → keys, a caption
        per step. It loads nothing from the network (a Content-Security-Policy forbids it)."""
        from autograd.viz.dot import pipe_many

        frames = self.frames(mode, captions=False, **options)  # the page shows the caption above the graph
        svgs = [_inline_svg(svg, f"f{k}-") for k, svg in enumerate(pipe_many([fr.drawing for fr in frames]))]
        figures = "\n".join(
            f'<figure class="frame" id="frame-{k}" data-current="{html.escape(fr.current or "")}" '
            f'data-caption="{html.escape(fr.caption)}"{"" if k == 0 else " hidden"}>\n{svg}\n</figure>'
            for k, (fr, svg) in enumerate(zip(frames, svgs))
        )
        return _PAGE.format(title=html.escape(title), figures=figures, count=len(frames),
                            caption=html.escape(frames[0].caption), table=html.escape(self.table()))

    def save_html(self, path, mode: str = "backward", title: str = "Backpropagation, step by step", **options) -> Path:
        """Write `to_html(...)` to `path`; returns the path."""
        path = Path(path)
        path.write_text(self.to_html(mode, title, **options), encoding="utf-8")
        return path

    def _options(self, options: dict) -> dict:
        merged = dict(self._draw_options)
        merged.update(options)
        return merged

    def _backward_specs(self) -> list:
        """(caption, what to show, highlighted node) for the seed and for each step."""
        graph, f = self.graph, self._summary.of
        root = graph.outputs[0]
        # Tensors that will receive a gradient show '?' until they do; constants show nothing.
        receivers = {root} | {i for step in self for i, sent in zip(step.inputs, step.sent) if sent is not None}
        grads = {node.id: "?" for node in graph.nodes if node.id in receivers}
        grads[root] = f(self.seed)
        accumulated = {root: self.seed}
        name = graph[root].label
        specs = [(f"Backward pass: start at the output with d{name}/d{name} = {f(self.seed)}.",
                  {"grads": dict(grads), "highlight": [root]}, root)]
        for step in self:
            for input_id, sent in zip(step.inputs, step.sent):
                if sent is not None:
                    accumulated[input_id] = accumulated[input_id] + sent if input_id in accumulated else sent
                    grads[input_id] = f(accumulated[input_id])
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
            caption = f"Forward {k} of {len(ops)}: {_expression(graph, graph[op_id], out)} = {out.value}."
            specs.append((caption, {"values": dict(values), "grads": {}, "highlight": [op_id, out.id]}, out.id))
        return specs


def backprop_steps(loss: Tensor, gradient=None, retain_graph: bool = False, number_format: str = ".4g",
                   max_nodes: int | None = DEFAULT_MAX_NODES, **draw_options) -> BackpropSteps:
    """Run the backward pass from `loss` (exactly as loss.backward() does: .grad of the leaves is
    filled in the same way) and record it node by node.

    `gradient` seeds a non-scalar loss, as in backward(); the graph is kept when `retain_graph`.
    `number_format` formats numbers in the table and drawings; `max_nodes` and other drawing
    options (rankdir, show_shapes, clusters, collapse, ...) are used by draw/frames/save_html."""
    if not isinstance(loss, Tensor):
        raise TypeError(f"backprop_steps: expected a Tensor (the loss), got {type(loss).__name__}")
    if not loss.requires_grad:
        raise RuntimeError(
            "backprop_steps: this tensor does not require grad, so there is no backward pass to show. "
            "Give the inputs requires_grad=True before computing it (and not under no_grad)."
        )
    graph = trace(loss, number_format=number_format)  # before backward: .grad as the user left it
    summary = _Summary(number_format, 4)
    order = toposort([loss])
    arriving = _run_engine(loss, gradient, order)
    steps = []
    with no_grad():
        for tensor in reversed(order):
            ctx = tensor._ctx
            if ctx is None or id(tensor) not in arriving:
                continue
            upstream = arriving[id(tensor)]
            sent = _call_backward(tensor, upstream)
            local = _call_backward(tensor, Tensor._make(np.ones_like(upstream.data)))
            output_id = graph.tensor_ids[id(tensor)]
            op_node = graph[graph.op_ids[output_id]]
            steps.append(Step(
                index=len(steps) + 1, op=ctx.name, node=op_node.id, output=output_id, inputs=op_node.inputs,
                expression=_expression(graph, op_node, graph[output_id]), rule=RULES.get(ctx.name, DEFAULT_RULE),
                upstream=upstream.data, local=local, sent=sent,
                labels=tuple(graph[i].label for i in op_node.inputs), _summary=summary,
            ))
    if not retain_graph:
        for tensor in order:
            if tensor._ctx is not None:
                tensor._ctx.release()
    options = dict(draw_options, max_nodes=max_nodes)
    seed = arriving[id(loss)].data if id(loss) in arriving else np.ones(loss.shape)
    return BackpropSteps(steps, graph, summary, seed, options)


def _run_engine(loss, gradient, order) -> dict:
    """loss.backward(retain_graph=True), recording the gradient that reaches every tensor
    (after the user's own hooks, as the engine passes it on)."""
    arriving, handles = {}, []

    def recorder(tensor):
        def hook(grad):
            arriving[id(tensor)] = grad
        return hook

    had_hooks = {id(t): t._hooks for t in order}
    try:
        for tensor in order:
            handles.append(tensor.register_hook(recorder(tensor)))
        loss.backward(gradient, retain_graph=True)
    finally:
        for handle in handles:
            handle.remove()
        for tensor in order:
            if had_hooks[id(tensor)] is None:
                tensor._hooks = None
    return arriving


def _call_backward(tensor, upstream) -> tuple:
    """What the node that made `tensor` sends to each input for this upstream gradient, summed
    back to the input's shape (None for inputs that need no gradient)."""
    ctx = tensor._ctx
    ctx._output = tensor
    try:
        grads = ctx.function.backward(ctx, upstream)
    finally:
        ctx._output = None
    grads = grads if isinstance(grads, tuple) else (grads,)
    result = []
    for parent, grad in zip(ctx.parents, grads):
        if grad is None or not isinstance(parent, Tensor) or not parent.requires_grad:
            result.append(None)
            continue
        grad = grad if isinstance(grad, Tensor) else Tensor._make(np.asarray(grad))
        result.append(sum_to(grad, parent.shape).data.astype(parent.dtype, copy=False))
    return tuple(result)


def _expression(graph: Graph, op_node, out_node) -> str:
    """'f = q × z', 'h = tanh(a)', 'm = max(a, b)' with the tensors' labels."""
    names = [graph[i].label for i in op_node.inputs]
    if op_node.op in INFIX and len(names) == 2:
        right = f"({names[1]})" if names[1].startswith("-") else names[1]
        return f"{out_node.label} = {names[0]} {INFIX[op_node.op]} {right}"
    if op_node.op == "Neg":
        return f"{out_node.label} = −{names[0]}"
    name = OP_SYMBOLS.get(op_node.op, op_node.op.lower()) if op_node.op in ("Maximum", "Relu") else op_node.op.lower()
    return f"{out_node.label} = {name}({', '.join(names)})"


def _inline_svg(svg: str, id_prefix: str) -> str:
    """Graphviz's SVG made fit to paste into HTML: no XML prolog, comments or namespace URLs,
    ids made unique per frame."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r'\bid="', f'id="{id_prefix}', svg)
    return svg.strip()


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #1f2937; }}
  h1 {{ font-size: 1.3em; margin: 0 0 0.6em; }}
  nav {{ display: flex; gap: 0.6em; align-items: center; margin-bottom: 0.6em; }}
  button {{ font-size: 1em; padding: 0.3em 0.9em; cursor: pointer; }}
  #caption {{ font-size: 1.1em; min-height: 2.6em; margin: 0.4em 0 0.8em; }}
  figure {{ margin: 0; }}
  figure svg {{ width: 100%; height: auto; max-height: 62vh; }}
  details {{ margin-top: 1.2em; }}
  .hint {{ color: #6b7280; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<nav>
  <button id="prev" type="button" title="previous step (←)">◀ prev</button>
  <button id="next" type="button" title="next step (→)">next ▶</button>
  <span id="counter">1 / {count}</span>
  <span class="hint">keys: ← → (Home, End)</span>
</nav>
<p id="caption">{caption}</p>
{figures}
<details><summary>All steps as a table</summary><pre>{table}</pre></details>
<script>
(function () {{
  var frames = Array.prototype.slice.call(document.querySelectorAll("figure.frame"));
  var current = 0;
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  function show(i) {{
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach(function (frame, k) {{ frame.hidden = k !== current; }});
    document.getElementById("counter").textContent = (current + 1) + " / " + frames.length;
    document.getElementById("caption").textContent = frames[current].getAttribute("data-caption");
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
  }}
  prev.addEventListener("click", function () {{ show(current - 1); }});
  next.addEventListener("click", function () {{ show(current + 1); }});
  document.addEventListener("keydown", function (event) {{
    if (event.key === "ArrowRight" || event.key === "PageDown") {{ show(current + 1); }}
    else if (event.key === "ArrowLeft" || event.key === "PageUp") {{ show(current - 1); }}
    else if (event.key === "Home") {{ show(0); }}
    else if (event.key === "End") {{ show(frames.length - 1); }}
    else {{ return; }}
    event.preventDefault();
  }});
  show(0);
}})();
</script>
</body>
</html>
"""
