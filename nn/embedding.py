"""Embedding: a lookup table of learnable vectors, one per integer id (word, token, category)."""
from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn import functional as F
from nn import init
from nn.module import Module, Parameter


class Embedding(Module):
    """out[..., :] = weight[input[...]]: the row of `weight` (num_embeddings, embedding_dim) for
    each integer id. As PyTorch, the rows start as N(0, 1) draws (pass `generator=` to
    reproduce); the row padding_idx starts at zero and gets no gradient, so it stays a zero
    vector for padding positions."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, dtype=np.float64,
                 generator=None):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        values = init.get_generator(generator).standard_normal((num_embeddings, embedding_dim)).astype(dtype)
        if self.padding_idx is not None:
            values[self.padding_idx] = 0
        self.weight = Parameter(values)

    def forward(self, input) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
