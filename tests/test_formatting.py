"""Numbers in reports and drawings never print as "-0" (issue #13, item 9)."""
import numpy as np
import pytest

from autograd import Function, GradcheckError, Tensor, check_backward, gradcheck
from autograd.formatting import format_number
from autograd.viz import trace


@pytest.mark.parametrize("value, spec, expected", [
    (-0.0, ".4g", "0"), (np.float32(-0.0), ">8.3g", "       0"), (-1e-9, ".3f", "0.000"), (-0.0, ".2e", "0.00e+00"),
    (-1e-9, ".4g", "-1e-09"), (-2.5, ".2f", "-2.50"), (float("-inf"), ".4g", "-inf"), (0.0, ".4g", "0"),
])
def test_format_number_never_prints_minus_zero(value, spec, expected):
    assert format_number(value, spec) == expected


def test_drawn_gradients_of_minus_zero_print_as_0():
    x = Tensor(-1.0, requires_grad=True, name="x")
    y = x.relu() * -3
    y.backward()
    assert str(x.grad.item()) == "-0.0"  # relu's backward: -3 * 0
    labels = [text for node in trace(y).nodes for text in (node.value, node.grad) if text is not None]
    assert "0" in labels and not any(text.startswith("-0") for text in labels)


def test_reports_print_minus_zero_as_0():
    def forward(x):
        return 3 * x

    def backward_wrong(x, grad_out):  # -0.0 and 0.0 everywhere (the mask is never true)
        return grad_out * (x > 5) * -1.0

    x = np.array([-1.0, 2.0, -3.0, 0.5])
    result = check_backward(forward, backward_wrong, x)
    assert np.signbit(result.analytic[0]).any()  # there is a -0.0 to print
    text = repr(result)
    assert "analytic 0, numeric 0.3771907" in text and "analytic -0" not in text

    class NegativeZeroGrad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * -0.0

    with pytest.raises(GradcheckError) as failure:
        gradcheck(NegativeZeroGrad.apply, [Tensor(np.array([1.0, -2.0]), requires_grad=True)])
    rows = [line.split() for line in str(failure.value).splitlines() if line.strip().startswith("[")]
    assert rows and all(row[1] == "0" for row in rows)
