"""Phrase helpers for the alert renderer: every word comes from the shared catalogue
(`shared.catalogue`, keys `msg.<kind>.<part>`, `tier.*`, `code.*`); nothing is worded here."""

from __future__ import annotations

import re
from typing import Any, Literal

from shared import catalogue
from shared.catalogue.render import criterion_label
from shared.events import FailingCriterion

Language = Literal["zh", "en"]
LANGUAGES: tuple[str, ...] = catalogue.LANGS

_WS = re.compile(r"\s+")
_FY = re.compile(r"FY(?:-(\d))?")


def clean(value: Any) -> str:
    """One-line text: collapses newlines so firm names cannot forge headers or markdown."""
    return _WS.sub(" ", str(value)).strip()


def say(language: Language, msg_key: str, /, **params: Any) -> str:
    """The catalogue's words for `key` with `params` filled (KeyError on a missing key)."""
    return catalogue.text(language, msg_key, **params)


def word(language: Language, key: str, default: str) -> str:
    """A single catalogued word, or `default` when the code is not catalogued."""
    return catalogue.words(language).get(key, default)


def tier(language: Language, code: str) -> str:
    """Tier display name (雏鹰 / Eaglet ...); unknown codes pass through."""
    return word(language, f"tier.{code}", code)


def target(language: Language, code: str) -> str:
    """Display name of a target key."""
    return word(language, f"msg.target.{code}", code)


def _num(value: Any) -> str:
    # Floats from ratios (0.0213...) read better with a few significant digits.
    if isinstance(value, float):
        return f"{value:.4g}"
    return clean(value)


def _fiscal_year(c: FailingCriterion) -> int | None:
    """The fiscal year the ladder judged, read back from its hint: the hint starts with the
    label with each `FY` / `FY-k` filled in (`revenue in FY` -> `revenue in FY2021 ...`)."""
    if not c.hint or "FY" not in c.label:
        return None
    offsets: list[int] = []

    def year(m: re.Match[str]) -> str:
        offsets.append(int(m.group(1) or 0))
        return r"FY(\d{4})"

    pattern = _FY.sub(year, re.escape(c.label).replace(r"\-", "-"))
    found = re.match(pattern, c.hint)
    return int(found.group(1)) + offsets[0] if found and offsets else None


def criterion_name(language: Language, c: FailingCriterion, fy: int | None = None) -> str:
    """A failing criterion's name: the catalogue's words for its key in zh (the key may carry
    its tier, `gazelle.st_intensity`); the ladder's own English label in en. `fy` is the
    fallback fiscal year when the hint does not name it; a template that needs a year it
    cannot have is said without the year."""
    if language == "en":
        return clean(c.label)
    known = catalogue.words(language)
    key = next((k for k in (c.key, c.key.rsplit(".", 1)[-1]) if f"criterion.{k}" in known), None)
    if key is None:
        return clean(c.label)
    return clean(criterion_label(language, key, c.label, _fiscal_year(c) or fy, bare=True))


def failing_line(language: Language, c: FailingCriterion, fy: int | None = None) -> str:
    """One unmet criterion: its name, value vs threshold, gap and hint when known."""
    parts = [criterion_name(language, c, fy)]
    for part, value in (("value", c.value), ("threshold", c.threshold), ("gap", c.gap)):
        if value is not None:
            parts.append(say(language, f"msg.failing.{part}", v=_num(value)))
    line = parts[0]
    if len(parts) > 1:
        line += say(language, "msg.failing.colon") + \
            say(language, "msg.failing.sep").join(parts[1:])
    return line + (say(language, "msg.failing.hint", hint=clean(c.hint)) if c.hint else "")


def missing_summary(language: Language, failing: list[FailingCriterion],
                    fy: int | None = None) -> str:
    """Short 'what is missing' list: each criterion's hint, else its name."""
    items = [clean(c.hint) if c.hint else criterion_name(language, c, fy) for c in failing]
    if not items:
        return say(language, "msg.see_trace")
    return say(language, "msg.list_sep").join(items)
