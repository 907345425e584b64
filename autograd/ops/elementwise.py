"""Elementwise primitives. Inputs broadcast as in numpy; each backward returns gradients
in the output's shape and the engine sums them back to each input's shape."""
import numpy as np

from autograd.function import (_HALF, _NO_GRAD_CONTEXT, Primitive, _as_array_output, _check_forward, _op_error,
                               in_float32, new_node, plain)
from autograd.grad_mode import open_blocks, state
from autograd.tensor import Tensor

_new = object.__new__


class Elementwise(Primitive):
    """Base of the elementwise primitives: out[i] depends on the inputs' element i only.

    Unary and Binary ones have a lean `apply` for the two cases that dominate lecture graphs and
    small networks: inputs that are scalar Tensors (an np.float64, see autograd.tensor) or Python
    numbers, or Tensors of one shape and dtype (Python numbers allowed beside them). Nothing can
    broadcast, become a view or change shape there, so the general path's checks are skipped;
    values and recorded node are the same (tests/test_lean_paths.py compares both paths)."""

    elementwise = True


class Unary(Elementwise):
    """An elementwise primitive of one input: apply(a) (options such as clip's bounds go through
    the general path)."""

    @classmethod
    def apply(cls, a, **options):
        if not options and isinstance(a, Tensor):
            value = a._data
            if type(value) is _SCALAR or type(value) is _ARRAY:
                return _lean_apply(cls, (a,), (value,), _ONE[a._requires_grad])
        return super().apply(a, **options)


class Binary(Elementwise):
    """An elementwise primitive of two inputs: apply(a, b)."""

    @classmethod
    def apply(cls, a, b):
        if isinstance(a, Tensor):
            va = a._data
            if isinstance(b, Tensor):
                vb = b._data
                kind = type(va)
                if kind is type(vb) and (kind is _SCALAR or (kind is _ARRAY and va.shape == vb.shape
                                                             and (va.dtype is vb.dtype or va.dtype == vb.dtype))):
                    return _lean_apply(cls, (a, b), (va, vb), _TWO[a._requires_grad][b._requires_grad])
            elif (type(b) is float or type(b) is int) and (type(va) is _SCALAR or type(va) is _ARRAY):
                return _lean_apply(cls, (a, b), (va, b), _TWO[a._requires_grad][False])
        elif (type(a) is float or type(a) is int) and isinstance(b, Tensor):
            vb = b._data
            if type(vb) is _SCALAR or type(vb) is _ARRAY:
                return _lean_apply(cls, (a, b), (a, vb), _TWO[False][b._requires_grad])
        return super().apply(a, b)


def _lean_apply(cls, inputs, values, needs):
    """The lean path: forward on the values, and a node if a gradient is needed."""
    node = new_node(cls, inputs, needs) if (needs[0] or needs[-1]) and state.grad_enabled else None
    try:
        out = cls.forward(_NO_GRAD_CONTEXT if node is None else node, *values)
    except (ValueError, IndexError, TypeError, OverflowError) as error:
        raise _op_error(cls, inputs, {}, error) from None
    if type(out) is not _SCALAR:
        if type(out) is not _ARRAY:
            out = _as_array_output(cls, node, out)  # 0-d float32 arithmetic gives a numpy scalar
        if out.dtype is _HALF:  # np.exp(int8)
            out = in_float32(cls, _NO_GRAD_CONTEXT if node is None else node, values, {})
    if open_blocks.anomaly and state.anomaly:
        _check_forward(cls, out, node)
    result = _new(Tensor)
    result._data, result.grad, result._requires_grad, result._ctx = out, None, node is not None, node
    return result


_SCALAR, _ARRAY = np.float64, np.ndarray
# needs_input_grad tuples made once, indexed by the inputs' requires_grad (a node shares one)
_ONE = ((False,), (True,))
_TWO = (((False, False), (False, True)), ((True, False), (True, True)))


class Add(Binary):
    """out = a + b;  da = grad,  db = grad  (the add gate hands the gradient to both inputs)"""

    call_name = "+ (add)"
    symbol = "+"
    notation = "{0} + {1}"
    rule = "d{i} = d{y}"
    local = "1"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Binary):
    """out = a - b;  da = grad,  db = -grad
    (a primitive rather than a + (-b): one node in drawings and one pass over the data)"""

    call_name = "- (sub)"
    symbol = "−"
    notation = "{0} − {1}"
    rule = ("d{0} = d{y}", "d{1} = −d{y}")
    local = ("1", "−1")

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Mul(Binary):
    """out = a * b;  da = grad * b,  db = grad * a  (the multiply gate swaps its inputs)"""

    call_name = "* (mul)"
    symbol = "×"
    notation = "{0} × {1}"
    rule = ("d{0} = d{y} ⊙ {1}", "d{1} = d{y} ⊙ {0}")
    local = ("{1}", "{0}")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad * b if ctx.needs_input_grad[0] else None,
            grad * a if ctx.needs_input_grad[1] else None,
        )


