"""Drawings, traced records and step-by-step backprop (autograd.viz)."""
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
from autograd import Tensor, backprop_steps, draw_graph, graph_scope
from autograd.cli import gate_example
from autograd.viz import GraphTooLargeError, GraphvizTimeoutError, trace
from autograd.viz.dot import DotNotFoundError, pipe_many

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


gate = gate_example  # the lecture's f = (x + y) * z at x=-2, y=5, z=-4, as the demo builds it


class Parameter(Tensor):
    """Stands in for nn.Parameter (recognised by its class name)."""


def mlp(seed=0):
    """A two-layer network written with Tensor ops, inside graph scopes like nn.Module's."""
    rng = np.random.default_rng(seed)
    x = Tensor(rng.normal(size=(5, 3)), name="x")
    target = Tensor(rng.normal(size=(5, 2)), name="target")
    w1 = Parameter(rng.normal(size=(3, 4)), requires_grad=True, name="w1")
    b1 = Parameter(rng.normal(size=4), requires_grad=True, name="b1")
    w2 = Parameter(rng.normal(size=(4, 2)), requires_grad=True, name="w2")
    b2 = Parameter(rng.normal(size=2), requires_grad=True, name="b2")
    with graph_scope("net"):
        with graph_scope("fc1"):
            h = (x @ w1 + b1).tanh()
        with graph_scope("fc2"):
            out = h @ w2 + b2
    loss = ((out - target) ** 2).mean()
    return loss, (w1, b1, w2, b2)


# ----- trace -----------------------------------------------------------------------------------

def test_trace_gives_ordered_records_with_kinds_and_constants():
    a = Tensor(2.0, requires_grad=True, name="a")
    b = a * 3
    graph = trace(b)
    assert [n.id for n in graph.nodes] == ["n0", "n1", "n2", "n3"]
    kinds_and_labels = [(n.kind, n.label) for n in graph.nodes]
    assert kinds_and_labels == [("leaf", "a"), ("constant", "3"), ("op", "×"), ("output", "t1")]
    assert graph.nodes[2].op == "Mul" and graph.nodes[2].inputs == ("n0", "n1")
    assert graph.edges == [("n0", "n2"), ("n1", "n2"), ("n2", "n3")]
    assert graph.node_of(b).value == "6" and graph.node_of(a).grad is None


def test_trace_reads_parameters_scopes_and_grads_without_changing_the_graph():
    loss, params = mlp()
    loss.backward(retain_graph=True)
    before = [p.grad.data.copy() for p in params]
    graph = trace(loss)
    w1 = graph.node_of(params[0])
    assert w1.kind == "parameter" and w1.scope == ("net", "fc1") and w1.shape == (3, 4)
    assert w1.grad.startswith("[") and w1.grad.endswith("…]")
    assert graph.node_of(loss).scope == () and graph.node_of(loss).kind == "output"
    assert any(n.kind == "constant" and n.label == "target" for n in graph.nodes)  # data without grad
    for p, g in zip(params, before):
        np.testing.assert_array_equal(p.grad.data, g)


def test_a_tensor_used_twice_is_one_node_with_two_edges():
    a = Tensor(3.0, requires_grad=True, name="a")
    graph = trace(a * a)
    assert sum(n.label == "a" for n in graph.nodes) == 1
    assert graph.edges.count(("n0", "n1")) == 2


# ----- drawing ---------------------------------------------------------------------------------

def test_gate_drawing_shows_names_values_and_gradients():
    x, y, z, q, f = gate()
    f.backward()
    source = draw_graph(f).source
    for name in ("<b>x</b>", "<b>y</b>", "<b>z</b>", "<b>q</b>", "<b>f</b>"):
        assert name in source
    for value in ("-2", "5", "-4", "<br/>3", "-12"):
        assert value in source
    assert source.count("grad -4") == 2 and "grad 3" in source  # x, y and z
    assert "rankdir=LR" in source


