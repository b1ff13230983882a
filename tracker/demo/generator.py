"""`generate`: the whole demo population as a pure function of its arguments."""

from __future__ import annotations

from datetime import date

from tracker.demo.draws import Draws
from tracker.demo.history import date_history
from tracker.demo.population import REFERENCE_DAY, DemoData
from tracker.demo.profiles import BUILDERS, PROFILES, RULEBOOK, SHAPES

MIN_FIRMS = 100
MAX_FIRMS = 200_000  # a province (Liaoning: ~30,000 tech SMEs, ~20,000 HTEs) and more


def generate(seed: int = 2022, firms: int = 2400, *, as_of: date = REFERENCE_DAY,
             shape: str = RULEBOOK.name) -> DemoData:
    """A deterministic synthetic population of `firms` Dalian firms (a pure function).

    The core series (FY2018-FY2022 reports, rounds and first certificates) is fixed by
    (seed, firms). `as_of` dates the rest: reports of later fiscal years filed by then,
    every report's filing date, and the certificate renewals and later contest prizes
    falling due by then. `shape` picks the city: "rulebook" (the rulebook's scale
    reference, the default here) or "dalian" (Dalian as the press reports it; what
    `tracker up` and `tracker demo` load).
    """
    if firms < MIN_FIRMS:
        raise ValueError(f"firms must be at least {MIN_FIRMS}, got {firms}")
    if firms > MAX_FIRMS:
        raise ValueError(f"firms must be at most {MAX_FIRMS}, got {firms}")
    if as_of < REFERENCE_DAY:
        raise ValueError(f"as_of must be {REFERENCE_DAY} or later, got {as_of}")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    city = SHAPES[shape]
    g = Draws(seed, as_of, city)
    mix = city.mix(firms)
    for profile in PROFILES:
        for _ in range(mix[profile]):
            BUILDERS[profile](g, profile)
    population = list(g.created)
    g.rng.shuffle(population)  # interleave the profiles, as a real register would
    for firm in population:
        date_history(firm, seed, as_of, city.late_joiners)
    return DemoData(seed=seed, as_of=as_of, firms=population)

