"""Fully connected layers and shape helpers: Linear, DropConnect, Maxout, Dropout, Flatten, Identity."""
from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter


class Linear(Module):
    """y = x W^T + b, with W of shape (out_features, in_features) and b of shape (out_features,).

    Default initialisation (as PyTorch, so results compare with it): W and b ~ U(-k, k),
    k = 1/sqrt(in_features). Pass `generator=` (a seed or np.random.Generator) to reproduce,
    or re-initialise with nn.init (e.g. nn.init.kaiming_normal_(layer.weight))."""

    lecture_rule = ("d{input} = d{output} · {weight}", "d{weight} = d{output}ᵀ · {input}",
                    "d{bias} = d{output} summed over the batch axis")

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float64, generator=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """Draw the weight and bias again as at construction (init.default_init_)."""
        init.default_init_(self.weight, self.bias, generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias, op=self)  # an error names the layer: its repr

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class DropConnect(Linear):
    """A Linear layer whose connections (weights) are dropped with probability p in training
    (Wan et al. 2013): each forward draws one mask over W, shared by the batch, and scales the
    kept weights by 1/(1-p); in eval all weights are used unchanged. The bias is never dropped.
    It is a Linear variant, so its parameters and state_dict keys are those of Linear."""

    def __init__(self, in_features: int, out_features: int, p: float = 0.5, bias: bool = True, dtype=np.float64, generator=None):
        if not 0 <= p < 1:
            raise ValueError(f"DropConnect: p must be in [0, 1), got {p}")
        super().__init__(in_features, out_features, bias, dtype, generator)
        self.p = p
        self.generator = None if generator is None else init.get_generator(generator)  # masks continue the stream

    def forward(self, x: Tensor) -> Tensor:
        return F.dropconnect(x, self.weight, self.bias, self.p, self.training, generator=self.generator, op=self)

    def extra_repr(self) -> str:
        return super().extra_repr() + f", p={self.p}"


class Maxout(Module):
    """A maxout layer (Goodfellow et al. 2013): num_pieces linear maps, and each output is the
    largest of its pieces: out_j = max_k (W_k x + b_k)_j — for 2 pieces the lecture's
    max(w1^T x + b1, w2^T x + b2). Holds one Linear of out_features * num_pieces outputs."""

    def __init__(self, in_features: int, out_features: int, num_pieces: int = 2, bias: bool = True, dtype=np.float64, generator=None):
        super().__init__()
        self.num_pieces = num_pieces
        self.linear = Linear(in_features, out_features * num_pieces, bias, dtype, generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.maxout(self.linear(x), self.num_pieces)

    def extra_repr(self) -> str:
        return f"num_pieces={self.num_pieces}"


class Dropout(Module):
    """Zero each unit with probability p in training (p = the drop probability, as PyTorch).
    Inverted (default): survivors are scaled by 1/(1-p) and eval is the identity.
    vanilla=True: no scaling in training, activations multiplied by (1-p) in eval."""

    lecture_rule = "d{input} = d{output} ⊙ mask / (1 − p): 0 where a unit was dropped"

    def __init__(self, p: float = 0.5, vanilla: bool = False, generator=None):
        super().__init__()
        F.check_drop_probability(p, "Dropout")
        self.p, self.vanilla = p, vanilla
        # An int seed becomes one Generator here, so successive masks differ but reproduce.
        self.generator = None if generator is None else init.get_generator(generator)

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, vanilla=self.vanilla, generator=self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}" + (", vanilla=True" if self.vanilla else "")


class Flatten(Module):
    """Merge dimensions start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default."""

    lecture_rule = "d{input} = d{output} reshaped back to the shape of {input}"

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def forward(self, x: Tensor) -> Tensor:
        return x