def test_same_graph_drawn_twice_gives_identical_dot():
    first = draw_graph(gate()[-1]).source
    assert draw_graph(gate()[-1]).source == first  # a fresh build of the same computation
    f = gate()[-1]
    assert draw_graph(f).source == draw_graph(f).source


def _attributes(source, node_id):
    """The style attributes of one node statement (everything after its label)."""
    line = next(line for line in source.splitlines() if line.strip().startswith(node_id + " ["))
    return line.rsplit("> ", 1)[1]


def test_kinds_are_styled_distinctly():
    loss, params = mlp()
    graph = trace(loss)
    source = draw_graph(loss).source
    style_of = {kind: _attributes(source, next(n.id for n in graph.nodes if n.kind == kind))
                for kind in ("parameter", "constant", "op", "output", "value")}
    style_of["leaf"] = _attributes(draw_graph(Tensor(1.0, requires_grad=True) * 2).source, "n0")
    assert len(set(style_of.values())) == 6
    assert "peripheries=2" in style_of["parameter"] and "dashed" in style_of["constant"]


def test_options_change_the_drawing():
    x, y, z, q, f = gate()
    f.backward()
    assert "rankdir=TB" in draw_graph(f, rankdir="TB").source
    assert "-12" not in draw_graph(f, show_values=False).source
    assert "#c0392b" not in draw_graph(f, show_grads=False).source
    assert "-12.00" in draw_graph(f, number_format=".2f").source
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(f, rankdir="sideways")


def test_arrays_show_shape_dtype_and_a_few_values():
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="w")
    source = draw_graph((w * 2).sum()).source
    assert "2×3 float64" in source and "[0, 1, 2, 3, …]" in source
    assert "2×3" not in draw_graph((w * 2).sum(), show_shapes=False).source


def test_clusters_follow_graph_scopes_and_collapse_to_one_box():
    a = Tensor(2.0, requires_grad=True, name="a")
    with graph_scope("layer1"):
        b = a * 3
        with graph_scope("act"):
            c = b.tanh()
    out = c * 2
    source = draw_graph(out).source
    assert "subgraph cluster_" in source and "label=<layer1>" in source and "label=<act>" in source
    layer1 = source.index("label=<layer1>")
    assert layer1 < source.index("label=<act>") < source.index("}", layer1)  # act is nested in layer1
    assert "cluster" not in draw_graph(out, clusters=False).source

    collapsed = draw_graph(out, collapse=1).source
    assert "<b>layer1</b>" in collapsed and "box3d" in collapsed and "tanh" not in collapsed
    assert "n0 -> m0" in collapsed and collapsed.count("m0 ->") == 1
    inside = draw_graph(out, collapse=True).source  # layer1 has ops of its own and a module inside: act is the box
    assert "<b>act</b>" in inside and "label=<layer1>" in inside and inside.count("box3d") == 1
    inner = draw_graph(out, collapse="act").source
    assert "<b>act</b>" in inner and "label=<layer1>" in inner
    with pytest.raises(ValueError, match=r"no module or scope named 'nope'.*act, layer1"):
        draw_graph(out, collapse=["nope"])


def test_mlp_clusters_hold_their_parameters():
    loss, _ = mlp()
    source = draw_graph(loss).source
    fc1 = source[source.index("label=<fc1>") :]
    fc1 = fc1[: fc1.index("}")]
    assert "<b>w1</b>" in fc1 and "<b>b1</b>" in fc1 and "<b>w2</b>" not in fc1
    collapsed = draw_graph(loss, collapse=2).source
    assert "<b>fc1</b><br/>2 parameters · out 5×4" in collapsed
    assert draw_graph(loss, collapse=True).source == collapsed  # net holds everything: its layers


