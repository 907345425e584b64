"""The step page: one self-contained HTML file for the lecture hall.

Layout (made for 1280×720 and up): a focus view of the active step on top — its rule with the
tensors' names and shapes, its inputs and output as small matrices with their shapes, the
gradient that arrived and what each input receives — and an overview of the whole graph below
it: ONE Graphviz SVG laid out once, with pan and zoom, the active node highlighted by a CSS
class and centred at a readable size. Everything a step shows travels as data (matrices
already formatted, identical ones stored once) and page.js draws it, so a page stays small.

The layer view (key L) steps through modules (collapse.py, layers.py); E expands a layer into
its primitives. The quiz (key Q) hides each step's gradients until the student answers.
The page loads nothing: its Content-Security-Policy allows only its own script and style
(by hash), no network, no other script.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import random
import re
from importlib import resources

import numpy as np

from autograd.viz import rules
from autograd.viz.graph import CONSTANT, PARAMETER, shape_text
from autograd.viz.limits import GraphTooLargeError
from autograd.viz.values import grid

MAX_ROWS, MAX_COLS = 6, 6  # larger matrices are elided with ⋯ (a 6×6 feature map is shown whole)


class _Grids:
    """Matrices as shown (cells already formatted), each distinct one stored once."""

    def __init__(self, fmt):
        self.fmt = fmt
        self.items, self.index = [], {}

    def add(self, value) -> int | None:
        if value is None:
            return None
        shown = grid(np.asarray(value), self.fmt, MAX_ROWS, MAX_COLS)
        key = json.dumps(shown, ensure_ascii=False)
        if key not in self.index:
            self.index[key] = len(self.items)
            self.items.append(shown)
        return self.index[key]


def build_page(steps, mode: str, title: str, quiz: bool, options: dict) -> str:
    """The page's HTML text (see the module docstring)."""
    if mode not in ("backward", "forward", "both"):
        raise ValueError(f"to_html: mode must be 'backward', 'forward' or 'both', got {mode!r}")
    graph = steps.graph
    fmt = steps._summary.number
    grids = _Grids(fmt)
    scalar = all(np.size(a) <= 1 for a in graph.arrays.values())
    collapse = options.pop("collapse", False)
    layers = steps.layers if mode != "forward" and any(node.scope for node in graph.nodes) else None
    if layers is not None and not any(not hasattr(item, "function") for item in layers):
        layers = None  # no module box: the layer view would repeat the primitives

    ops_view = _ops_view(steps, mode, grids, scalar)
    views = {"ops": ops_view}
    svgs = {}
    try:
        svgs["ops"] = _overview(steps, False, scalar, options)
    except GraphTooLargeError:
        if layers is None:
            raise
    if layers is not None:
        views["layers"] = _layers_view(steps, layers, ops_view, grids, scalar)
        for item in ops_view["steps"]:  # a primitive inside a layer or a loss: say where the fused step is
            if item.get("where"):
                item["where"] = f"inside {item['where']} · L: one step per layer"
        svgs["layers"] = _overview(steps, collapse or True, scalar, options)
    start = "layers" if collapse and layers is not None else "ops"
    if "ops" not in svgs:
        start = "layers"
    data = {"title": title, "scalar": scalar, "quiz": bool(quiz), "start": start, "views": views,
            "grids": grids.items, "panes": sorted(svgs)}
    script = resources.files("autograd.viz").joinpath("page.js").read_text(encoding="utf-8")
    style = resources.files("autograd.viz").joinpath("page.css").read_text(encoding="utf-8")
    panes = "\n".join(f'<div class="pane" id="pane-{name}" data-view="{name}" hidden>{_inline_svg(svg, name)}</div>'
                      for name, svg in svgs.items())
    return _PAGE.format(title=html.escape(title), csp=_policy(script, style), style=style, script=script,
                        data=_json_for_html(data), panes=panes)


