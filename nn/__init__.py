"""nn: layers, losses and initialisers built only from autograd Tensor operations.

    import nn
    from nn import functional as F
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    loss = F.cross_entropy(model(x), y)
"""
from nn import _autograd_check  # noqa: F401 - first: refuses a foreign `autograd` with advice
from nn import functional, init  # noqa: I001 - functional first: the layers build on it
from nn.activation import ELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Softplus, Tanh
from nn.conv import AvgPool2d, Conv2d, MaxPool2d
from nn.functional import elastic_net_penalty, l1_penalty, l2_penalty
from nn.init import manual_seed
from nn.layers import DropConnect, Dropout, Flatten, Identity, Linear, Maxout
from nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss
from nn.module import Module, ModuleList, Parameter, Sequential
from nn.normalization import BatchNorm1d, BatchNorm2d
from nn.serialization import load, save
from nn import data, training  # training utilities: batches, toy data, fit, ensembles, search
from nn.data import DataLoader
from nn.training import EarlyStopping, Ensemble, fit

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "DropConnect", "Maxout", "Dropout", "Flatten", "Identity",
    "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
    "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "PReLU", "ELU", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "MultiMarginLoss",
    "l1_penalty", "l2_penalty", "elastic_net_penalty",
    "functional", "init", "manual_seed", "save", "load",
    "data", "training", "DataLoader", "fit", "EarlyStopping", "Ensemble",
]