@needs_dot
def test_svg_renders_and_parses_as_xml(tmp_path):
    x, y, z, q, f = gate()
    f.backward()
    drawing = draw_graph(f)
    svg = drawing.pipe(format="svg").decode("utf-8")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"x", "y", "z", "-12", "grad -4", "grad 3"} <= set(texts)
    path = drawing.render(tmp_path / "gate", format="png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_missing_dot_gives_install_advice_and_source_still_works(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    drawing = draw_graph(gate()[-1])
    assert "digraph" in drawing.source
    with pytest.raises(DotNotFoundError, match="apt-get install graphviz"):
        drawing.pipe(format="svg")
    with pytest.raises(DotNotFoundError, match="brew install graphviz"):
        drawing.render(tmp_path / "g", format="svg")
    steps = backprop_steps(gate()[-1])
    assert "class=current" in steps.frames()[1].drawing.source  # frames are still made, without a fixed layout
    with pytest.raises(DotNotFoundError):
        steps.to_html()


def _chain(n_ops, scopes=0):
    x = Tensor(0.5, requires_grad=True, name="x")
    h = x
    for i in range(n_ops):
        if scopes:
            with graph_scope(f"block{i * scopes // n_ops}"):
                h = h * 0.5 + 0.1
        else:
            h = h * 0.5 + 0.1
    return h


def test_large_graphs_are_refused_with_advice_or_collapsed():
    out = _chain(3_334)  # 20,005 nodes: x, then per step 2 ops, 2 constants, 2 results
    assert len(trace(out)) == 20_005
    start = time.perf_counter()
    with pytest.raises(GraphTooLargeError, match=r"20,005 nodes.*max_nodes=500.*max_nodes=20005"):
        draw_graph(out)
    refused = time.perf_counter() - start

    scoped = _chain(3_334, scopes=10)
    with pytest.raises(GraphTooLargeError, match=r"collapse=True to draw each module as one box \(12 nodes\)"):
        draw_graph(scoped)
    start = time.perf_counter()
    source = draw_graph(scoped, collapse=True).source
    collapsed = time.perf_counter() - start
    assert source.count("box3d") == 10 and "block9" in source
    print(f"20,005-node graph: refused in {refused:.2f} s, collapsed to 11 nodes in {collapsed:.2f} s")


def _power_chain(n_ops):
    """x * x * ... * x with n_ops multiplications: x feeds every one of them (long edges)."""
    x = Tensor(1.0, requires_grad=True, name="x")
    h = x
    for _ in range(n_ops):
        h = h * x
    return h


def test_long_edges_from_a_much_used_value_are_refused_before_graphviz_runs():
    out = _power_chain(166)  # 333 nodes, but x's 166 edges cross 27,390 ranks: dot took over 10 minutes
    with pytest.raises(GraphTooLargeError, match=r"333 nodes.*27,390 bends.*max_nodes=685") as refused:
        draw_graph(out)
    assert refused.value.max_nodes_needed == 685 and "27,390 bends" in refused.value.size
    assert "digraph" in draw_graph(out, max_nodes=None).source
    assert "digraph" in draw_graph(_power_chain(100)).source  # 9,900 bends: drawn


def test_every_drawing_limits_the_layout_passes():
    steps = backprop_steps(gate()[-1])
    for source in (draw_graph(gate()[-1]).source, steps.frames("both")[1].drawing.source):
        assert "nslimit=2" in source and "nslimit1=2" in source


@needs_dot
def test_graphviz_is_stopped_after_the_timeout_with_advice(tmp_path):
    drawing = draw_graph(_power_chain(166), max_nodes=None)
    with pytest.raises(GraphvizTimeoutError, match=r"within 0.05 s and was stopped.*too large or too tangled"):
        drawing.pipe(format="svg", timeout=0.05)
    with pytest.raises(GraphvizTimeoutError, match="collapse=True"):
        drawing.render(tmp_path / "chain", format="svg", timeout=0.05)
    with pytest.raises(GraphvizTimeoutError):
        pipe_many([drawing], timeout=0.05)


# ----- backprop_steps ----------------------------------------------------------------------------

def test_gate_steps_in_reverse_topological_order_with_the_lecture_numbers():
    x, y, z, q, f = gate()
    steps = backprop_steps(f)
    assert [s.op for s in steps] == ["Mul", "Add"]
    mul, add = steps
    ops_in_order = [n.id for n in steps.graph.nodes if n.kind == "op"]
    assert [s.node for s in steps] == ops_in_order[::-1]
    assert mul.expression == "f = q × z" and add.expression == "q = x + y"
    assert float(mul.upstream) == 1
    assert [float(v) for v in mul.local] == [-4, 3] and [float(v) for v in mul.received] == [-4, 3]
    assert float(add.upstream) == -4 and [float(v) for v in add.local] == [1, 1]
    assert [float(v) for v in add.received] == [-4, -4]
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4, -4, 3)
    assert mul.rules == ("dq = df ⊙ z", "dz = df ⊙ q") and add.rules == ("dx = dq", "dy = dq")
    assert mul.locals_ == ("z", "q") and add.locals_ == ("1", "1")
    assert "q gets 1 × -4 = -4" in mul.caption()
    table = str(steps).splitlines()
    assert table[0].split() == ["step", "node", "upstream", "input", "local", "sent"]
    assert table[1].split() == ["1", "f", "=", "q", "×", "z", "1", "q", "-4", "-4"]
    assert table[4].split() == ["y", "1", "-4"]
    assert "upstream df: 1" in str(mul) and "q receives: -4" in str(mul)


