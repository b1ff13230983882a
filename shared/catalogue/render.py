"""Criteria, values and gap sentences in words, from the keys and parameters the ladder's
traces carry (the dashboard's JavaScript renders them the same way)."""

from __future__ import annotations

import re
from typing import Any

from shared.catalogue import code, money, percent, text, words

_NUMBER = re.compile(r"(\d+)")
_NOTES = (  # the ladder's notes on missing inputs, as (pattern, key, params)
    (re.compile(r"^missing report FY(?:-(\d))?$"), "note.missing_report"),
    (re.compile(r"^base year FY-(\d) is 0$"), "note.base_zero"),
    (re.compile(r"^no revenue in (.+)$"), "note.no_revenue"),
    (re.compile(r"^no VC/PE round closed in (.+)$"), "note.no_vc_round"),
    (re.compile(r"^no funding rounds$"), "note.no_rounds"),
)
_SPAN = re.compile(r"^FY(\d{4})-FY(\d{4})$|^FY(\d{4}) only$")
FLAG_KEYS = ("independent", "not_abnormal", "not_dishonest", "high_tech_certificate",
             "vc_pe_backed", "not_listed")


def label_params(label: str, fy: int | None) -> dict[str, Any]:
    """What a criterion's label template needs: the fiscal years and the one number the
    English label names (a window or an age)."""
    fy = fy or 0
    found = _NUMBER.search(label.replace("FY", ""))
    return {"fy": fy, "fy1": fy - 1, "fy3": fy - 3, "n": int(found.group(1)) if found else ""}


def span_params(span: str | None, fy: int) -> dict[str, Any]:
    """`FY2019-FY2022` or `FY2022 only` as {from, to}."""
    m = _SPAN.match(span or "")
    if m is None:
        return {"from": fy, "to": fy}
    if m.group(3):
        return {"from": int(m.group(3)), "to": int(m.group(3))}
    return {"from": int(m.group(1)), "to": int(m.group(2))}


def note_of(note: str | None, fy: int) -> tuple[str, dict[str, Any]]:
    """The catalogue key and parameters of a note on a missing input."""
    for pattern, key in _NOTES:
        m = pattern.match(note or "")
        if m is None:
            continue
        if key in ("note.missing_report", "note.base_zero"):
            return key, {"fy": fy - int(m.group(1) or 0)}
        if key in ("note.no_revenue", "note.no_vc_round"):
            return key, {"span": m.group(1), **span_params(m.group(1), fy)}
        return key, {}
    return "note.unknown", {}


_NO_YEAR = "\x00"
# the year words of a label, as the zh and en templates write them around {fy}/{fy1}/{fy3}
_YEAR_WORDS = re.compile("（较\x00年度）|（\x00年度）|\x00年度|\\s*\\(vs FY\x00\\)|\\s+in\\s+FY\x00|\\s*FY\x00|\x00")


def criterion_label(lang: str, key: str, label: str, fy: int | None,
                    *, bare: bool = False) -> str:
    """A criterion's label in `lang` (the English label when the key is not catalogued).
    `bare`: when `fy` is unknown, the words without their year ("营业收入", not "0年度营业收入")."""
    if f"criterion.{key}" not in words(lang):
        return label
    if fy is None and bare:
        params = {**label_params(label, None), "fy": _NO_YEAR, "fy1": _NO_YEAR, "fy3": _NO_YEAR}
        return " ".join(_YEAR_WORDS.sub("", text(lang, f"criterion.{key}", **params)).split())
    return text(lang, f"criterion.{key}", **label_params(label, fy))


def _trim(x: float, places: int) -> str:
    return f"{x:.{places}f}".rstrip("0").rstrip(".")


def ratio_text(value: float, against: float | None = None) -> str:
    """A ratio as a percentage with one decimal, or as many more (up to 4) as it takes not to
    read equal to `against` when it is not equal (2.496% never shows as 2.5%)."""
    for places in range(1, 5):
        shown = _trim(value * 100, places)
        if against is None or value == against or shown != _trim(against * 100, places):
            return f"{shown}%"
    return f"{_trim(value * 100, 4)}%"


def value_text(lang: str, value: Any, unit: str, against: Any = None, key: str = "") -> str:
    """A criterion's value (or threshold, or gap) in its unit, in words."""
    if value is None:
        return text(lang, "label.unknown")
    if isinstance(value, bool):
        return code(lang, "bool", value)
    if isinstance(value, (list, tuple)):
        return "、".join(code(lang, "certificate", v) for v in value) if lang == "zh" else \
            ", ".join(code(lang, "certificate", v) for v in value)
    if isinstance(value, str):
        field = "company_kind" if key == "independent" else "certificate"
        return code(lang, field, value)
    if unit in ("ratio", "rate"):
        return ratio_text(float(value), float(against) if isinstance(against, (int, float))
                          else None)
    if unit in ("yuan", "usd"):
        return money(lang, value, "USD" if unit == "usd" else "CNY")
    if unit == "years":
        return f"{value}年" if lang == "zh" else f"{value} years"
    if isinstance(value, float):
        return _trim(value, 2)
    return f"{value:,}" if lang == "en" else str(value)


