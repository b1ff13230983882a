"""Run every benchmark in bench/ as a subprocess; save their JSON lines and print a table.

Usage: python bench/run_all.py [--quick]

Each benchmark prints one JSON line on stdout (the machine's own limits measured in the same
run). The lines are collected into bench/results/latest.json (git-ignored) and summarised as
a markdown table. --quick shrinks every benchmark (for checking the harness, not for numbers).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"

FULL = [
    ("bench_ladder_rules.py", ["--firm-years", "200000"]),
    ("bench_whatif.py", []),
    ("bench_ladder_consume.py", []),
]
QUICK = [
    ("bench_ladder_rules.py", ["--firm-years", "20000"]),
    ("bench_whatif.py", ["--firms", "2000", "--repeat", "1"]),
    ("bench_ladder_consume.py", ["--firms", "100", "--commits", "300"]),
]


def run(script: str, args: list[str]) -> dict[str, Any]:
    """One benchmark's JSON line (or what went wrong)."""
    cmd = [sys.executable, str(BENCH / script), *args]
    print(f"running {' '.join(cmd[1:])} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    elapsed = round(time.perf_counter() - start, 1)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"bench": script, "error": f"exit {proc.returncode}",
                "stderr_tail": proc.stderr[-2000:], "run_s": elapsed}
    result: dict[str, Any] = json.loads(lines[-1])
    result["run_s"] = elapsed
    return result


def _fmt(x: Any, digits: int = 0) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(benchmark, measured, machine limit in the same run, ratio) rows for one result."""
    b = r.get("bench", "?")
    if "error" in r:
        return [(b, f"ERROR {r['error']}", "", "")]
    if b == "ladder_rules":
        return [(f"rules engine, {r['firm_years']:,} firm-years, {r['workers']} process",
                 f"{r['us_per_evaluation']} µs/eval ({_fmt(r['evaluations_per_s'])} evals/s)",
                 f"no-op call {r['baseline_us_per_call']} µs",
                 f"{r['ratio_vs_noop_call']}× no-op")]
    if b == "whatif":
        return [
            (f"what-if, {r['firms']:,} firms ({r['firms_evaluated']:,} evaluated), total",
             f"{r['simulate_total_s']} s",
             f"{round(r['limit_db_select_all_s'] + r['limit_cpu_evaluate_s'], 3)} s (read + evaluate)",
             f"{r['ratio_total_vs_limits']}×"),
            ("what-if: load (all_facts + standings)", f"{r['simulate_load_s']} s",
             f"{r['limit_db_select_all_s']} s (SELECT all rows)",
             f"{r['ratio_load_vs_db_limit']}×"),
            ("what-if: evaluate (compare)", f"{r['simulate_evaluate_s']} s",
             f"{r['limit_cpu_evaluate_s']} s (evaluate ×2 alone, "
             f"{r['limit_cpu_us_per_evaluation']} µs each)",
             f"{r['ratio_evaluate_vs_cpu_limit']}×"),
            ("what-if: longest event-loop stall", f"{r['simulate_event_loop_max_stall_s']} s",
             "", ""),
        ]
    if b == "ladder_consume":
        lad = r["ladder"]
        return [
            (f"ladder consume, {r['events']:,} events (steady)",
             f"{_fmt(r['events_per_s'], 1)} events/s",
             f"{_fmt(r['limit_commit_tx_per_s'])} tx/s (1-row fsync'd commits)",
             f"{r['ratio_vs_commit_limit']}"),
            ("ladder consume vs transport", f"{_fmt(r['events_per_s'], 1)} events/s",
             f"{_fmt(r['limit_raw_consume_msgs_per_s'])} msgs/s (raw aiokafka)",
             f"{r['ratio_vs_raw_consume']}"),
            ("ladder consume, wall incl. start + group join",
             f"{lad['wall_s']} s ({_fmt(r['events_per_s_wall_incl_startup'], 1)} events/s)",
             f"first event applied after {lad['first_event_applied_after_s']} s", ""),
        ]
    return [(b, json.dumps(r)[:80], "", "")]


def table(results: list[dict[str, Any]]) -> str:
    out = ["| benchmark | measured | machine limit, same run | ratio |", "|---|---|---|---|"]
    for r in results:
        out += [f"| {a} | {m} | {lim} | {ratio} |" for a, m, lim, ratio in rows(r)]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the harness")
    args = parser.parse_args()
    results = [run(script, a) for script, a in (QUICK if args.quick else FULL)]
    RESULTS.mkdir(exist_ok=True)
    doc = {"at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
           "quick": args.quick, "python": platform.python_version(), "cpus": os.cpu_count(),
           "results": results}
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                                         encoding="utf-8")
    print(table(results))
    print(f"\nsaved {RESULTS / 'latest.json'}", file=sys.stderr)
    if any("error" in r for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
