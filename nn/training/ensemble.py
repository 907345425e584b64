"""Predictions of a trained classifier, and ensembles that average several models' probabilities."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, no_grad


# ----- predictions and ensembles ---------------------------------------------------------------
def predict_proba(model, X, batch_size: int = 256, logits: bool = True) -> np.ndarray:
    """Class probabilities (N, K) of a classifier, computed in eval mode without gradients.

    With `logits=True` (models ending in a Linear layer) a K-output model is passed through
    softmax and a one-output model through sigmoid; with `logits=False` the outputs are
    taken as probabilities already. A one-output model gives two columns (1 - p, p).
    """
    X = np.asarray(X)
    was_training = getattr(model, "training", False)
    model.eval()
    chunks = []
    try:
        with no_grad():
            for start in range(0, len(X), batch_size):
                out = model(Tensor(X[start:start + batch_size]))
                if out.ndim == 1 or out.shape[-1] == 1:
                    p = (out.sigmoid() if logits else out).data.reshape(-1, 1)
                    chunks.append(np.concatenate([1 - p, p], axis=1))
                elif out.ndim == 2:
                    chunks.append((out.softmax(axis=-1) if logits else out).data)
                else:
                    raise ValueError(f"predict_proba: expected model outputs of shape (N, K) or (N,), got {out.shape}.")
    finally:
        model.train(was_training)
    return np.concatenate(chunks)


def predict(model, X, batch_size: int = 256) -> np.ndarray:
    """Predicted class indices (N,): the most probable class of each sample."""
    return predict_proba(model, X, batch_size).argmax(axis=1)


class Ensemble:
    """Average the predicted class probabilities of several models:
        p(y | x) = (1/M) * sum_m p_m(y | x).

    `Ensemble([model_a, model_b, model_c])` for independently trained models;
    `Ensemble.from_snapshots(model, states)` for state_dict snapshots of one model (each is
    loaded in turn; the model's own parameters are restored afterwards).
    """

    def __init__(self, models: Sequence, logits: bool = True):
        self.members = [(model, None) for model in models]
        self.logits = logits
        if not self.members:
            raise ValueError("Ensemble: needs at least one model.")

    @classmethod
    def from_snapshots(cls, model, states: Sequence[dict], logits: bool = True) -> Ensemble:
        """An ensemble of state_dict snapshots of one model (each loaded in turn when predicting)."""
        if not states:
            raise ValueError("Ensemble.from_snapshots: no snapshots given (did the Snapshots callback run?).")
        ensemble = cls([model], logits)
        ensemble.members = [(model, state) for state in states]
        return ensemble

    def member_probas(self, X, batch_size: int = 256) -> list[np.ndarray]:
        """Each member's probabilities (N, K), in order."""
        current = {}
        probas = []
        try:
            for model, state in self.members:
                if state is not None:
                    current.setdefault(id(model), (model, model.state_dict()))
                    model.load_state_dict(state)
                probas.append(predict_proba(model, X, batch_size, self.logits))
        finally:
            for model, own_state in current.values():
                model.load_state_dict(own_state)
        return probas

    def predict_proba(self, X, batch_size: int = 256) -> np.ndarray:
        """The members' class probabilities averaged: (N, K)."""
        return np.mean(self.member_probas(X, batch_size), axis=0)

    def predict(self, X, batch_size: int = 256) -> np.ndarray:
        """The class with the highest averaged probability: (N,)."""
        return self.predict_proba(X, batch_size).argmax(axis=1)

    def accuracy(self, X, y) -> float:
        """The fraction of samples whose predicted class is y."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def __len__(self) -> int:
        return len(self.members)

    def __repr__(self) -> str:
        kind = "snapshots" if self.members[0][1] is not None else "models"
        return f"Ensemble({len(self)} {kind})"
