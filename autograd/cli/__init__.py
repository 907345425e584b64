"""Command line: draw an expression's graph, step through its backward pass, or run the lecture demo.

    python -m autograd demo
    python -m autograd draw  "(x + y) * z" x=-2 y=5 z=-4 -o graph.svg
    python -m autograd steps "(x + y) * z" x=-2 y=5 z=-4 -o backprop.html

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
    "an arithmetic expression in the variables: names, numbers, + - * / **, unary minus, parentheses "
    f"and the functions {', '.join(sorted(FUNCTIONS))} (max/min take two arguments). Nothing else is "
    "accepted and nothing is executed. An expression that starts with '-' goes after the options and --: "
    "draw -o out.svg -- \"-x * y\" x=1 y=2 (or write it as \"(-x) * y\")."
)
VARIABLES_HELP = "values as name=value (x=-2), or name=v1,v2,... for a vector; every variable gets a gradient"


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
