"""Phrase helpers for the alert renderer: every word comes from the shared catalogue
(`shared.catalogue`, keys `msg.<kind>.<part>`, `tier.*`, `code.*`); nothing is worded here."""

from __future__ import annotations

import re
from typing import Any, Literal

from shared import catalogue
from shared.events import FailingCriterion

Language = Literal["zh", "en"]
LANGUAGES: tuple[str, ...] = catalogue.LANGS

_WS = re.compile(r"\s+")


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


def failing_line(language: Language, c: FailingCriterion) -> str:
    """One unmet criterion: label, value vs threshold, gap and hint when known."""
    parts = [clean(c.label)]
    for part, value in (("value", c.value), ("threshold", c.threshold), ("gap", c.gap)):
        if value is not None:
            parts.append(say(language, f"msg.failing.{part}", v=_num(value)))
    line = parts[0]
    if len(parts) > 1:
        line += say(language, "msg.failing.colon") + \
            say(language, "msg.failing.sep").join(parts[1:])
    return line + (say(language, "msg.failing.hint", hint=clean(c.hint)) if c.hint else "")


def missing_summary(language: Language, failing: list[FailingCriterion]) -> str:
    """Short 'what is missing' list: each criterion's hint, else its label."""
    items = [clean(c.hint or c.label) for c in failing]
    if not items:
        return say(language, "msg.see_trace")
    return say(language, "msg.list_sep").join(items)
