"""Safe expressions for the command line: "(x + y) * z" with x=-2 y=5 z=-4 -> a Tensor graph.

The text is parsed with Python's `ast` and only a whitelist is accepted: variable names,
numbers, + - * / ** @, unary minus/plus, parentheses, calls to the functions in FUNCTIONS
and, to name intermediate results, assignments separated by ';' or new lines:

    "h = relu(X @ W1 + b1); loss = cross_entropy(h @ W2 + b2, y)"

Values are numbers (x=-2), comma-separated vectors (w=1,2,3), nested lists (X=[[1,2],[3,4]]),
seeded random or constant arrays (W=0.5*randn(3,5), b=zeros(5)), or the arrays of a .npz file
(loaded with allow_pickle=False). Every tree is walked by hand; nothing is ever passed to eval
or exec, so `__import__('os').system(...)` is refused before anything runs.
"""
from __future__ import annotations

import ast
import difflib

import numpy as np

from autograd.routines import maximum, minimum
from autograd.tensor import Tensor, as_tensor

MAX_LENGTH = 500  # characters; keeps parsing and evaluation small
MAX_ELEMENTS = 100_000  # per variable made on the command line (randn(…), zeros(…))


def _sum(x):
    return as_tensor(x).sum()


def _mean(x):
    return as_tensor(x).mean()


def _cross_entropy(logits, target):
    """nn.functional.cross_entropy (integer class indices, or class probabilities)."""
    from nn import functional as F  # the command line is a user of nn, like a notebook

    if isinstance(target, Tensor) and target.grad_fn is None:
        target = target.data  # labels given on the command line are data, not a leaf to differentiate
    if isinstance(target, np.ndarray) and target.dtype.kind == "f" and np.shape(target) != np.shape(logits):
        if np.all(target == np.round(target)):
            target = target.astype(np.int64)  # y=[0,2,1] given as numbers: class indices
    return F.cross_entropy(as_tensor(logits), target)


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
    "softmax": lambda x: as_tensor(x).softmax(axis=-1),
    "log_softmax": lambda x: as_tensor(x).log_softmax(axis=-1),
    "cross_entropy": _cross_entropy,
    "transpose": lambda x: as_tensor(x).mT,
}
ARITY = {"max": 2, "min": 2, "cross_entropy": 2}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
MAKERS = ("randn", "zeros", "ones")  # what a value may call: randn(4, 3), zeros(5), ones(2, 2)


class ExpressionError(ValueError):
    """The expression or a variable's value is not accepted; the message says why."""


def did_you_mean(name: str, known) -> str:
    """' (did you mean sigmoid?)' for a near miss, else ''."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


# ----- values --------------------------------------------------------------------------------------

def parse_variables(assignments, seed: int = 0) -> dict:
    """['x=-2', 'w=1,2,3', 'X=[[1,2],[3,4]]', 'W=randn(3,5)'] -> {name: number or array}.

    randn draws from one generator seeded with `seed`, in the order the variables are given."""
    rng = np.random.default_rng(seed)
    values = {}
    for text in assignments:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"variables are given as name=value (e.g. x=-2), got {text!r}")
        if name in values:
            raise ExpressionError(f"{name} is given twice ({name}={_shown(values[name])} and {text}); give each "
                                  "variable once")
        values[name] = parse_value(name, value, rng)
    return values


def parse_value(name: str, text: str, rng) -> float | np.ndarray:
    """One value: a number, a vector 1,2,3, nested lists, or randn/zeros/ones(shape) (times a number)."""
    advice = (f"the value of {name} must be a number (x=-2), comma-separated numbers (w=1,2,3), nested lists "
              f"(X=[[1,2],[3,4]]) or randn/zeros/ones with a shape (W=0.5*randn(3,5)), got {text!r}")
    if len(text) > 20 * MAX_LENGTH:
        raise ExpressionError(f"the value of {name} is too long; load large arrays from a .npz file (--load)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        value = _Value(rng, advice).visit(tree.body)
        array = np.asarray(value)
    except ExpressionError:
        raise
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError, OverflowError):
        raise ExpressionError(advice) from None
    if array.dtype.kind not in "iuf":
        raise ExpressionError(advice)
    return float(array) if array.ndim == 0 else array.astype(np.float64)


class _Value:
    """Walks the tree of one value: numbers, lists, + - * / and randn/zeros/ones; nothing else."""

    def __init__(self, rng, advice: str):
        self.rng, self.advice = rng, advice

    def visit(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.visit(item) for item in node.elts]
            array = np.array(items)
            if array.dtype == object:
                raise ValueError("ragged")
            return array
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            left, right = np.asarray(self.visit(node.left), dtype=float), np.asarray(self.visit(node.right), dtype=float)
            return {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}[type(node.op)](
                left, right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MAKERS \
                and not node.keywords:
            shape = tuple(self.visit(arg) for arg in node.args)
            if not all(isinstance(n, int) and n >= 0 for n in shape) or int(np.prod(shape)) > MAX_ELEMENTS:
                raise ExpressionError(f"{node.func.id}() takes whole-number sizes with at most {MAX_ELEMENTS:,} "
                                      f"elements in all, e.g. randn(4, 3)")
            if node.func.id == "randn":
                return self.rng.standard_normal(shape)
            return np.zeros(shape) if node.func.id == "zeros" else np.ones(shape)
        raise ValueError("not allowed")


def load_arrays(path) -> dict:
    """The named arrays of a .npz file, loaded without pickle (a file cannot run code)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise ExpressionError(f"cannot load {str(path)!r}: no such file") from None
    except (OSError, ValueError) as error:
        raise ExpressionError(f"cannot load {str(path)!r} as a .npz file of numeric arrays ({error})") from None
    for name, array in arrays.items():
        if not name.isidentifier() or array.dtype.kind not in "iuf":
            raise ExpressionError(f"{str(path)!r}: array {name!r} cannot be a variable (names must be identifiers, "
                                  f"values numbers; got dtype {array.dtype})")
    return arrays


