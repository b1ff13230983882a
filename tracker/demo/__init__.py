"""Demo data: a deterministic, synthetic Dalian population, loaded through the registry API.

`generate(seed, firms, as_of=...)` is a pure function: the same arguments give the same
firms, reports, funding rounds and certificates, byte for byte. The core series
(FY2018-FY2022) is fixed by (seed, firms); `as_of` dates the rest: the reports of later
fiscal years up to the last one filed by then (each report carries its filing date, a
spring day of FY+1), and the certificate renewals due by then. Some growth firms also
reported FY2015-FY2017, so the ladder, which dates every decision, credits their
promotions to the years they happened, not all to one year. `load_demo(url, token)` sends
them to a running registry over HTTP (CSV imports for firms and reports, JSON calls for
funding rounds and certificates). Loading twice changes nothing: the registry treats
identical firms, reports, rounds and certificates as no-ops.

Sizes follow docs/rulebook.md "Figures to calibrate against" (city-wide roughly 1,850
eaglets and 360 gazelles; 46% of eaglets and 27.3% of gazelles in the high-tech zone; nine
unicorn-type firms, none of them yet a unicorn). Everything here is invented: the
names are word-list combinations, the codes are valid-looking but random.

The package, by idea: `population` (the firms and their CSV texts), `city` (Dalian's codes,
weights and words), `draws` (the random draws), `profiles` (what each kind of firm looks
like, and how many), `history` (years around the core series, filing dates), `generator`
(`generate`) and `loader` (`load_demo`, `seed_targets`).
"""

from tracker.demo.city import WAN, YI
from tracker.demo.generator import MAX_FIRMS, MIN_FIRMS, generate
from tracker.demo.history import BACKFILL_FY, GROWTH_PROFILES
from tracker.demo.loader import CURRENT_TARGETS, DemoLoadError, load_demo, seed_targets
from tracker.demo.population import (
    CSV_CHUNK_ROWS,
    FIRST_FY,
    LAST_FY,
    REFERENCE_DAY,
    DemoData,
    DemoFirm,
)
from tracker.demo.profiles import (
    ABNORMAL,
    DALIAN,
    DALIAN_FIRMS,
    DEMO_FIRMS,
    EAGLET,
    EAGLET_PRIZE,
    EAGLET_SOFTWARE,
    GAZELLE,
    GAZELLE_EMPLOYEES,
    GAZELLE_VENTURE,
    LEADER,
    NEAR_MISS_GROWTH,
    NEAR_MISS_INTENSITY,
    NOT_INDEPENDENT,
    PLAIN,
    POTENTIAL,
    PROFILES,
    RULEBOOK,
    SEED,
    SHAPES,
    UNICORN_CANDIDATE,
    Shape,
)

__all__ = [
    "ABNORMAL", "BACKFILL_FY", "CSV_CHUNK_ROWS", "CURRENT_TARGETS", "DALIAN", "DALIAN_FIRMS",
    "DEMO_FIRMS",
    "EAGLET", "EAGLET_PRIZE",
    "EAGLET_SOFTWARE", "FIRST_FY", "GAZELLE", "GAZELLE_EMPLOYEES", "GAZELLE_VENTURE",
    "GROWTH_PROFILES", "LAST_FY", "LEADER", "MAX_FIRMS", "MIN_FIRMS", "NEAR_MISS_GROWTH",
    "NEAR_MISS_INTENSITY", "NOT_INDEPENDENT", "PLAIN", "POTENTIAL", "PROFILES", "REFERENCE_DAY",
    "RULEBOOK", "SEED", "SHAPES", "UNICORN_CANDIDATE", "WAN", "YI", "DemoData", "DemoFirm",
    "DemoLoadError", "Shape", "generate", "load_demo", "seed_targets",
]
