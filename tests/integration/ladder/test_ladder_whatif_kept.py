"""A what-if worker's kept share (its facts and baseline folds, kept between jobs) answers as
a fold from scratch does: under another draft, after facts change (late reports, a
restatement, a district change, an override set and lifted), under another baseline and on
another day; it reloads only the firms whose facts changed (real PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import asyncpg
import pytest

from ladder import handlers
from ladder.domain.rulebook import Rulebook, default_rulebook, rulebook_with_overrides
from ladder.queries import whatif
from ladder.queries.whatif import KeptShare, fold_share, result_of
from ladder.repository import UnitOfWork
from shared.auth import Ctx, Principal
from shared.db import create_pool
from shared.settings import database_url_for
from tests.conftest import fresh_database
from tests.integration.ladder.city import apply_batch, small_city

pytestmark = pytest.mark.integration
TODAY = date(2025, 12, 1)
OFFICER = Ctx(Principal(key_id="k1", role="officer"), correlation_id="req-kept")
LOWER_CAGR = {"tiers": {"gazelle": {"revenue_cagr_min": {"value": "0.15"}}}}
OLDER_EAGLETS = {"tiers": {"eaglet": {"max_age_years": {"value": 11}}}}
SHARDS = [(0, 2), (1, 2)]


async def _answer(pool: asyncpg.Pool, baseline: Rulebook, draft: Rulebook, today: date,
                  kept: list[KeptShare] | None) -> dict[str, Any]:
    """The what-if over both shares, kept or from scratch, without its timings."""
    shares = [await fold_share(pool, baseline=baseline, draft=draft, round_year=today.year,
                               traces=True, today=today, shard=shard,
                               kept=kept[k] if kept else None)
              for k, shard in enumerate(SHARDS)]
    out = (await result_of(pool, shares, baseline=baseline, draft=draft,
                           round_year=today.year, limit=100, today=today)).model_dump()
    return {k: v for k, v in out.items() if k not in ("load_seconds", "evaluate_seconds")}


async def _same(pool: asyncpg.Pool, kept: list[KeptShare], baseline: Rulebook,
                draft: Rulebook, today: date = TODAY) -> dict[str, Any]:
    warm = await _answer(pool, baseline, draft, today, kept)
    assert warm == await _answer(pool, baseline, draft, today, None)
    return warm


async def test_a_kept_share_answers_as_a_fold_from_scratch(
        pg_server_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # the firms reloaded one by one however many changed (a dozen firms: a few are most)
    monkeypatch.setattr(whatif, "FULL_LOAD_SHARE", 1.0)
    dsn = database_url_for(pg_server_url, await fresh_database(pg_server_url, "ladder"))
    pool = await create_pool(dsn)
    try:
        batches, late, ids = small_city(5)
        for batch in batches:
            await apply_batch(pool, batch, TODAY)
        rulebook = default_rulebook()
        cagr, older = rulebook_with_overrides(rulebook, LOWER_CAGR), rulebook_with_overrides(
            rulebook, OLDER_EAGLETS)
        kept = [KeptShare(shard) for shard in SHARDS]

        first = await _same(pool, kept, rulebook, older)
        assert first["firms"] == len(ids) and sum(len(k.facts) for k in kept) == len(ids)
        assert first["moved_up"] > 0  # the draft moves firms: the comparison could fail
        assert sum(len(k.baselines) for k in kept) > 0
        folds = {firm: id(b) for k in kept for firm, b in k.baselines.items()}
        await _same(pool, kept, rulebook, cagr)  # another draft: the baseline folds kept
        assert {firm: id(b) for k in kept for firm, b in k.baselines.items()} == folds
        assert [await k.refresh(pool) for k in kept] == [0, 0]  # nothing changed

        await apply_batch(pool, late, TODAY)  # late facts for some firms, one moves district
        touched = {e.subject for e in late}
        assert sum([await k.refresh(pool) for k in kept]) == len(touched) < len(ids)
        assert {f for f in folds if not any(f in k.baselines for k in kept)} == touched
        after_late = await _same(pool, kept, rulebook, older)
        assert after_late != first

        firm = uuid.UUID(ids[0])
        await handlers.override(UnitOfWork(pool), OFFICER, firm, tier="leader",
                                unicorn_grade=None, reason="by hand", rulebook=rulebook,
                                today=TODAY)
        assert sum([await k.refresh(pool) for k in kept]) == 1
        overridden = await _same(pool, kept, rulebook, older)
        assert overridden["effect_on_tiers"]["leader"]["baseline"] == (
            after_late["effect_on_tiers"]["leader"]["baseline"] + 1)
        await handlers.override(UnitOfWork(pool), OFFICER, firm, tier=None, unicorn_grade=None,
                                reason="lifted", rulebook=rulebook, today=TODAY)
        lifted = await _same(pool, kept, rulebook, older)
        # back where it stood, though it entered the leaders in the year for a while
        assert lifted["effect_on_tiers"] == after_late["effect_on_tiers"]
        assert lifted["entries"]["leader"]["baseline"] == 1

        # another baseline, another day: the kept folds are of the old ones, so forgotten
        await _same(pool, kept, cagr, older)
        await _same(pool, kept, rulebook, older, date(2023, 6, 30))
        # replayed events change no facts but raise the versions: reloaded, same answer
        for batch in batches:
            await apply_batch(pool, batch, TODAY)
        assert await _same(pool, kept, rulebook, older) == lifted
    finally:
        await pool.close()
