"""One catalogue of the bureau's words per language (zh default, en), keyed by what they name.

Keys: `label.*` page labels, `col.*` export columns, `tier.*`, `district.*`, `industry.*`,
`event.<EventType>`, `alert.<kind>`, `severity.*`, `criterion.<rule id>` (the ladder's trace
keys), `readiness.<check>`, `note.*` (why an input is missing), `gap.<kind>` (what would make a
criterion pass), `cmp.*`, `code.<list>.<value>` (company kinds, booleans, states...).
Templates take `{name}` parameters; the pages and the exports fill them the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Literal

from shared.catalogue import en, zh

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")
CATALOGUE: dict[str, dict[str, str]] = {"zh": zh.WORDS, "en": en.WORDS}
CST = timezone(timedelta(hours=8), "CST")  # China Standard Time: no daylight saving
_PARAM = re.compile(r"\{(\w+)\}")


def words(lang: str) -> dict[str, str]:
    """Every key of one language (unknown languages get Chinese, the default)."""
    return CATALOGUE.get(lang, zh.WORDS)


def text(lang: str, key: str, /, **params: Any) -> str:
    """The template of `key` with its parameters filled; KeyError when the key is unknown."""
    template = words(lang)[key]
    return _PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), template)


def code(lang: str, field: str, value: Any) -> str:
    """A code value in words (`code.company_kind.independent` -> 独立法人); unknown codes
    pass through unchanged."""
    if isinstance(value, bool):
        return words(lang)[f"code.bool.{str(value).lower()}"]
    return words(lang).get(f"code.{field}.{value}", str(value))


def money(lang: str, yuan: float | int | None, currency: str = "CNY") -> str:
    """Money as bureau staff write it: 万/亿 in Chinese, yuan in full with thousands
    separators in English (¥200,000; USD amounts keep their currency, US$)."""
    if yuan is None:
        return ""
    n = float(yuan)
    if lang == "zh":
        prefix = "美元" if currency == "USD" else ""
        if n == 0:
            return "0元"
        if abs(n) >= 1e8:
            return f"{_trim(n / 1e8)}亿{prefix or '元'}"
        if abs(n) >= 1e4:
            return f"{_trim(n / 1e4)}万{prefix or '元'}"
        return f"{_trim(n)}{prefix or '元'}"
    return f"{'US$' if currency == 'USD' else '¥'}{n:,.0f}"


def _trim(x: float, places: int = 2) -> str:
    return f"{x:.{places}f}".rstrip("0").rstrip(".")


def percent(ratio: float | None, places: int = 1) -> str:
    """0.0251 -> 2.5%; None -> empty."""
    return "" if ratio is None else f"{_trim(ratio * 100, places)}%"


def figure(value: Any, places: int = 2) -> Any:
    """A number as an export cell: floats rounded to `places`, integers as they are."""
    if isinstance(value, float):
        rounded = round(value, places)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def local_time(at: datetime) -> str:
    """A timestamp in China Standard Time, ISO date and minutes: 2026-12-04 17:05."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(CST).strftime("%Y-%m-%d %H:%M")


def iso_day(day: date | datetime) -> str:
    """An ISO date; a timestamp is read in China Standard Time first."""
    if isinstance(day, datetime):
        return local_time(day)[:10]
    return day.isoformat()


def params_of(key: str, lang: str = "zh") -> set[str]:
    """The parameter names a template takes."""
    return set(_PARAM.findall(words(lang)[key]))


def missing_keys(required: Mapping[str, Any] | set[str] | list[str]) -> dict[str, list[str]]:
    """Per language, which of the required keys the catalogue lacks."""
    return {lang: sorted(k for k in required if k not in CATALOGUE[lang]) for lang in LANGS}
