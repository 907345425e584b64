"""Measuring tools shared by every workload: a timer that warms up and repeats, resident
memory read from /proc, and a description of the machine."""
from __future__ import annotations

import gc
import os
import platform
import resource
import statistics
import time
from importlib import metadata


def measure(step, warmup: int, repeat: int, budget_s: float, inner: int = 1) -> dict:
    """Call `step()` `warmup` times untimed, then up to `repeat` times timed.

    Stops repeating once the timed calls together took more than `budget_s` (a slow case
    gets fewer repeats, never fewer than one). `inner` is how many operations one call
    performs (W5 times a loop of many additions): times are reported per operation.
    The values returned by the first three calls are kept as `check`, so the runner can
    verify that every implementation computed the same thing.
    """
    check, details = [], []
    for _ in range(warmup):
        _keep(check, details, step())
    times, faults_before = [], _minor_faults()
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        value = step()
        times.append((time.perf_counter() - start) / inner)
        _keep(check, details, value)
        if sum(times) * inner > budget_s:
            break
    return {
        "faults_per_call": (_minor_faults() - faults_before) / len(times),
        "median_s": statistics.median(times),
        "min_s": min(times),
        "runs": len(times),
        "times_s": times,
        "check": check,
        "details": details,
    }


def _minor_faults() -> int:
    """Page faults served without disk so far: each is memory touched for the first time since
    it was mapped (glibc gives large freed blocks back to the system, so a step that allocates
    big temporaries faults them in again every time; on a VM each fault costs microseconds)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _keep(check: list, details: list, value) -> None:
    """A step returns numbers to compare between implementations, or (drawing) a dict of
    the times of its phases."""
    if isinstance(value, dict):
        details.append(value)
    elif len(check) < 3 and value is not None:
        check.append([float(v) for v in value] if isinstance(value, (tuple, list)) else [float(value)])


# ----- memory -------------------------------------------------------------------------
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """Resident memory of this process now, in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


def reset_peak_rss() -> bool:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM).
    Returns False where that is not allowed; peak_rss_mb() then reports the peak since start."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Highest resident memory since the last reset_peak_rss() (or since start), in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_run(step, steps_done: int, total_steps: int, baseline_mb: float) -> dict:
    """Keep calling `step()` until `total_steps` calls were made in all; report the peak
    resident memory above `baseline_mb` and whether memory grew between the 10th and the
    last step (a graph that is never freed would add its size every step)."""
    rss_10 = objects_10 = None
    for i in range(steps_done, total_steps):
        step()
        if i + 1 == min(10, total_steps):
            rss_10, objects_10 = rss_mb(), len(gc.get_objects())
    if rss_10 is None:
        rss_10, objects_10 = rss_mb(), len(gc.get_objects())
    return {
        "steps": total_steps,
        "peak_mb": peak_rss_mb() - baseline_mb,
        "growth_mb": rss_mb() - rss_10,
        "growth_objects": len(gc.get_objects()) - objects_10,
    }


# ----- the machine ----------------------------------------------------------------------
def machine_info() -> dict:
    """CPU model, cores, load, BLAS and versions: what a reader needs to compare numbers."""
    import numpy as np

    info = {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average": _load_average(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": _blas(np),
        "torch": _version("torch"),
        "platform": platform.platform(),
    }
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _load_average() -> list:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _blas(np) -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        text = f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # the layout of numpy's config is not a stable API
        text = "unknown"
    try:
        from threadpoolctl import threadpool_info

        threads = {pool["internal_api"]: pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}
        if threads:
            text += " (threads: " + ", ".join(f"{k} {v}" for k, v in threads.items()) + ")"
    except ImportError:
        pass
    return text


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None

