"""An option's band carries a catalogue key and parameters, so the money page words it in
Chinese and in English (issue 19); the wording never counts as a change of the facts."""

from __future__ import annotations

import re

import pytest

from entitlements.domain.compute import band_words, compute
from entitlements.domain.policies import shipped
from entitlements.domain.reconcile import comparable, shape, step
from shared import catalogue
from shared.catalogue.render import band_text
from tests.unit.entitlements.test_compute import facts_of, firm_with

pytestmark = pytest.mark.unit
BAND_KEYS = ("band.share", "band.range", "band.over", "band.up_to", "band.any", "band.none")


def options_of(rd: int, policy: str, *certs: tuple[str, str]) -> list[dict[str, object]]:
    fid, events, firms = firm_with(rd)
    for kind, on in certs:
        events.append(firms.certificate(fid, kind, on)[0])
    out = {c.policy_id: c for c in compute(shipped(), facts_of(fid, events))}
    return [o.model_dump(mode="json") for o in out[policy].options]


def test_a_share_names_its_figure_and_rate() -> None:
    fid, events, firms = firm_with(1_000)
    events.append(firms.filing(fid, "eaglet", "2023-06-01")[0])
    (c,) = [c for c in compute(shipped(), facts_of(fid, events)) if c.policy_id ==
            "dl.eaglet.filed"]
    o = c.options[0]
    assert (o.band_key, o.band_params["figure"]) == ("band.share", "rd_expense")
    assert band_text("zh", o.band_key, o.band_params) == "研发费用的10%"
    assert band_text("en", o.band_key, o.band_params) == "10% of R&D expense"


@pytest.mark.parametrize(("rd", "key", "zh", "en"), [
    (1_000_000, "band.up_to", "研发费用不超过100万元", "R&D expense up to ¥1,000,000"),
    (1_000_001, "band.over", "研发费用超过100万元", "R&D expense over ¥1,000,000"),
])
def test_a_band_is_worded_at_its_edges(rd: int, key: str, zh: str, en: str) -> None:
    (o,) = options_of(rd, "dl.hte.again", ("high_tech_enterprise", "2020-11-01"),
                      ("high_tech_enterprise", "2023-11-01"))
    assert o["band_key"] == key
    assert band_text("zh", key, o["band_params"]) == zh  # type: ignore[arg-type]
    assert band_text("en", key, o["band_params"]) == en  # type: ignore[arg-type]


@pytest.mark.parametrize("key", BAND_KEYS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_band_key_renders_in_both_languages(key: str, lang: str) -> None:
    params = {"figure": "revenue", "rate": 0.05, "over": 1_000_000, "up_to": 5_000_000}
    said = band_text(lang, key, params)
    assert re.search(r"\{\w+\}", said) is None, said
    if lang == "zh":
        assert re.search(r"[A-Za-z]{2,}", said) is None, said
    assert catalogue.missing_keys(set(BAND_KEYS)) == {"zh": [], "en": []}


def test_band_words_choose_the_key_from_the_bounds() -> None:
    assert band_words("revenue", 1, 2)["band_key"] == "band.range"
    assert band_words("revenue", None, None) == {"band_key": "band.any",
                                                 "band_params": {"figure": "revenue"}}


def test_rows_written_before_the_wording_are_not_a_change() -> None:
    fid, events, firms = firm_with(2_000_000)
    events.append(firms.certificate(fid, "high_tech_enterprise", "2020-11-01")[0])
    events.append(firms.certificate(fid, "high_tech_enterprise", "2023-11-01")[0])
    c = next(c for c in compute(shipped(), facts_of(fid, events)) if c.policy_id ==
             "dl.hte.again")
    old = [{k: v for k, v in o.model_dump(mode="json").items()
            if k not in ("band_key", "band_params")} for o in c.options]
    # the handler builds the held shape from the stored row's options the same way
    held = {"state": "paid", "review": None, "cancel_reason": None,
            "shape": {**shape(c), "options": comparable(old)}}
    assert step(held, c).action == "none"


def test_a_stored_entitlement_keeps_its_band_words() -> None:
    """The row's options keep the wording (the pages read it), while comparisons ignore it."""
    from entitlements.handlers.reconcile import values_of
    fid, events, firms = firm_with(2_000_000)
    events.append(firms.certificate(fid, "high_tech_enterprise", "2020-11-01")[0])
    events.append(firms.certificate(fid, "high_tech_enterprise", "2023-11-01")[0])
    c = next(c for c in compute(shipped(), facts_of(fid, events)) if c.policy_id ==
             "dl.hte.again")
    (stored,) = values_of(c, {"id": fid})["options"]
    assert stored["band_key"] == "band.over" and stored["band_params"]["over"] == 1_000_000
