"""Command line: `python -m autograd demo` runs the lecture's gate example."""
import sys

from autograd import Tensor


def demo() -> None:
    x = Tensor(-2.0, requires_grad=True, name="x")
    y = Tensor(5.0, requires_grad=True, name="y")
    z = Tensor(-4.0, requires_grad=True, name="z")
    q = x + y
    f = q * z
    f.backward()
    print("f = (x + y) * z  at x=-2, y=5, z=-4")
    print(f"forward:  q = x + y = {q.item():g},  f = q * z = {f.item():g}")
    print(f"backward: df/dx = {x.grad.item():g},  df/dy = {y.grad.item():g},  df/dz = {z.grad.item():g}")


if __name__ == "__main__":
    if sys.argv[1:] in ([], ["demo"]):
        demo()
    else:
        sys.exit("usage: python -m autograd demo")
