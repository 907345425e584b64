"""Run ONE benchmark case in this (fresh) process and print its result as JSON.

    python -m benchmarks.case '{"workload": "W2", "impl": "numpy", "params": {"dtype": "float32"},
                                "warmup": 5, "repeat": 50, "budget_s": 10, "memory_steps": 100}'

The runner starts one such process per case, so no case inherits another's heap, caches
or garbage. Memory is measured from the resident size after set-up (imports, weights,
data): `peak_mb` is the highest resident memory above it while the steps ran.
"""
from __future__ import annotations

import importlib
import json
import statistics
import sys
import traceback

from benchmarks.harness import measure, memory_run, peak_rss_mb, reset_peak_rss, rss_mb

MODULES = {
    "W1": "benchmarks.w1_scalar",
    "W2": "benchmarks.w2_mlp",
    "W3": "benchmarks.w3_chain",
    "W4": "benchmarks.w4_cnn",
    "W5": "benchmarks.w5_overhead",
    "W6": "benchmarks.w6_conv_ops",
    "drawing": "benchmarks.drawing",
    "pages": "benchmarks.pages",
}
RESULT_PREFIX = "BENCHMARK-RESULT "


def run_case(spec: dict) -> dict:
    module = importlib.import_module(MODULES[spec["workload"]])
    step, info = module.setup(spec["impl"], **spec.get("params", {}))
    baseline = rss_mb()
    result = measure(step, spec["warmup"], spec["repeat"], spec["budget_s"], spec.get("inner", 1))
    result["info"] = info
    result["peak_mb"] = peak_rss_mb() - baseline
    if spec.get("memory_steps"):
        # The peak is reset only now, after the timing: on some kernels (this project's
        # Firecracker VMs) resetting it makes every later step fault its memory in again.
        reset_peak_rss()
        done = spec["warmup"] + result["runs"]
        result["memory"] = memory_run(step, done, spec["memory_steps"], baseline)
    if result["details"]:  # drawing, pages: the step reports its own phases
        result["details_median"] = _medians(result["details"])
    return result


def _medians(details: list) -> dict:
    """The median of each timed phase over the calls; other entries (messages) as first seen."""
    out = {}
    for key, first in details[0].items():
        numbers = [d[key] for d in details if isinstance(d.get(key), (int, float))]
        out[key] = statistics.median(numbers) if isinstance(first, (int, float)) and numbers else first
    return out


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    try:
        result = run_case(spec)
    except Exception as error:  # reported in the table; the runner goes on with other cases
        result = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-3000:]}
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
