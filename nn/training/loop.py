"""The fit loop: epochs of mini-batches, validation metrics, callbacks, a progress bar."""
from __future__ import annotations

import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from autograd import as_tensor, no_grad
from nn.data import DataLoader
from nn.training.callbacks import Callback
from nn.training.history import History, accuracy


# ----- fit and evaluate ------------------------------------------------------------------------
def _as_batches(data, batch_size: int, shuffle: bool, seed) -> Iterable:
    """(X, y) arrays -> a DataLoader; anything else is taken as an iterable of (xb, yb) batches."""
    if isinstance(data, tuple) and len(data) == 2 and not isinstance(data[0], tuple):
        return DataLoader(data[0], data[1], batch_size=batch_size, shuffle=shuffle, seed=seed)
    if isinstance(data, tuple):
        raise TypeError(f"training data must be a pair (X, y) or an iterable of (xb, yb) batches; got a tuple of {len(data)} items.")
    return data


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
        outputs = model(as_tensor(xb))
        loss = loss_fn(outputs, as_tensor(yb))
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
    _check_fit_arguments(epochs, scheduler, scheduler_interval)
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
            if per_batch is None:
                _step_after_epoch(scheduler, logs)
            if _stop_after_epoch(epoch, logs, model, callbacks):
                break
    finally:
        progress.close()
    for callback in callbacks:
        getattr(callback, "on_train_end", lambda m: None)(model)
    model.train(was_training)
    return history


def _check_fit_arguments(epochs, scheduler, scheduler_interval: str) -> None:
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}.")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(f"fit: scheduler_interval must be 'epoch' or 'batch', got {scheduler_interval!r}.")
    if scheduler_interval == "batch" and _wants_metric(scheduler):
        raise ValueError("fit: a scheduler stepped with a metric (ReduceLROnPlateau) needs scheduler_interval='epoch'.")


def _step_after_epoch(scheduler, logs: dict[str, float]) -> None:
    """scheduler.step(), or scheduler.step(val_loss) (the training loss without validation data)
    for one that needs a metric (ReduceLROnPlateau)."""
    if scheduler is None:
        return
    if _wants_metric(scheduler):
        scheduler.step(logs.get("val_loss", logs["loss"]))
    else:
        scheduler.step()


def _stop_after_epoch(epoch: int, logs: dict[str, float], model, callbacks) -> bool:
    """Run every callback's on_epoch_end; stop when one of them says so, or (with a warning) when
    the training loss is no longer a finite number."""
    stop = [bool(getattr(cb, "on_epoch_end", lambda *a: None)(epoch, logs, model)) for cb in callbacks]
    if not math.isfinite(logs["loss"]):
        warnings.warn(f"fit: the training loss became {logs['loss']} in epoch {epoch}; stopping. "
                      f"The learning rate ({logs['lr']:g}) may be too large.", RuntimeWarning, stacklevel=3)
        return True
    return any(stop)


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
