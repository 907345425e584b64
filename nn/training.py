"""Training helpers: the fit loop, history, early stopping and ensembles (+ search from nn.search).

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, (X_train, y_train), epochs=50,
                  val_data=(X_val, y_val), callbacks=[EarlyStopping(patience=5)])
    history.plot()

Data are numpy arrays (or anything yielding (xb, yb) batches, such as `nn.data.DataLoader`);
each batch becomes a Tensor only when it is passed to the model and the loss.
"""
from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from autograd import Tensor, no_grad
from nn.data import DataLoader
from nn.search import Choice, IntUniform, LogUniform, SearchResult, Uniform, format_table, grid_search, random_search

__all__ = [
    "fit", "evaluate", "predict_proba", "predict", "accuracy", "binary_accuracy", "History",
    "Callback", "EarlyStopping", "Snapshots", "Ensemble",
    # hyperparameter search lives in nn.search; re-exported so nn.training has the whole toolkit
    "LogUniform", "Uniform", "IntUniform", "Choice", "random_search", "grid_search", "SearchResult",
]


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


# ----- callbacks -------------------------------------------------------------------------------
class Callback:
    """Hooks that `fit` calls; override the ones you need.

    `on_epoch_end` receives the epoch number (from 1), that epoch's logs (the History keys)
    and the model; returning True stops training after this epoch.
    """

    def on_train_begin(self, model) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict[str, float], model) -> bool | None:
        return None

    def on_train_end(self, model) -> None:
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


# ----- fit and evaluate ------------------------------------------------------------------------
def _as_batches(data, batch_size: int, shuffle: bool, seed) -> Iterable:
    """(X, y) arrays -> a DataLoader; anything else is taken as an iterable of (xb, yb) batches."""
    if isinstance(data, tuple) and len(data) == 2 and not isinstance(data[0], tuple):
        return DataLoader(data[0], data[1], batch_size=batch_size, shuffle=shuffle, seed=seed)
    if isinstance(data, tuple):
        raise TypeError(f"training data must be a pair (X, y) or an iterable of (xb, yb) batches; got a tuple of {len(data)} items.")
    return data


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _run_epoch(model, loss_fn, batches: Iterable, accuracy_fn, optimizer=None, augment=None,
               scheduler_per_batch=None) -> dict[str, float]:
    """One pass over the batches: training steps when an optimizer is given, else evaluation."""
    total_loss, correct, count, acc_count = 0.0, 0.0, 0, 0
    for xb, yb in batches:
        if getattr(augment, "takes_targets", False):  # e.g. nn.data.Mixup changes the targets too
            xb, yb = augment(xb, yb)
        elif augment is not None:
            xb = augment(xb)
        if optimizer is not None:
            optimizer.zero_grad()
        outputs = model(_tensor(xb))
        loss = loss_fn(outputs, _tensor(yb))
        if optimizer is not None:
            loss.backward()
            optimizer.step()
            if scheduler_per_batch is not None:
                scheduler_per_batch.step()
        n = len(xb)
        total_loss += float(loss.item()) * n
        count += n
        acc = accuracy_fn(outputs.data, np.asarray(yb)) if accuracy_fn is not None else None
        if acc is not None:
            correct += acc * n
            acc_count += n
    if count == 0:
        raise ValueError(
            "fit/evaluate: the data produced no batches. Is it empty? A generator is used up after one "
            "epoch: pass (X, y) arrays or an nn.data.DataLoader, which can be iterated again."
        )
    logs = {"loss": total_loss / count}
    if acc_count == count:
        logs["accuracy"] = correct / count
    return logs


def evaluate(model, loss_fn, data, batch_size: int = 256, accuracy_fn: Callable | None = accuracy) -> dict[str, float]:
    """Mean loss (and accuracy) of `model` on `data` = (X, y) or batches, in eval mode without gradients.

    The loss is averaged over samples (batch losses weighted by batch size, so `loss_fn`
    should average over its batch, the default of the nn losses). The model's train/eval
    mode is restored afterwards.
    """
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        with no_grad():
            return _run_epoch(model, loss_fn, _as_batches(data, batch_size, False, None), accuracy_fn)
    finally:
        model.train(was_training)