def gap_text(lang: str, gap: dict[str, Any]) -> str:
    """One gap sentence from the kind and parameters `ladder.domain.explain.gap_of` gives."""
    kind, p = gap["kind"], gap["params"]
    unit, key = p.get("unit", ""), p.get("key", "")
    label = criterion_label(lang, key, p.get("label", key), p.get("fy"))
    value = value_text(lang, p.get("value"), unit, p.get("threshold"), key)
    threshold = value_text(lang, p.get("threshold"), unit, None, key)
    cmp = words(lang).get(f"cmp.{p.get('comparator')}", p.get("comparator", ""))
    if kind == "unknown":
        note_key, note_params = p.get("note_key", "note.unknown"), p.get("note_params", {})
        if "span" in note_params:
            note_params = {**note_params, "span": text(lang, "note.window", **note_params)}
        return text(lang, "gap.unknown", label=label, note=text(lang, note_key, **note_params))
    if kind == "lever":
        span = (text(lang, "span.in_fy", fy=p.get("fy")) if unit == "rate"
                else text(lang, "span.over", **{"from": p.get("from"), "to": p.get("to")}))
        need = value_text(lang, p.get("need"), "count" if key == "employee_cagr" else "yuan")
        if key == "employee_cagr" and lang == "zh":
            need += "人"  # a headcount
        return text(lang, "gap.lever", label=label, value=value, threshold=threshold,
                    need=need, span=span,
                    what=text(lang, f"what.{key}") if f"what.{key}" in words(lang) else key)
    if kind == "too_old":
        return text(lang, "gap.too_old", label=label, value=value, threshold=threshold,
                    gap=p.get("gap"))
    if kind == "flag":
        which = f"gap.flag.{key}" if key in FLAG_KEYS else "gap.flag.other"
        return text(lang, which, label=label, value=value, threshold=threshold)
    if kind == "lacking":
        sep = "、" if lang == "zh" else ", "
        return text(lang, "gap.lacking", label=label,
                    kinds=sep.join(code(lang, "certificate", k) for k in p.get("lacking", [])))
    if kind == "amount":
        return text(lang, "gap.amount", label=label, value=value, threshold=threshold, cmp=cmp,
                    gap=value_text(lang, p.get("gap"), unit))
    if kind == "not_founded":
        return text(lang, "gap.not_founded", founded=p.get("founded", ""))
    return text(lang, "gap.compare", label=label, value=value, threshold=threshold, cmp=cmp)


def band_text(lang: str, key: str, params: dict[str, Any]) -> str:
    """An entitlement option's band (`band.*` with the entitlements service's parameters:
    a figure code, a rate as a ratio, bounds in yuan); the money page does the same."""
    filled = {"figure": code(lang, "figure", params.get("figure", ""))}
    if "rate" in params:
        filled["rate"] = percent(float(params["rate"]), 2)
    for bound in ("over", "up_to"):
        if bound in params:
            filled[bound] = money(lang, params[bound])
    return text(lang, key, **filled)


# What each parameter of an entitlement step's note can be (money.js reads notes the same way).
_NOTE_PARAMS = {"trigger": r"([a-z_]+)", "day": r"(\d{4}-\d{2}-\d{2})", "n": r"(\d+)",
                "row": r"(\d+)"}
_NOTE_PARAM = re.compile(r"\{(\w+)\}")


def step_note_of(note: str | None) -> tuple[str, dict[str, str]] | None:
    """The catalogue key and parameters of an entitlement step's note: the entitlements
    service writes the en words of a `code.step.*` key; an officer's own note is None."""
    for key, template in words("en").items():
        if not key.startswith("code.step."):
            continue
        names = _NOTE_PARAM.findall(template)
        pattern = _NOTE_PARAM.sub(lambda m: _NOTE_PARAMS[m.group(1)], re.escape(template)
                                  .replace(r"\{", "{").replace(r"\}", "}"))
        found = re.fullmatch(pattern, note or "")
        if found:
            return key, dict(zip(names, found.groups(), strict=True))
    return None


def step_note(lang: str, note: str | None) -> str:
    """An entitlement step's note in `lang`; an officer's own note as written."""
    found = step_note_of(note)
    if found is None:
        return note or ""
    key, params = found
    if "trigger" in params:
        params["trigger"] = code(lang, "trigger", params["trigger"])
    return text(lang, key, **params)


def actor_name(lang: str, by: str | None) -> str:
    """Who took a step: the system, or a role and its key id (`officer:k7` -> 业务人员 k7)."""
    if by == "system":
        return text(lang, "code.actor.system")
    role, _, key_id = (by or "").partition(":")
    return f"{code(lang, 'role', role)} {key_id}".strip() if key_id else by or ""
