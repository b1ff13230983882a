"""Bilingual names and phrase helpers used by the alert renderer."""

from __future__ import annotations

import re
from typing import Any, Literal

from shared.events import FailingCriterion

Language = Literal["zh", "en"]
LANGUAGES: tuple[str, ...] = ("zh", "en")

TIER_NAMES: dict[str, dict[str, str]] = {
    "zh": {"none": "无梯度", "eaglet": "雏鹰", "gazelle": "瞪羚", "unicorn": "独角兽",
           "leader": "领军"},
    "en": {"none": "no tier", "eaglet": "Eaglet", "gazelle": "Gazelle", "unicorn": "Unicorn",
           "leader": "Leader"},
}
GRADE_NAMES: dict[str, dict[str, str]] = {
    "zh": {"seed": "种子", "potential": "潜在", "unicorn": "独角兽"},
    "en": {"seed": "seed", "potential": "potential", "unicorn": "unicorn"},
}
TARGET_NAMES: dict[str, dict[str, str]] = {
    "zh": {"eaglet": "雏鹰企业", "gazelle": "瞪羚企业", "unicorn": "独角兽企业",
           "leader": "领军企业", "high_tech_enterprise": "高新技术企业",
           "tech_sme": "科技型中小企业"},
    "en": {"eaglet": "eaglets", "gazelle": "gazelles", "unicorn": "unicorns",
           "leader": "leaders", "high_tech_enterprise": "high-tech enterprises",
           "tech_sme": "tech SMEs"},
}
PACE_NAMES: dict[str, dict[str, str]] = {
    "zh": {"ahead": "超前", "on_track": "正常", "behind": "落后"},
    "en": {"ahead": "ahead", "on_track": "on track", "behind": "behind"},
}
MILESTONE_NAMES: dict[str, dict[str, str]] = {
    "zh": {"first": "首家", "first_unicorn": "首家独角兽"},
    "en": {"first": "the first firm", "first_unicorn": "the first unicorn"},
}

_WS = re.compile(r"\s+")


def clean(value: Any) -> str:
    """One-line text: collapses newlines so firm names cannot forge headers or markdown."""
    return _WS.sub(" ", str(value)).strip()


def pick(language: Language, zh: str, en: str) -> str:
    """The phrase in the requested language."""
    return zh if language == "zh" else en


def tier(language: Language, code: str) -> str:
    """Tier display name (雏鹰 / Eaglet ...); unknown codes pass through."""
    return TIER_NAMES[language].get(code, code)


def target(language: Language, code: str) -> str:
    """Display name of a target key."""
    return TARGET_NAMES[language].get(code, code)


def _num(value: Any) -> str:
    # Floats from ratios (0.0213...) read better with a few significant digits.
    if isinstance(value, float):
        return f"{value:.4g}"
    return clean(value)


def failing_line(language: Language, c: FailingCriterion) -> str:
    """One unmet criterion: label, value vs threshold, gap and hint when known."""
    parts = [clean(c.label)]
    if language == "zh":
        if c.value is not None:
            parts.append(f"当前 {_num(c.value)}")
        if c.threshold is not None:
            parts.append(f"要求 {_num(c.threshold)}")
        if c.gap is not None:
            parts.append(f"差距 {_num(c.gap)}")
        line = parts[0] + ("：" + "，".join(parts[1:]) if len(parts) > 1 else "")
        return line + (f"（建议：{clean(c.hint)}）" if c.hint else "")
    if c.value is not None:
        parts.append(f"value {_num(c.value)}")
    if c.threshold is not None:
        parts.append(f"threshold {_num(c.threshold)}")
    if c.gap is not None:
        parts.append(f"gap {_num(c.gap)}")
    line = parts[0] + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")
    return line + (f" (hint: {clean(c.hint)})" if c.hint else "")


def missing_summary(language: Language, failing: list[FailingCriterion]) -> str:
    """Short 'what is missing' list: each criterion's hint, else its label."""
    items = [clean(c.hint or c.label) for c in failing]
    if not items:
        return pick(language, "详见决策记录", "see the decision trace")
    return pick(language, "；", "; ").join(items)
