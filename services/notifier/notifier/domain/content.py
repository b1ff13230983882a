"""What each alert kind says: what happened, why, and the next step, in zh or en."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifier.domain import entitlement_words
from notifier.domain.wording import (
    GRADE_NAMES,
    MILESTONE_NAMES,
    PACE_NAMES,
    Language,
    clean,
    failing_line,
    missing_summary,
    pick,
    target,
    tier,
)
from shared.events import (
    EntitlementAwaitingConfirmationData,
    EntitlementStateChangedData,
    FailingCriterion,
    FilingExpiringData,
    NearMissDetectedData,
    StandingChangeData,
    TargetMilestoneReachedData,
    TargetProgressChangedData,
)


@dataclass
class Content:
    """An alert's parts before layout: title, what happened, why, unmet criteria, next step."""

    title: str
    what: str
    why: str | None = None
    failing: list[str] = field(default_factory=list)
    next: str = ""


def build_content(kind: str, lang: Language, data: Any) -> Content:
    """Words for `kind` from an event payload; ValueError if the payload cannot carry it."""
    builder, payload_type = _BUILDERS.get(kind, (None, None))
    if builder is None or payload_type is None or not isinstance(data, payload_type):
        raise ValueError(f"cannot word a {type(data).__name__} payload as a {kind!r} alert")
    content = builder(lang, data)
    if isinstance(data, StandingChangeData) and data.supersedes is not None:
        # a late fact changed an earlier decision: say so before anything else
        day = data.decided_on.isoformat() if data.decided_on else ""
        content.title = pick(lang, f"【更正·{day}】", f"Correction ({day}): ") + content.title
    return content


def _failing(lang: Language, failing: list[FailingCriterion]) -> list[str]:
    return [failing_line(lang, c) for c in failing]


def _promotion(lang: Language, d: StandingChangeData) -> Content:
    name, to, frm = clean(d.firm.name), tier(lang, d.to_tier), tier(lang, d.from_tier)
    grade = GRADE_NAMES[lang].get(d.unicorn_grade or "", "")
    grade_txt = pick(lang, f"（等级：{grade}）", f" (grade: {grade})") if grade else ""
    year = d.round_year
    return Content(
        title=pick(lang, f"【晋级】{name} 晋级为{to}企业",
                   f"Promoted: {name} reached the {to} tier"),
        what=pick(lang, f"{name} 在 {year} 年度评价中由{frm}晋级为{to}{grade_txt}。",
                  f"{name} moved from {frm} to {to}{grade_txt} in the {year} round."),
        why=clean(d.reason),
        next=pick(lang, f"请与企业确认 {year} 年度备案材料，"
                        f"并按{to}企业扶持政策更新培育计划。",
                  f"Confirm the {year} filing paperwork with the firm and update its "
                  f"cultivation plan for the {to} tier."),
    )


def _demotion(lang: Language, d: StandingChangeData) -> Content:
    name, to, frm = clean(d.firm.name), tier(lang, d.to_tier), tier(lang, d.from_tier)
    missing = missing_summary(lang, d.failing)
    return Content(
        title=pick(lang, f"【降级】{name} 由{frm}降为{to}",
                   f"Demoted: {name} dropped from {frm} to {to}"),
        what=pick(lang, f"{name} 在 {d.round_year} 年度评价中由{frm}降为{to}。",
                  f"{name} dropped from {frm} to {to} in the {d.round_year} round."),
        why=clean(d.reason), failing=_failing(lang, d.failing),
        next=pick(lang, f"请与企业沟通本次评价依据，针对未满足条件（{missing}）"
                        "制定整改计划，争取下一轮重新认定。",
                  "Walk the firm through the decision and agree a plan for the unmet "
                  f"criteria ({missing}) before the next round."),
    )


def _revocation(lang: Language, d: StandingChangeData) -> Content:
    name, frm, to = clean(d.firm.name), tier(lang, d.from_tier), tier(lang, d.to_tier)
    return Content(
        title=pick(lang, f"【撤销】{name} 的{frm}备案被撤销",
                   f"Revoked: {name} lost its {frm} filing"),
        what=pick(lang, f"{name} 的{frm}备案已被撤销，现为{to}。",
                  f"{name}'s {frm} filing was revoked; it now stands at {to}."),
        why=clean(d.reason), failing=_failing(lang, d.failing),
        next=pick(lang, "请当天通知企业，核实其合规记录（如严重违法失信名单），"
                        "并将其移出扶持名单。",
                  "Inform the firm today, verify its compliance record (e.g. the "
                  "serious-dishonesty list) and remove it from support schemes."),
    )