def notebook_frame(steps, height: int = 720) -> str:
    """The page inside an iframe (srcdoc), as Jupyter displays it: its script runs in the frame."""
    page = steps.to_html()
    return (f'<iframe class="chalkgrad-steps" srcdoc="{html.escape(page, quote=True)}" '
            f'style="width: 100%; height: {height}px; border: 1px solid #d1d5db; border-radius: 4px" '
            'title="backprop, step by step"></iframe>')


# ----- what each step shows ------------------------------------------------------------------------

def _card(graph, grids, node_id, role, grad=None, grad_title=None, quiz=None) -> dict:
    node = graph[node_id]
    card = {"node": node_id, "label": node.label, "shape": shape_text(node.shape) if node.shape else "",
            "role": role, "value": grids.add(graph.arrays.get(node_id))}
    if grad is not None:
        card["grad"], card["gradTitle"] = grids.add(grad), grad_title
    if quiz is not None:
        card["quiz"] = quiz
    return card


def _role(node, received) -> str:
    """input, parameter, output; 'data' for a named tensor without gradient (X), 'constant' for the rest."""
    if node.kind == CONSTANT or not node.is_tensor:
        named = node.is_tensor and node.label[:1].isalpha() and not node.label.startswith("const ")
        return "data" if named else "constant"
    if node.kind == PARAMETER:
        return "parameter"
    return "input" if received is not None or node.requires_grad else "constant"


def _ops_view(steps, mode, grids, scalar) -> dict:
    graph = steps.graph
    items = []
    if mode in ("forward", "both"):
        items += _forward_items(steps, grids)
    backward_start = len(items)
    if mode in ("backward", "both"):
        root = graph.outputs[0]
        seed_name = graph[root].label
        items.append({"kind": "seed", "title": "Backward pass: the start",
                      "expression": f"d{rules.term(seed_name)}/d{rules.term(seed_name)} = "
                                    f"{steps._summary.of(steps.seed) if np.size(steps.seed) == 1 else 'ones'}",
                      "rules": ["The gradient of the output with respect to itself: the backward pass starts here."],
                      "highlight": root, "cards": [_card(graph, grids, root, "output", steps.seed, "gradient")]})
        rng = random.Random(0)
        for step in steps:
            items.append(_op_item(step, graph, grids, len(steps), rng))
    overview = _overview_texts(steps, scalar, mode)
    for item, texts in zip(items, overview):
        item["texts"] = texts
    return {"steps": items, "backwardStart": backward_start}


def _op_item(step, graph, grids, count, rng) -> dict:
    cards = []
    for k, (input_id, received) in enumerate(zip(step.inputs, step.received)):
        node = graph[input_id]
        role = _role(node, received)
        title = f"d{rules.term(node.label)}, what {rules.term(node.label)} receives" if received is not None else None
        quiz = _quiz(step, k, graph, rng) if received is not None else None
        cards.append(_card(graph, grids, input_id, role, received, title, quiz))
    cards.append(_card(graph, grids, step.output, "output", step.upstream,
                       f"d{rules.term(graph[step.output].label)}, the upstream gradient"))
    local = [f"local d{rules.term(graph[step.output].label)}/d{rules.term(label)} = {text}"
             for label, text, received in zip(step.labels, step.locals_, step.received)
             if text is not None and received is not None]
    scope = step.scope[-1] if step.scope else None
    return {"kind": "backward", "title": f"Step {step.index} of {count}", "expression": step.expression,
            "op": step.op, "symbol": step.function.symbol or step.op.lower(),
            "where": getattr(scope, "label", scope) if scope else None,
            "rules": [r for r in step.rules if r], "notes": list(step.notes), "local": local,
            "highlight": step.node, "involved": [*step.inputs, step.output], "cards": cards}


