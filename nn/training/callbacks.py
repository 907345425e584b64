"""Callbacks of the fit loop: early stopping (keeps the best parameters) and snapshots."""
from __future__ import annotations

import math


# ----- callbacks -------------------------------------------------------------------------------
class Callback:
    """Hooks that `fit` calls; override the ones you need.

    `on_epoch_end` receives the epoch number (from 1), that epoch's logs (the History keys)
    and the model; returning True stops training after this epoch.
    """

    def on_train_begin(self, model) -> None:
        """Called once before the first epoch."""
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model) -> bool | None:
        """Called after each epoch with its logs; return True to stop training."""
        return None

    def on_train_end(self, model) -> None:
        """Called once after the last epoch (also when a callback stopped training)."""
        pass


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved for `patience` epochs; keep the best parameters.

    Improvement means value < best - min_delta (mode "min", for losses) or value > best +
    min_delta (mode "max"; "auto" picks "max" for names containing "acc"). On every
    improvement the model's `state_dict()` is copied; with `restore_best=True` those
    parameters are loaded back when training ends, whether it stopped early or ran out of
    epochs. Afterwards `best_epoch`, `best_value` and `stopped_epoch` (None if it did not
    stop early) tell what happened.
    """

    def __init__(self, patience: int = 5, monitor: str = "val_loss", mode: str = "auto",
                 min_delta: float = 0.0, restore_best: bool = True):
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min', 'max' or 'auto', got {mode!r}.")
        if int(patience) != patience or patience < 1:
            raise ValueError(f"EarlyStopping: patience must be a positive integer, got {patience!r}.")
        self.patience, self.monitor, self.mode = int(patience), monitor, mode
        self.min_delta, self.restore_best = abs(min_delta), restore_best
        self.on_train_begin(None)

    def on_train_begin(self, model) -> None:
        self.best_value: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict | None = None
        self.stopped_epoch: int | None = None
        self._bad_epochs = 0

    def _improved(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.best_value is None:
            return True
        if self.mode == "min":
            return value < self.best_value - self.min_delta
        return value > self.best_value + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model) -> bool:
        if self.monitor not in logs:
            hint = " Pass val_data=... to fit, or monitor='loss'." if self.monitor.startswith("val_") else ""
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, but fit only records {list(logs)}.{hint}")
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best_value, self.best_epoch, self._bad_epochs = value, epoch, 0
            if self.restore_best:
                self.best_state = model.state_dict()  # copies: a snapshot of this epoch's parameters
            return False
        self._bad_epochs += 1
        if self._bad_epochs >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def on_train_end(self, model) -> None:
        if self.restore_best and self.best_state is not None:
            model.load_state_dict(self.best_state)

    def __repr__(self) -> str:
        return (f"EarlyStopping(patience={self.patience}, monitor={self.monitor!r}, mode={self.mode!r}, "
                f"best_epoch={self.best_epoch}, stopped_epoch={self.stopped_epoch})")


class Snapshots(Callback):
    """Collect `model.state_dict()` copies during training, for a snapshot ensemble.

    A snapshot is taken at the end of every `every`-th epoch from epoch `start` on
    (pair with a cyclic or cosine learning rate so the snapshots differ); then
    `Ensemble.from_snapshots(model, snapshots.states)`.
    """

    def __init__(self, every: int = 1, start: int = 1):
        if int(every) != every or every < 1:
            raise ValueError(f"Snapshots: every must be a positive integer, got {every!r}.")
        self.every, self.start = int(every), start
        self.states: list[dict] = []
        self.epochs: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model) -> None:
        if epoch >= self.start and (epoch - self.start) % self.every == 0:
            self.states.append(model.state_dict())
            self.epochs.append(epoch)

    def __repr__(self) -> str:
        return f"Snapshots(every={self.every}, start={self.start}, taken at epochs {self.epochs})"