def _at_risk(lang: Language, d: StandingChangeData) -> Content:
    name, t = clean(d.firm.name), tier(lang, d.from_tier)
    missing = missing_summary(lang, d.failing)
    if d.expires_on:
        day = d.expires_on.isoformat()
        nxt = pick(lang, f"请在备案于 {day} 到期前联系企业；尚缺：{missing}。",
                   f"Contact the firm before the filing expires on {day}; missing: {missing}.")
    else:
        nxt = pick(lang, f"请尽快联系企业；尚缺：{missing}。",
                   f"Contact the firm soon; missing: {missing}.")
    return Content(
        title=pick(lang, f"【预警】{name} 的{t}资格存在风险",
                   f"At risk: {name} may lose its {t} standing"),
        what=pick(lang, f"{name} 已不再满足{t}条件，备案有效期内暂保留资格，"
                        "到期复核时可能降级。",
                  f"{name} no longer meets the {t} criteria; it keeps the tier while the "
                  "filing is valid but may drop at the renewal review."),
        why=clean(d.reason), failing=_failing(lang, d.failing), next=nxt,
    )


def _renewal(lang: Language, d: StandingChangeData) -> Content:
    name, t = clean(d.firm.name), tier(lang, d.to_tier)
    until = d.expires_on.isoformat() if d.expires_on else pick(lang, "下次复核", "the next review")
    return Content(
        title=pick(lang, f"【续期】{name} 的{t}备案已续期",
                   f"Renewed: {name} keeps its {t} filing"),
        what=pick(lang, f"{name} 通过到期复核，{t}备案续期至 {until}。",
                  f"{name} passed the renewal review; its {t} filing runs until {until}."),
        why=clean(d.reason),
        next=pick(lang, "无需处理；请更新企业档案中的有效期。",
                  "No action needed; update the validity date in the firm's file."),
    )


def _recovery(lang: Language, d: StandingChangeData) -> Content:
    name, t = clean(d.firm.name), tier(lang, d.to_tier)
    return Content(
        title=pick(lang, f"【恢复】{name} 重新满足{t}条件",
                   f"Recovered: {name} qualifies as {t} again"),
        what=pick(lang, f"{name} 重新满足{t}条件，风险预警解除。",
                  f"{name} meets the {t} criteria again; the at-risk warning is lifted."),
        why=clean(d.reason),
        next=pick(lang, "无需处理；可向企业致意并继续跟进。",
                  "No action needed; a word of congratulation to the firm is welcome."),
    )


def _override(lang: Language, d: StandingChangeData) -> Content:
    name, to, frm = clean(d.firm.name), tier(lang, d.to_tier), tier(lang, d.from_tier)
    by = clean(getattr(d, "by", "") or pick(lang, "未知", "unknown"))
    if getattr(d, "cleared", False):
        title = pick(lang, f"【人工调整解除】{name} 恢复按规则评价",
                     f"Override lifted: {name} is back under the rules")
        what = pick(lang, f"{by} 解除了{name}的人工调整（原为{frm}），此后按规则评价。",
                    f"{by} lifted the manual override on {name} (held at {frm}); the rules "
                    "apply again.")
    else:
        direction = getattr(d, "direction", "same")
        verb = {"up": pick(lang, "上调", "raised"), "down": pick(lang, "下调", "lowered")}.get(
            direction, pick(lang, "确认", "confirmed"))
        title = pick(lang, f"【人工调整】{name} 由{by}{verb}为{to}",
                     f"Override: {by} {verb} {name} to {to}")
        what = pick(lang, f"{by} 将{name}由{frm}人工{verb}为{to}。",
                    f"{by} {verb} {name} by hand from {frm} to {to}.")
    return Content(
        title=title, what=what, why=clean(d.reason),
        next=pick(lang, "请核对调整依据并在企业档案中留存记录。",
                  "Check the grounds for the override and keep them on the firm's file."),
    )


def _filing_expiring(lang: Language, d: FilingExpiringData) -> Content:
    name, t, day, n = clean(d.firm.name), tier(lang, d.tier), d.expires_on.isoformat(), d.days_left
    return Content(
        title=pick(lang, f"【即将到期】{name} 的{t}备案将于 {day} 到期（剩 {n} 天）",
                   f"Expiring: {name}'s {t} filing ends on {day} ({n} days left)"),
        what=pick(lang, f"{name} 的{t}备案将在 {n} 天后（{day}）到期。",
                  f"{name}'s {t} filing expires in {n} days, on {day}."),
        why=pick(lang, "备案有效期为 3 年，到期时重新评价，未达标将降级。",
                 "Filings are valid 3 years; at expiry the firm is re-evaluated and may "
                 "drop a tier."),
        next=pick(lang, f"请提醒企业在 {day} 前提交最新年报及相关证书，以便完成续期复核。",
                  f"Ask the firm to file its latest annual report and certificates before "
                  f"{day} so the renewal review can run."),
    )


