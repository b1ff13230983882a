"""The catalogue: every criterion, gap kind, alert kind, event type, tier and code value has
its words in zh and en, and every key the pages ask for exists (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ladder.domain.compiled import CompiledRulebook, Spec
from ladder.domain.explain import GAP_KINDS, gap_of, next_tier
from ladder.domain.rulebook import default_rulebook
from ladder.domain.rules import evaluate
from notifier.domain.alerts import ALERT_KINDS
from shared import catalogue, codes
from shared.catalogue.render import FLAG_KEYS, criterion_label, gap_text
from shared.events import ALL_EVENT_TYPES
from tests.unit.ladder.builders import failing_firms

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "services/ladder/ladder/static"
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z&/-]*(?:\s+[A-Za-z][A-Za-z&/-]*)+")


def _args(literal: object) -> tuple[str, ...]:
    return literal.__args__  # type: ignore[attr-defined, no-any-return]


def criterion_keys() -> set[str]:
    """Every criterion id an evaluation under the rulebook can write into a trace."""
    compiled = CompiledRulebook(default_rulebook())
    return {v.key for v in vars(compiled).values() if isinstance(v, Spec)} | {"founded"}


def readiness_keys() -> set[str]:
    source = (ROOT / "services/ladder/ladder/domain/readiness.py").read_text()
    return set(re.findall(r'Check\("(\w+)"', source))


def required_keys() -> set[str]:
    from shared.events import EntitlementState

    keys = {f"criterion.{k}" for k in criterion_keys()}
    keys |= {f"readiness.{k}" for k in readiness_keys()}
    keys |= {f"gap.{k}" for k in GAP_KINDS if k != "flag"} | {f"gap.flag.{k}" for k in FLAG_KEYS}
    keys |= {f"alert.{k}" for k in ALERT_KINDS} | {f"event.{t}" for t in ALL_EVENT_TYPES}
    keys |= {f"tier.{t}" for t in (*codes.TIER_ORDER, *_args(codes.TargetKey))}
    keys |= {f"tier.unicorn:{g}" for g in _args(codes.UnicornGrade)}
    keys |= {f"district.{d}" for d in codes.DISTRICTS} | {f"industry.{i}" for i in codes.INDUSTRIES}
    keys |= {f"code.company_kind.{k}" for k in _args(codes.CompanyKind)}
    keys |= {f"code.certificate.{k}" for k in _args(codes.CertificateKind)}
    keys |= {f"code.compliance.{k}" for k in _args(codes.ComplianceFlag)}
    keys |= {f"code.investor.{k}" for k in _args(codes.InvestorKind)}
    keys |= {f"code.grade.{k}" for k in _args(codes.UnicornGrade)}
    keys |= {f"code.entitlement_state.{k}" for k in _args(EntitlementState)}
    keys |= {"code.bool.true", "code.bool.false"}
    keys |= {f"code.pace.{k}" for k in ("ahead", "on_track", "behind")}
    keys |= {f"code.app_state.{k}" for k in ("applied", "district_passed", "recommended",
                                              "district_failed", "filed", "not_filed",
                                              "withdrawn")}
    keys |= {f"cmp.{k}" for k in ("ge", "gt", "le", "lt", "eq", "any", "all")}
    return keys


def test_every_required_key_has_words_in_both_languages() -> None:
    assert catalogue.missing_keys(required_keys()) == {"zh": [], "en": []}


def test_the_languages_have_the_same_keys_and_the_same_parameters() -> None:
    zh, en = catalogue.words("zh"), catalogue.words("en")
    assert set(zh) == set(en)
    differ = [k for k in zh if catalogue.params_of(k, "zh") != catalogue.params_of(k, "en")]
    assert differ == []


def test_a_missing_key_fails() -> None:
    with pytest.raises(KeyError):
        catalogue.text("zh", "criterion.no_such_rule")
    assert catalogue.missing_keys({"criterion.no_such_rule"})["zh"] == ["criterion.no_such_rule"]


def test_every_key_the_pages_ask_for_exists() -> None:
    """t("x") in the dashboard's JavaScript reads label.x; a typo would show the key."""
    asked: set[str] = set()
    for script in STATIC.glob("*.js"):
        asked |= {f"label.{k}" for k in re.findall(r'\bt\("(\w+)"', script.read_text())}
        asked |= set(re.findall(r'\bsay\("([\w.:]+)"', script.read_text()))
    # round.js asks through w(): its keys are labels or codes
    round_js = (STATIC / "round.js").read_text()
    for k in re.findall(r'\bw\("(\w+)"', round_js):
        if not any(f"code.{f}.{k}" in catalogue.words("zh")
                   for f in ("stage", "deadline", "discrepancy")):
            asked.add("label.daysLeft" if k == "daysLeft" else f"label.{k}")
    assert asked and catalogue.missing_keys(asked) == {"zh": [], "en": []}


def _decisions() -> list[object]:
    """The rules' verdicts on firms that fail in every way they know."""
    return [evaluate(default_rulebook(), f, 2021) for f in failing_firms()]


