"""The benchmark plan, one fresh process per case, and the printed table.

    python -m benchmarks                 # everything (several minutes)
    python -m benchmarks --only W2,W4    # some workloads
    python -m benchmarks --quick         # tiny sizes, one repeat: checks the code runs
    python -m benchmarks --json PATH     # where the results go (default benchmarks/results.json)
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.case import RESULT_PREFIX
from benchmarks.harness import machine_info

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W6", "drawing", "pages")
W3_CAP_S = 60.0  # a W3 size predicted to need longer than this (per run) is skipped and said so


# ----- the plan -------------------------------------------------------------------------
def plan(quick: bool, workloads, with_torch: bool) -> list[dict]:
    """Every case to run: workload, implementation, parameters, warm-up, repeats, budget."""

    def case(workload, name, impl, params, warmup, repeat, budget_s=20.0, **extra):
        if quick:
            warmup, repeat = min(warmup, 2), 1
        return dict(workload=workload, case=name, impl=impl, params=params, warmup=warmup,
                    repeat=repeat, budget_s=budget_s, **extra)

    cases = []
    if "W1" in workloads:
        points = 3 if quick else 100
        for impl in ("chalkgrad", "torch", "micrograd"):
            cases.append(case("W1", f"{points} points", impl, {"points": points}, 1, 7, 30.0))
    if "W2" in workloads:
        shape = {"batch": 8, "sizes": [20, 16, 12, 10]} if quick else {}
        for dtype in ("float32", "float64"):
            for style in ("nn.Linear", "x @ W + b"):
                for impl in ("chalkgrad", "numpy", "torch"):
                    # chalkgrad's memory over many steps (target: no growth over 10^4), the others' over 100
                    steps = 12 if quick else 10_000 if impl == "chalkgrad" and style == "nn.Linear" else 100
                    cases.append(case("W2", f"{dtype} {style}", impl, {"dtype": dtype, "style": style, **shape},
                                      5, 50, 10.0, memory_steps=steps, processes=1 if quick else 3))
    if "W3" in workloads:
        sizes = (10, 100) if quick else (10**3, 10**4, 10**5, 10**6)
        repeats = {10: (2, 1), 100: (2, 1), 10**3: (3, 20), 10**4: (2, 10), 10**5: (1, 5), 10**6: (0, 1)}
        for width, label in ((16, "(16,)"), (0, "0-d")):
            for n in (sizes if width or quick else sizes[1:3]):  # 0-d: 10^4 and 10^5
                for impl in ("chalkgrad", "numpy", "torch"):
                    warmup, repeat = repeats[n]
                    cases.append(case("W3", f"N={n:,} {label}", impl, {"n": n, "width": width}, warmup, repeat,
                                      30.0))
    if "W4" in workloads:
        for threads in (1, 2):
            blas = {"OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads)}
            for impl in ("chalkgrad", "numpy", "torch"):
                steps = 12 if quick else 10_000 if impl == "chalkgrad" and threads == 1 else 100
                cases.append(case("W4", f"float32, {threads} thread{'s' * (threads > 1)}", impl,
                                  {"batch": 2 if quick else 64, "threads": threads}, 3, 30, 10.0, env=blas,
                                  memory_steps=steps, processes=1 if quick else 3))
    if "W5" in workloads:
        for mode, inner in (("forward", 20_000), ("forward+backward", 5_000)):
            for impl in ("chalkgrad", "numpy", "torch"):
                inner_n = 50 if quick else inner
                cases.append(case("W5", mode, impl, {"mode": mode, "inner": inner_n}, 1, 15, 10.0, inner=inner_n))
    if "W6" in workloads:
        for op in ("conv1d", "conv_transpose2d"):
            for impl in ("chalkgrad", "numpy", "torch"):
                cases.append(case("W6", op, impl, {"op": op, "size": "quick" if quick else "full"}, 3, 30, 10.0,
                                  processes=1 if quick else 3))
    if "drawing" in workloads:
        for operations in ((30,) if quick else (10**2, 10**3, 10**4)):
            cases.append(case("drawing", f"{operations:,} ops", "chalkgrad",
                              {"operations": operations, "render_timeout_s": 20.0 if quick else 120.0},
                              0, 3 if operations < 10**4 else 1, 60.0))
    if "pages" in workloads:
        for graph in ("cnn", "mlp120"):
            cases.append(case("pages", graph, "chalkgrad", {"graph": graph}, 1, 5, 60.0))
    if not with_torch:
        cases = [c for c in cases if c["impl"] != "torch"]
    return cases


# ----- running --------------------------------------------------------------------------
def run_in_fresh_process(spec: dict, timeout_s: float) -> dict:
    """Run one case with this same Python in a new process; its last line is the result."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.update(spec.get("env", {}))  # e.g. the BLAS threads of a W4 case
    command = [sys.executable, "-m", "benchmarks.case", json.dumps(spec)]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout_s:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return {"error": f"the process ended (exit code {done.returncode}) without a result", "traceback": done.stderr[-3000:]}


