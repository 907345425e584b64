"""The primitives: every operation the engine differentiates, one Function class each.

Composites (mean, var, softmax, ...) live on Tensor and are built from these.
"""
from autograd.ops.elementwise import (
    Abs, Add, Cast, Clip, Clone, Cos, Div, Exp, Log, Log10, Maximum, Mul, Neg, Pow, Relu, Sigmoid, Sin, Sqrt, Sub,
    Tanh, Where,
)
from autograd.ops.cumulative import Cumprod, Cumsum, Prod
from autograd.ops.einsum import Einsum
from autograd.ops.linalg import MatMul
from autograd.ops.reduce import Max, Std, Sum, Var
from autograd.ops.shape import (
    BroadcastTo, Concatenate, FoldWindows, GetItem, Pad, Reshape, ScatterAdd, SetItem, SlidingWindows, Transpose,
)
from autograd.ops.unary import Acos, Asin, Atan, Ceil, Cosh, Erf, Expm1, Floor, Log1p, Log2, Round, Sign, Trunc

__all__ = [
    "Abs", "Add", "BroadcastTo", "Cast", "Clip", "Clone", "Concatenate", "Cos", "Div", "Exp", "FoldWindows",
    "GetItem", "Log", "Log10", "MatMul", "Max", "Maximum", "Mul", "Neg", "Pad", "Pow", "Relu", "Reshape", "ScatterAdd",
    "SetItem", "Sigmoid", "Sin", "SlidingWindows", "Sqrt", "Std", "Sub", "Sum", "Tanh", "Transpose", "Var", "Where",
    # issue #17: more elementwise functions, cumulative operations, einsum
    "Acos", "Asin", "Atan", "Ceil", "Cosh", "Cumprod", "Cumsum", "Einsum", "Erf", "Expm1", "Floor", "Log1p", "Log2",
    "Prod", "Round", "Sign", "Trunc",
]