def _wants_metric(scheduler) -> bool:
    """ReduceLROnPlateau-like schedulers are stepped with a metric: step(val_loss)."""
    if scheduler is None:
        return False
    required = [p for p in inspect.signature(scheduler.step).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return bool(required) or _wants_metric(getattr(scheduler, "after", None))


def fit(model, loss_fn, optimizer, train_data, epochs: int = 10, val_data=None, scheduler=None,
        callbacks: Sequence[Callback] = (), batch_size: int = 32, shuffle: bool = True,
        augment: Callable | None = None, accuracy_fn: Callable | None = accuracy,
        scheduler_interval: str = "epoch", verbose: bool = True, seed: int | None = None) -> History:
    """Train `model` for `epochs` epochs of mini-batch steps; return the per-epoch History.

    Each step: zero_grad, outputs = model(Tensor(xb)), loss = loss_fn(outputs, Tensor(yb)),
    backward, optimizer.step(). `train_data` and `val_data` are (X, y) arrays (batched
    here with `batch_size`, shuffled with `seed`) or iterables of (xb, yb) batches.
    `augment(xb)` transforms each training batch (e.g. an `nn.data.Compose`); one with
    `takes_targets = True` (e.g. `nn.data.Mixup`) is called as `augment(xb, yb)` and
    returns both.
    `scheduler.step()` runs after every epoch (or after every batch with
    scheduler_interval="batch"); a scheduler whose step needs a metric (ReduceLROnPlateau)
    gets val_loss, or the training loss without validation data.
    Callbacks (e.g. EarlyStopping) run after each epoch. A progress bar (tqdm) shows the
    epochs unless verbose=False. Training stops with a warning if the loss becomes NaN/inf.
    The model's train/eval mode is restored at the end.
    """
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}.")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}.")
    if scheduler_interval == "batch" and _wants_metric(scheduler):
        raise ValueError("fit: a scheduler stepped with a metric (ReduceLROnPlateau) needs scheduler_interval='epoch'.")
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    train_batches = _as_batches(train_data, batch_size, shuffle, seed)
    per_batch = scheduler if scheduler_interval == "batch" else None
    history = History()
    was_training = getattr(model, "training", True)
    for callback in callbacks:
        getattr(callback, "on_train_begin", lambda m: None)(model)
    progress = _EpochProgress(epochs, verbose)
    try:
        for epoch in range(1, epochs + 1):
            lr = optimizer.param_groups[0]["lr"]
            model.train()
            logs = _run_epoch(model, loss_fn, train_batches, accuracy_fn, optimizer, augment, per_batch)
            if val_data is not None:
                val_logs = evaluate(model, loss_fn, val_data, batch_size, accuracy_fn)
                logs.update({f"val_{key}": value for key, value in val_logs.items()})
            logs["lr"] = lr
            history.append(epoch, logs)
            progress.update(epoch, logs)
            if scheduler is not None and per_batch is None:
                if _wants_metric(scheduler):
                    scheduler.step(logs.get("val_loss", logs["loss"]))
                else:
                    scheduler.step()
            stop = [bool(getattr(cb, "on_epoch_end", lambda *a: None)(epoch, logs, model)) for cb in callbacks]
            if not math.isfinite(logs["loss"]):
                warnings.warn(f"fit: the training loss became {logs['loss']} in epoch {epoch}; stopping. "
                              f"The learning rate ({lr:g}) may be too large.", RuntimeWarning, stacklevel=2)
                break
            if any(stop):
                break
    finally:
        progress.close()
    for callback in callbacks:
        getattr(callback, "on_train_end", lambda m: None)(model)
    model.train(was_training)
    return history


class _EpochProgress:
    """A tqdm bar over the epochs showing the latest metrics (one printed line per epoch
    without tqdm); nothing at all when verbose=False."""

    def __init__(self, epochs: int, verbose: bool):
        self.verbose, self.bar = verbose, None
        if verbose:
            try:
                from tqdm import tqdm
            except ImportError:  # tqdm is optional
                return
            self.bar = tqdm(total=epochs, desc="fit", unit="epoch")

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        text = {key: f"{value:.4g}" for key, value in logs.items()}
        if self.bar is not None:
            self.bar.set_postfix(text, refresh=False)
            self.bar.update(1)
        elif self.verbose:
            print(f"epoch {epoch}: " + ", ".join(f"{key}={value}" for key, value in text.items()))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
        return np.mean(self.member_probas(X, batch_size), axis=0)

    def predict(self, X, batch_size: int = 256) -> np.ndarray:
        return self.predict_proba(X, batch_size).argmax(axis=1)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def __len__(self) -> int:
        return len(self.members)

    def __repr__(self) -> str:
        kind = "snapshots" if self.members[0][1] is not None else "models"
        return f"Ensemble({len(self)} {kind})"
