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

from limits import machine

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"

FULL = [
    ("bench_stack.py", []),
    ("bench_ladder_rules.py", ["--firm-years", "200000"]),
    ("bench_whatif.py", []),
    ("bench_ladder_consume.py", []),
    # the scale phase (issue 21): reads at 5,000, 25,000 and 50,000 firms (about an hour on
    # a quiet machine; SCALE_SIZES=2000,5000,10000 for a shorter one)
    ("bench_scale.py", ["--sizes", os.environ.get("SCALE_SIZES", "5000,25000,50000")]),
]
QUICK = [
    ("bench_stack.py", ["--quick"]),
    ("bench_ladder_rules.py", ["--firm-years", "20000"]),
    ("bench_whatif.py", ["--firms", "2000", "--repeat", "1"]),
    ("bench_ladder_consume.py", ["--firms", "100", "--commits", "300"]),
    ("bench_scale.py", ["--quick"]),
]
Row = tuple[str, str, str, str, str]  # benchmark, measured, target, machine limit, ratio


def run(script: str, args: list[str]) -> dict[str, Any]:
    """One benchmark's JSON line (or what went wrong)."""
    cmd = [sys.executable, str(BENCH / script), *args]
    print(f"running {' '.join(cmd[1:])} ...", file=sys.stderr, flush=True)
    before = machine()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900 if script != "bench_scale.py" else 7200, check=False)
    elapsed = round(time.perf_counter() - start, 1)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"bench": script, "error": f"exit {proc.returncode}",
                "stderr_tail": proc.stderr[-2000:], "run_s": elapsed,
                "machine_before": before, "machine_after": machine()}
    result: dict[str, Any] = json.loads(lines[-1])
    result.update({"run_s": elapsed, "machine_before": before, "machine_after": machine()})
    return result


def _fmt(x: Any, digits: int = 0) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.3f}" if a is not None and b else "–"


def _lat(w: dict[str, Any]) -> str:
    return f"p50 {_fmt(w.get('p50_ms'), 1)} ms, p99 {_fmt(w.get('p99_ms'), 1)} ms"


def stack_rows(r: dict[str, Any]) -> list[Row]:
    """The running stack's figures, each beside its target and the limit measured with it."""
    ph = r["phases"]
    out: list[Row] = []

    def ok(name: str) -> dict[str, Any] | None:
        p = ph.get(name, {})
        if "error" in p:
            out.append((name, f"ERROR {p['error'][:120]}", "", "", ""))
            return None
        return p or None

    bare = ok("limit_bare_asgi")
    bare_rps = bare["requests_per_s"] if bare else None
    c1, c16 = ok("limit_pg_commit_1"), ok("limit_pg_commit_16")
    commit16 = c16["tx_per_s"] if c16 else None
    kafka = ok("limit_kafka")
    if bare:
        out.append(("limit: bare ASGI app, constant, same server (wrk, 64 conns)",
                    f"{_fmt(bare_rps)} req/s ({_lat(bare)})", "", "", ""))
    if c1 and c16:
        out.append(("limit: PostgreSQL 1-row commits, 1 / 16 connections",
                    f"{_fmt(c1['tx_per_s'])} / {_fmt(commit16)} tx/s", "", "", ""))
    if kafka:
        out.append(("limit: raw produce→consume, same broker (acks=all, idempotent)",
                    f"{_fmt(kafka['produce_consume_msgs_per_s'])} msgs/s; at "
                    f"{kafka['paced_rate']}/s p50 {kafka['paced_latency_p50_ms']} ms, "
                    f"p99 {kafka['paced_latency_p99_ms']} ms", "", "", ""))
    if h := ok("limit_healthz"):
        out.append(("registry `/healthz` (the framework's floor)",
                    f"{_fmt(h['requests_per_s'])} req/s ({_lat(h)})", "",
                    f"{_fmt(bare_rps)} req/s bare", _ratio(h["requests_per_s"], bare_rps)))
    if reg := ok("registry"):
        w, g = reg["writes"], reg["reads"]
        out.append(("registry writes: report PUTs, new firm-year each (wrk, 64 conns)",
                    f"{_fmt(w['requests_per_s'])}/s ({_lat(w)}; {w['non_2xx']} non-2xx)",
                    "≥ 2,000/s", f"{_fmt(bare_rps)} req/s bare; {_fmt(commit16)} tx/s",
                    f"{_ratio(w['requests_per_s'], bare_rps)} of bare; "
                    f"{_ratio(w['requests_per_s'], commit16)} of commits"))
        out.append(("registry reads: GET a firm with its facts (wrk, 64 conns)",
                    f"{_fmt(g['requests_per_s'])}/s ({_lat(g)}; {g['non_2xx']} non-2xx)",
                    "≥ 5,000/s", f"{_fmt(bare_rps)} req/s bare",
                    _ratio(g["requests_per_s"], bare_rps)))
    if e := ok("e2e"):
        out.append((f"end to end: {e['reports']:,} reports, registry 2xx → TierPromoted on Kafka "
                    "(aiohttp, 64 in flight)",
                    f"{_fmt(e['settled_per_s'], 1)} reports/s settled (registry took "
                    f"{_fmt(e['registry_accept_per_s'], 1)}/s); p50 {_fmt(e['latency_p50_ms'])} ms, "
                    f"p99 {_fmt(e['latency_p99_ms'])} ms; {e['promoted']:,} promoted",
                    "≥ 1,000/s, p99 ≤ 500 ms",
                    f"{_fmt(commit16)} tx/s; Kafka p99 "
                    f"{kafka['paced_latency_p99_ms'] if kafka else '–'} ms",
                    f"{_ratio(e['settled_per_s'], commit16)} of commits"))
    if e := ok("e2e_paced"):
        out.append((f"end to end, paced: {e['reports']:,} reports offered at "
                    f"{_fmt(e['offered_per_s'])}/s", f"p50 {_fmt(e['latency_p50_ms'])} ms, "
                    f"p99 {_fmt(e['latency_p99_ms'])} ms; {e['promoted']:,} promoted",
                    "p99 ≤ 500 ms", f"Kafka p99 {kafka['paced_latency_p99_ms'] if kafka else '–'} ms",
                    ""))
    if n := ok("notifier"):
        out.append((f"notifier: {n['events']:,} TierPromoted → alerts + delivery rows "
                    f"({n['officers']} officer)",
                    f"{_fmt(n['alerts_per_s'], 1)} alerts/s ({n['alerts']:,} alerts, "
                    f"{n['deliveries']:,} deliveries)", "≥ 1,000/s", f"{_fmt(commit16)} tx/s",
                    _ratio(n["alerts_per_s"], commit16)))
    if i := ok("import"):
        per_100k = 100_000 / i["settled_reports_per_s"] if i["settled_reports_per_s"] else None
        out.append((f"bulk import: {i['reports']:,} reports via POST /v1/imports, until settled",
                    f"{i['total_s']} s ({_fmt(i['import_rows_per_s'])} rows/s imported, "
                    f"{_fmt(i['settled_reports_per_s'], 1)}/s settled): 100,000 would take "
                    f"~{_fmt(per_100k)} s", "100,000 in ≤ 60 s", f"{_fmt(commit16)} tx/s",
                    f"{_ratio(60, per_100k)} of the target rate"))
    for name, label in (("e2e", "end to end"), ("import", "bulk import")):
        if (cpu := (ok(name) or {}).get("cpu_ms_per_report")):
            out.append((f"{label}: CPU ms per report, by part of the machine",
                        ", ".join(f"{k} {v:.2f}" for k, v in cpu.items() if k != "machine"),
                        "", f"machine {cpu.get('machine', 0):.2f} ms of 2 cores",
                        f"bound ~{_fmt(2000 / cpu['machine'])} reports/s"
                        if cpu.get("machine") else ""))
    peaks: dict[str, float] = {}
    for by_service in r.get("rss_peak_mb", {}).values():
        for svc, mb in by_service.items():
            peaks[svc] = max(peaks.get(svc, 0.0), mb)
    if peaks:
        out.append(("memory: peak RSS per service over the run",
                    ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(peaks.items())),
                    "≤ 200 MB each", "", ""))
    return out


