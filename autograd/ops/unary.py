"""More elementwise primitives: functions that are primitives because a composite would lose
accuracy (log1p, expm1, log2, log10, the inverse trigonometric functions, erf), and the step
functions (sign, round, floor, ceil, trunc), flat between their jumps, so their gradient is 0."""
import math

import numpy as np

from autograd.function import plain
from autograd.ops.elementwise import Exp, Sqrt, Unary
from autograd.ops.erf import erf


class Log1p(Unary):
    """out = log(1 + a);  da = grad / (1 + a)
    (a primitive: log(1 + a) as a composite loses every digit of a below 1e-16, and half of
    them at 1e-8)"""

    call_name = "log1p"
    symbol = "log1p"
    notation = "log(1 + {0})"
    rule = "d{0} = d{y} / (1 + {0})"
    local = "1/(1+x)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 + a)


class Expm1(Unary):
    """out = exp(a) - 1;  da = grad * (out + 1)
    (a primitive: exp(a) - 1 as a composite cancels for small a)"""

    call_name = "expm1"
    symbol = "expm1"
    notation = "exp({0}) − 1"
    rule = "d{0} = d{y} ⊙ ({y} + 1)"
    local = "exp(x)"

    @staticmethod
    def forward(ctx, a):
        out = np.expm1(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log2(Unary):
    """out = log2(a);  da = grad / (a ln 2)
    (a primitive: log(a) / ln 2 misses exact powers, e.g. log(8) / ln 2 = 3.0000000000000004)"""

    call_name = "log2"
    symbol = "log₂"
    notation = "log₂({0})"
    rule = "d{0} = d{y} / ({0} ln 2)"
    local = "1/(x ln 2)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2))


class Asin(Unary):
    """out = arcsin(a);  da = grad / sqrt(1 - a**2)"""

    call_name = "asin"
    symbol = "asin"
    notation = "asin({0})"
    rule = "d{0} = d{y} / √(1 − {0}²)"
    local = "1/√(1−x²)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / Sqrt.apply(1 - a * a)


class Acos(Unary):
    """out = arccos(a);  da = -grad / sqrt(1 - a**2)
    (a primitive: pi/2 - asin(a) cancels near a = 1)"""

    call_name = "acos"
    symbol = "acos"
    notation = "acos({0})"
    rule = "d{0} = −d{y} / √(1 − {0}²)"
    local = "−1/√(1−x²)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad / Sqrt.apply(1 - a * a)


class Atan(Unary):
    """out = arctan(a);  da = grad / (1 + a**2)"""

    call_name = "atan"
    symbol = "atan"
    notation = "atan({0})"
    rule = "d{0} = d{y} / (1 + {0}²)"
    local = "1/(1+x²)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 + a * a)


class Cosh(Unary):
    """out = cosh(a);  da = grad * sinh(a), with sinh(a) = (expm1(a) - expm1(-a)) / 2
    (a primitive: as (exp(a) + exp(-a)) / 2 its gradient cancels to 0 for tiny a)"""

    call_name = "cosh"
    symbol = "cosh"
    notation = "cosh({0})"
    rule = "d{0} = d{y} ⊙ sinh({0})"
    local = "sinh(x)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ((Expm1.apply(a) - Expm1.apply(-a)) / 2)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Erf(Unary):
    """out = erf(a) = 2/sqrt(pi) * integral_0^a exp(-t^2) dt;  da = grad * 2/sqrt(pi) * exp(-a**2)
    (numpy has no erf: autograd/ops/erf.py evaluates it to 2 ulp)"""

    call_name = "erf"
    symbol = "erf"
    notation = "erf({0})"
    rule = "d{0} = d{y} ⊙ 2/√π · exp(−{0}²)"
    local = "2/√π · exp(−x²)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erf(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * _TWO_OVER_SQRT_PI * Exp.apply(-(a * a))


# ----- step functions: flat between their jumps, so the gradient is 0 (zeros, as PyTorch) -----
def _flat(ctx, grad):
    return np.zeros_like(plain(grad))


class Sign(Unary):
    """out = sign(a): -1, 0 or 1;  da = 0"""

    call_name = "sign"
    symbol = "sign"
    notation = "sign({0})"
    rule = "d{0} = 0 (flat between the jumps)"
    local = "0"

    @staticmethod
    def forward(ctx, a):
        return np.sign(a)

    backward = staticmethod(_flat)


class Round(Unary):
    """out = a rounded to `decimals` places, halves to the even neighbour (as numpy and PyTorch);  da = 0"""

    call_name = "round"
    symbol = "round"
    notation = "round({0})"
    rule = "d{0} = 0 (flat between the jumps)"
    local = "0"

    @staticmethod
    def forward(ctx, a, decimals=0):
        return np.round(a, decimals)

    backward = staticmethod(_flat)


class Floor(Unary):
    """out = the largest integer <= a;  da = 0"""

    call_name = "floor"
    symbol = "⌊ ⌋"
    notation = "⌊{0}⌋"
    rule = "d{0} = 0 (flat between the jumps)"
    local = "0"

    @staticmethod
    def forward(ctx, a):
        return np.floor(a)

    backward = staticmethod(_flat)


class Ceil(Unary):
    """out = the smallest integer >= a;  da = 0"""

    call_name = "ceil"
    symbol = "⌈ ⌉"
    notation = "⌈{0}⌉"
    rule = "d{0} = 0 (flat between the jumps)"
    local = "0"

    @staticmethod
    def forward(ctx, a):
        return np.ceil(a)

    backward = staticmethod(_flat)


class Trunc(Unary):
    """out = a with its fraction cut off (towards 0);  da = 0"""

    call_name = "trunc"
    symbol = "trunc"
    notation = "trunc({0})"
    rule = "d{0} = 0 (flat between the jumps)"
    local = "0"

    @staticmethod
    def forward(ctx, a):
        return np.trunc(a)

    backward = staticmethod(_flat)