def test_every_criterion_and_gap_renders_in_both_languages_and_zh_has_no_latin_run() -> None:
    seen_kinds: set[str] = set()
    for decision in _decisions():
        for tier in ("eaglet", "gazelle", "unicorn", "leader"):
            for m in next_tier(decision, tier).missing:  # type: ignore[arg-type]
                seen_kinds.add(m.gap_kind)
                for lang in catalogue.LANGS:
                    sentence = gap_text(lang, {"kind": m.gap_kind, "params": m.params})
                    assert "{" not in sentence, sentence
                zh = gap_text("zh", {"kind": m.gap_kind, "params": m.params})
                assert not LATIN_RUN.search(zh.replace("USD", "")), zh
        stack = [c for r in decision.tiers.values() for c in r.criteria]  # type: ignore[attr-defined]
        while stack:
            c = stack.pop()
            stack.extend(c.children)
            zh = criterion_label("zh", c.key, c.label, 2021)
            assert zh != c.label and "{" not in zh and not LATIN_RUN.search(zh), (c.key, zh)
            if not c.passed:
                gap_of(c, 2021)
    assert {"unknown", "flag", "too_old", "not_founded"} <= seen_kinds


def test_money_and_ratios_read_as_bureau_staff_write_them() -> None:
    assert catalogue.money("zh", 15_117_647) == "1511.76万元"
    assert catalogue.money("zh", 250_000_000) == "2.5亿元"
    assert catalogue.money("en", 15_117_647) == "¥15,117,647"  # never ¥15.12M
    from shared.catalogue.render import ratio_text

    assert ratio_text(0.02496, 0.025) == "2.496%"  # a near miss never reads as the threshold
    assert ratio_text(0.025, 0.025) == "2.5%"
    assert ratio_text(0.031, 0.025) == "3.1%"
    assert catalogue.figure(1.511764705882353) == 1.51


ENTITLEMENTS = ROOT / "services/entitlements/entitlements"


def _trigger_kinds() -> set[str]:
    from entitlements.domain.policies import CertificateTrigger, FilingTrigger

    return {k for t in (CertificateTrigger, FilingTrigger)
            for k in _args(t.model_fields["kind"].annotation)}


def _service_notes() -> list[tuple[str, list[str]]]:
    """Every note the entitlements service writes on a step: (where, its literal parts).
    A plain string is one part; an f-string is its text between the values."""
    import ast

    found: list[tuple[str, list[str]]] = []
    for name in ("domain/reconcile.py", "handlers/reconcile.py", "handlers/reminders.py",
                 "handlers/steps.py"):
        tree = ast.parse((ENTITLEMENTS / name).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Step" \
                    and len(node.args) == 3 and isinstance(node.args[2], ast.Constant):
                found.append((name, [node.args[2].value]))
            values = [k.value for k in getattr(node, "keywords", []) if k.arg == "note"]
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "reason":
                values.append(node.value)
            for v in values:
                if isinstance(v, ast.JoinedStr):
                    found.append((name, [p.value for p in v.values
                                         if isinstance(p, ast.Constant)]))
    return found


def test_every_step_and_trigger_code_has_words_in_both_languages() -> None:
    from shared.auth import Role

    keys = {f"code.trigger.{k}" for k in _trigger_kinds()}
    keys |= {"code.actor.system"} | {f"code.role.{r}" for r in _args(Role)}
    assert catalogue.missing_keys(keys) == {"zh": [], "en": []}
    steps = {k for k in catalogue.words("zh") if k.startswith("code.step.")}
    assert len(steps) >= 8 and catalogue.missing_keys(steps) == {"zh": [], "en": []}
    for key in steps:
        zh = catalogue.text("zh", key, trigger="获得资质", day="2026-12-02", n=14, row=3)
        assert not LATIN_RUN.search(zh) and "{" not in zh, (key, zh)


def test_every_note_the_entitlements_service_writes_has_a_step_key() -> None:
    """The en words of code.step.* are what the service writes; a reworded note fails."""
    templates = [re.sub(r"\{\w+\}", "\x00", catalogue.words("en")[k])
                 for k in catalogue.words("en") if k.startswith("code.step.")]
    notes = _service_notes()
    assert len(notes) >= 7, notes
    for where, parts in notes:
        assert any([p for p in t.split("\x00") if p] == [p for p in parts if p]
                   for t in templates), (where, parts)


@pytest.mark.parametrize(("note", "zh", "en"), [
    ("certificate_granted 2026-12-02", "获得资质（2026-12-02）", "certificate 2026-12-02"),
    ("filing_recorded 2024-06-30", "备案（2024-06-30）", "filing 2024-06-30"),
    ("not confirmed within 14 days of the offer", "告知后14天内未确认",
     "not confirmed within 14 days of the offer"),
    ("payment list row 3", "拨付清单第3行", "payment list row 3"),
    ("the trigger holds again", "触发事项重新成立", "the trigger holds again"),
    ("called the firm on Monday", "called the firm on Monday", "called the firm on Monday"),
])
def test_a_step_note_reads_back_into_its_words(note: str, zh: str, en: str) -> None:
    from shared.catalogue.render import step_note

    assert step_note("zh", note) == zh
    assert step_note("en", note) == en


def test_an_actor_is_worded() -> None:
    from shared.catalogue.render import actor_name

    assert actor_name("zh", "system") == "系统"
    assert actor_name("zh", "officer:k7") == "业务人员 k7"
    assert actor_name("en", "admin:k1") == "administrator k1"