def _near_miss(lang: Language, d: NearMissDetectedData) -> Content:
    name, t, n = clean(d.firm.name), tier(lang, d.tier), len(d.failing)
    missing = missing_summary(lang, d.failing)
    return Content(
        title=pick(lang, f"【临近达标】{name} 接近{t}标准",
                   f"Near miss: {name} nearly qualifies as {t}"),
        what=pick(lang, f"{name} 距离{t}标准仅差 {n} 项条件。",
                  f"{name} is {n} {'criterion' if n == 1 else 'criteria'} short of the {t} tier."),
        failing=_failing(lang, d.failing),
        next=pick(lang, f"请联系企业，协助补齐差距：{missing}。",
                  f"Contact the firm to help close the gap: {missing}."),
    )


def _milestone(lang: Language, d: TargetMilestoneReachedData) -> Content:
    key, ms = target(lang, d.key), MILESTONE_NAMES[lang].get(d.milestone, d.milestone)
    firm = clean(d.firm.name) if d.firm else ""
    if d.milestone == "first_unicorn" and firm:
        title = pick(lang, f"【目标进展】{d.year} 年实现首家独角兽：{firm}",
                     f"Target milestone: first unicorn of {d.year}: {firm}")
    else:
        title = pick(lang, f"【目标进展】{d.year} 年{key}目标达到{ms}（{d.achieved}/{d.target}）",
                     f"Target milestone: {d.year} {key} reached {ms} ({d.achieved}/{d.target})")
    left = max(d.target - d.achieved, 0)
    if left == 0:
        nxt = pick(lang, "年度目标已完成；请向局领导通报，并继续储备下一年度候选企业。",
                   "The year's target is met; report it to bureau leadership and keep "
                   "building next year's pipeline.")
    else:
        nxt = pick(lang, f"请向局领导通报进展；距目标还差 {left} 家，请继续跟进临近达标企业。",
                   f"Report the progress to bureau leadership; {left} more needed, so keep "
                   "working the near-miss list.")
    return Content(
        title=title,
        what=pick(lang, f"{d.year} 年{key}已完成 {d.achieved} 家，目标 {d.target} 家"
                        + (f"（{firm}）" if firm else "") + "。",
                  f"{d.year} {key}: {d.achieved} of {d.target} achieved"
                  + (f" ({firm})" if firm else "") + "."),
        next=nxt,
    )


def _pace_behind(lang: Language, d: TargetProgressChangedData) -> Content:
    key, pct = target(lang, d.key), f"{d.progress:.0%}"
    prev = PACE_NAMES[lang].get(d.previous_pace or "", pick(lang, "未知", "unknown"))
    return Content(
        title=pick(lang, f"【进度落后】{d.year} 年{key}目标进度落后",
                   f"Behind pace: {d.year} target for {key}"),
        what=pick(lang, f"{d.year} 年{key}已完成 {d.achieved}/{d.target}（{pct}），"
                        "低于按时间应达进度。",
                  f"{d.year} {key}: {d.achieved}/{d.target} achieved ({pct}), below the "
                  "share expected by now."),
        why=pick(lang, f"进度由“{prev}”变为“落后”。", f"Pace changed from {prev} to behind."),
        next=pick(lang, f"请查看{key}临近达标企业名单，优先联系差距最小的企业。",
                  f"Review the near-miss candidates for {key} and contact those closest to "
                  "qualifying first."),
    )


def _entitlement_offered(lang: Language, d: EntitlementStateChangedData) -> Content:
    w = entitlement_words.offered(lang, d)
    return Content(title=w.title, what=w.what, why=w.why, next=w.next)


def _entitlement_overdue(lang: Language, d: EntitlementAwaitingConfirmationData) -> Content:
    w = entitlement_words.overdue(lang, d)
    return Content(title=w.title, what=w.what, why=w.why, next=w.next)


_BUILDERS: dict[str, tuple[Callable[[Language, Any], Content], type]] = {
    "promotion": (_promotion, StandingChangeData),
    "demotion": (_demotion, StandingChangeData),
    "revocation": (_revocation, StandingChangeData),
    "at_risk": (_at_risk, StandingChangeData),
    "renewal": (_renewal, StandingChangeData),
    "recovery": (_recovery, StandingChangeData),
    "override": (_override, StandingChangeData),
    "filing_expiring": (_filing_expiring, FilingExpiringData),
    "near_miss": (_near_miss, NearMissDetectedData),
    "target_milestone": (_milestone, TargetMilestoneReachedData),
    "pace_behind": (_pace_behind, TargetProgressChangedData),
    "entitlement_offered": (_entitlement_offered, EntitlementStateChangedData),
    "entitlement_overdue": (_entitlement_overdue, EntitlementAwaitingConfirmationData),
}


def _round_builders() -> None:
    """The round's messages live in their own module (it imports `Content` from here)."""
    from notifier.domain.round_content import list_published, round_reminder
    from shared.events import FilingListPublishedData, RoundReminderDueData

    _BUILDERS["round_reminder"] = (round_reminder, RoundReminderDueData)
    _BUILDERS["list_published"] = (list_published, FilingListPublishedData)


_round_builders()
