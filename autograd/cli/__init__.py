"""Command line: draw an expression's graph, step through its backward pass, or run the lecture demo.

    python -m autograd demo
    python -m autograd draw  "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg
    python -m autograd steps "(x + y) * z" x=-2 y=5 z=-4 -o backprop.html
    python -m autograd steps "h = relu(X @ W1 + b1); loss = cross_entropy(h @ W2 + b2, y)" \
        X="randn(4,3)" W1="0.5*randn(3,5)" b1="zeros(5)" W2="0.5*randn(5,3)" b2="zeros(3)" y=[0,2,1,0] --constant X

expression.py parses the expression safely, commands.py runs `draw` and `steps`, demo.py the demo.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from autograd.cli.commands import (
    EXIT_GRAPHVIZ,
    EXIT_REFUSED,
    draw_command,
    steps_command,
)
from autograd.cli.demo import demo, gate_example
from autograd.cli.expression import FUNCTIONS, ExpressionError
from autograd.viz import DotNotFoundError, GraphTooLargeError, GraphvizTimeoutError
from autograd.viz.limits import DEFAULT_MAX_NODES, TIMEOUT

__all__ = ["main", "build_parser", "demo", "gate_example"]

EXPRESSION_HELP = (
    "an arithmetic expression in the variables: names, numbers, + - * / ** @ (matrix product), unary minus, "
    f"parentheses and the functions {', '.join(sorted(FUNCTIONS))} (max/min/cross_entropy take two "
    "arguments); name intermediate results with assignments separated by ';': \"h = relu(X @ W); sum(h)\". "
    "Nothing else is accepted and nothing is executed. An expression that starts with '-' goes after the "
    "options and --: draw -o out.svg -- \"-x * y\" x=1 y=2 (or write it as \"(-x) * y\")."
)
VARIABLES_HELP = ("values as name=value: a number (x=-2), a vector (w=1,2,3), nested lists (X=[[1,2],[3,4]]), or "
                  "randn/zeros/ones with a shape (W=0.5*randn(3,5), seeded by --seed); every variable gets a "
                  "gradient, except those named by --constant and integer labels (y=[0,2,1])")


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
            '  python -m autograd steps "h = relu(X @ W1 + b1); loss = cross_entropy(h @ W2 + b2, y)" '
            'X="randn(4,3)" W1="0.5*randn(3,5)" b1="zeros(5)" W2="0.5*randn(5,3)" b2="zeros(3)" y=[0,2,1,0] '
            '--constant X\n'
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
        sub.add_argument("--seed", type=int, default=0, help="seed for randn(...) values (default: 0)")
        sub.add_argument("--load", metavar="FILE.npz", action="append", default=[],
                         help="take variables from the named arrays of a .npz file (loaded without pickle)")
        sub.add_argument("--constant", metavar="NAMES", default="",
                         help="comma-separated variables that get no gradient (data such as X)")
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
            sub.add_argument("--quiz", action="store_true", help="open the page in quiz mode (gradients hidden)")
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
    except BrokenPipeError:  # the output went to a pager or `head` that stopped reading
        return 0
    except OSError as error:  # an output path that cannot be written
        where = f" {error.filename}" if error.filename else ""
        print(f"error: cannot write{where}: {error.strerror or error}", file=sys.stderr)
        return EXIT_REFUSED
