"""The layer view of a backward pass: one step per module box (input → layers → loss → output).

A box is what `collapse=` draws as one node (see collapse.py). Its step is the layer's whole
backward: the gradient arriving at its output, and the sum of what its primitives handed to
each input and parameter — the engine's numbers, added up — with the fused rule the module
or loss carries (`Module.lecture_rule`, or the `rule=` of its graph_scope):

    0 (Linear):  dX = d(0 out) · 0.weight   (4×3 = 4×5 · 5×3)
                 d0.weight = d(0 out)ᵀ · X   (5×3 = 5×4 · 4×3)
                 d0.bias = d(0 out) summed over the batch axis
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from autograd.viz import rules
from autograd.viz.collapse import collapsed_groups
from autograd.viz.graph import OP, PARAMETER, _Summary


@dataclass
class LayerStep:
    """One module box's backward.

    index      1, 2, ... in the layer view (primitives outside every box are their own `Step`s)
    box        the box's node id in the collapsed drawing ('m0'); scope its module scope
    label      '0 (Linear)';  kind 'Linear' (or 'function', or None for a user's graph_scope)
    steps      the primitive `Step`s inside, in the order the engine ran them
    inputs     node ids of the tensors coming in from outside (not parameters)
    parameters node ids of the parameters (and other leaves that require grad) inside
    outputs    node ids of the box's results used outside it (or the loss)
    upstream   {output id: the gradient that arrived there}
    received   {input or parameter id: the sum of what the box's primitives handed it}
    rules      the fused rule, one line per gradient, with names and shapes (the primitives'
               own rules when the module carries none)
    """

    index: int
    box: str
    scope: tuple
    label: str
    kind: str | None
    steps: list
    inputs: tuple
    parameters: tuple
    outputs: tuple
    upstream: dict
    received: dict
    rules: tuple
    labels: dict = field(default_factory=dict)  # node id -> label
    _summary: _Summary = field(default=None, repr=False)

    @property
    def expression(self) -> str:
        """'0 (Linear): X → 0 out'."""
        inputs = ", ".join(self.labels[i] for i in self.inputs)
        outputs = ", ".join(self.labels[o] for o in self.outputs)
        return f"{self.label}: {inputs or '—'} → {outputs}"

    @property
    def node(self) -> str:
        return self.box

    def __str__(self) -> str:
        from autograd.viz.steps import matrix_text

        lines = [f"layer step {self.index}: {self.expression}   ({len(self.steps)} primitive"
                 f"{'s' * (len(self.steps) != 1)} inside)"]
        lines += [f"  {r}" for r in self.rules]
        for output in self.outputs:
            if output in self.upstream:
                lines.append(f"  upstream d{rules.term(self.labels[output])}: "
                             f"{matrix_text(self.upstream[output], self._summary)}")
        for node_id in self.inputs + self.parameters:
            if node_id in self.received:
                lines.append(f"  {self.labels[node_id]} receives: {matrix_text(self.received[node_id], self._summary)}")
        return "\n".join(lines)


def layer_steps(steps, collapse=True) -> list:
    """The layer view of `steps` (a BackpropSteps): LayerSteps for boxes, Steps for primitives
    outside every box, in the order the engine reached them."""
    graph = steps.graph
    groups = collapsed_groups(graph, collapse)
    consumers = {}
    for tail, head in graph.edges:
        consumers.setdefault(tail, []).append(head)
    by_box, order = {}, []
    for step in steps:
        group = groups.get(step.node)
        if group is None:
            order.append(step)
            continue
        if group[0] not in by_box:
            by_box[group[0]] = []
            order.append(group[0])
        by_box[group[0]].append(step)
    result = []
    for item in order:
        if not isinstance(item, str):  # a copy numbered in the layer view: steps[i].index stays as it is
            result.append(replace(item, index=len(result) + 1))
            continue
        box_id, scope, members = groups[by_box[item][0].node]
        result.append(_layer(len(result) + 1, graph, box_id, scope, set(members), by_box[item], consumers,
                             steps._summary))
    return result


def _layer(index, graph, box_id, scope, members, inner, consumers, summary) -> LayerStep:
    ops = [graph[i] for i in members if graph[i].kind == OP]
    inputs, parameters = [], []
    for op in ops:
        for i in op.inputs:
            node = graph[i]
            if not node.is_tensor:
                continue
            if i in members:
                if node.kind == PARAMETER or (node.requires_grad and i not in graph.op_ids):
                    parameters.append(i)
            else:
                inputs.append(i)
    inputs = tuple(dict.fromkeys(inputs))
    parameters = tuple(sorted(dict.fromkeys(parameters), key=lambda i: int(i[1:])))  # in the order they were used
    outputs = tuple(o for o in graph.op_ids if graph.op_ids[o] in members and (
        o not in members or any(head not in members for head in consumers.get(o, ()))))
    upstream = {step.output: step.upstream for step in inner if step.output in outputs}
    received = {}
    for step in inner:
        for i, r in zip(step.inputs, step.received):
            if r is not None and (i in inputs or i in parameters):
                received[i] = received[i] + r if i in received else r
    labels = {i: graph[i].label for i in inputs + parameters + outputs}
    name = scope[-1]
    step = LayerStep(index=index, box=box_id, scope=scope, label=getattr(name, "label", str(name)),
                     kind=getattr(name, "kind", None), steps=inner, inputs=inputs, parameters=parameters,
                     outputs=outputs, upstream=upstream, received=received, rules=(), labels=labels,
                     _summary=summary)
    step.rules = _fused_rules(step, graph, name)
    return step


def _fused_rules(step: LayerStep, graph, name) -> tuple:
    """The module's fused rule with the box's names and shapes; without one, the primitives' rules."""
    rule = getattr(name, "rule", None)
    if rule is None:  # a module without a rule of its own: the rule of the function it calls (cross_entropy)
        depth = len(step.scope)
        inner = {s.scope[depth] for s in step.steps if len(s.scope) > depth}
        found = [getattr(s, "rule", None) for s in inner if getattr(s, "kind", None) == "function"]
        rule = found[0] if len(found) == 1 else None
    if rule is None:
        return tuple(r for inner in step.steps for r in inner.rules if r)
    templates = (rule,) if isinstance(rule, str) else tuple(rule)
    names, shapes = {}, {}
    grad_inputs = [i for i in step.inputs if i in step.received] or list(step.inputs)
    if grad_inputs:
        # a convolution of data sees the data's windows ('images (im2col)'); its rule names the data itself
        names["input"] = graph[grad_inputs[0]].label.removesuffix(" (im2col)")
        shapes["input"] = graph[grad_inputs[0]].shape
        shapes["N"] = graph[grad_inputs[0]].shape[:1]
        if graph[grad_inputs[0]].shape:
            names["N"] = str(graph[grad_inputs[0]].shape[0])
    if step.outputs:
        names["output"], shapes["output"] = graph[step.outputs[0]].label, graph[step.outputs[0]].shape
    for p in step.parameters:
        key = graph[p].label.rsplit(".", 1)[-1]
        names[key], shapes[key] = graph[p].label, graph[p].shape
    ids = {"input": grad_inputs[0] if grad_inputs else None,
           **{graph[p].label.rsplit(".", 1)[-1]: p for p in step.parameters}}
    lines = []
    for template in templates:
        if any(key not in names for key in rules.placeholders(template)):
            continue  # e.g. the bias rule of a layer without bias
        target = rules.target(template)
        if target is not None and step.received.get(ids.get(target)) is None:
            continue  # that tensor gets no gradient here (the input images of a first layer)
        line = rules.render(template, names, shapes)
        if "summed over" in template and target in shapes and "output" in shapes:
            line += f"   ({rules.shape_text(shapes['output'])} → {rules.shape_text(shapes[target])})"
        lines.append(line)
    return tuple(lines)
