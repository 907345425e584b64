"""nn.training: fit, History, EarlyStopping, ensembles and hyperparameter search."""
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor
from nn.data import DataLoader, Mixup, make_logistic_regression, make_moons, train_val_test_split
from nn.training import (
    Choice, EarlyStopping, Ensemble, History, IntUniform, LogUniform, Snapshots, Uniform, accuracy, binary_accuracy,
    evaluate, fit, grid_search, predict, predict_proba, random_search,
)


def mlp(seed: int, hidden: int = 16, outputs: int = 2) -> nn.Module:
    return nn.Sequential(nn.Linear(2, hidden, generator=seed), nn.ReLU(), nn.Linear(hidden, outputs, generator=seed + 1))


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(300, noise=0.1, seed=0)
    return train_val_test_split(X, y, seed=0)


# ----- fit ----------------------------------------------------------------------------------------
def test_fit_learns_moons(moons):
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = moons
    model = mlp(0, hidden=32)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), (X_tr, y_tr),
                  epochs=40, val_data=(X_va, y_va), verbose=False, seed=0)
    assert len(history) == 40 and history.epoch == list(range(1, 41))
    assert set(history.keys()) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert history["loss"][-1] < 0.2 * history["loss"][0]
    assert history["accuracy"][-1] >= 0.97
    assert evaluate(model, nn.CrossEntropyLoss(), (X_te, y_te))["accuracy"] >= 0.97
    assert np.mean(predict(model, X_te) == y_te) >= 0.97


def test_fit_is_reproducible_and_restores_mode(moons):
    (X_tr, y_tr), _, _ = moons
    runs = []
    for _ in range(2):
        model = mlp(1).eval()
        runs.append(fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr),
                        epochs=3, verbose=False, seed=7)["loss"])
        assert model.training is False
    assert runs[0] == runs[1]


def test_history_records_lr_of_each_epoch_and_scheduler_steps(moons):
    (X_tr, y_tr), _, _ = moons
    model = mlp(2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X_tr, y_tr), epochs=5, verbose=False,
                  scheduler=optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5))
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    per_batch = optim.lr_scheduler.ExponentialLR(opt := optim.SGD(model.parameters(), lr=1.0), gamma=0.5)
    loader = DataLoader(X_tr, y_tr, batch_size=80, seed=0)  # 240 samples: 3 batches per epoch
    history = fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=2, scheduler=per_batch,
                  scheduler_interval="batch", verbose=False)
    assert history["lr"] == pytest.approx([1.0, 0.125])


def test_plateau_scheduler_gets_the_validation_loss(moons):
    (X_tr, y_tr), (X_va, y_va), _ = moons
    model = mlp(3)
    opt = optim.SGD(model.parameters(), lr=1e-6)  # no progress: a plateau from the start
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=0.1)
    history = fit(model, nn.CrossEntropyLoss(), opt, (X_tr, y_tr), epochs=4, val_data=(X_va, y_va),
                  scheduler=plateau, verbose=False)
    assert plateau.best == pytest.approx(history["val_loss"][0])
    # epoch 1 sets the best; every later epoch is "bad" and halves the rate for the next one
    assert history["lr"] == pytest.approx([1e-6, 1e-6, 5e-7, 2.5e-7])


def test_fit_augments_training_batches_only(moons):
    (X_tr, y_tr), (X_va, y_va), _ = moons
    seen = []

    def augment(xb):
        seen.append(len(xb))
        return xb + 0.01

    model = mlp(4)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr), epochs=2,
        val_data=(X_va, y_va), batch_size=100, augment=augment, verbose=False)
    assert seen == [100, 100, 40] * 2


def test_fit_with_mixup_trains_on_mixed_targets(moons):
    (X_tr, y_tr), _, (X_te, y_te) = moons
    seen = []

    class Recording(Mixup):
        def __call__(self, x, y):
            x, y = super().__call__(x, y)
            seen.append(y)
            return x, y

    model = mlp(0, hidden=32)
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), (X_tr, y_tr), epochs=30,
                  augment=Recording(num_classes=2, alpha=0.2, seed=0), verbose=False, seed=0)
    assert all(y.shape[1] == 2 and np.allclose(y.sum(1), 1) for y in seen)
    assert any(np.any((y > 0.01) & (y < 0.99)) for y in seen)  # really mixed
    assert "accuracy" in history  # compared with the largest target entry
    assert np.mean(predict(model, X_te) == y_te) >= 0.95