def test_max_routes_and_constants_get_nothing():
    a = Tensor(3.0, requires_grad=True, name="a")
    b = Tensor(2.0, requires_grad=True, name="b")
    m = autograd.maximum(a, b) * 2
    steps = backprop_steps(m)
    mul, mx = steps
    assert mul.received[1] is None and mul.local[1] is None and mul.rules[1] is None
    assert len(steps.table().splitlines()) == 4  # header, t1, a, b: the constant 2 gets no row
    assert mx.rules[0] == "da = dt1 where a > b (half at ties)" and [float(v) for v in mx.received] == [2, 0]


def test_steps_leave_the_same_gradients_as_backward_on_an_mlp():
    loss, params = mlp()
    loss.backward()
    expected = [p.grad.data.copy() for p in params]
    loss, params = mlp()
    steps = backprop_steps(loss)
    for p, g in zip(params, expected):
        np.testing.assert_array_equal(p.grad.data, g)
    # what each step sends adds up, input by input, to the gradient the engine passed on
    received = {}
    for step in steps:
        for input_id, sent in zip(step.inputs, step.received):
            if sent is not None:
                received[input_id] = received.get(input_id, 0) + sent
    for p, g in zip(params, expected):
        np.testing.assert_allclose(received[steps.graph.node_of(p).id], g, rtol=1e-12, atol=1e-12)
    for step in steps[1:]:
        np.testing.assert_allclose(received[step.output], step.upstream, rtol=1e-12, atol=1e-12)


def test_steps_free_the_graph_unless_retained():
    f = gate()[-1]
    backprop_steps(f)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        f.backward()
    x, y, z, q, f = gate()
    backprop_steps(f, retain_graph=True)
    f.backward()
    assert x.grad.item() == -8  # accumulated twice, as two backward() calls would


def test_steps_refuse_a_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        backprop_steps(Tensor(1.0) * 2)


def test_backward_frames_fill_in_gradients_and_highlight_each_node():
    x, y, z, q, f = gate()
    steps = backprop_steps(f)
    frames = steps.frames()
    assert len(frames) == 3
    assert [fr.current for fr in frames] == [steps.graph.outputs[0], steps[0].node, steps[1].node]
    first, last = frames[0].drawing.source, frames[-1].drawing.source
    assert first.count("grad ?") == 4 and "grad 1" in first
    assert "grad ?" not in last and last.count("grad -4") == 3 and "grad 3" in last
    current = [line for line in frames[1].drawing.source.splitlines() if "class=current" in line]
    assert len(current) == 1 and current[0].strip().startswith(steps[0].node + " ")
    assert steps.draw().source == last