class Div(Binary):
    """out = a / b;  da = grad / b,  db = -grad * a / b**2, computed as -grad * ((a / b) / b) (PyTorch's
    order: b * b over- or underflows where the gradient does not, e.g. at a = b = 1e-200)
    (a primitive rather than a * b**-1: one node in drawings and one pass over the data)"""

    call_name = "/ (div)"
    symbol = "÷"
    notation = "{0} / {1}"
    rule = ("d{0} = d{y} / {1}", "d{1} = −d{y} ⊙ {0} / {1}²")
    local = ("1 / {1}", "−{0} / {1}²")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.divide(a, b)  # numpy's rules for Python numbers too: 1 / 0 is inf, not an error

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (
            grad / b if ctx.needs_input_grad[0] else None,
            -grad * (a / b / b) if ctx.needs_input_grad[1] else None,
        )


class Neg(Unary):
    """out = -a;  da = -grad"""

    call_name = "- (neg)"
    symbol = "neg"
    notation = "−{0}"
    rule = "d{0} = −d{y}"
    local = "−1"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Binary):
    """out = a ** b;  da = grad * (b * a**(b-1)),  db = grad * (out * log(a))
    (da is taken as 0 where b == 0, and db as 0 where a == 0 and b >= 0, as PyTorch does; the local
    gradient is formed before grad multiplies it, as in PyTorch, so a tiny grad times a tiny b does
    not underflow to 0 before a**(b-1) makes it large again)."""

    call_name = "** (pow)"
    symbol = "**"
    notation = "{0} ** {1}"
    rule = ("d{0} = d{y} ⊙ {1} ⊙ {0}^({1} − 1)", "d{1} = d{y} ⊙ {y} ⊙ ln {0}")
    local = ("{1} ⊙ {0}^({1} − 1)", "{y} ⊙ ln {0}")

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)  # numpy's rules for Python numbers too: (-8) ** (1/3) is nan, not complex
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        grad_a = None
        if ctx.needs_input_grad[0]:
            zero_exponent = np.asarray(plain(b)) == 0  # a**0 = 1 is flat, also at a = 0 where a**(b-1) is inf
            safe_a = Where.apply(zero_exponent, 1.0, a) if zero_exponent.any() else a
            grad_a = grad * (b * safe_a ** (b - 1))
        grad_b = None
        if ctx.needs_input_grad[1]:
            zero_base = (np.asarray(plain(a)) == 0) & (np.asarray(plain(b)) >= 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                safe_a = Where.apply(zero_base, 1.0, a) if zero_base.any() else a
                grad_b = grad * (out * Log.apply(safe_a))
        return grad_a, grad_b


class Exp(Unary):
    """out = exp(a);  da = grad * out"""

    call_name = "exp"
    symbol = "exp"
    notation = "exp({0})"
    rule = "d{0} = d{y} ⊙ {y}"
    local = "exp(x)"

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Unary):
    """out = log(a);  da = grad / a"""

    call_name = "log"
    symbol = "log"
    notation = "log({0})"
    rule = "d{0} = d{y} / {0}"
    local = "1/x"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Unary):
    """out = sqrt(a);  da = grad / (2 * out)"""

    call_name = "sqrt"
    symbol = "√"
    notation = "sqrt({0})"
    rule = "d{0} = d{y} / (2 {y})"
    local = "1/(2√x)"

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Sin(Unary):
    """out = sin(a);  da = grad * cos(a)"""

    call_name = "sin"
    symbol = "sin"
    notation = "sin({0})"
    rule = "d{0} = d{y} ⊙ cos({0})"
    local = "cos(x)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * Cos.apply(a)


class Cos(Unary):
    """out = cos(a);  da = -grad * sin(a)"""

    call_name = "cos"
    symbol = "cos"
    notation = "cos({0})"
    rule = "d{0} = −d{y} ⊙ sin({0})"
    local = "−sin(x)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * Sin.apply(a)


class Abs(Unary):
    """out = |a|;  da = grad * sign(a)  (0 at a == 0, as PyTorch)"""

    call_name = "abs"
    symbol = "abs"
    notation = "|{0}|"
    rule = "d{0} = d{y} ⊙ sign({0})"
    local = "sign(x)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.sign(plain(a))