def _forward_items(steps, grids) -> list:
    from autograd.viz.steps import forward_expression

    graph = steps.graph
    leaves = [n for n in graph.nodes if n.is_tensor and n.id not in graph.op_ids and _role(n, None) != "constant"]
    items = [{"kind": "forward", "title": "Forward pass: the inputs", "expression": ", ".join(n.label for n in leaves),
              "rules": ["The values we start from."], "highlight": None,
              "cards": [_card(graph, grids, n.id, _role(n, None)) for n in leaves[:6]]}]
    ops = [(graph.op_ids[n.id], n) for n in graph.nodes if n.id in graph.op_ids]
    for k, (op_id, out) in enumerate(ops, start=1):
        op = graph[op_id]
        cards = [_card(graph, grids, i, _role(graph[i], None)) for i in op.inputs] + [_card(graph, grids, out.id, "output")]
        items.append({"kind": "forward", "title": f"Forward {k} of {len(ops)}",
                      "expression": forward_expression(graph, op_id, out.id), "symbol": op.label,
                      "rules": [], "highlight": op_id, "involved": [*op.inputs, out.id], "cards": cards})
    return items


def _overview_texts(steps, scalar, mode) -> list:
    """Per item: {node id: [value text, grad text]} that changed in the overview since the item before."""
    graph, f = steps.graph, steps._summary.of
    receivers = steps.receivers()
    shown = {}
    result = []

    def value_text(node):
        return f(graph.arrays[node.id]) if scalar and node.id in graph.arrays else None

    def change(texts, node_id, value=None, grad=None):
        old = shown.get(node_id, [None, None])
        new = [old[0] if value is None else value, old[1] if grad is None else grad]
        if new != old:
            shown[node_id] = new
            texts[node_id] = new

    order = [n for n in graph.nodes if n.is_tensor]
    forward_ops = [n for n in graph.nodes if n.id in graph.op_ids]
    if mode != "backward":  # the forward items: values appear
        first = {}
        for node in order:
            if node.id in graph.op_ids:
                change(first, node.id, value="?" if scalar else None)
        result.append(first)
        for out in forward_ops:
            texts = {}
            change(texts, out.id, value=value_text(out))
            result.append(texts)
    if mode != "forward":
        states = steps.accumulated()
        for index, state in enumerate(states):
            texts = {}
            if index == 0:
                for node in order:
                    if node.id in graph.op_ids and scalar:
                        change(texts, node.id, value=value_text(node))
                    if node.id in receivers:
                        change(texts, node.id, grad="?")
            for node_id, total in state.items():
                change(texts, node_id, grad=f(total) if scalar else "✓")
            result.append(texts)
    return result


def _layers_view(steps, layers, ops_view, grids, scalar) -> dict:
    """The layer view's items; a LayerStep lists its primitives' items (for E: expand)."""
    graph = steps.graph
    first_backward = ops_view["backwardStart"]
    step_item = {step.node: first_backward + 1 + k for k, step in enumerate(steps)}
    items = [dict(ops_view["steps"][first_backward])]
    rng = random.Random(1)
    f = steps._summary.of
    totals = {graph.outputs[0]: steps.seed}
    for k, layer in enumerate(layers, start=1):
        if hasattr(layer, "function"):  # a primitive outside every box
            item = dict(ops_view["steps"][step_item[layer.node]])
            item["title"] = f"Layer step {k} of {len(layers)}"
            sends = [(i, r) for i, r in zip(layer.inputs, layer.received) if r is not None]
        else:
            item = _layer_item(layer, graph, grids, k, len(layers), rng)
            item["children"] = [step_item[s.node] for s in layer.steps]
            sends = list(layer.received.items())
        texts = {}
        for node_id, received in sends:
            totals[node_id] = totals[node_id] + received if node_id in totals else received
            texts[node_id] = [None, f(totals[node_id]) if scalar else "✓"]
        item["texts"] = texts
        items.append(item)
    items[0]["texts"] = {node.id: [None, "?"] for node in graph.nodes if node.is_tensor and node.requires_grad}
    items[0]["texts"][graph.outputs[0]] = [None, f(steps.seed) if scalar else "✓"]
    return {"steps": items}


