"""The `draw` and `steps` commands: build an expression's graph and write its drawing or step page."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from autograd import Tensor
from autograd.cli.expression import ExpressionError, evaluate, load_arrays, parse_variables
from autograd.engine import toposort
from autograd.viz import backprop_steps, draw_graph

EXIT_REFUSED = 2  # bad expression or arguments (argparse uses 2 as well)
EXIT_GRAPHVIZ = 1  # Graphviz is missing, or gave up on the layout


def draw_command(args) -> int:
    result = _build(args)
    _note_inf_nan(result)
    drawing = draw_graph(result, rankdir=args.rankdir, show_values=not args.no_values, show_grads=not args.no_grads,
                         show_shapes=not args.no_shapes, number_format=args.number_format, max_nodes=args.max_nodes)
    if args.output == "-":
        print(drawing.source, end="")
        return 0
    path = write_drawing(drawing, Path(args.output))
    print(f"wrote {path}")
    return 0


def steps_command(args) -> int:
    if args.output and Path(args.output).suffix.lower() not in (".html", ".htm"):
        raise ExpressionError(
            f"steps writes an HTML page, so {args.output!r} should end in .html (e.g. -o backprop.html); for "
            "SVG pictures of every step use --frames DIR, for one drawing use the draw command"
        )
    result = _build(args, retain=False)
    steps = backprop_steps(result, number_format=args.number_format, rankdir=args.rankdir, max_nodes=args.max_nodes)
    print(steps.table())
    _note_inf_nan(result)
    if args.frames:
        paths = steps.save_svgs(args.frames, mode=args.mode)
        print(f"wrote {len(paths)} SVG frames to {Path(args.frames)}/")
    if args.output:
        page = steps.save_html(args.output, mode=args.mode, title=f"{args.expression}, step by step", quiz=args.quiz)
        print(f"wrote {page}")
    return 0


def _build(args, retain: bool = True) -> Tensor:
    """Parse the expression, build its graph and (for drawing) run backward with every gradient kept."""
    misplaced = [text for text in args.variables if text.startswith("-")]
    if misplaced:
        raise ExpressionError(
            f"{misplaced[0]!r} came after the expression and --, so it was read as a variable; put the options "
            f"first: draw -o out.svg -- \"-x\" x=1"
        )
    variables = {}
    for path in args.load:
        variables.update(load_arrays(path))
    variables.update(parse_variables(args.variables, args.seed))
    constants = {name.strip() for name in args.constant.split(",") if name.strip()}
    unknown = sorted(constants - set(variables))
    if unknown:
        raise ExpressionError(f"--constant names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
                              "not given a value")
    result, leaves = evaluate(args.expression, variables, constants)
    unused = sorted(set(variables) - set(leaves))
    if unused:
        print(f"note: {', '.join(unused)} not used in the expression", file=sys.stderr)
    if result.ndim != 0 and result.size != 1:
        raise ExpressionError(
            f"the expression's value has shape {result.shape}, not a single number; wrap it in sum(...) or mean(...)"
        )
    if result.name is None:
        result.name = "f" if "f" not in leaves else "out"
    if retain:
        for tensor in _intermediates(result):
            tensor.retain_grad()
        result.backward()
    return result


def _intermediates(root: Tensor) -> list:
    return [t for t in toposort([root]) if t.grad_fn is not None]


def _note_inf_nan(result: Tensor) -> None:
    """One note, instead of numpy's warnings, when a value or gradient is inf or nan."""
    tensors = toposort([result], needs_grad_only=False)
    arrays = [t.data for t in tensors] + [t.grad.data for t in tensors if t.grad is not None]
    if not all(np.isfinite(array).all() for array in arrays):
        print("note: some values or gradients are inf or nan (a division by zero, the log or square root of a "
              "negative number, or an overflow?)", file=sys.stderr)


def write_drawing(drawing, path: Path) -> Path:
    """Write by suffix: .svg .png .pdf render with Graphviz; .gv .dot write the DOT text."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("gv", "dot"):
        path.write_text(drawing.source, encoding="utf-8")
    elif suffix in ("svg", "png", "pdf"):
        if suffix == "png":
            drawing.graph_attr["dpi"] = "150"
        path.write_bytes(drawing.pipe(format=suffix))
    else:
        raise ExpressionError(f"cannot write {path.name!r}: use a file name ending in .svg, .png, .pdf, .gv or .dot")
    return path