class Tanh(Unary):
    """out = tanh(a);  da = grad * (1 - out**2)"""

    call_name = "tanh"
    symbol = "tanh"
    notation = "tanh({0})"
    rule = "d{0} = d{y} ⊙ (1 − {y}²)"
    local = "1 − tanh²"

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Unary):
    """out = 1 / (1 + exp(-a)), computed as exp(-log(1 + exp(-a))) so that neither
    sigmoid(1000) nor sigmoid(-1000) overflows;  da = grad * out * (1 - out)"""

    call_name = "sigmoid"
    symbol = "σ"
    notation = "σ({0})"
    rule = "d{0} = d{y} ⊙ {y} ⊙ (1 − {y})"
    local = "σ(1−σ)"

    @staticmethod
    def forward(ctx, a):
        out = np.exp(-np.logaddexp(0, -a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(Unary):
    """out = max(a, 0);  da = grad where a > 0, else 0 (also at a == 0, as PyTorch)"""

    call_name = "relu"
    symbol = "relu"
    notation = "relu({0})"
    rule = "d{0} = d{y} where {0} > 0, else 0"
    local = "1 where x > 0, else 0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (plain(a) > 0)


class Maximum(Binary):
    """out = max(a, b) elementwise;  the gradient goes to the larger input, half to each at a tie
    (as PyTorch; the max gate routes the gradient)."""

    call_name = "maximum"
    symbol = "max"
    notation = "max({0}, {1})"
    rule = ("d{0} = d{y} where {0} > {1} (half at ties)", "d{1} = d{y} where {1} > {0} (half at ties)")
    local = ("1 where {0} > {1}, else 0", "1 where {1} > {0}, else 0")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a, b = plain(a), plain(b)
        share_a = Where.apply(np.equal(a, b), grad * 0.5, grad * np.greater(a, b))
        return (
            share_a if ctx.needs_input_grad[0] else None,
            grad - share_a if ctx.needs_input_grad[1] else None,
        )


class Where(Elementwise):
    """out = a where condition else b;  da = grad where condition, db = grad elsewhere
    (the condition gets no gradient)."""

    call_name = "where"
    symbol = "where"
    notation = "where({0}, {1}, {2})"
    rule = (None, "d{1} = d{y} where {0}, else 0", "d{2} = d{y} where not {0}, else 0")

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        return (
            None,
            Where.apply(condition, grad, 0.0) if ctx.needs_input_grad[1] else None,
            Where.apply(condition, 0.0, grad) if ctx.needs_input_grad[2] else None,
        )


class Clip(Unary):
    """out = min(max(a, low), high);  da = grad where low <= a <= high, else 0 (as torch.clamp)"""

    call_name = "clip"
    symbol = "clip"
    notation = "clip({0})"
    rule = "d{0} = d{y} where min ≤ {0} ≤ max, else 0"
    local = "1 inside [min, max], else 0"

    @staticmethod
    def forward(ctx, a, low=None, high=None):
        if low is None and high is None:
            raise ValueError("clip needs at least one of min and max")
        ctx.save_for_backward(a)
        ctx.low, ctx.high = low, high
        return np.clip(a, low, high)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        a = plain(a)
        inside = np.ones(a.shape, dtype=bool)
        if ctx.low is not None:
            inside &= a >= ctx.low
        if ctx.high is not None:
            inside &= a <= ctx.high
        return grad * inside


class Cast(Unary):
    """out = a converted to `dtype`;  da = grad converted back to a's dtype"""

    call_name = "astype"
    symbol = "astype"
    notation = "{0}.astype(…)"
    rule = "d{0} = d{y} converted back to the dtype of {0}"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.input_dtype = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.input_dtype)


class Log10(Unary):
    """out = log10(a);  da = grad / (a ln 10)
    (a primitive rather than log(a) / ln 10, which gives log10(1000) = 2.9999999999999996)"""

    call_name = "log10"
    symbol = "log₁₀"
    notation = "log₁₀({0})"
    rule = "d{0} = d{y} / ({0} ln 10)"
    local = "1/(x ln 10)"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * _LN10)


_LN10 = float(np.log(10.0))


class Clone(Unary):
    """out = a copy of a in its own memory;  da = grad
    (a primitive because no other one copies and changes nothing: a + 0 turns -0.0 into 0.0,
    a cast would be drawn as one; PyTorch's clone())"""

    call_name = "clone"
    symbol = "clone"
    notation = "clone({0})"
    rule = "d{0} = d{y}"
    local = "1"

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad
