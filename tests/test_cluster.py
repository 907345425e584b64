"""Hyperparameter search and ensembles on a real Dask cluster: a `distributed.LocalCluster` of two
worker processes on the loopback interface (the optional `cluster` extra; the test extra installs it).

What a killed worker does: Dask runs the trial it was running again on a live worker (up to
`distributed.scheduler.allowed-failures` times, 3 by default), and recomputes results the dead worker
held, so the search finishes with every result. With allowed-failures 0 the trials that were on the
killed worker are reported as failed trials (KilledWorker) and the other trials' results are kept:
the one it was running and those the scheduler had already queued on it.
"""
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed", reason="needs the cluster extra: pip install -e '.[cluster]'")
import dask  # noqa: E402 - after the skip: dask comes with distributed
import psutil  # noqa: E402 - a dependency of distributed

import nn  # noqa: E402
import optim  # noqa: E402
from nn.data import make_moons, train_val_test_split  # noqa: E402
from nn.training import Ensemble, IntUniform, LogUniform, fit, grid_search, random_search  # noqa: E402

TIME_LIMIT = 120  # seconds for starting a cluster or for one test
README = Path(__file__).resolve().parents[1] / "README.md"


@contextlib.contextmanager
def time_limit(seconds=TIME_LIMIT, what="the cluster test"):
    """Raise TimeoutError in the main thread if the block runs longer than `seconds` (never hang)."""
    def expire(signum, frame):
        raise TimeoutError(f"{what} took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def local_cluster():
    """Two worker processes, one thread each, on 127.0.0.1; on exit every worker process is gone."""
    pids = set()
    with time_limit(what="starting the cluster"):
        # the scheduler always serves HTTP (health checks): on any free port of the loopback interface
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
        client.wait_for_workers(2, timeout=60)
    try:
        client.pids = pids
        pids.update(client.run(os.getpid).values())
        listening = {c.laddr.ip for p in (os.getpid(), *pids) for c in psutil.Process(p).net_connections("inet")
                     if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}, f"the cluster listens beyond the loopback interface: {listening}"
        yield client
        pids.update(client.run(os.getpid).values())
    finally:
        with time_limit(what="closing the cluster"):
            client.close()
            cluster.close()
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"worker processes left behind: {alive}"


@pytest.fixture(scope="module")
def client():
    with local_cluster() as client:
        yield client


@pytest.fixture(autouse=True)
def bounded():
    with time_limit():
        yield


# ----- trial functions (top level: the workers import them from this module) ------------------------
def train_moons(lr, hidden, seed):
    """A real small training run, seeded by its own arguments; also says which process ran it."""
    X, y = make_moons(160, noise=0.2, seed=0)
    (X_tr, y_tr), (X_va, y_va) = train_val_test_split(X, y, fractions=(0.75, 0.25), seed=0)
    model = nn.Sequential(nn.Linear(2, hidden, generator=seed), nn.Tanh(), nn.Linear(hidden, 2, generator=seed + 1))
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=lr, momentum=0.9), (X_tr, y_tr),
                  epochs=5, val_data=(X_va, y_va), verbose=False, seed=seed)
    return {"val_loss": history["val_loss"][-1], "val_accuracy": history["val_accuracy"][-1], "pid": os.getpid()}


def diverges_at_two(x, key, retries):
    """`key` and `retries` are also keywords of Dask's Client.submit: the search must pass them to the trial."""
    if x == 2:
        raise FloatingPointError(f"diverged at x={x}")
    return {"loss": float(x), "key": key, "retries": retries}


def slow_trial(x, marker_dir, seconds):
    """Leaves a marker `<x>-<pid>` when it starts (so the test can kill the process running it), then sleeps."""
    Path(marker_dir, f"{x}-{os.getpid()}").touch()
    time.sleep(seconds)
    return {"loss": float(x * x)}


def train_member(seed):
    """One ensemble member: the same network trained from its own seed."""
    X, y = make_moons(160, noise=0.2, seed=0)
    model = nn.Sequential(nn.Linear(2, 8, generator=seed), nn.ReLU(), nn.Linear(8, 2, generator=seed + 1))
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=5, verbose=False,
        seed=seed)
    return model


# ----- tests ---------------------------------------------------------------------------------------
def without_pid(trials):
    return [{k: v for k, v in trial.items() if k != "pid"} for trial in trials]


def test_seeded_random_search_on_the_cluster_matches_a_sequential_run(client):
    space = {"lr": LogUniform(1e-2, 0.5), "hidden": IntUniform(2, 8), "seed": IntUniform(0, 1000)}
    here = random_search(train_moons, space, n_trials=6, seed=3, metric="val_loss")
    there = random_search(train_moons, space, n_trials=6, seed=3, metric="val_loss", executor=client)
    assert without_pid(there.trials) == without_pid(here.trials)  # same parameters, same numbers, same order
    assert {t["pid"] for t in here} == {os.getpid()}
    assert {t["pid"] for t in there} <= client.pids and len({t["pid"] for t in there}) == 2  # both workers trained
    assert there.best["val_loss"] == min(t["val_loss"] for t in here)


def test_a_trial_that_raises_is_reported_and_the_others_are_kept(client):
    with pytest.warns(RuntimeWarning, match="1 of 4 trials failed"):
        result = grid_search(diverges_at_two, {"x": [3, 2, 1, 4], "key": "k", "retries": 7}, executor=client,
                             metric="loss")
    assert [t["x"] for t in result] == [1, 3, 4, 2]
    assert [t["loss"] for t in result[:3]] == [1.0, 3.0, 4.0]
    assert all(t["key"] == "k" and t["retries"] == 7 for t in result[:3])  # not taken by Client.submit
    assert result[-1]["error"] == "FloatingPointError: diverged at x=2" and "loss" not in result[-1]


def test_an_ensemble_trained_on_the_cluster_matches_one_trained_here(client):
    X, _ = make_moons(50, noise=0.2, seed=1)
    here = Ensemble([train_member(seed) for seed in range(3)])
    futures = [client.submit(train_member, seed) for seed in range(3)]
    there = Ensemble([future.result(timeout=60) for future in futures])
    np.testing.assert_array_equal(there.predict_proba(X), here.predict_proba(X))
    assert len(there) == 3 and there.accuracy(*make_moons(100, noise=0.2, seed=0)) > 0.7


def kill_when_started(marker_dir: Path, x, killed: list):
    """In a thread: wait until trial `x` has started on a worker, then kill that worker process."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        started = list(marker_dir.glob(f"{x}-*"))
        if started:
            pid = int(started[0].name.split("-")[1])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.02)


def search_killing_a_worker(client, marker_dir: Path):
    killed = []
    killer = threading.Thread(target=kill_when_started, args=(marker_dir, 1, killed))
    killer.start()
    try:
        result = grid_search(slow_trial, {"x": [1, 2, 3, 4], "marker_dir": str(marker_dir), "seconds": 1.0},
                             executor=client, metric="loss")
    finally:
        killer.join(timeout=70)
    assert len(killed) == 1 and killed[0] in client.pids, "the worker running trial x=1 was not killed"
    return result, killed[0]


def test_a_worker_killed_mid_search_loses_no_result_dask_runs_its_trial_again(client, tmp_path):
    result, killed = search_killing_a_worker(client, tmp_path)
    assert [(t["x"], t["loss"]) for t in result] == [(1, 1.0), (2, 4.0), (3, 9.0), (4, 16.0)]
    assert not any("error" in t for t in result)
    runs_of_first = {int(p.name.split("-")[1]) for p in tmp_path.glob("1-*")}
    assert killed in runs_of_first and len(runs_of_first) >= 2  # started again in another process
    client.wait_for_workers(2, timeout=60)  # the nanny has started a new worker in place of the dead one
    client.pids.update(client.run(os.getpid).values())


def test_with_no_retries_allowed_a_killed_trial_is_reported_failed_and_the_others_kept(tmp_path):
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), local_cluster() as client:
        with pytest.warns(RuntimeWarning, match="of 4 trials failed"):
            result, killed = search_killing_a_worker(client, tmp_path)
        client.pids.update(client.run(os.getpid).values())
    failed = [t for t in result if "error" in t]
    kept = [t for t in result if "error" not in t]
    assert 1 in [t["x"] for t in failed] and all(t["error"].startswith("KilledWorker") for t in failed)
    assert kept and all(t["loss"] == t["x"] ** 2 for t in kept)  # the other worker's results
    assert result.trials == kept + failed and len(result) == 4
    assert [p.name for p in tmp_path.glob("1-*")] == [f"1-{killed}"]  # trial x=1 was not run again
    ran_on_killed = {int(p.name.split("-")[0]) for p in tmp_path.iterdir() if p.name.endswith(f"-{killed}")}
    assert ran_on_killed <= {t["x"] for t in failed}


def test_the_readmes_recipe_runs_as_a_script(tmp_path):
    """The README's Dask block, saved as a script: a search on a LocalCluster, then an ensemble of the best."""
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S) if "LocalCluster" in b]
    (tmp_path / "recipe.py").write_text(block)
    env = os.environ | {"PYTHONPATH": str(README.parent)}
    process = subprocess.Popen([sys.executable, "recipe.py"], cwd=tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=TIME_LIMIT - 10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the script and its worker processes
        out, err = process.communicate()
        pytest.fail(f"the recipe took more than {TIME_LIMIT - 10} s:\n{out}\n{err}")
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["trial", "lr", "hidden", "seed", "val_loss", "val_accuracy"] and len(lines) == 12
    assert lines[10] == "(sorted by val_accuracy, highest first)"
    ensemble, accuracy = lines[11].rsplit(" ", 1)
    assert ensemble == "Ensemble(5 models)" and float(accuracy) > 0.8, out