def _layer_item(layer, graph, grids, index, count, rng) -> dict:
    cards = []
    for node_id in layer.inputs + layer.parameters:
        received = layer.received.get(node_id)
        node = graph[node_id]
        title = f"d{rules.term(node.label)}, what {rules.term(node.label)} receives" if received is not None else None
        cards.append(_card(graph, grids, node_id, _role(node, received), received, title,
                           _tensor_quiz(received, node.label, layer.rules, rng) if received is not None else None))
    for node_id in layer.outputs:
        cards.append(_card(graph, grids, node_id, "output", layer.upstream.get(node_id),
                           f"d{rules.term(graph[node_id].label)}, the upstream gradient"))
    kind = layer.kind if layer.kind not in (None, "function") else None
    return {"kind": "layer", "title": f"Layer step {index} of {count}", "expression": layer.expression,
            "where": f"{len(layer.steps)} primitive{'s' * (len(layer.steps) != 1)} inside · E expands"
            + (f" · {kind}" if kind else ""),
            "rules": list(layer.rules), "notes": [], "local": [], "highlight": layer.box,
            "involved": list(layer.inputs + layer.parameters + layer.outputs), "cards": cards}


# ----- the quiz ----------------------------------------------------------------------------------------

def _quiz(step, k, graph, rng) -> dict:
    received = step.received[k]
    label = step.labels[k]
    if not np.isfinite(received).all():
        return None  # an inf or nan gradient is not something to guess
    if np.size(received) == 1 and np.ndim(received) == 0:
        return {"type": "number", "answer": float(received)}
    return _tensor_quiz(received, label, [r for r in step.rules if r], rng, step)


def _tensor_quiz(received, label, rule_lines, rng, step=None) -> dict | None:
    received = np.asarray(received)
    if not np.isfinite(received).all():
        return None
    if received.ndim == 0 or received.size == 1:
        return {"type": "number", "answer": float(received.reshape(()))}
    shape = shape_text(received.shape)
    shapes = {shape, shape_text(received.shape[::-1])}
    if step is not None:
        shapes.add(shape_text(np.shape(step.upstream)))
    shapes.update({shape_text(received.shape[1:]) if received.ndim > 1 else shape_text((1,) + received.shape),
                   shape_text(received.shape + (1,))})
    shape_choices = sorted(shapes)[:5]
    if shape not in shape_choices:
        shape_choices[-1] = shape
    correct = next((r for r in rule_lines if r.startswith(rules.grad_name(label) + " ")
                    or r.startswith(f"{label} gets ")), None)
    quiz = {"type": "tensor", "shape": shape, "shapes": shape_choices}
    if correct is not None:
        correct = correct.split("   (")[0]
        distractors = [r.split("   (")[0] for r in rule_lines if r.split("   (")[0] != correct]
        distractors += _variants(correct, label)
        choices = [correct] + [d for d in dict.fromkeys(distractors) if d != correct][:3]
        rng.shuffle(choices)
        quiz["rules"], quiz["rule"] = choices, choices.index(correct)
    flat = received.reshape(-1)
    picks = sorted({0, flat.size - 1, rng.randrange(flat.size)})[:2] if flat.size > 1 else [0]
    quiz["entries"] = [{"index": _index_text(np.unravel_index(p, received.shape)), "answer": float(flat[p])}
                       for p in picks]
    return quiz