def test_forward_frames_show_values_in_topological_order():
    steps = backprop_steps(gate()[-1])
    frames = steps.frames("forward")
    assert len(frames) == 3 and "#c0392b" not in frames[0].drawing.source
    assert frames[0].drawing.source.count("<br/>?") == 2  # q and f not computed yet
    assert "q = x + y = 3" in frames[1].caption and "f = q × z = -12" in frames[2].caption
    assert len(steps.frames("both")) == 6
    with pytest.raises(ValueError, match="mode"):
        steps.frames("sideways")


@needs_dot
def test_frames_keep_every_node_in_place():
    steps = backprop_steps(gate()[-1])
    svgs = pipe_many([frame.drawing for frame in steps.frames("both")])
    shapes = {}
    for svg in svgs:
        for group in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g"):
            if group.get("class", "").startswith("node"):
                title = group.find("{http://www.w3.org/2000/svg}title").text
                shape = next(child for child in group if not child.tag.endswith(("title", "text")))
                shapes.setdefault(title, set()).add(shape.get("d") or (shape.get("cx"), shape.get("cy")))
    assert len(shapes) == 7 and all(len(found) == 1 for found in shapes.values())


@needs_dot
def test_numbered_svg_frames_and_a_self_contained_page(tmp_path):
    steps = backprop_steps(gate()[-1])
    paths = steps.save_svgs(tmp_path / "frames")
    assert [p.name for p in paths] == ["step_00.svg", "step_01.svg", "step_02.svg"]
    for path in paths:
        ET.parse(path)
    page = steps.save_html(tmp_path / "page.html", mode="both").read_text()
    assert page.count("<svg") == 1  # one overview, laid out once; the steps travel as data
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    assert [item["kind"] for item in data["views"]["ops"]["steps"]] == ["forward"] * 3 + ["seed", "backward", "backward"]
    assert "http://" not in page.replace('http://www.w3.org', '') and "https://" not in page
    assert "default-src 'none'" in page and "<script src" not in page and "unsafe-inline" not in page


def test_real_nn_modules_are_clustered_with_their_parameters():
    nn = pytest.importorskip("nn")
    if not hasattr(nn, "Linear") or not hasattr(nn, "Sequential"):
        pytest.skip("nn.Linear / nn.Sequential not written yet")
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = Tensor(np.ones((5, 3)), name="x")
    loss = (net(x) ** 2).mean()
    graph = trace(loss)
    parameters = [n for n in graph.nodes if n.kind == "parameter"]
    assert len(parameters) == 4 and all(len(n.scope) == 2 for n in parameters)
    assert graph.node_of(x).scope == () and graph.node_of(x).kind == "constant"
    collapsed = draw_graph(loss, collapse=2).source
    assert collapsed.count("box3d") == 3 and "2 parameters" in collapsed
    assert draw_graph(loss, collapse=True).source == collapsed  # the Sequential's layers, not one box
    assert draw_graph(loss, collapse=1).source.count("box3d") == 1


@needs_dot
def test_jupyter_displays_the_drawing_inline_and_pdf_renders():
    x, y, z, q, f = gate()
    f.backward()
    drawing = draw_graph(f)
    bundle = drawing._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "grad &#45;4" in bundle["image/svg+xml"]
    assert drawing.pipe(format="pdf")[:5] == b"%PDF-"
    steps = backprop_steps(gate()[-1])
    assert steps._repr_html_().startswith('<iframe class="chalkgrad-steps" srcdoc="') and "f = q × z" in repr(steps)
    assert "class=current" in steps.draw(1).source


