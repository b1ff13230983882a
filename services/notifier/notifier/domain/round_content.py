"""What the round's messages say (one per officer, their own firms): a deadline's reminder and
a published list's outcome, in zh or en."""

from __future__ import annotations

from notifier.domain.content import Content
from notifier.domain.wording import Language, clean, pick, tier
from shared.events import FilingListPublishedData, RoundItem, RoundReminderDueData

DEADLINE_NAMES = {
    "zh": {"firm_deadline": "企业申报截止", "district_deadline": "区县推荐截止",
           "city_deadline": "市级推荐截止"},
    "en": {"firm_deadline": "the firms' application deadline",
           "district_deadline": "the districts' deadline", "city_deadline": "the city's deadline"},
}
STATE_NAMES = {
    "zh": {"applied": "已申报待区县审核", "district_passed": "区县审核通过待市级推荐",
           "recommended": "已推荐待省级备案"},
    "en": {"applied": "applied, awaiting the district check",
           "district_passed": "passed the district, awaiting the city",
           "recommended": "recommended, awaiting the province"},
}


def _line(lang: Language, item: RoundItem) -> str:
    name, t = clean(item.firm.name), tier(lang, item.tier)
    if item.kind == "not_applied":
        return pick(lang, f"{name}：符合{t}条件，尚未申报", f"{name}: qualifies as {t}, not applied")
    if item.kind == "stalled":
        state = STATE_NAMES[lang].get(item.state or "", item.state or "")
        return pick(lang, f"{name}：{t}申报{state}（{item.reason or ''}）",
                    f"{name}: {t} application {state} ({item.reason or ''})")
    if item.kind == "filed":
        return pick(lang, f"{name}：已备案为{t}", f"{name}: filed as {t}")
    return pick(lang, f"{name}：未获{t}备案（{item.reason or ''}）",
                f"{name}: not filed as {t} ({item.reason or ''})")


def round_reminder(lang: Language, d: RoundReminderDueData) -> Content:
    """A deadline is near: the officer's firms not applied or stalled."""
    when = DEADLINE_NAMES[lang][d.deadline]
    day, n = d.on.isoformat(), len(d.items)
    not_applied = sum(1 for i in d.items if i.kind == "not_applied")
    return Content(
        title=pick(lang, f"【申报提醒】{d.year} 年{when}还剩 {d.days_left} 天（{day}）：{n} 家企业待跟进",
                   f"Round {d.year}: {d.days_left} days to {when} ({day}); {n} firms to see to"),
        what=pick(lang, f"{n} 家企业需要跟进，其中 {not_applied} 家符合条件尚未申报。",
                  f"{n} firms need you: {not_applied} qualify and have not applied."),
        why=pick(lang, "按“就高不就低”原则，企业应申报其符合的最高梯度。",
                 "A firm applies for the highest tier it qualifies for."),
        failing=[_line(lang, i) for i in d.items],
        next=pick(lang, f"请在 {day} 前联系以上企业完成申报或推进审核；完整清单见工作台。",
                  f"Contact these firms before {day} to apply or move their review on; the "
                  "full worklist is on the dashboard."),
    )


def list_published(lang: Language, d: FilingListPublishedData) -> Content:
    """A list is out: which of the officer's firms it filed, and which it left out."""
    filed = sum(1 for i in d.items if i.kind == "filed")
    left = len(d.items) - filed
    name = clean(d.list_name)
    return Content(
        title=pick(lang, f"【名单公布】{name}：您负责的企业 {filed} 家备案，{left} 家未备案",
                   f"List published: {name}: {filed} of your firms filed, {left} not filed"),
        what=pick(lang, f"{d.listed_on.isoformat()} 公布的{tier(lang, d.tier)}名单已录入。",
                  f"The {tier(lang, d.tier)} list dated {d.listed_on.isoformat()} is recorded."),
        failing=[_line(lang, i) for i in d.items],
        next=pick(lang, "请告知企业结果；未备案企业可查看差异说明，准备下一轮申报。",
                  "Tell the firms; for those not filed, see the discrepancies and prepare the "
                  "next round."),
    )
