"""Command line: draw an expression's graph, step through its backward pass, or run the lecture demo.

    python -m autograd demo
    python -m autograd draw  "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg
    python -m autograd steps "(x + y) * z" x=-2 y=5 z=-4 -o backprop.html
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from autograd import Tensor
from autograd.engine import toposort
from autograd.viz import DotNotFoundError, GraphTooLargeError, GraphvizTimeoutError, backprop_steps, draw_graph
from autograd.viz.dot import DEFAULT_MAX_NODES, TIMEOUT
from autograd.viz.expression import FUNCTIONS, ExpressionError, evaluate, parse_variables

EXIT_REFUSED = 2  # bad expression or arguments (argparse uses 2 as well)
EXIT_GRAPHVIZ = 1  # Graphviz is missing, or gave up on the layout

EXPRESSION_HELP = (
    "an arithmetic expression in the variables: names, numbers, + - * / **, unary minus, parentheses "
    f"and the functions {', '.join(sorted(FUNCTIONS))} (max/min take two arguments). Nothing else is "
    "accepted and nothing is executed. An expression that starts with '-' goes after the options and --: "
    "draw -o out.svg -- \"-x * y\" x=1 y=2 (or write it as \"(-x) * y\")."
)
VARIABLES_HELP = "values as name=value (x=-2), or name=v1,v2,... for a vector; every variable gets a gradient"


def gate_example() -> tuple:
    """The lecture's gate example f = (x + y) * z at x=-2, y=5, z=-4, freshly built."""
    x = Tensor(-2.0, requires_grad=True, name="x")
    y = Tensor(5.0, requires_grad=True, name="y")
    z = Tensor(-4.0, requires_grad=True, name="z")
    q = x + y
    q.name = "q"
    f = q * z
    f.name = "f"
    return x, y, z, q, f