@needs_dot
def test_a_scope_name_that_looks_like_markup_stays_text(tmp_path):
    """A graph_scope name "<...>" used to become a Graphviz HTML label: a javascript: link in the page."""
    evil = '<<TABLE><TR><TD HREF="javascript:alert(1)">click</TD></TR></TABLE>>'
    x = Tensor(2.0, requires_grad=True, name="x")
    with graph_scope(evil):
        y = x * 3
    for collapse in (False, True):
        source = draw_graph(y, collapse=collapse).source
        assert 'HREF="javascript' not in source and "&lt;&lt;TABLE&gt;" in source
        svg = draw_graph(y, collapse=collapse).pipe(format="svg").decode()
        assert "<a " not in svg and "javascript:" not in svg.replace("HREF=&quot;javascript:", "")
    page = backprop_steps(y).to_html()
    assert "<a " not in page and 'href="javascript' not in page.lower()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy


# ----- names, constants and the layer view ---------------------------------------------------------

def test_intermediates_are_numbered_in_creation_order_without_gaps():
    from lecture_graphs import mlp

    loss, _ = mlp()
    graph = trace(loss)
    results = [n.label for n in graph.nodes if n.kind == "value"]
    assert sorted(results, key=lambda label: int(label[1:])) == [f"t{k}" for k in range(1, len(results) + 1)]
    assert graph[graph.outputs[0]].label == "loss"  # F.cross_entropy's result: the loss, not t15
    x = Tensor(1.0, requires_grad=True, name="x")
    a = x + 1  # made first
    b = x * 2
    f = b - a
    graph = trace(f)  # the walk reaches b before a; the numbers follow the order they were made
    assert (graph.node_of(a).label, graph.node_of(b).label, graph.node_of(f).label) == ("t1", "t2", "t3")
    x = Tensor(1.0, requires_grad=True, name="x")
    h = x * 2
    h.name = "h"  # a user's name wins, and takes no number
    assert [n.label for n in trace((h + 1) * 3).nodes if n.kind in ("value", "output")] == ["h", "t1", "t2"]


def test_constants_made_inside_an_operation_are_constants_not_inputs():
    from lecture_graphs import mlp

    loss, _ = mlp()
    steps = backprop_steps(loss)
    shift = next(n for n in steps.graph.nodes if n.label == "const 4×1")  # the max subtracted by log_softmax
    assert shift.kind == "constant" and not shift.requires_grad
    uses = [step for step in steps if shift.id in step.inputs]
    assert uses and all(step.received[step.inputs.index(shift.id)] is None for step in uses)
    assert all(step.rules[step.inputs.index(shift.id)] is None for step in uses)
    page = steps.to_html()
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    roles = {card["role"] for item in data["views"]["ops"]["steps"] for card in item["cards"]
             if card["node"] == shift.id}
    assert roles == {"constant"}


@pytest.mark.parametrize("loss_kind", ["module", "function"])
def test_collapse_true_draws_input_one_box_per_layer_loss_and_output(loss_kind):
    nn = pytest.importorskip("nn")
    from nn import functional as F

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = Tensor(np.ones((5, 3)), name="x")
    target = np.array([0, 1, 0, 1, 1])
    loss = nn.CrossEntropyLoss()(model(x), target) if loss_kind == "module" else F.cross_entropy(model(x), target)
    source = draw_graph(loss, collapse=True).source
    boxes = ["0 (Linear)", "1 (ReLU)", "2 (Linear)", "CrossEntropyLoss" if loss_kind == "module" else "cross_entropy"]
    assert sorted(re.findall(r"m\d+ \[label=<<b>([^<]*)</b>", source)) == boxes
    assert "<b>x</b>" in source and re.search(r"<b>(loss|t\d+)</b>", source)  # the input and the loss stay visible
    steps = backprop_steps(loss, collapse=True)
    assert [item.label for item in steps.layers] == boxes[::-1]
    assert steps.layers[0].rules == ("d(2 out) = (softmax(2 out) − onehot(target)) / 5",)
    linear = steps.layers[1]
    np.testing.assert_array_equal(linear.received[steps.graph.node_of(model[2].weight).id], model[2].weight.grad.data)
    assert "0 (Linear)" in draw_graph(loss, collapse=["0"]).source  # the path named_modules() gives
    assert draw_graph(loss, collapse=["0"]).source == draw_graph(loss, collapse=["0 (Linear)"]).source
    assert "layer step 1: " in str(steps)  # collapse: the layer table is printed


