"""Losses as Modules: `criterion = nn.CrossEntropyLoss(); loss = criterion(logits, target)`."""
from __future__ import annotations

from autograd import Tensor
from nn import functional as F
from nn.module import Module


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{type(self).__name__}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


class _WeightedLoss(_Loss):
    """A loss with an optional weight per class (or per element)."""

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.weight = weight


class MSELoss(_Loss):
    """mean of (input - target)^2"""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """mean of |input - target|"""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class BCELoss(_WeightedLoss):
    """-(y log p + (1 - y) log(1 - p)) for probabilities p"""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """sigmoid + binary cross-entropy in one stable step, on raw scores"""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """softmax + negative log-likelihood on raw scores (logits) and integer class indices"""

    def __init__(self, weight=None, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target) -> Tensor:
        return F.cross_entropy(input, target, self.weight, self.reduction, self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """-input[i, y_i] for log-probabilities (after LogSoftmax)"""

    def forward(self, input: Tensor, target) -> Tensor:
        return F.nll_loss(input, target, self.weight, self.reduction)


class MultiMarginLoss(_Loss):
    """the multiclass SVM hinge: sum_{j != y} max(0, margin - x_y + x_j)^p / C"""

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self.p, self.margin, self.weight = p, margin, weight

    def forward(self, input: Tensor, target) -> Tensor:
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)

    def extra_repr(self) -> str:
        return f"p={self.p}, margin={self.margin}" + (f", reduction={self.reduction!r}" if self.reduction != "mean" else "")


class HuberLoss(_Loss):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target"""

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta"""

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target) -> Tensor:
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)


class KLDivLoss(Module):
    """KL divergence of log-probabilities `input` from the target distribution (see F.kl_div);
    reduction 'batchmean' gives the true KL divergence per example"""

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__()
        if reduction not in ("batchmean", "mean", "sum", "none"):
            raise ValueError(f"KLDivLoss: reduction must be 'batchmean', 'mean', 'sum' or 'none', got {reduction!r}")
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target) -> Tensor:
        return F.kl_div(input, target, self.reduction, self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, log_target={self.log_target}"
