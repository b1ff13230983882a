"""Benchmark: the fold (`domain/timeline.py`) and the what-if's `compare` over a demo city,
in memory (no stack); prints one JSON line.

Usage: python bench/bench_fold.py [--firms N] [--seed S] [--repeat R]

Generates the city with the demo generator (shape "dalian", as `tracker demo` loads it) and
turns each firm into `DatedFacts` as the ladder's projection would (every report version
dated by its filing day, the profile flags from the founding day). Then it times, best of
`--repeat` (default 2), in CPU seconds of this process:
  * fold: one `fold` per firm under the shipped rulebook up to today (what the ladder
    consumer's `recompute_many` does per firm);
  * compare: `domain.whatif.compare` for round year 2022 with the draft
    "gazelle revenue CAGR >= 15%" against the shipped rulebook (the what-if minus the load).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "services" / "ladder", ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from ladder.domain.dated import DatedFacts
from ladder.domain.rulebook import default_rulebook, rulebook_with_overrides
from ladder.domain.timeline import fold
from ladder.domain.whatif import compare
from tests.unit.ladder.builders import demo_dated
from tracker.demo import generate

TODAY = date(2026, 12, 1)
ROUND_YEAR = 2022
DRAFT = {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}


def city(firms: int, seed: int) -> dict[str, DatedFacts]:
    data = generate(seed, firms, as_of=TODAY, shape="dalian")
    return {f.uscc: demo_dated(f) for f in data.firms}


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    """Best CPU seconds of `repeat` runs (CPU time: the machine is shared, wall time is not
    this process's alone) and the result."""
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    load_start = os.getloadavg()[0]
    facts = city(args.firms, args.seed)
    baseline = default_rulebook()
    draft = rulebook_with_overrides(baseline, DRAFT)
    fold_s, _ = best(lambda: [fold(baseline, f, TODAY) for f in facts.values()], args.repeat)
    compare_s, result = best(lambda: compare(baseline, draft, facts, ROUND_YEAR, traces=False,
                                             names={}, today=TODAY), args.repeat)
    print(json.dumps({
        "firms": len(facts), "fold_s": round(fold_s, 3),
        "fold_firms_per_s": round(len(facts) / fold_s),
        "compare_s": round(compare_s, 3), "moved_up": result["moved_up"],
        "moved_down": result["moved_down"],
        "load_avg_start": load_start, "load_avg_end": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