def scale_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Each read at each size, with its growth from the size before (issue 21)."""
    out: list[tuple[str, str, str, str]] = []
    steps = r.get("steps", [])
    for i, step in enumerate(steps):
        n = f"{step['firms']:,} firms"
        out.append((f"scale {n}: load + settle of {step['added']:,} firms",
                    f"{step['load_s']} s + {step['settle_after_load_s']} s "
                    f"({_fmt(step['settle_reports_per_s'], 1)} reports/s)", "", ""))
        before = steps[i - 1]["reads"] if i else {}
        for name, read in step["reads"].items():
            grown = (f"{read['p50_ms'] / max(before[name]['p50_ms'], 0.1):.1f}× the size before"
                     if name in before else "")
            first = f", first byte {read['first_byte_ms']} ms" if "first_byte_ms" in read else ""
            out.append((f"scale {n}: {name}",
                        f"p50 {read['p50_ms']} ms, max {read['max_ms']} ms{first}", "", grown))
        for key, what in (("what_if", "first job, nothing kept"),
                          ("what_if_next", "next job, share kept")):
            w = step.get(key, {})
            out.append((f"scale {n}: what-if, {what} (worker processes)",
                        f"{w.get('seconds')} s; ladder /healthz meanwhile p99 "
                        f"{w.get('healthz_p99_ms')} ms, max {w.get('healthz_max_ms')} ms", "",
                        ""))
    return out


def rows(r: dict[str, Any]) -> list[Row]:
    """(benchmark, measured, target, machine limit in the same run, ratio) rows."""
    if r.get("bench") == "stack" and "error" not in r:
        return stack_rows(r)
    return [(a, m, "", lim, ratio) for a, m, lim, ratio in _rows(r)]


def _rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
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
            *((f"what-if on a kept share: {what}", f"{k[key]['total_s']} s "
               f"(load {k[key]['load_s']} s, fold {k[key]['fold_s']} s)", "", "")
              for k in [r["kept_share"]]
              for key, what in (("first_job", "first job"),
                                ("another_draft", "another draft"),
                                ("after_changes", "after 1% of the firms changed"))),
            ("what-if: memory of the kept share",
             f"{round(r['kept_share']['rss_kept_mb'] - r['kept_share']['rss_before_mb'])} MB",
             "", ""),
        ]
    if b == "scale":
        return scale_rows(r)
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
    """The markdown table of every result."""
    out = ["| benchmark | measured | target | machine limit, same run | ratio |",
           "|---|---|---|---|---|"]
    for r in results:
        out += [f"| {' | '.join(row)} |" for row in rows(r)]
    return "\n".join(out)


def machines(results: list[dict[str, Any]]) -> str:
    """Cores, memory and load average recorded with each result."""
    lines = []
    for r in results:
        m, end = r["machine_before"], r["machine_after"]
        lines.append(f"- {r.get('bench', '?')}: {m['cpus']} cores, {m['mem_total_gb']} GB RAM "
                     f"({m['mem_available_gb']} GB available), load average {m['loadavg']} "
                     f"before, {end['loadavg']} after; {r['run_s']} s")
    return "\n".join(lines)


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
    print()
    print(machines(results))
    print(f"\nsaved {RESULTS / 'latest.json'}", file=sys.stderr)
    if any("error" in r for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
