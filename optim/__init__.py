"""optim: optimisers and learning-rate schedules that update parameters under no_grad.

    from optim import SGD, lr_scheduler
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
"""
from optim import _autograd_check  # noqa: F401 - first: refuses a foreign `autograd` with advice
from optim import lr_scheduler
from optim.adagrad import Adagrad
from optim.adam import Adam, AdamW
from optim.clip import clip_grad_norm_, clip_grad_value_
from optim.lbfgs import LBFGS
from optim.optimizer import Optimizer
from optim.rmsprop import RMSprop
from optim.sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "LBFGS",
    "lr_scheduler", "clip_grad_norm_", "clip_grad_value_",
]
