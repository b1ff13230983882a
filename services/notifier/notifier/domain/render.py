"""Alert layout: title and body (text + HTML) with a link, and daily digests."""

from __future__ import annotations

import html
from typing import Any

from pydantic import BaseModel, ConfigDict

from notifier.domain.alerts import ROUND_KINDS, AlertKind, Severity, is_target_kind, severity_of
from notifier.domain.content import Content, build_content
from notifier.domain.wording import LANGUAGES, Language, say
from shared.events import AnyEvent

_SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


class RenderedAlert(BaseModel):
    """An alert's words in one language, ready for any channel."""

    model_config = ConfigDict(frozen=True)

    title: str
    body_text: str
    body_html: str
    link: str | None
    severity: Severity
    kind: str = ""
    language: Language = "zh"
    firm_id: str | None = None
    event_id: str | None = None
    key: str = ""  # the catalogue's word for the kind (`alert.<kind>`), with `params`
    params: dict[str, Any] = {}


def alert_params(data: Any) -> dict[str, Any]:
    """What a page needs to word an alert in its own language: the firm, the tiers, the
    year and target, the day decided (codes, not words)."""
    out: dict[str, Any] = {}
    firm = getattr(data, "firm", None)
    if firm is not None and getattr(firm, "name", None):
        out["firm"] = firm.name
    for name in ("from_tier", "to_tier", "year", "key", "milestone", "achieved", "target",
                 "pace"):
        value = getattr(data, name, None)
        if isinstance(value, (str, int)):
            out[name] = value
    decided = getattr(data, "decided_on", None)
    if decided is not None:
        out["decided_on"] = decided.isoformat()
    return out


def standing_link(standing_url_base: str, event_data: Any, kind: str) -> str:
    """Where the alert points: the firm's standing, or the year's targets for target kinds."""
    base = standing_url_base.rstrip("/")
    if kind.startswith("entitlement_"):  # the dashboard's entitlement list, on this one
        return f"{base}/dashboard#entitlement={event_data.entitlement_id}"
    if kind in ROUND_KINDS:
        return f"{base}/v1/rounds/{event_data.year}/worklist"
    if is_target_kind(kind):
        return f"{base}/v1/targets/{event_data.year}"
    return f"{base}/v1/firms/{event_data.firm.id}/standing"


def render(
    event: AnyEvent, kind: AlertKind, language: Language, standing_url_base: str
) -> RenderedAlert:
    """Render one event as an alert of `kind`; ValueError if the event cannot carry it."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    data = event.data
    content = build_content(kind, language, data)
    firm = getattr(data, "firm", None)
    link = standing_link(standing_url_base, data, kind)
    severity = severity_of(kind)
    return RenderedAlert(
        title=content.title,
        body_text=_text(language, content, link),
        body_html=_html(language, content, link, severity),
        link=link, severity=severity, kind=kind, language=language,
        firm_id=str(firm.id) if firm is not None else None,
        event_id=str(event.event_id), key=f"alert.{kind}", params=alert_params(data),
    )


def render_digest(items: list[RenderedAlert], language: Language) -> RenderedAlert:
    """Fold one officer's pending alerts into a single message, most severe first."""
    if not items:
        raise ValueError("a digest needs at least one alert")
    # sorted() is stable, so alerts of equal severity keep their arrival order.
    ordered = sorted(items, key=lambda a: _SEVERITY_ORDER[a.severity])
    critical = sum(1 for a in items if a.severity == "critical")
    n = len(items)
    title = say(language, "msg.digest.title_one" if n == 1 else "msg.digest.title", n=n) + (
        say(language, "msg.digest.critical", n=critical) if critical else "")
    lines = [title, ""]
    for i, a in enumerate(ordered, 1):
        lines.append(f"{i}. {a.title}")
        if a.link:
            lines.append(f"   {a.link}")
    entries = "".join(
        f"<li>{_a(a.link, a.title) if a.link else html.escape(a.title)}</li>" for a in ordered
    )
    return RenderedAlert(
        title=title, body_text="\n".join(lines),
        body_html=f"<div class=\"digest\"><h2>{html.escape(title)}</h2><ol>{entries}</ol></div>",
        link=None, severity=ordered[0].severity, kind="digest", language=language,
    )


def _text(language: Language, c: Content, link: str) -> str:
    lines = [c.title, "", c.what]
    if c.why:
        lines.append(say(language, "msg.why") + c.why)
    if c.failing:
        lines.append(say(language, "msg.not_met"))
        lines.extend(f"- {f}" for f in c.failing)
    lines.append(say(language, "msg.next") + c.next)
    lines.append(say(language, "msg.details") + link)
    return "\n".join(lines)


def _a(href: str, text: str) -> str:
    return f"<a href=\"{html.escape(href, quote=True)}\">{html.escape(text)}</a>"


def _html(language: Language, c: Content, link: str, severity: str) -> str:
    e = html.escape
    parts = [f"<div class=\"alert alert-{severity}\">", f"<h2>{e(c.title)}</h2>",
             f"<p>{e(c.what)}</p>"]
    if c.why or c.failing:
        parts.append(f"<h3>{say(language, 'msg.why_head')}</h3>")
    if c.why:
        parts.append(f"<p>{e(c.why)}</p>")
    if c.failing:
        parts.append("<ul>" + "".join(f"<li>{e(f)}</li>" for f in c.failing) + "</ul>")
    parts.append(f"<h3>{say(language, 'msg.next_head')}</h3><p>{e(c.next)}</p>")
    parts.append(f"<p>{_a(link, say(language, 'msg.open'))}</p></div>")
    return "".join(parts)