def test_collapsed_frames_highlight_the_box_of_the_active_step():
    nn = pytest.importorskip("nn")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = (model(Tensor(np.ones((5, 3)), name="x")) ** 2).mean()
    steps = backprop_steps(loss, collapse=True)
    frames = steps.frames(fixed_layout=False)
    for frame in frames:
        current = [line for line in frame.drawing.source.splitlines() if "class=current" in line]
        assert len(current) == 1, frame.caption
    boxes = [line.split()[0] for fr in frames[1:] for line in fr.drawing.source.splitlines() if "class=current" in line]
    assert set(boxes) >= {"m0", "m1", "m2"}  # each layer's box lights up in turn


def test_a_page_with_inf_gradients_is_written_without_quiz_questions_for_them():
    x = Tensor([0.0, 1.0, 4.0], requires_grad=True, name="x")
    with np.errstate(all="ignore"):
        page = backprop_steps(x.sqrt().sum()).to_html(quiz=True)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S).group(1))
    sqrt = data["views"]["ops"]["steps"][-1]
    assert sqrt["expression"] == "t1 = sqrt(x)" and "quiz" not in sqrt["cards"][0]
    assert data["grids"][sqrt["cards"][0]["grad"]]["rows"][0][0] == "inf"  # shown as it is


def test_a_tensor_changed_in_place_is_drawn_with_its_earlier_value():
    """d = softmax(x); d[range(n), y] -= 1 records the change as PyTorch does: the value before it is a
    tensor of its own ('d (before)'), which the indexing reads and the in-place write replaces."""
    torch = pytest.importorskip("torch")
    from nn import functional as F

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True, name="x")
    y = np.array([0, 2, 1, 0])
    d = F.softmax(x, 1)
    d.name = "d"
    d[range(4), y] -= 1
    loss = (d * d).sum()
    graph = trace(loss)
    by_label = {n.label: n for n in graph.nodes if n.is_tensor}
    assert "d (before)" in by_label and by_label["d"].id == graph.node_of(d).id
    ops = {n.op: n for n in graph.nodes if n.kind == "op"}
    before = by_label["d (before)"].id
    assert ops["GetItem"].inputs == (before,) and ops["SetItem"].inputs[0] == before
    assert ops["Mul"].inputs == (by_label["d"].id,) * 2
    assert (ops["SetItem"].id, by_label["d"].id) in graph.edges and (before, ops["SetItem"].id) in graph.edges
    steps = backprop_steps(loss)
    assert [s.expression for s in steps][2:5] == ["d = (d (before)), with [range(4), [0, 2, 1, 0]] set to t5",
                                                 "t5 = t4 − 1", "t4 = (d (before))[range(4), [0, 2, 1, 0]]"]
    setitem = steps[2]
    np.testing.assert_array_equal(setitem.received[0][range(4), y], 0)  # overwritten: no gradient goes back
    xt = torch.tensor(x.data, requires_grad=True)
    dt = torch.softmax(xt, 1).clone()
    dt[range(4), y] -= 1
    (dt * dt).sum().backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-14)
    if shutil.which("dot"):
        assert "<b>d (before)</b>" in draw_graph(loss).source
    assert "d (before)" in steps.to_html()


def test_expressions_show_the_index_shape_axes_and_the_loss():
    from lecture_graphs import cnn
    from lecture_graphs import mlp as lecture_mlp

    steps = backprop_steps(lecture_mlp()[0])
    expressions = [s.expression for s in steps]
    assert expressions[0] == "loss = t14 / 4"  # F.cross_entropy's result is the loss
    assert "t12 = t11[range(4), [0, 2, 1, 0]]" in expressions  # the log-probability of each row's class
    assert "t8 = sum(t7, axis=1, keepdims=True)" in expressions  # the softmax's denominator, per row
    expressions = [s.expression for s in backprop_steps(cnn()[0])]
    assert "3 out = (2 out).reshape(8, 36)" in expressions  # Flatten
    assert "0 out = t6.transpose(1, 0, 2, 3)" in expressions  # not a matrix transpose: the axes are shown
    assert "t10 = (4.weight)ᵀ" in expressions  # a matrix transpose stays ᵀ
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="x")
    picks = {"x[0]": x[0], "x[1:3, :]": x[1:3, :], "x[::2]": x[::2], "x[:, None]": x[:, None],
             "x[mask 3×4]": x[x.data > 3], "x[..., -1]": x[..., -1], "x[[2, 0, 1, 1, 0, …]]": x[np.array([2, 0, 1, 1, 0, 2, 2])]}
    for written, picked in picks.items():
        assert backprop_steps(picked.sum())[-1].expression == f"t1 = {written}"


def test_a_tensor_used_twice_says_its_gradient_adds_up():
    from lecture_graphs import mlp as lecture_mlp

    steps = backprop_steps(lecture_mlp()[0])
    uses = [(s.index, n) for s in steps for n in s.notes if n.startswith("t5 is used")]
    assert uses == [(5, "t5 is used 2 times: dt5 is the sum of what each use sends (1 of 2 so far)"),
                    (10, "t5 is used 2 times: dt5 is the sum of what each use sends (2 of 2 arrived: complete)")]
    first, second = (steps[k - 1] for k, _ in uses)
    total = first.received[first.labels.index("t5")] + second.received[second.labels.index("t5")]
    np.testing.assert_allclose(total, steps[10].upstream)  # t5 = t4 + b2 gets the sum as its upstream
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    square = backprop_steps((x * x).sum())[1]
    assert square.notes == ("x is used 2 times: dx is the sum of what each use sends (2 of 2 arrived: complete)",)


def test_the_layer_view_leaves_the_step_numbers_alone():
    from lecture_graphs import mlp as lecture_mlp

    steps = backprop_steps(lecture_mlp()[0], collapse=True)
    layers = steps.layers  # the loss box, then the primitives outside it, numbered 2, 3, ...
    assert [item.index for item in layers] == list(range(1, len(layers) + 1))
    assert [s.index for s in steps] == list(range(1, len(steps) + 1))
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', steps.to_html(),
                                re.S).group(1))
    titles = [item["title"] for item in data["views"]["ops"]["steps"][1:]]
    assert titles == [f"Step {k} of {len(steps)}" for k in range(1, len(steps) + 1)]
    forward = json.loads(re.search(r'id="data">(.*?)</script>', steps.to_html(mode="forward"), re.S).group(1))
    assert [c["label"] for c in forward["views"]["ops"]["steps"][0]["cards"]] == ["X", "W1", "b1", "W2", "b2"]


def test_batchnorm_rule_is_the_gradient_the_engine_computes():
    """The layer view's BatchNorm rule, evaluated as written, with γ ≠ 1."""
    nn = pytest.importorskip("nn")
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(5)
    with autograd.no_grad():
        bn.weight[...] = rng.uniform(0.5, 2.0, 5)
    x = Tensor(rng.standard_normal((4, 5)), requires_grad=True, name="x")
    dy = rng.standard_normal((4, 5))
    steps = backprop_steps(bn(x), gradient=dy, collapse=True)
    (layer,) = steps.layers
    assert layer.rules[0] == ("dx = (dx̂ − mean(dx̂) − x̂ ⊙ mean(dx̂ ⊙ x̂)) / σ, with dx̂ = d(1 out) ⊙ γ, "
                              "x̂ = (x − μ)/σ, σ = √(var + ε), means over the batch").replace("1 out", "BatchNorm1d out")
    sigma = np.sqrt(x.data.var(axis=0) + bn.eps)
    x_hat, dx_hat = (x.data - x.data.mean(axis=0)) / sigma, dy * bn.weight.data
    rule = (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0)) / sigma
    np.testing.assert_allclose(rule, x.grad.data, rtol=1e-10, atol=1e-12)