def _shown(value) -> str:
    array = np.asarray(value)
    if array.size > 6:
        return f"<array of shape {array.shape}>"
    return ",".join(f"{v:g}" for v in np.atleast_1d(array).ravel())


# ----- expressions -----------------------------------------------------------------------------------

def evaluate(text: str, variables: dict, constants=()) -> tuple:
    """Build the graph of `text`; returns (result, {name: leaf Tensor}).

    Each variable becomes a leaf Tensor with its name, with requires_grad=True unless it is listed
    in `constants` or holds integers (from a .npz file). `name = expr` statements name their results;
    the target of cross_entropy is taken as data (class indices)."""
    statements = parse(text)
    leaves = {}
    for name, value in variables.items():
        array = np.asarray(value)
        if array.dtype.kind in "iu":
            leaves[name] = Tensor(array, name=name)  # labels: no gradient
        else:
            leaves[name] = Tensor(value, requires_grad=name not in constants, name=name)
    used = set()
    evaluator = _Evaluator(leaves, used)
    result = None
    try:
        for target, tree in statements:
            result = evaluator.visit(tree)
            if target is not None:
                if isinstance(result, Tensor) and result.name is None:
                    result.name = target
                evaluator.env[target] = result
    except OverflowError:
        raise ExpressionError(f"cannot compute {text!r}: a number is too large for a float (overflow)") from None
    except ZeroDivisionError:
        raise ExpressionError(f"cannot compute {text!r}: division by zero between two constants") from None
    except (ValueError, TypeError, IndexError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"cannot compute {text!r}: {error}") from None
    if not isinstance(result, Tensor) or not result.requires_grad:
        raise ExpressionError(f"{text!r} does not depend on any variable that needs a gradient, so it has no graph "
                              "to draw or differentiate")
    return result, {name: leaf for name, leaf in leaves.items() if name in used}


def parse(text: str) -> list:
    """Parse and check `text`: a list of (name or None, expression tree), one per statement.
    Raises ExpressionError for anything outside the whitelist."""
    text = text.strip()  # ' -x' (a leading space keeps argparse from reading '-x' as an option)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as error:
        raise ExpressionError(f"{text!r} is not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"{text!r} is too deeply nested or not valid") from None
    statements = []
    for statement in module.body:
        if isinstance(statement, ast.Expr):
            statements.append((None, statement.value))
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                and isinstance(statement.targets[0], ast.Name):
            name = statement.targets[0].id
            if name.startswith("_") or name in FUNCTIONS:
                raise ExpressionError(f"{name!r} cannot be assigned to")
            statements.append((name, statement.value))
        else:
            raise ExpressionError(f"{_describe(statement)} is not allowed; write expressions, or name a result "
                                  "with name = expression (statements separated by ';')")
    if not statements:
        raise ExpressionError("the expression is empty")
    for _, tree in statements:
        for node in ast.walk(tree):
            _check(node)
    return statements


def _check(node) -> None:
    allowed = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call, ast.Load, ast.UAdd, ast.USub, *OPERATORS)
    if not isinstance(node, allowed):
        raise ExpressionError(
            f"{_describe(node)} is not allowed; expressions may use variable names, numbers, + - * / ** @, "
            f"parentheses and the functions {', '.join(sorted(FUNCTIONS))}"
        )
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, (int, float))):
        raise ExpressionError(f"only numbers are allowed as constants, not {node.value!r}")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise ExpressionError(f"names starting with '_' are not allowed ({node.id!r})")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            hint = did_you_mean(called, FUNCTIONS) if isinstance(node.func, ast.Name) else ""
            raise ExpressionError(
                f"calling {called!r} is not allowed{hint}; the functions available are {', '.join(sorted(FUNCTIONS))}"
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
             ast.keyword: "keyword arguments", ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.JoinedStr: "f-strings",
             ast.NamedExpr: "':='", ast.List: "a list", ast.Import: "import", ast.ImportFrom: "import"}
    return next((text for kind, text in kinds.items() if isinstance(node, kind)), f"{type(node).__name__!r}")


class _Evaluator:
    """Walks a checked tree; numbers stay Python floats (a constant node in the graph)."""

    def __init__(self, leaves: dict, used: set):
        self.leaves = leaves
        self.used = used
        self.env = {}  # results named by assignments

    def visit(self, node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function; call it like {node.id}(x)")
            if node.id not in self.leaves:
                hint = did_you_mean(node.id, list(self.leaves) + list(self.env))
                raise ExpressionError(
                    f"{node.id!r} has no value{hint}; give one on the command line, e.g. {node.id}=1.5")
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
            if op is ast.MatMult:
                if not isinstance(left, Tensor) and not isinstance(right, Tensor):
                    raise ExpressionError("@ multiplies matrices: give at least one of its operands as a variable")
                return as_tensor(left) @ right
            result = left ** right
            if isinstance(result, complex):
                raise ExpressionError(f"({left:g}) ** {right:g} is not a real number")
            return result
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(self.visit(arg) for arg in node.args))
        raise ExpressionError(f"{_describe(node)} is not allowed")  # unreachable after _check