def _variants(rule: str, label: str) -> list:
    """Wrong rules a student might pick: the product the other way round, a missing transpose."""
    left, _, right = rule.partition(" = ")
    out = []
    if " · " in right:
        a, _, b = right.partition(" · ")
        out.append(f"{left} = {b} · {a}")
        out.append(f"{left} = {a.rstrip('ᵀ')} · {b.rstrip('ᵀ')}" if "ᵀ" in right else f"{left} = {a}ᵀ · {b}")
    if " ⊙ " in right:
        out.append(f"{left} = {right.split(' ⊙ ')[0]}")
    if right.startswith("d") and " " not in right:
        out += [f"{left} = −{right}", f"{left} = {right} summed over the batch axis"]
    out.append(f"{left} = {right} ⊙ {rules.term(label)}")
    return out


def _index_text(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


# ----- the overview ------------------------------------------------------------------------------------

def _overview(steps, collapse, scalar, options) -> str:
    """The whole graph, laid out once by Graphviz, labelled with the values and gradients a page
    ends with (script puts in '?' and the partial sums step by step)."""
    from autograd.viz.dot import pipe_many, render_graph

    graph = steps.graph
    f = steps._summary.of
    final = steps.accumulated()[-1]
    values = {n.id: (f(graph.arrays[n.id]) if scalar and n.id in graph.arrays else None)
              for n in graph.nodes if n.is_tensor}
    grads = {n.id: (f(final[n.id]) if scalar else "✓") if n.id in final else
             ("?" if n.requires_grad else None) for n in graph.nodes if n.is_tensor}
    keep = ("rankdir", "show_values", "show_grads", "show_shapes", "clusters", "max_nodes")
    drawing = render_graph(graph, collapse=collapse, values=values, grads=grads, dtypes=False,
                           **{k: v for k, v in options.items() if k in keep})
    return pipe_many([drawing])[0]


def _inline_svg(svg: str, prefix: str) -> str:
    """Graphviz's SVG made fit to paste into HTML: no XML prolog, comments or fixed size; ids unique."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg width="100%" height="100%"', svg, count=1)
    svg = re.sub(r'\bid="', f'id="{prefix}-', svg)
    return svg.strip()


def _json_for_html(data) -> str:
    """JSON safe inside <script type="application/json">: no '</' or '<!--' can end the block."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_no_nan)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _no_nan(value):
    raise TypeError(f"cannot put {type(value).__name__} into the page data")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _policy(script: str, style: str) -> str:
    """Only this page's own script and style (by hash) run; nothing is fetched."""
    return (f"default-src 'none'; script-src {_digest(script)}; style-src {_digest(style)}; "
            "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <nav>
    <button id="prev" type="button" title="previous step (← or PageUp)">◀</button>
    <span id="counter">1 / 1</span>
    <button id="next" type="button" title="next step (→ or PageDown)">▶</button>
    <button id="view" type="button" title="layer view / primitives (L)">layers</button>
    <button id="expand" type="button" title="expand this layer into its primitives (E)">expand</button>
    <button id="quiz" type="button" title="quiz: hide gradients until answered (Q)">quiz</button>
    <span id="score" hidden></span>
    <button id="help-button" type="button" title="keys (?)">?</button>
  </nav>
</header>
<main>
  <section id="focus" aria-live="polite">
    <div id="heading"><span id="step-title"></span> <span id="where"></span></div>
    <p id="expression"></p>
    <ul id="rules"></ul>
    <div id="cards"></div>
  </section>
  <section id="overview" aria-label="the whole graph (drag to pan, wheel or + − to zoom, 0 fits)">
    {panes}
    <div id="zoom-hint">drag · wheel · + − 0 · W A S D</div>
  </section>
</main>
<div id="help" hidden>
  <p><b>Keys</b></p>
  <p>→ / PageDown / Space: next step · ← / PageUp: previous · Home / End: first / last</p>
  <p>+ / −: zoom the overview · 0: show the whole graph · W A S D or Shift + arrows: pan</p>
  <p>L: layer view ↔ primitives · E: expand / collapse the current layer · Q: quiz on / off</p>
  <p>In the quiz: type or choose (Tab: next field), Enter checks, R reveals, → (from an empty field) skips.</p>
</div>
<script type="application/json" id="data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
