"""Alert wording: every kind in both languages, links, escaping and digests."""

import pytest

from notifier.domain.alerts import AlertKind, Severity
from notifier.domain.render import RenderedAlert, render, render_digest
from notifier.domain.wording import Language
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit

ZH_TIERS = {"eaglet": "雏鹰", "gazelle": "瞪羚", "unicorn": "独角兽", "leader": "领军"}
EN_TIERS = {"eaglet": "Eaglet", "gazelle": "Gazelle", "unicorn": "Unicorn", "leader": "Leader"}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", list(b.one_of_each_kind()))
def test_every_kind_renders_what_why_next_and_link(kind: AlertKind, language: Language) -> None:
    event = b.one_of_each_kind()[kind]
    r = render(event, kind, language, b.BASE_URL + "/")  # trailing slash is tolerated
    assert r.title and r.title in r.body_text
    assert r.kind == kind and r.language == language and r.event_id == str(event.event_id)
    assert ("下一步：" if language == "zh" else "Next step: ") in r.body_text
    assert r.link is not None
    assert r.link in r.body_text and f'href="{r.link}"' in r.body_html
    if kind in ("target_milestone", "pace_behind"):
        assert r.link == f"{b.BASE_URL}/v1/targets/2024"
    else:
        firm = event.data.firm
        assert r.link == f"{b.BASE_URL}/v1/firms/{firm.id}/standing"
        assert r.firm_id == str(firm.id)
        assert firm.name in r.title
    if hasattr(event.data, "reason"):
        assert event.data.reason in r.body_text


def test_tier_names_per_language() -> None:
    event = b.standing_event(from_tier="gazelle", to_tier="unicorn", unicorn_grade="potential")
    zh = render(event, "promotion", "zh", b.BASE_URL)
    en = render(event, "promotion", "en", b.BASE_URL)
    assert "瞪羚" in zh.body_text and "独角兽" in zh.title and "潜在" in zh.body_text
    assert "Gazelle" in en.body_text and "Unicorn" in en.title and "potential" in en.body_text
    for name in EN_TIERS.values():
        assert name not in zh.body_text


def test_at_risk_says_when_and_what_is_missing() -> None:
    event = b.standing_event("TierAtRisk", "at_risk", "gazelle", "gazelle", at_risk=True,
                             failing=[b.failing("raise R&D spend by 120万")])
    en = render(event, "at_risk", "en", b.BASE_URL)
    zh = render(event, "at_risk", "zh", b.BASE_URL)
    assert ("before the filing expires on 2025-06-30; missing: raise R&D spend by 120万"
            in en.body_text)
    assert "2025-06-30 到期前联系企业；尚缺：raise R&D spend by 120万" in zh.body_text
    assert "S&T intensity ≥ 2.5%: value 0.0213, threshold 0.025, gap 0.0037" in en.body_text
    assert en.severity == "critical"


def test_missing_without_hints_falls_back_to_labels() -> None:
    event = b.standing_event("TierDemoted", "demoted", "gazelle", "eaglet",
                             failing=[b.failing(hint=None)])
    r = render(event, "demotion", "en", b.BASE_URL)
    assert "(S&T intensity ≥ 2.5%)" in r.body_text


def test_html_is_escaped_and_names_are_one_line() -> None:
    f = b.firm(name="<script>alert(1)</script>\nBcc: x@evil.test")
    event = b.standing_event(firm=f, reason="a < b & c")
    r = render(event, "promotion", "en", b.BASE_URL)
    assert "<script>" not in r.body_html
    assert "&lt;script&gt;" in r.body_html and "a &lt; b &amp; c" in r.body_html
    assert "\n" not in r.title


def test_first_unicorn_milestone_names_the_firm() -> None:
    event = b.milestone("first_unicorn", with_firm=True)
    zh = render(event, "target_milestone", "zh", b.BASE_URL)
    en = render(event, "target_milestone", "en", b.BASE_URL)
    assert "首家独角兽" in zh.title and "大连深蓝独角兽科技有限公司" in zh.title
    assert "first unicorn" in en.title
    assert zh.link == f"{b.BASE_URL}/v1/targets/2024"


def test_pace_behind_says_from_what() -> None:
    r = render(b.progress("behind", "ahead"), "pace_behind", "en", b.BASE_URL)
    assert "60/170" in r.body_text and "35%" in r.body_text
    assert "from ahead to behind" in r.body_text


def test_kind_that_does_not_fit_the_event_is_refused() -> None:
    with pytest.raises(ValueError, match="near_miss"):
        render(b.progress(), "near_miss", "en", b.BASE_URL)
    with pytest.raises(ValueError, match="language"):
        render(b.near_miss(), "near_miss", "fr", b.BASE_URL)  # type: ignore[arg-type]


def _alert(title: str, severity: Severity) -> RenderedAlert:
    return RenderedAlert(title=title, body_text=title, body_html=title,
                         link=f"{b.BASE_URL}/{title}", severity=severity)


def test_digest_groups_most_severe_first_and_counts() -> None:
    items = [_alert("a", "info"), _alert("b", "critical"), _alert("c", "warning"),
             _alert("d", "info")]
    d = render_digest(items, "en")
    assert d.title == "Daily digest: 4 alerts (1 critical)"
    assert d.severity == "critical" and d.kind == "digest" and d.link is None
    assert [ln[3:] for ln in d.body_text.splitlines() if ln[:1].isdigit()] == ["b", "c", "a", "d"]
    assert d.body_html.count("<li>") == 4
    zh = render_digest(items[:1], "zh")
    assert zh.title == "【每日汇总】共 1 条提醒" and zh.severity == "info"


def test_digest_of_real_alerts_escapes_titles() -> None:
    f = b.firm(name="A&B <Co>")
    r = render(b.standing_event(firm=f), "promotion", "en", b.BASE_URL)
    d = render_digest([r], "en")
    assert r.link is not None
    assert "A&amp;B &lt;Co&gt;" in d.body_html and r.link in d.body_text


def test_empty_digest_is_refused() -> None:
    with pytest.raises(ValueError):
        render_digest([], "zh")