def test_fit_stops_with_a_warning_when_the_loss_diverges():
    X = np.linspace(50, 200, 40)[:, None]  # unscaled areas: a large learning rate explodes
    y = 3 * X + 20
    model = nn.Linear(1, 1, generator=0)
    with pytest.warns(RuntimeWarning, match="too large"), np.errstate(over="ignore", invalid="ignore"):
        history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=50,
                      batch_size=40, verbose=False, accuracy_fn=None)
    assert len(history) < 50 and not math.isfinite(history["loss"][-1])
    assert "accuracy" not in history


def test_fit_shows_a_progress_bar(moons, capsys):
    (X_tr, y_tr), _, _ = moons
    model = mlp(5)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr), epochs=2, verbose=True)
    assert "2/2" in capsys.readouterr().err


def test_fit_rejects_bad_data_and_epochs(moons):
    (X_tr, y_tr), _, _ = moons
    model = mlp(6)
    one_pass = ((X_tr[i:i + 50], y_tr[i:i + 50]) for i in range(0, 240, 50))
    with pytest.raises(ValueError, match="no batches"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), one_pass, epochs=2, verbose=False)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr), epochs=0)
    with pytest.raises(TypeError, match=r"pair \(X, y\)"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr, y_tr), epochs=1)


def test_accuracy_helpers():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.5]])
    assert accuracy(logits, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(logits, np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.8]])) == pytest.approx(2 / 3)
    assert accuracy(logits[:, :1], np.array([0, 1, 1])) is None  # one output: not class scores
    assert binary_accuracy(np.array([-1.0, 2.0, 0.5]), np.array([0, 1, 0])) == pytest.approx(2 / 3)
    assert binary_accuracy(np.array([0.2, 0.9]), np.array([0, 1]), threshold=0.5) == 1.0


def test_history_plot_and_table():
    matplotlib = pytest.importorskip("matplotlib")
    history = History()
    for epoch, (loss, acc) in enumerate([(1.0, 0.5), (0.5, 0.8)], start=1):
        history.append(epoch, {"loss": loss, "accuracy": acc, "val_loss": loss + 0.1, "lr": 0.1})
    fig = history.plot(mark_epoch=2)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    loss_axes = fig.axes[0]
    assert [line.get_label() for line in loss_axes.get_lines()] == ["train", "validation", "epoch 2"]
    np.testing.assert_array_equal(loss_axes.get_lines()[1].get_ydata(), [1.1, 0.6])
    assert str(history).splitlines()[0].split() == ["epoch", "loss", "accuracy", "val_loss", "lr"]
    regression = History()
    regression.append(1, {"loss": 3.0, "lr": 0.1})
    assert len(regression.plot().axes) == 1
    with pytest.raises(KeyError, match="recorded"):
        regression["val_loss"]


# ----- early stopping -----------------------------------------------------------------------------
def test_early_stopping_restores_the_best_epoch():
    # One weight w (init 0), full batch, SGD lr 0.1 on MSE towards the training target 2:
    # w <- 0.8 w + 0.4 gives w = 0.4, 0.72, 0.976, 1.1808, 1.3446, ... The validation target is 1,
    # so the validation loss (w - 1)^2 falls until epoch 3 and rises after it.
    model = nn.Linear(1, 1, bias=False, generator=0)
    model.load_state_dict({"weight": np.zeros((1, 1))})
    X = np.ones((4, 1))
    stopper, snapshots = EarlyStopping(patience=2), Snapshots()
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, np.full((4, 1), 2.0)),
                  epochs=20, val_data=(X, np.ones((4, 1))), callbacks=[stopper, snapshots], batch_size=4,
                  verbose=False)
    weights = [s["weight"].item() for s in snapshots.states]
    np.testing.assert_allclose(weights, [0.4, 0.72, 0.976, 1.1808, 1.34464])
    np.testing.assert_allclose(history["val_loss"], [(w - 1) ** 2 for w in weights])
    assert (stopper.best_epoch, stopper.stopped_epoch, len(history)) == (3, 5, 5)
    assert stopper.best_value == pytest.approx(0.024 ** 2)
    assert model.weight.data.item() == pytest.approx(0.976)  # restored, not the last 1.34464
    assert evaluate(model, nn.MSELoss(), (X, np.ones((4, 1))))["loss"] == pytest.approx(0.024 ** 2)