def run_all(cases: list[dict], quick: bool, progress=print) -> list[dict]:
    records = []
    for spec in cases:
        skipped = _w3_cap(spec, records)
        if skipped:
            result = {"skipped": skipped}
        else:
            # the memory check runs up to 10^4 more steps: allow up to 0.1 s each
            timeout = 120.0 if quick else 10 * spec["budget_s"] + 120.0 + 0.1 * spec.get("memory_steps", 0)
            result = _in_several_processes(spec, timeout)
        records.append({**spec, **result})
        progress(f"  {spec['workload']:<7} {spec['case']:<17} {spec['impl']:<10} {_brief(records[-1])}")
    return records


def _in_several_processes(spec: dict, timeout_s: float) -> dict:
    """Run the case in `spec["processes"]` fresh processes (default 1). How a process's heap
    happens to be laid out decides whether glibc hands big temporaries back to the system after
    every step (and the next step faults them in again): a W2 step can take 6 ms in one process
    and 11 ms in the next. So W2/W4 run three times; the result is the process with the median
    time (its memory and checks), and `process_medians_s` lists them all."""
    # only the first process runs the (long) memory check
    without_memory = {key: value for key, value in spec.items() if key != "memory_steps"}
    results = [run_in_fresh_process(spec if k == 0 else without_memory, timeout_s)
               for k in range(spec.get("processes", 1))]
    failed = [r for r in results if "median_s" not in r]
    if failed:
        return failed[0]
    results.sort(key=lambda r: r["median_s"])
    memory = next((r["memory"] for r in results if "memory" in r), None)
    median = {**results[len(results) // 2], "process_medians_s": [r["median_s"] for r in results]}
    return {**median, "memory": memory} if memory else median


def _w3_cap(spec: dict, records: list) -> str | None:
    """Skip a W3 size whose predicted run time (from the previous size, linear growth)
    exceeds W3_CAP_S, so the full run stays bounded."""
    if spec["workload"] != "W3":
        return None
    earlier = [r for r in records if r["workload"] == "W3" and r["impl"] == spec["impl"] and "median_s" in r]
    if not earlier:
        return None
    last = earlier[-1]
    predicted = last["median_s"] * spec["params"]["n"] / last["params"]["n"]
    if predicted * (spec["warmup"] + 1) > W3_CAP_S:
        return f"capped: predicted {predicted:.0f} s per run (over {W3_CAP_S:.0f} s) from N={last['params']['n']:,}"
    return None


def _brief(record: dict) -> str:
    if "error" in record:
        return "ERROR " + record["error"]
    if "skipped" in record:
        return "skipped: " + record["skipped"]
    return f"{format_time(record['median_s'])} (median of {record['runs']})"


# ----- targets and the table ------------------------------------------------------------
# (workload, case or None for all) -> (text, function(ratios) -> met?)
TARGETS = {  # issue #14
    "W1": ("<=0.25x torch", lambda r: _le(r.get("torch"), 0.25)),
    "W2": ("<=1.0x numpy", lambda r: _le(r.get("numpy"), 1.0)),
    "W3": ("<=0.4x torch", lambda r: _le(r.get("torch"), 0.4)),
    "W4": ("<=1.3x torch", lambda r: _le(r.get("torch"), 1.3)),
    "W5 forward": ("<=0.7x torch", lambda r: _le(r.get("torch"), 0.7)),
    "W5 forward+backward": ("<=0.15x torch", lambda r: _le(r.get("torch"), 0.15)),
}
LINEARITY_TOLERANCE = 0.25  # W3: time per node within +-25 % across sizes
MEMORY_TARGET = 1.3  # peak memory of a training step at most 1.3x the numpy reference
TOLERANCE = {"float32": 2e-3, "default": 1e-6}  # relative, for the results to agree


def _le(value, bound):
    return None if value is None else value <= bound


def summarise(records: list[dict]) -> dict:
    """Group the cases into table rows: medians per implementation, ratios, targets, checks."""
    rows = []
    for key in _ordered_keys(records):
        group = {r["impl"]: r for r in records if (r["workload"], r["case"]) == key}
        times = {impl: r["median_s"] for impl, r in group.items() if "median_s" in r}
        mine = times.get("chalkgrad")
        ratios = {impl: mine / t for impl, t in times.items() if mine is not None and impl != "chalkgrad" and t > 0}
        ratios["seconds"] = mine
        workload, case = key
        target = TARGETS.get(f"{workload} {case}") or TARGETS.get(workload)
        rows.append({
            "workload": workload, "case": case, "times": times, "ratios": ratios,
            "target": target[0] if target else "", "met": target[1](ratios) if target and mine is not None else None,
            "agree": _agree(group), "notes": _notes(group),
            "memory": {impl: r["memory"] for impl, r in group.items() if "memory" in r},
            "peak_mb": {impl: r["peak_mb"] for impl, r in group.items() if "peak_mb" in r},
            "faults": {impl: r["faults_per_call"] for impl, r in group.items() if "faults_per_call" in r},
            "spread": {impl: r["process_medians_s"] for impl, r in group.items() if len(r.get("process_medians_s", ())) > 1},
            "info": group.get("chalkgrad", {}).get("info", {}),
            "details": {impl: r.get("details_median") for impl, r in group.items() if r.get("details_median")},
        })
    return {"rows": rows, "linearity": _linearity(rows), "memory": _memory_rows(rows)}


def _ordered_keys(records):
    keys = []
    for r in records:
        if (r["workload"], r["case"]) not in keys:
            keys.append((r["workload"], r["case"]))
    return keys


def _agree(group: dict) -> bool | None:
    """Did every implementation return the same numbers (losses, gradient sums) as chalkgrad?"""
    mine = group.get("chalkgrad", {}).get("check")
    others = [r["check"] for impl, r in group.items() if impl != "chalkgrad" and r.get("check")]
    if not mine or not others:
        return None
    float32 = group["chalkgrad"]["workload"] in ("W4", "W6") or group["chalkgrad"]["params"].get("dtype") == "float32"
    rtol = TOLERANCE["float32"] if float32 else TOLERANCE["default"]
    for check in others:
        for mine_values, other_values in zip(mine, check):
            for a, b in zip(mine_values, other_values):
                if not math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12):
                    return False
    return True


def _notes(group: dict) -> list[str]:
    notes = []
    for impl, r in group.items():
        if "error" in r:
            notes.append(f"{impl}: ERROR {r['error']}")
        elif "skipped" in r:
            notes.append(f"{impl}: skipped ({r['skipped']})")
    return notes


def _linearity(rows: list[dict]) -> dict | None:
    """W3 (16,): microseconds per node for each N, and the spread of chalkgrad's (target +-25 %)."""
    w3 = [r for r in rows if r["workload"] == "W3" and r["case"].endswith("(16,)")]
    if not w3:
        return None
    per_node = {}
    for r in w3:
        nodes = r["info"].get("nodes") or 3 * int(r["case"].split("=")[1].split()[0].replace(",", "")) + 1
        per_node[r["case"]] = {impl: t / nodes for impl, t in r["times"].items()}
    mine = [v["chalkgrad"] for v in per_node.values() if "chalkgrad" in v]
    if len(mine) < 2:
        return {"per_node_s": per_node, "spread": None, "met": None}
    middle = sorted(mine)[len(mine) // 2]
    spread = max(abs(v / middle - 1) for v in mine)
    return {"per_node_s": per_node, "spread": spread, "met": spread <= LINEARITY_TOLERANCE}


def _memory_rows(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        if not r["memory"]:
            continue
        mine, ref = r["memory"].get("chalkgrad"), r["memory"].get("numpy")
        ratio = mine["peak_mb"] / ref["peak_mb"] if mine and ref and ref["peak_mb"] > 0 else None
        grew = None if not mine else mine["growth_mb"] > 1.0 or mine["growth_objects"] > 100
        out.append({"workload": r["workload"], "case": r["case"], "memory": r["memory"], "ratio": ratio,
                    "met": None if ratio is None else ratio <= MEMORY_TARGET and not grew, "grew": grew})
    return out


# ----- printing -------------------------------------------------------------------------
def format_time(seconds) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _ratio(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _yes(flag) -> str:
    return {True: "yes", False: "NO", None: "n/a"}[flag]


def render(summary: dict, machine: dict, quick: bool, with_torch: bool) -> str:
    lines = [
        f"chalkgrad benchmarks{' (--quick: tiny sizes, timings meaningless)' if quick else ''}",
        f"machine: {machine['cpu']}, {machine['cores']} cores, load average {machine['load_average']} "
        f"(after: {machine.get('load_average_after', '?')})",
        f"         Python {machine['python']}, numpy {machine['numpy']} ({machine['blas']}), "
        f"torch {machine['torch'] or 'not installed'}{' (2 threads)' if machine['torch'] else ''}",
        "times are medians; ratios are chalkgrad's time / the other's (below 1 = chalkgrad faster)",
    ]
    if not with_torch:
        lines.append("note: PyTorch is not importable (or --no-torch): its columns are skipped")
    cores = machine["cores"] or 1
    before = (machine["load_average"] or [0])[0]
    after = (machine.get("load_average_after") or [0])[0]  # includes this run's own ~1-2
    if before > 0.5 * cores or after > cores + 1:
        lines.append(f"WARNING: the machine was busy (1-minute load {before:.1f} before, {after:.1f} after, "
                     f"on {cores} cores): "
                     "timings are unreliable, BLAS-bound ones (W2, W4) most of all; re-run on a quiet machine")
    header = ("workload", "case", "chalkgrad", "numpy ref", "PyTorch", "x numpy", "x torch", "target", "met?", "same?")
    table = []
    for r in summary["rows"]:
        if r["workload"] in ("drawing", "pages"):
            continue
        t, q = r["times"], r["ratios"]
        table.append((r["workload"], r["case"], format_time(t.get("chalkgrad")), format_time(t.get("numpy")),
                      format_time(t.get("torch")), _ratio(q.get("numpy")), _ratio(q.get("torch")),
                      r["target"], _yes(r["met"]), _yes(r["agree"])))
    if table:
        lines += ["", *_columns(header, table)]
    for r in summary["rows"]:
        if r["workload"] == "W1":
            lines.append(f"W1 graph: {r['info'].get('nodes', '?'):,} nodes"
                         if isinstance(r["info"].get("nodes"), int) else "W1 graph: node count unknown")
            if "micrograd" in r["times"] and r["times"].get("chalkgrad"):
                m = r["times"]["micrograd"]
                lines.append(f"W1 micrograd-style pure-Python Value (context): {format_time(m)}, "
                             f"chalkgrad is {r['times']['chalkgrad'] / m:.2f}x that")
    for r in summary["rows"]:
        if r["workload"] in ("W2", "W4", "W6") and r["faults"]:
            counts = ", ".join(f"{impl} {r['faults'][impl]:,.0f}" for impl in ("chalkgrad", "numpy", "torch")
                               if impl in r["faults"])
            lines.append(f"{r['workload']} {r['case']} page faults per step: {counts}")
            if r["spread"]:
                spread = "; ".join(f"{impl} " + " / ".join(format_time(t) for t in times)
                                   for impl, times in r["spread"].items())
                lines.append(f"{r['workload']} {r['case']} medians in each fresh process: {spread}")
    lines += _linearity_lines(summary["linearity"])
    lines += _memory_lines(summary["memory"])
    lines += _drawing_lines([r for r in summary["rows"] if r["workload"] == "drawing"])
    lines += _pages_lines([r for r in summary["rows"] if r["workload"] == "pages"])
    notes = [f"{r['workload']} {r['case']}: {n}" for r in summary["rows"] for n in r["notes"]]
    if notes:
        lines += ["", "notes:", *(f"  {n}" for n in notes)]
    return "\n".join(lines)


def _columns(header, rows) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header), fmt.format(*("-" * w for w in widths)), *(fmt.format(*row) for row in rows)]


def _linearity_lines(linearity) -> list[str]:
    if not linearity:
        return []
    header = ("W3 size", "nodes", "chalkgrad/node", "numpy/node", "PyTorch/node")
    rows = []
    for case, per in linearity["per_node_s"].items():
        n = int(case.split("=")[1].split()[0].replace(",", ""))
        rows.append((case, f"{3 * n + 1:,}", *(format_time(per.get(i)) for i in ("chalkgrad", "numpy", "torch"))))
    spread = linearity["spread"]
    verdict = "-" if spread is None else f"{spread * 100:.0f} %"
    return ["", *_columns(header, rows),
            f"W3 linearity: chalkgrad time per node of the (16,) chain is within +-{verdict} of its median over these sizes "
            f"(target +-{LINEARITY_TOLERANCE * 100:.0f} %): met? {_yes(linearity['met'])}"]


def _memory_lines(memory_rows) -> list[str]:
    if not memory_rows:
        return []
    header = ("memory", "case", "chalkgrad peak", "numpy peak", "PyTorch peak", "x numpy", "chalkgrad growth",
              "target", "met?")
    rows = []
    for m in memory_rows:
        mem = m["memory"]

        def peak(impl, mem=mem):
            return f"{mem[impl]['peak_mb']:.1f} MiB" if impl in mem else "-"

        mine = mem.get("chalkgrad")
        growth = f"{mine['growth_mb']:+.1f} MiB, {mine['growth_objects']:+d} objects" if mine else "-"
        rows.append((m["workload"], m["case"], peak("chalkgrad"), peak("numpy"), peak("torch"), _ratio(m["ratio"]),
                     growth, f"<={MEMORY_TARGET}x numpy, no growth", _yes(m["met"])))
    steps = next(iter(memory_rows[0]["memory"].values()))["steps"]
    return ["", *_columns(header, rows),
            f"peak = highest resident memory above the level after set-up; growth = resident memory and live "
            f"container objects after step {steps} minus after step 10"]


def _drawing_lines(rows) -> list[str]:
    if not rows:
        return []
    table = []
    for r in rows:
        d = r["details"].get("chalkgrad")
        if not d:
            table.append((r["case"], "-", "-", "-", "; ".join(r["notes"]) or "no result"))
            continue
        default = f"{format_time(d['default_s'])} ({'refused' if 'refused' in d else 'drawn'})"
        render = format_time(d["render_s"]) if d.get("render_s") else f"over {d.get('render_timed_out', '?')} s"
        size = f"{d['svg_bytes']:,} bytes" if "svg_bytes" in d else ""
        table.append((r["case"], default, format_time(d["draw_s"]), render, size))
    refusal = next((r["details"]["chalkgrad"]["refused"] for r in rows
                    if r["details"].get("chalkgrad", {}).get("refused")), None)
    lines = ["", *_columns(("drawing", "draw_graph(y)", "max_nodes=None", "dot -> SVG", "SVG"), table)]
    if refusal:
        lines.append(f"refusal: {refusal[:160]}{'...' if len(refusal) > 160 else ''}")
    return lines


def _pages_lines(rows) -> list[str]:
    from benchmarks.pages import TARGETS as PAGE_TARGETS

    if not rows:
        return []
    table = []
    for r in rows:
        d = r["details"].get("chalkgrad")
        if not d:
            table.append((r["case"], "-", "-", "-", "-", "-", "-", "; ".join(r["notes"]) or "no result"))
            continue
        seconds, size = PAGE_TARGETS[r["case"]]
        target = " and ".join(filter(None, (f"<={seconds:g} s" if seconds else "", f"<={size / 1e6:g} MB")))
        met = (seconds is None or d["total_s"] <= seconds) and d["page_bytes"] <= size
        table.append((r["case"], f"{d['steps']:.0f}", format_time(d["steps_s"]), format_time(d["page_s"]),
                      format_time(d["total_s"]), f"{d['page_bytes'] / 1e6:.2f} MB", target, _yes(met)))
    return ["", *_columns(("step page", "steps", "backprop_steps", "to_html", "total", "page", "target", "met?"),
                          table)]


# ----- entry point ----------------------------------------------------------------------
def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="chalkgrad benchmarks (SPEC section 8).")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one repeat: checks that every workload runs")
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W2,W4 (of: " + ", ".join(WORKLOADS) + ")")
    parser.add_argument("--json", default=None, help="where to write the results (default benchmarks/results.json)")
    parser.add_argument("--no-torch", action="store_true", help="do not run the PyTorch cases")
    args = parser.parse_args(argv)
    chosen = [w.strip() for w in args.only.split(",") if w.strip()] or list(WORKLOADS)
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    return args, chosen


def main(argv=None) -> int:
    args, workloads = parse_args(sys.argv[1:] if argv is None else argv)
    with_torch = not args.no_torch and importlib.util.find_spec("torch") is not None
    machine = machine_info()
    cases = plan(args.quick, workloads, with_torch)
    print(f"running {len(cases)} cases, each in a fresh process ...", flush=True)
    records = run_all(cases, args.quick, progress=lambda line: print(line, flush=True))
    summary = summarise(records)
    machine["load_average_after"] = machine_info()["load_average"]
    print()
    print(render(summary, machine, args.quick, with_torch))
    path = Path(args.json) if args.json else ROOT / "benchmarks" / ("results-quick.json" if args.quick else "results.json")
    path.write_text(json.dumps({
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick, "machine": machine, "with_torch": with_torch,
        "summary": summary, "cases": records,
    }, indent=1))
    print(f"\nresults written to {path}")
    failures = [r for r in records if "error" in r] + [r for r in summary["rows"] if r["agree"] is False]
    if failures:
        print(f"{len(failures)} case(s) failed or disagree with the other implementations (see above)")
    return 1 if failures else 0
