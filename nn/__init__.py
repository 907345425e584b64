"""nn: layers, losses and initialisers built only from autograd Tensor operations.

    import nn
    from nn import functional as F
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    loss = F.cross_entropy(model(x), y)
"""
from nn import _autograd_check  # noqa: F401 - first: refuses a foreign `autograd` with advice
from nn import functional, init  # noqa: I001 - functional first: the layers build on it
from nn.activation import (
    ELU, GELU, SELU, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh,
)
from nn.conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from nn.embedding import Embedding
from nn.functional import elastic_net_penalty, l1_penalty, l2_penalty
from nn.init import manual_seed
from nn.layers import DropConnect, Dropout, Flatten, Identity, Linear, Maxout
from nn.loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss,
    SmoothL1Loss,
)
from nn.module import Module, ModuleList, Parameter, Sequential
from nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from nn.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d, AvgPool2d, AvgPool3d,
                        MaxPool1d, MaxPool2d, MaxPool3d, Upsample)
from nn.serialization import LoadError, load, save
from nn import data, training  # training utilities: batches, toy data, fit, ensembles, search
from nn.data import DataLoader
from nn.training import EarlyStopping, Ensemble, fit

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "DropConnect", "Maxout", "Dropout", "Flatten", "Identity",
    "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "Upsample", "BatchNorm1d", "BatchNorm2d",
    "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "PReLU", "ELU", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "MultiMarginLoss",
    "l1_penalty", "l2_penalty", "elastic_net_penalty",
    "functional", "init", "manual_seed", "save", "load", "LoadError",
    "data", "training", "DataLoader", "fit", "EarlyStopping", "Ensemble",
    # issue #17
    "Embedding", "LayerNorm", "GroupNorm", "GELU", "SiLU", "Hardtanh", "LogSigmoid", "Mish", "SELU",
    "HuberLoss", "SmoothL1Loss", "KLDivLoss",
]