def test_early_stopping_without_restore_keeps_the_last_parameters():
    model = nn.Linear(1, 1, bias=False, generator=0)
    model.load_state_dict({"weight": np.zeros((1, 1))})
    X = np.ones((4, 1))
    history = fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (X, np.full((4, 1), 2.0)), epochs=20,
                  val_data=(X, np.ones((4, 1))), callbacks=EarlyStopping(patience=2, restore_best=False),
                  batch_size=4, verbose=False)  # a single callback needs no list
    assert len(history) == 5
    assert model.weight.data.item() == pytest.approx(1.34464)


def test_early_stopping_modes_and_errors(moons):
    assert EarlyStopping(monitor="val_accuracy").mode == "max"
    stopper = EarlyStopping(patience=2, monitor="accuracy", min_delta=0.1)
    for epoch, acc in enumerate([0.5, 0.55, 0.65, 0.7], start=1):
        stop = stopper.on_epoch_end(epoch, {"accuracy": acc}, mlp(0))
    assert stopper.best_epoch == 3 and stop is False  # 0.55 is not 0.1 better than 0.5; 0.65 is
    (X_tr, y_tr), _, _ = moons
    model = mlp(0)
    with pytest.raises(KeyError, match="val_data"):
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X_tr, y_tr), epochs=1,
            callbacks=[EarlyStopping()], verbose=False)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)


# ----- predictions and ensembles ------------------------------------------------------------------
def test_predict_proba_softmax_and_sigmoid(moons):
    (X_tr, _), _, _ = moons
    model = mlp(0)
    p = predict_proba(model, X_tr, batch_size=64)
    logits = model(Tensor(X_tr)).data
    expected = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(p, expected / expected.sum(1, keepdims=True))
    one = mlp(0, outputs=1)
    q = predict_proba(one, X_tr)
    s = 1 / (1 + np.exp(-one(Tensor(X_tr)).data[:, 0]))
    np.testing.assert_allclose(q, np.stack([1 - s, s], 1))
    assert model.training  # mode restored


def test_ensemble_averages_member_probabilities(moons):
    (X_tr, y_tr), _, (X_te, y_te) = moons
    members = []
    for seed in range(3):
        model = mlp(10 * seed)
        fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.02), (X_tr, y_tr), epochs=3,
            verbose=False, seed=seed)
        members.append(model)
    ensemble = Ensemble(members)
    mean = np.mean([predict_proba(m, X_te) for m in members], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X_te), mean)
    np.testing.assert_array_equal(ensemble.predict(X_te), mean.argmax(1))
    assert ensemble.accuracy(X_te, y_te) == np.mean(mean.argmax(1) == y_te)
    assert len(ensemble) == 3


def test_snapshot_ensemble(moons):
    (X_tr, y_tr), _, (X_te, _) = moons
    model = mlp(1)
    snapshots = Snapshots(every=2, start=2)
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.2), (X_tr, y_tr), epochs=6,
        callbacks=[snapshots], verbose=False)
    assert snapshots.epochs == [2, 4, 6]
    final = model.state_dict()
    ensemble = Ensemble.from_snapshots(model, snapshots.states)
    probas = ensemble.member_probas(X_te)
    for state, proba in zip(snapshots.states, probas):
        other = mlp(99)
        other.load_state_dict(state)
        np.testing.assert_allclose(proba, predict_proba(other, X_te))
    np.testing.assert_allclose(ensemble.predict_proba(X_te), np.mean(probas, axis=0))
    assert not np.allclose(probas[0], probas[2])
    for key, value in model.state_dict().items():  # the model's own parameters are back
        np.testing.assert_array_equal(value, final[key])


# ----- hyperparameter search ----------------------------------------------------------------------
def distance_to_best_lr(lr, width=8):
    """A stand-in for training: the score is lowest at lr = 1e-2."""
    return (math.log10(lr) + 2) ** 2 + 0 * width


def tiny_training(lr, hidden):
    """A real (tiny) training run, defined at the top level so a process pool can pickle it."""
    X, y = make_logistic_regression(120, seed=0)
    (X_tr, y_tr), (X_va, y_va) = train_val_test_split(X, y, fractions=(0.75, 0.25), seed=0)
    model = mlp(0, hidden=hidden)
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr), (X_tr, y_tr), epochs=3,
                  val_data=(X_va, y_va), verbose=False, seed=0)
    return {"val_loss": history["val_loss"][-1], "val_accuracy": history["val_accuracy"][-1]}


def sometimes_fails(x):
    if x == 2:
        raise FloatingPointError("diverged")
    return {"loss": float(x)}


