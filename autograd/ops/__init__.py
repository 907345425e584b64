"""The primitives: every operation the engine differentiates, one Function class each.

Composites (mean, var, softmax, ...) live on Tensor and are built from these.
"""
from autograd.ops.elementwise import (
    Abs, Add, Cast, Clip, Cos, Div, Exp, Log, Maximum, Mul, Neg, Pow, Relu, Sigmoid, Sin, Sqrt, Sub, Tanh, Where,
)
from autograd.ops.linalg import MatMul
from autograd.ops.reduce import Max, Std, Sum, Var
from autograd.ops.shape import (
    BroadcastTo, Concatenate, FoldWindows, GetItem, Pad, Reshape, ScatterAdd, SlidingWindows, Transpose,
)

__all__ = [
    "Abs", "Add", "BroadcastTo", "Cast", "Clip", "Concatenate", "Cos", "Div", "Exp", "FoldWindows", "GetItem",
    "Log", "MatMul", "Max", "Maximum", "Mul", "Neg", "Pad", "Pow", "Relu", "Reshape", "ScatterAdd", "Sigmoid",
    "Sin", "SlidingWindows", "Sqrt", "Std", "Sub", "Sum", "Tanh", "Transpose", "Var", "Where",
]
