"""The chalkgrad side shared by the training-step workloads (W2, W4)."""
from __future__ import annotations


def sgd_step(model, x, y, lr: float):
    """One training step as a user writes it: zero_grad, cross-entropy of model(x), backward,
    optim.SGD step. Returns a function that runs one step and returns the loss."""
    import optim
    from autograd import Tensor
    from nn import functional as F

    optimizer = optim.SGD(model.parameters(), lr=lr)
    xt, yt = Tensor(x), Tensor(y)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step