def test_distributions_sample_in_range():
    rng = np.random.default_rng(0)
    lrs = np.array([LogUniform(1e-4, 1e-1).sample(rng) for _ in range(2000)])
    assert lrs.min() >= 1e-4 and lrs.max() <= 1e-1
    decades = np.histogram(np.log10(lrs), bins=[-4, -3, -2, -1])[0]
    assert np.all(np.abs(decades - 2000 / 3) < 100)  # each factor of 10 equally likely
    ints = {IntUniform(2, 4).sample(rng) for _ in range(100)}
    assert ints == {2, 3, 4}
    assert all(0.5 <= Uniform(0.5, 0.9).sample(rng) < 0.9 for _ in range(100))
    assert {Choice(["sgd", "adam"]).sample(rng) for _ in range(50)} == {"sgd", "adam"}
    with pytest.raises(ValueError, match="0 < low < high"):
        LogUniform(0, 1)


def test_random_search_returns_the_best_trial_first():
    space = {"lr": LogUniform(1e-4, 1e-1), "width": 8}
    result = random_search(distance_to_best_lr, space, n_trials=12, seed=0)
    scores = [t["score"] for t in result]
    assert len(result) == 12 and scores == sorted(scores)
    assert result.best["score"] == min(distance_to_best_lr(t["lr"]) for t in result)
    assert result.best_params == {"lr": result.best["lr"], "width": 8}
    assert sorted(t["trial"] for t in result) == list(range(12))
    again = random_search(distance_to_best_lr, space, n_trials=12, seed=0)
    assert [t["lr"] for t in again] == [t["lr"] for t in result]
    table = str(result).splitlines()
    assert table[0].split() == ["trial", "lr", "width", "score"] and len(table) == 15


def test_random_search_in_a_process_pool_matches_in_process():
    space = {"lr": LogUniform(1e-2, 1.0), "hidden": IntUniform(2, 8)}
    here = random_search(tiny_training, space, n_trials=4, seed=1, metric="val_accuracy", mode="max")
    with ProcessPoolExecutor(max_workers=2) as pool:
        there = random_search(tiny_training, space, n_trials=4, seed=1, metric="val_accuracy", mode="max",
                              executor=pool)
    assert [t["trial"] for t in there] == [t["trial"] for t in here]
    for a, b in zip(here, there):
        assert a == pytest.approx(b)
    accuracies = [t["val_accuracy"] for t in there]
    assert accuracies == sorted(accuracies, reverse=True)


def test_grid_search_enumerates_the_product():
    calls = []

    def score(a, b, c):
        calls.append((a, b, c))
        return {"loss": a * (1 if b == "x" else 10), "extra": c}

    result = grid_search(score, {"a": [3, 1, 2], "b": ("x", "y"), "c": 7}, executor=ThreadPoolExecutor(2),
                         metric="loss")
    assert sorted(calls) == sorted((a, b, 7) for a in (3, 1, 2) for b in "xy")
    assert len(result) == 6 and [t["loss"] for t in result] == [1, 2, 3, 10, 20, 30]
    assert result.best_params == {"a": 1, "b": "x", "c": 7}
    assert [t["trial"] for t in sorted(result, key=lambda t: t["trial"])] == list(range(6))
    assert grid_search(lambda a: -a, {"a": range(4)}, mode="max").best["a"] == 0


def test_search_records_failed_trials_last():
    with pytest.warns(RuntimeWarning, match="1 of 3 trials failed"):
        result = grid_search(sometimes_fails, {"x": [2, 3, 1]})
    assert [t["x"] for t in result] == [1, 3, 2]
    assert "FloatingPointError: diverged" in result[-1]["error"] and "error" in str(result)
    with pytest.raises(RuntimeError, match="every trial failed"):
        grid_search(sometimes_fails, {"x": [2]})


def test_search_errors_are_clear():
    with pytest.raises(ValueError, match="metric="):
        grid_search(lambda a: {"loss": a, "acc": a}, {"a": [1, 2]})
    with pytest.raises(ValueError, match="not among"):
        grid_search(lambda a: {"loss": a}, {"a": [1, 2]}, metric="val_loss")
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(RuntimeError, match="top level of a module"):
        grid_search(lambda a: a, {"a": [1, 2]}, executor=pool)
    with pytest.raises(TypeError, match="random_search"):
        grid_search(distance_to_best_lr, {"lr": LogUniform(1e-3, 1)})
