"""Safe expressions for the command line: "(x + y) * z" with x=-2 y=5 z=-4 -> a Tensor graph.

The text is parsed with Python's `ast` and only a whitelist is accepted: variable names,
numbers, + - * / **, unary minus/plus, parentheses and calls to the functions in
FUNCTIONS. The tree is then walked by hand; nothing is ever passed to eval or exec,
so `__import__('os').system(...)` is refused before anything runs.
"""
from __future__ import annotations

import ast

import numpy as np

from autograd.routines import maximum, minimum
from autograd.tensor import Tensor, as_tensor

MAX_LENGTH = 500  # characters; keeps parsing and evaluation small


def _sum(x):
    return as_tensor(x).sum()


def _mean(x):
    return as_tensor(x).mean()


FUNCTIONS = {
    "exp": lambda x: as_tensor(x).exp(),
    "log": lambda x: as_tensor(x).log(),
    "sqrt": lambda x: as_tensor(x).sqrt(),
    "abs": lambda x: as_tensor(x).abs(),
    "sin": lambda x: as_tensor(x).sin(),
    "cos": lambda x: as_tensor(x).cos(),
    "tanh": lambda x: as_tensor(x).tanh(),
    "sigmoid": lambda x: as_tensor(x).sigmoid(),
    "relu": lambda x: as_tensor(x).relu(),
    "max": maximum,
    "min": minimum,
    "sum": _sum,
    "mean": _mean,
}
ARITY = {"max": 2, "min": 2}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(ValueError):
    """The expression or a variable's value is not accepted; the message says why."""


def parse_variables(assignments) -> dict:
    """['x=-2', 'y=5', 'w=1,2,3'] -> {'x': -2.0, 'y': 5.0, 'w': array([1., 2., 3.])}."""
    values = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"variables are given as name=value (e.g. x=-2), got {text!r}")
        try:
            numbers = [float(part) for part in value.split(",")]
        except ValueError:
            raise ExpressionError(
                f"the value of {name} must be a number (x=-2) or comma-separated numbers (w=1,2,3), got {value!r}"
            ) from None
        if name in values:
            raise ExpressionError(f"{name} is given twice ({name}={_shown(values[name])} and {text}); give each "
                                  "variable once")
        values[name] = numbers[0] if len(numbers) == 1 else np.array(numbers)
    return values


def _shown(value) -> str:
    return ",".join(f"{v:g}" for v in np.atleast_1d(value))


def evaluate(text: str, variables: dict) -> tuple:
    """Build the graph of `text`; returns (result, {name: leaf Tensor}).

    Each variable becomes a leaf Tensor with requires_grad=True and its name."""
    tree = parse(text)
    leaves = {name: Tensor(value, requires_grad=True, name=name) for name, value in variables.items()}
    used = set()
    try:
        result = _Evaluator(leaves, used).visit(tree.body)
    except OverflowError:
        raise ExpressionError(f"cannot compute {text!r}: a number is too large for a float (overflow)") from None
    except ZeroDivisionError:
        raise ExpressionError(f"cannot compute {text!r}: division by zero between two constants") from None
    if not isinstance(result, Tensor) or not result.requires_grad:
        raise ExpressionError(f"{text!r} does not depend on any variable, so it has no graph to draw or differentiate")
    return result, {name: leaf for name, leaf in leaves.items() if name in used}


def parse(text: str) -> ast.Expression:
    """Parse and check `text`; raises ExpressionError for anything outside the whitelist."""
    text = text.strip()  # ' -x' (a leading space keeps argparse from reading '-x' as an option)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"{text!r} is not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"{text!r} is too deeply nested or not valid") from None
    for node in ast.walk(tree):
        _check(node)
    return tree


def _check(node) -> None:
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load, ast.UAdd, ast.USub,
               *OPERATORS)
    if not isinstance(node, allowed):
        raise ExpressionError(
            f"{_describe(node)} is not allowed; expressions may use variable names, numbers, + - * / **, "
            f"parentheses and the functions {', '.join(sorted(FUNCTIONS))}"
        )
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
        raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError(f"names starting with '_' are not allowed ({node.id!r})")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExpressionError(
                f"calling {called!r} is not allowed; the functions available are {', '.join(sorted(FUNCTIONS))}"
            )
        if node.keywords:
            raise ExpressionError(
                f"keyword arguments are not allowed: {node.func.id}() takes positional arguments only")
        if len(node.args) != ARITY.get(node.func.id, 1):
            expected = ARITY.get(node.func.id, 1)
            raise ExpressionError(f"{node.func.id}() takes {expected} argument(s), got {len(node.args)}")


def _describe(node) -> str:
    kinds = {ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing ('[...]')", ast.Lambda: "lambda",
             ast.Compare: "comparison", ast.BoolOp: "and/or", ast.IfExp: "if/else", ast.Starred: "'*' unpacking",
             ast.keyword: "keyword arguments", ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'",
             ast.JoinedStr: "f-strings", ast.NamedExpr: "':='"}
    return next((text for kind, text in kinds.items() if isinstance(node, kind)), f"{type(node).__name__!r}")


class _Evaluator:
    """Walks a checked tree; numbers stay Python floats (a constant node in the graph)."""

    def __init__(self, leaves: dict, used: set):
        self.leaves = leaves
        self.used = used

    def visit(self, node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function; call it like {node.id}(x)")
            if node.id not in self.leaves:
                raise ExpressionError(f"{node.id!r} has no value; give one on the command line, e.g. {node.id}=1.5")
            self.used.add(node.id)
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = self.visit(node.left), self.visit(node.right)
            op = type(node.op)
            if op is ast.Add:
                return left + right
            if op is ast.Sub:
                return left - right
            if op is ast.Mult:
                return left * right
            if op is ast.Div:
                return left / right
            result = left ** right
            if isinstance(result, complex):
                raise ExpressionError(f"({left:g}) ** {right:g} is not a real number")
            return result
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(self.visit(arg) for arg in node.args))
        raise ExpressionError(f"{_describe(node)} is not allowed")  # unreachable after _check