def demo(directory: str | Path = ".") -> int:
    """Print the gate example's values, gradients and step table; write graph.svg and backprop.html."""
    x, y, z, q, f = gate_example()
    q.retain_grad()
    f.retain_grad()
    f.backward()
    print("f = (x + y) * z  at x=-2, y=5, z=-4")
    print(f"forward:  q = x + y = {q.item():g},  f = q * z = {f.item():g}")
    print(f"backward: df/dx = {x.grad.item():g},  df/dy = {y.grad.item():g},  df/dz = {z.grad.item():g}")
    print()
    steps = backprop_steps(gate_example()[-1])
    print(steps.table())
    print()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    drawing = draw_graph(f)
    try:
        svg = _write_drawing(drawing, directory / "graph.svg")
        page = steps.save_html(directory / "backprop.html", mode="both", title="f = (x + y) * z, step by step")
    except DotNotFoundError as error:
        source = directory / "graph.gv"
        source.write_text(drawing.source, encoding="utf-8")
        print(f"wrote the graph's DOT text to {source.resolve()}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_GRAPHVIZ
    print(f"graph:        {svg.resolve()}")
    print(f"step by step: {page.resolve()}   (open it in a browser; keys ← →)")
    return 0


def draw_command(args) -> int:
    result = _build(args)
    _note_inf_nan(result)
    drawing = draw_graph(result, rankdir=args.rankdir, show_values=not args.no_values, show_grads=not args.no_grads,
                         show_shapes=not args.no_shapes, number_format=args.number_format, max_nodes=args.max_nodes)
    if args.output == "-":
        print(drawing.source, end="")
        return 0
    path = _write_drawing(drawing, Path(args.output))
    print(f"wrote {path}")
    return 0


def steps_command(args) -> int:
    result = _build(args, retain=False)
    steps = backprop_steps(result, number_format=args.number_format, rankdir=args.rankdir, max_nodes=args.max_nodes)
    print(steps.table())
    _note_inf_nan(result)
    if args.frames:
        paths = steps.save_svgs(args.frames, mode=args.mode)
        print(f"wrote {len(paths)} SVG frames to {Path(args.frames)}/")
    if args.output:
        page = steps.save_html(args.output, mode=args.mode, title=f"{args.expression}, step by step")
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
    variables = parse_variables(args.variables)
    result, leaves = evaluate(args.expression, variables)
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


def _write_drawing(drawing, path: Path) -> Path:
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


def _node_limit(text: str) -> int | None:
    """--max-nodes N: a number of nodes, or 0 for no limit (None)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of nodes (0 for no limit), got {text!r}")
    return int(text) or None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograd",
        description="Draw computational graphs and step through backpropagation.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "examples:\n"
            "  python -m autograd demo\n"
            '  python -m autograd draw  "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg\n'
            '  python -m autograd steps "(x + y) * z" x=-2 y=5 z=-4 -o backprop.html\n'
            '  python -m autograd steps "sigmoid(w0*x0 + w1*x1 + w2)" w0=2 x0=-1 w1=-3 x1=-2 w2=-3\n'
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="{demo,draw,steps}")

    demo_parser = commands.add_parser("demo", help="the lecture's gate example: numbers, step table, SVG and HTML",
                                      description="Print f = (x + y) * z's values, gradients and backprop steps, "
                                                  "and write graph.svg and backprop.html.")
    demo_parser.add_argument("-d", "--directory", default=".", help="where to write the files (default: here)")

    for name, help_text, default_output in (
        ("draw", "draw an expression's graph with values and gradients", "graph.svg"),
        ("steps", "print the backward pass step by step and write the HTML page", "backprop.html"),
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        sub.add_argument("expression", help=EXPRESSION_HELP)
        sub.add_argument("variables", nargs="*", metavar="name=value", help=VARIABLES_HELP)
        sub.add_argument("-o", "--output", default=default_output,
                         help=f"output file (default: {default_output})"
                              + ("; .svg .png .pdf, .gv/.dot for DOT text, '-' prints DOT" if name == "draw" else ""))
        sub.add_argument("--rankdir", choices=("LR", "TB"), default="LR", help="left to right (LR) or top down (TB)")
        sub.add_argument("--number-format", default=".4g", help="format spec for numbers (default: .4g)")
        sub.add_argument("--max-nodes", type=_node_limit, default=DEFAULT_MAX_NODES, metavar="N",
                         help=f"refuse to draw graphs larger than this (default: {DEFAULT_MAX_NODES}; 0: no limit)")
        if name == "draw":
            sub.add_argument("--no-values", action="store_true", help="hide the values")
            sub.add_argument("--no-grads", action="store_true", help="hide the gradients")
            sub.add_argument("--no-shapes", action="store_true", help="hide shapes of vectors")
        else:
            sub.add_argument("--mode", choices=("backward", "forward", "both"), default="backward",
                             help="backward (gradients fill in), forward (values appear) or both")
            sub.add_argument("--frames", metavar="DIR", help="also write numbered SVG frames into DIR")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # inf and nan (1/0, log(-1)) are drawn as they are, with one note instead of numpy's warnings
        with np.errstate(all="ignore"):
            if args.command in (None, "demo"):
                return demo(getattr(args, "directory", "."))
            return draw_command(args) if args.command == "draw" else steps_command(args)
    except ExpressionError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except GraphTooLargeError as error:
        print(f"error: the graph {error.size}; it would be unreadable and Graphviz could take minutes to lay it "
              f"out. Pass --max-nodes {error.max_nodes_needed} (or --max-nodes 0 for no limit) to draw it anyway, "
              "or draw a shorter expression.", file=sys.stderr)
        return EXIT_REFUSED
    except GraphvizTimeoutError:
        print(f"error: Graphviz could not lay the graph out within {TIMEOUT} s and was stopped: the graph is too "
              "large or too tangled. Draw a shorter expression, or write the DOT text (-o graph.gv) and run "
              "Graphviz on it yourself.", file=sys.stderr)
        return EXIT_GRAPHVIZ
    except DotNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_GRAPHVIZ
    except ValueError as error:  # e.g. a bad --number-format
        print(f"error: {error}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
