"""Metrics and the History of a training run (loss and accuracy per epoch, with plots)."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nn.training.search import format_table


# ----- metrics ---------------------------------------------------------------------------------
def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float | None:
    """Fraction of rows whose largest output is the target class.

    outputs: (N, K) scores with K >= 2; targets: (N,) class indices, or (N, K) one-hot /
    probability rows (compared by their largest entry). Returns None for other shapes
    (e.g. a regression model), so no accuracy is recorded.
    """
    outputs, targets = np.asarray(outputs), np.asarray(targets)
    if outputs.ndim != 2 or outputs.shape[1] < 2 or len(targets) != len(outputs):
        return None
    if targets.ndim == 1 and targets.dtype.kind in "iu":
        return float(np.mean(outputs.argmax(axis=1) == targets))
    if targets.shape == outputs.shape:
        return float(np.mean(outputs.argmax(axis=1) == targets.argmax(axis=1)))
    return None


def binary_accuracy(outputs: np.ndarray, targets: np.ndarray, threshold: float = 0.0) -> float:
    """Accuracy of a one-output binary classifier: predict 1 where output > threshold.

    threshold 0 for logits (BCEWithLogitsLoss), 0.5 for probabilities (a Sigmoid then BCELoss):
    `fit(..., accuracy_fn=partial(binary_accuracy, threshold=0.5))`.
    """
    outputs, targets = np.asarray(outputs).reshape(-1), np.asarray(targets).reshape(-1)
    return float(np.mean((outputs > threshold) == (targets > 0.5)))


# ----- history ---------------------------------------------------------------------------------
class History:
    """Per-epoch metrics of one `fit` call: `history["loss"]`, `history["val_accuracy"]`, ...

    Keys: "loss" (mean training loss over the epoch's batches, weighted by batch size),
    "accuracy" (when the targets are class indices), "val_loss", "val_accuracy" (with
    validation data) and "lr" (the first parameter group's learning rate during the epoch).
    """

    def __init__(self):
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def append(self, epoch: int, logs: Mapping[str, float]) -> None:
        """Record one epoch's logs (fit calls this)."""
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"History has no {key!r}; it recorded {list(self.history)}.")
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def keys(self):
        """The recorded quantities (loss, accuracy, val_loss, ..., lr)."""
        return self.history.keys()

    def __len__(self) -> int:
        return len(self.epoch)

    def __str__(self) -> str:
        rows = [[str(e)] + [f"{self.history[k][i]:.4g}" for k in self.history] for i, e in enumerate(self.epoch)]
        return format_table(["epoch", *self.history], rows)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items()) if self.epoch else "empty"
        return f"History({len(self)} epochs: {last})"

    def plot(self, mark_epoch: int | None = None):
        """Loss curves (and accuracy curves, when recorded) against the epoch.

        Returns a matplotlib Figure (not registered with pyplot: in Jupyter it shows as the
        cell's value; in a script call `fig.savefig("curves.png")`). `mark_epoch` draws a
        dashed line there, e.g. `EarlyStopping.best_epoch`.
        """
        from matplotlib.figure import Figure

        panels = [name for name in ("loss", "accuracy") if name in self.history or f"val_{name}" in self.history]
        fig = Figure(figsize=(5 * max(len(panels), 1), 3.6), layout="constrained")
        axes = fig.subplots(1, max(len(panels), 1), squeeze=False)[0]
        for ax, name in zip(axes, panels):
            for key, label in ((name, "train"), (f"val_{name}", "validation")):
                if key in self.history:
                    ax.plot(self.epoch, self.history[key], marker="." if len(self) < 30 else None, label=label)
            if mark_epoch is not None:
                ax.axvline(mark_epoch, color="gray", linestyle="--", label=f"epoch {mark_epoch}")
            ax.set(xlabel="epoch", ylabel=name, title=name)
            ax.grid(alpha=0.3)
            ax.legend()
        return fig
