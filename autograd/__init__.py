"""autograd: a reverse-mode automatic differentiation engine on numpy.

    from autograd import Tensor
    x, y, z = Tensor(-2.0, requires_grad=True), Tensor(5.0, requires_grad=True), Tensor(-4.0, requires_grad=True)
    f = (x + y) * z
    f.backward()          # x.grad = -4, y.grad = -4, z.grad = 3
"""
from autograd.tensor import Tensor, as_tensor  # noqa: I001 - Tensor first: the rest builds on it
from autograd.anomaly import detect_anomaly
from autograd.engine import grad
from autograd.function import Context, Function
from autograd.routines import *  # noqa: F403
from autograd.routines import __all__ as _routine_names
from autograd.creation import *  # noqa: F403
from autograd.creation import __all__ as _creation_names
from autograd.grad_mode import enable_grad, graph_scope, is_grad_enabled, no_grad, set_grad_enabled
from autograd.gradcheck import (GradcheckError, check_backward, check_module_gradients, directional_gradcheck,
                                gradcheck, gradgradcheck, numerical_grad, rel_error)
from autograd.viz import backprop_steps, draw_graph

__all__ = [
    "Tensor", "as_tensor", "Function", "Context", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "graph_scope", "grad", "detect_anomaly", *_routine_names, *_creation_names,
    "numerical_grad", "gradcheck", "gradgradcheck", "directional_gradcheck", "check_backward",
    "check_module_gradients", "rel_error", "GradcheckError", "draw_graph", "backprop_steps",
]
