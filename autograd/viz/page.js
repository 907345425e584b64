// The step page (see autograd/viz/page.py): draws the active step from the page's data, highlights
// it in the overview, pans and zooms the overview, runs the layer view and the quiz. No network,
// no libraries; user text is only ever set with textContent.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("data").textContent);
  // px at 1280×720 (the page scales with the window, page.css): the overview's node text is shown at
  // least READABLE px around the active node, or the whole graph when all of its text is at least SMALLEST px
  var READABLE = 13, SMALLEST = 12;
  function pageScale() { return parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1; }
  var state = {view: DATA.start, pos: 0, expanded: {}, quiz: DATA.quiz, answers: {}, right: 0, asked: 0};
  var $ = function (id) { return document.getElementById(id); };

  // ----- the sequence of steps in the current view ---------------------------------------------------
  function sequence() {
    if (state.view === "ops") {
      return DATA.views.ops.steps.map(function (_, i) { return {view: "ops", i: i}; });
    }
    var out = [];
    DATA.views.layers.steps.forEach(function (item, i) {
      if (state.expanded[i] && item.children) {
        item.children.forEach(function (c) { out.push({view: "ops", i: c, parent: i}); });
      } else {
        out.push({view: "layers", i: i});
      }
    });
    return out;
  }
  function itemOf(ref) { return DATA.views[ref.view].steps[ref.i]; }

  // ----- the overview: one SVG per view, pan and zoom -----------------------------------------------
  var panes = {};
  Array.prototype.forEach.call(document.querySelectorAll(".pane"), function (el) {
    el.hidden = false;  // measured while shown (a hidden SVG has no boxes)
    var svg = el.querySelector("svg");
    var base = svg.viewBox.baseVal;
    var pane = {el: el, svg: svg, nodes: {}, box: {x: base.x, y: base.y, w: base.width, h: base.height},
                full: {x: base.x, y: base.y, w: base.width, h: base.height}, fresh: true};
    Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (g) {
      var title = g.querySelector("title");
      var texts = g.querySelectorAll("text");
      var grad = null, value = null;
      Array.prototype.forEach.call(texts, function (t) {
        if (t.getAttribute("fill") === "#c0392b") { grad = t; }
      });
      if (texts.length > 1 && texts[1] !== grad && texts[0].getAttribute("font-weight") === "bold") { value = texts[1]; }
      pane.nodes[title.textContent] = {g: g, grad: grad, value: value,
                                       gradText: grad ? grad.textContent : null, valueText: value ? value.textContent : null};
      centreText(g, grad); centreText(g, value);
    });
    panes[el.getAttribute("data-view")] = pane;
    attachPanZoom(pane);
  });

  function centreText(g, text) {
    if (!text) { return; }
    var shape = g.querySelector("polygon, ellipse, path");
    if (!shape) { return; }
    var b = shape.getBBox();
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("x", String(b.x + b.width / 2));
  }

  function apply(pane) {
    var b = pane.box;
    ["x", "y", "w", "h"].forEach(function (k) { b[k] = Math.round(b[k] * 100) / 100; });
    pane.svg.setAttribute("viewBox", [b.x, b.y, b.w, b.h].join(" "));
  }
  function scaleOf(pane) {  // screen px per SVG unit (preserveAspectRatio: meet)
    var r = pane.el.getBoundingClientRect();
    return Math.min(r.width / pane.box.w, r.height / pane.box.h);
  }
  function zoom(pane, factor, cx, cy) {  // cx, cy: the SVG point that stays put
    var b = pane.box;
    if (cx === undefined) { cx = b.x + b.w / 2; cy = b.y + b.h / 2; }
    var w = b.w / factor, h = b.h / factor;
    pane.box = {x: cx - (cx - b.x) / factor, y: cy - (cy - b.y) / factor, w: w, h: h};
    apply(pane);
  }
  function pan(pane, dxPx, dyPx) {
    var s = scaleOf(pane);
    pane.box.x -= dxPx / s; pane.box.y -= dyPx / s;
    apply(pane);
  }
  function fit(pane) {
    var f = pane.full;
    pane.box = {x: f.x, y: f.y, w: f.w, h: f.h};
    apply(pane);
  }
  function svgRect(pane, el) {  // an element's bounding box in the SVG's viewBox coordinates
    var m = pane.svg.getScreenCTM().inverse();
    var r = el.getBoundingClientRect();
    var p = pane.svg.createSVGPoint();
    p.x = r.left; p.y = r.top; var a = p.matrixTransform(m);
    p.x = r.right; p.y = r.bottom; var c = p.matrixTransform(m);
    return {x: a.x, y: a.y, w: c.x - a.x, h: c.y - a.y};
  }
  function fontOf(pane) {  // the overview's smallest node font size in SVG units
    if (!pane.font) {
      var sizes = Array.prototype.map.call(pane.svg.querySelectorAll("g.node text"), function (t) {
        return parseFloat(t.getAttribute("font-size")) || 11;
      });
      pane.font = sizes.length ? Math.min.apply(null, sizes) : 11;
    }
    return pane.font;
  }
  function centreOn(pane, el) {
    var r = pane.el.getBoundingClientRect();
    if (!r.width || !r.height) { return; }
    var f = pane.full, font = fontOf(pane), px = pageScale();
    var fitScale = Math.min(r.width / f.w, r.height / f.h);
    if (fitScale * font >= SMALLEST * px) {  // the whole graph is readable: show all of it
      var s = Math.min(fitScale, 2.4 * px);
      var w = r.width / s, h = r.height / s;
      pane.box = {x: f.x + f.w / 2 - w / 2, y: f.y + f.h / 2 - h / 2, w: w, h: h};
      apply(pane);
      return;
    }
    var scale = Math.max(scaleOf(pane), READABLE * px / font);
    if (pane.fresh) { scale = 1.25 * READABLE * px / font; pane.fresh = false; }
    scale = Math.min(scale, 3 * px);
    var bw = r.width / scale, bh = r.height / scale;
    pane.box = {x: pane.box.x, y: pane.box.y, w: bw, h: bh};
    apply(pane);
    if (!el) { return; }
    var n = svgRect(pane, el);
    pane.box.x = n.x + n.w / 2 - bw / 2;
    pane.box.y = n.y + n.h / 2 - bh / 2;
    keepInside(pane.box, f);
    apply(pane);
  }
  function keepInside(b, f) {  // no empty margin beside the graph: the active node may sit off centre
    b.x = b.w >= f.w ? f.x + f.w / 2 - b.w / 2 : Math.min(Math.max(b.x, f.x), f.x + f.w - b.w);
    b.y = b.h >= f.h ? f.y + f.h / 2 - b.h / 2 : Math.min(Math.max(b.y, f.y), f.y + f.h - b.h);
  }

  function attachPanZoom(pane) {
    var drag = null;
    pane.el.addEventListener("pointerdown", function (e) {
      drag = {x: e.clientX, y: e.clientY, moved: false};
      pane.el.setPointerCapture(e.pointerId);
    });
    pane.el.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; pane.el.classList.add("dragging"); }
      if (drag.moved) { pan(pane, dx, dy); drag.x = e.clientX; drag.y = e.clientY; }
    });
    pane.el.addEventListener("pointerup", function (e) {
      var wasDrag = drag && drag.moved;
      drag = null; pane.el.classList.remove("dragging");
      if (!wasDrag) { clickNode(pane, e); }
    });
    pane.el.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = pane.svg.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
      var c = p.matrixTransform(pane.svg.getScreenCTM().inverse());
      zoom(pane, e.deltaY < 0 ? 1.15 : 1 / 1.15, c.x, c.y);
    }, {passive: false});
  }

  function clickNode(pane, e) {  // a click on an operation or a layer box jumps to its step
    var target = document.elementFromPoint(e.clientX, e.clientY);
    var g = target && target.closest ? target.closest("g.node") : null;
    if (!g) { return; }
    var id = g.querySelector("title").textContent;
    var seq = sequence();
    for (var k = 0; k < seq.length; k++) {
      var item = itemOf(seq[k]);
      if (item.highlight === id && item.kind !== "forward") { go(k); return; }
    }
  }

  // ----- drawing a step ----------------------------------------------------------------------------
  function matrix(gridIndex, isGrad) {
    var grid = DATA.grids[gridIndex];
    var wrap = document.createElement("div");
    if (grid.rows.length === 1 && grid.rows[0].length === 1 && !grid.note) {
      var v = document.createElement("div");
      v.className = "scalar-value" + (isGrad ? " grad" : "");
      v.textContent = grid.rows[0][0];
      wrap.appendChild(v);
      return wrap;
    }
    var table = document.createElement("table");
    table.className = "matrix" + (isGrad ? " grad" : "");
    grid.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell;
        if (cell === "⋯" || cell === "⋮" || cell === "⋱") { td.className = "gap"; }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    wrap.appendChild(table);
    if (grid.note) {
      var note = document.createElement("div");
      note.className = "matrix-note";
      note.textContent = grid.note;
      wrap.appendChild(note);
    }
    return wrap;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function card(c, key, hidden) {
    var box = el("div", "card " + c.role);
    box.setAttribute("data-node", c.node);
    var h = el("h3");
    h.appendChild(el("b", null, c.label));
    h.appendChild(el("span", "shape", c.shape));
    h.appendChild(el("span", "role", c.role));
    box.appendChild(h);
    if (c.value !== null && c.value !== undefined) { box.appendChild(matrix(c.value, false)); }
    if (c.grad !== undefined && c.grad !== null) {
      box.appendChild(el("div", "grad-title", c.gradTitle));
      if (hidden && c.quiz) {
        box.appendChild(quizForm(c, key));
      } else {
        var g = matrix(c.grad, true);
        g.className = "grad-value";
        box.appendChild(g);
        if (c.quiz && state.answers[key] && state.answers[key].verdict) {
          box.appendChild(el("div", "verdict " + (state.answers[key].ok ? "right" : "wrong"), state.answers[key].verdict));
        }
      }
    }
    return box;
  }

  // The matrices' text size: as large as fits the cards on one row with the focus view at most FOCUS of
  // the window's height (the overview keeps the rest), else the largest on one row, never below 12 px.
  var SIZES = ["larger", "large", "", "small", "smaller"], FOCUS = 0.55;
  function fitCards(cards) {
    function use(size) {
      SIZES.forEach(function (s) { if (s) { cards.classList.toggle(s, s === size); } });
    }
    function oneRow() {
      var boxes = cards.children;
      return !boxes.length || boxes[boxes.length - 1].offsetTop === boxes[0].offsetTop;
    }
    var focus = $("focus"), k;
    for (k = 0; k < SIZES.length; k++) {
      use(SIZES[k]);
      if (oneRow() && focus.scrollHeight <= FOCUS * innerHeight) { return; }
    }
    for (k = 2; k < SIZES.length; k++) {
      use(SIZES[k]);
      if (oneRow()) { return; }
    }
  }

  function current() { var seq = sequence(); return {seq: seq, ref: seq[state.pos]}; }
  function keyOf(ref) { return ref.view + ":" + ref.i; }

  function quizHidden(ref, item) {
    if (!state.quiz || item.kind === "forward" || item.kind === "seed") { return false; }
    if (!item.cards.some(function (c) { return c.quiz; })) { return false; }  // nothing to ask here
    var answer = state.answers[keyOf(ref)];
    return !(answer && answer.done);
  }

  function render() {
    var cur = current(), ref = cur.ref, item = itemOf(ref);
    var hidden = quizHidden(ref, item);
    $("counter").textContent = (state.pos + 1) + " / " + cur.seq.length;
    $("prev").disabled = state.pos === 0;
    $("next").disabled = state.pos === cur.seq.length - 1;
    $("step-title").textContent = item.title;
    var where = item.where ? "· " + item.where : "";
    if (ref.parent !== undefined) {
      var parent = DATA.views.layers.steps[ref.parent];
      where = "· inside " + parent.expression + " (expanded: E collapses)";
    }
    $("where").textContent = where;
    $("expression").textContent = item.expression;
    var list = $("rules");
    list.textContent = "";
    (hidden ? [] : item.rules || []).forEach(function (r) { list.appendChild(el("li", "rule", r)); });
    if (hidden) {
      list.appendChild(el("li", "rule", "Quiz: what does each input receive? Type or choose (Tab: next field) · " +
                                        "Enter checks · R reveals · → skips"));
    }
    (hidden ? [] : item.notes || []).forEach(function (r) { list.appendChild(el("li", "note", r)); });
    (hidden ? [] : item.local || []).forEach(function (r) { list.appendChild(el("li", "local", r)); });
    var cards = $("cards");
    cards.textContent = "";
    var inputs = item.cards.filter(function (c) { return c.role !== "output"; });
    var outputs = item.cards.filter(function (c) { return c.role === "output"; });
    var params = inputs.filter(function (c) { return c.role === "parameter"; });
    var column = params.length > 1 && item.kind === "layer" ? el("div", "column") : null;  // a layer's W and b, stacked
    inputs.forEach(function (c, k) {
      if (k && item.symbol && inputs.length === 2) { cards.appendChild(el("div", "op-symbol", item.symbol)); }
      var box = card(c, keyOf(ref) + ":" + item.cards.indexOf(c), hidden);
      if (column && c.role === "parameter") {
        if (!column.parentNode) { cards.appendChild(column); }
        column.appendChild(box);
      } else {
        cards.appendChild(box);
      }
    });
    if (outputs.length && inputs.length) {
      cards.appendChild(el("div", "op-symbol", inputs.length === 1 && item.symbol ? item.symbol + " →" : "→"));
    }
    outputs.forEach(function (c) { cards.appendChild(card(c, keyOf(ref) + ":out", false)); });
    fitCards(cards);
    $("view").classList.toggle("on", state.view === "layers");
    $("view").disabled = !DATA.views.layers;
    $("expand").disabled = !(state.view === "layers" && (item.children || ref.parent !== undefined));
    $("expand").textContent = ref.parent !== undefined ? "collapse" : "expand";
    $("quiz").classList.toggle("on", state.quiz);
    $("score").hidden = !state.quiz;
    $("score").textContent = "score " + state.right + " / " + state.asked;
    drawOverview(ref, item, hidden);
    var first = cards.querySelector(".quiz input, .quiz select");
    if (first && hidden) { first.focus({preventScroll: true}); }
  }

  function drawOverview(ref, item, hidden) {
    var paneName = ref.view === "ops" && panes.ops ? "ops" : "layers";
    if (!panes[paneName]) { paneName = Object.keys(panes)[0]; }
    var pane = panes[paneName];
    Object.keys(panes).forEach(function (name) { panes[name].el.hidden = name !== paneName; });
    var highlight = item.highlight, involved = item.involved || [];
    if (paneName === "layers" && ref.view === "ops") {  // a primitive of an expanded layer: its box
      highlight = DATA.views.layers.steps[ref.parent].highlight;
      involved = [];
    }
    Object.keys(pane.nodes).forEach(function (id) {
      var n = pane.nodes[id];
      n.g.classList.toggle("current", id === highlight);
      n.g.classList.toggle("involved", id !== highlight && involved.indexOf(id) >= 0);
    });
    // texts: replay the changes of this view's items up to the one shown
    var view = paneName === "ops" ? "ops" : "layers";
    var upto = ref.view === view ? ref.i : ref.parent;  // a primitive of an expanded layer: its layer
    var steps = DATA.views[view].steps;
    var shown = {};
    for (var k = 0; k <= upto && k < steps.length; k++) {
      if (k === upto && hidden) { break; }  // the quiz keeps this step's gradients hidden
      var texts = steps[k].texts || {};
      Object.keys(texts).forEach(function (id) {
        var old = shown[id] || [null, null], t = texts[id];
        shown[id] = [t[0] !== null ? t[0] : old[0], t[1] !== null ? t[1] : old[1]];
      });
    }
    Object.keys(pane.nodes).forEach(function (id) {
      var n = pane.nodes[id], s = shown[id];
      if (n.grad) { n.grad.textContent = item.kind === "forward" ? "" : "grad " + (s && s[1] !== null ? s[1] : "?"); }
      if (n.value) { n.value.textContent = s && s[0] !== null ? s[0] : n.valueText; }
    });
    var target = highlight && pane.nodes[highlight] ? pane.nodes[highlight].g : null;
    centreOn(pane, target);
  }

  // ----- the quiz ------------------------------------------------------------------------------------
  function close(a, b) {
    return Math.abs(a - b) <= 1e-3 + 5e-3 * Math.abs(b);
  }
  function quizForm(c, key) {
    var q = c.quiz, form = el("div", "quiz");
    form.setAttribute("data-key", key);
    if (q.type === "number") {
      var l = el("label", null, "value:");
      var input = el("input"); input.type = "text"; input.setAttribute("data-answer", "number");
      l.appendChild(input); form.appendChild(l);
    } else {
      // compact, so that a layer's two or three questions fit beside each other: the first option names the field
      var s = el("select"); s.setAttribute("data-answer", "shape"); s.setAttribute("aria-label", "shape");
      s.appendChild(option("shape…", ""));
      q.shapes.forEach(function (x) { s.appendChild(option(x, x)); });
      form.appendChild(s);
      if (q.rules) {
        var r = el("select", "rule"); r.setAttribute("data-answer", "rule"); r.setAttribute("aria-label", "rule");
        r.appendChild(option("rule…", ""));
        q.rules.forEach(function (x, i) { r.appendChild(option(x, String(i))); });
        form.appendChild(r);
      }
      q.entries.forEach(function (e, i) {
        var le = el("label", null, e.index + " =");
        var input = el("input"); input.type = "text"; input.setAttribute("data-answer", "entry" + i);
        input.setAttribute("aria-label", "entry " + e.index);
        le.appendChild(input); form.appendChild(le);
      });
    }
    var check = el("button", null, "check"); check.type = "button";
    check.addEventListener("click", function () { checkQuiz(); });
    form.appendChild(check);
    return form;
  }
  function option(text, value) { var o = el("option", null, text); o.value = value; return o; }

  function checkQuiz(reveal) {
    var cur = current(), ref = cur.ref, item = itemOf(ref);
    if (!quizHidden(ref, item)) { return; }
    var forms = document.querySelectorAll("#cards .quiz");
    var allRight = true;
    Array.prototype.forEach.call(forms, function (form) {
      var key = form.getAttribute("data-key");
      var k = key.split(":")[2];
      var q = item.cards[Number(k)].quiz;
      var parts = [], ok = true;
      function field(name) { var f = form.querySelector("[data-answer='" + name + "']"); return f ? f.value.trim() : ""; }
      if (reveal) { ok = false; parts.push("revealed"); }
      else if (q.type === "number") {
        var v = parseFloat(field("number"));
        ok = !isNaN(v) && close(v, q.answer);
        parts.push(ok ? "right" : "wrong: " + formatNumber(q.answer));
      } else {
        var shapeOk = field("shape") === q.shape;
        parts.push("shape " + (shapeOk ? "right" : "wrong (" + q.shape + ")"));
        ok = shapeOk;
        if (q.rules) {
          var ruleOk = field("rule") === String(q.rule);
          parts.push("rule " + (ruleOk ? "right" : "wrong"));
          ok = ok && ruleOk;
        }
        q.entries.forEach(function (e, i) {
          var v = parseFloat(field("entry" + i));
          var entryOk = !isNaN(v) && close(v, e.answer);
          parts.push("entry " + e.index + " " + (entryOk ? "right" : "wrong (" + formatNumber(e.answer) + ")"));
          ok = ok && entryOk;
        });
      }
      state.asked += 1;
      if (ok) { state.right += 1; }
      allRight = allRight && ok;
      state.answers[key] = {ok: ok, verdict: (ok ? "✓ " : "✗ ") + parts.join(" · ")};
    });
    state.answers[keyOf(ref)] = {done: true, ok: allRight};
    render();
  }
  function formatNumber(x) { return Number(x.toPrecision(4)).toString(); }

  // ----- navigation ------------------------------------------------------------------------------------
  function go(k) {
    var n = sequence().length;
    state.pos = Math.max(0, Math.min(n - 1, k));
    render();
  }
  function setView(view) {
    if (!DATA.views[view] || view === state.view) { return; }
    var ref = current().ref, item = itemOf(ref);
    state.view = view;
    var seq = sequence();
    var k = 0;
    for (var j = 0; j < seq.length; j++) {  // stay near the same place in the backward pass
      var other = itemOf(seq[j]);
      if (other.highlight === item.highlight || (other.children && other.children.indexOf(ref.i) >= 0)) { k = j; break; }
    }
    state.pos = k;
    render();
  }
  function toggleExpand() {
    if (state.view !== "layers") { return; }
    var ref = current().ref;
    var layer = ref.parent !== undefined ? ref.parent : ref.i;
    if (ref.view === "layers" && !itemOf(ref).children) { return; }
    state.expanded[layer] = !state.expanded[layer];
    var seq = sequence();
    for (var j = 0; j < seq.length; j++) {
      if ((seq[j].view === "layers" && seq[j].i === layer) || seq[j].parent === layer) { state.pos = j; break; }
    }
    render();
  }

  $("prev").addEventListener("click", function () { go(state.pos - 1); });
  $("next").addEventListener("click", function () { go(state.pos + 1); });
  $("view").addEventListener("click", function () { setView(state.view === "ops" ? "layers" : "ops"); });
  $("expand").addEventListener("click", toggleExpand);
  $("quiz").addEventListener("click", function () { state.quiz = !state.quiz; render(); });
  $("help-button").addEventListener("click", function () { $("help").hidden = !$("help").hidden; });

  document.addEventListener("keydown", function (e) {
    var typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "SELECT");
    if (typing) {  // a quiz field: its answers are numbers and choices, so R can still reveal
      if (e.key === "Enter") { e.preventDefault(); checkQuiz(); return; }
      if (e.key === "Escape") { e.target.blur(); return; }
      if (e.key === "r" || e.key === "R") { e.preventDefault(); checkQuiz(true); return; }
      var moves = ["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(e.key) >= 0;
      var empty = e.target.tagName === "SELECT" || !e.target.value;  // the caret has nowhere to go
      if (!(moves && empty && !e.shiftKey) && e.key !== "PageDown" && e.key !== "PageUp") { return; }
    }
    var pane = panes[Object.keys(panes).filter(function (n) { return !panes[n].el.hidden; })[0]];
    var step = 80;
    if (e.shiftKey && e.key.indexOf("Arrow") === 0) {
      var d = {ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step]}[e.key];
      pan(pane, d[0], d[1]);
    } else if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") { go(state.pos + 1); }
    else if (e.key === "ArrowLeft" || e.key === "PageUp") { go(state.pos - 1); }
    else if (e.key === "Home") { go(0); }
    else if (e.key === "End") { go(sequence().length - 1); }
    else if (e.key === "+" || e.key === "=") { zoom(pane, 1.25); }
    else if (e.key === "-" || e.key === "_") { zoom(pane, 0.8); }
    else if (e.key === "0") { fit(pane); }
    else if (e.key === "w" || e.key === "W") { pan(pane, 0, step); }
    else if (e.key === "s" || e.key === "S") { pan(pane, 0, -step); }
    else if (e.key === "a" || e.key === "A") { pan(pane, step, 0); }
    else if (e.key === "d" || e.key === "D") { pan(pane, -step, 0); }
    else if (e.key === "l" || e.key === "L") { setView(state.view === "ops" ? "layers" : "ops"); }
    else if (e.key === "e" || e.key === "E") { toggleExpand(); }
    else if (e.key === "q" || e.key === "Q") { state.quiz = !state.quiz; render(); }
    else if (e.key === "r" || e.key === "R") { checkQuiz(true); }
    else if (e.key === "Enter") { checkQuiz(); }
    else if (e.key === "?") { $("help").hidden = !$("help").hidden; }
    else { return; }
    e.preventDefault();
  });
  window.addEventListener("resize", function () { render(); });

  window.chalkgrad = {state: state, go: go, setView: setView, toggleExpand: toggleExpand, panes: panes,
                      sequence: sequence, item: function () { return itemOf(current().ref); }};
  render();
})();
