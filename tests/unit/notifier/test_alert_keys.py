"""Every alert carries its catalogue key and its facts as codes, so a page in the other
language words it (issue 19)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from notifier.domain.alerts import AlertKind
from notifier.domain.render import render
from shared import catalogue
from tests.unit.notifier import builders as b

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("kind", list(b.one_of_each_kind()))
def test_every_alert_carries_a_catalogue_key_and_its_facts(kind: AlertKind) -> None:
    event = b.one_of_each_kind()[kind]
    r = render(event, kind, "zh", b.BASE_URL)
    assert r.key == f"alert.{kind}" and r.key in catalogue.words("en")
    firm = getattr(event.data, "firm", None)
    if firm is not None:
        assert r.params["firm"] == firm.name
    if kind in ("target_milestone", "pace_behind"):
        assert r.params["year"] == 2024 and r.params["key"]
    stored = r.model_dump(mode="json")  # what the alerts table keeps
    assert stored["key"] == r.key and stored["params"] == r.params


def test_a_standing_alert_names_its_tiers_as_codes() -> None:
    event = b.standing_event(from_tier="gazelle", to_tier="eaglet")
    r = render(event, "demotion", "zh", b.BASE_URL)
    assert (r.params["from_tier"], r.params["to_tier"]) == ("gazelle", "eaglet")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", list(b.one_of_each_kind()))
def test_every_alert_kind_is_worded_from_the_catalogue_in_both_languages(
        kind: AlertKind, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each message's title, what, why and next step are the catalogue's `msg.<kind>.*`
    templates, every key it asks for exists in both languages, and no `{param}` is left."""
    asked: list[str] = []
    real = catalogue.text

    def recording(language: str, key: str, /, **params: object) -> str:
        asked.append(key)
        return real(language, key, **params)

    monkeypatch.setattr(catalogue, "text", recording)
    r = render(b.one_of_each_kind()[kind], kind, lang, b.BASE_URL)  # type: ignore[arg-type]
    assert any(k.startswith(f"msg.{kind}.") for k in asked), asked
    assert catalogue.missing_keys(asked) == {"zh": [], "en": []}
    for part in (r.title, r.body_text, r.body_html):
        assert re.search(r"\{\w+\}", part) is None, part
    title_key = next(k for k in asked if k.startswith(f"msg.{kind}.title"))
    monkeypatch.setitem(catalogue.words(lang), title_key, "TITLE-FROM-CATALOGUE {firm}")
    again = render(b.one_of_each_kind()[kind], kind, lang, b.BASE_URL)  # type: ignore[arg-type]
    assert "TITLE-FROM-CATALOGUE" in again.title


def test_a_missing_message_key_fails_the_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(catalogue.words("en"), "msg.demotion.what")
    with pytest.raises(KeyError):
        render(b.standing_event(from_tier="gazelle", to_tier="eaglet"), "demotion", "en",
               b.BASE_URL)


def test_the_notifier_writes_no_word_of_its_own() -> None:
    """The alert texts live once, in the catalogue: no Chinese in the wording modules."""
    root = Path(__file__).parents[3] / "services/notifier/notifier/domain"
    for name in ("wording.py", "content.py", "round_content.py", "entitlement_words.py",
                 "render.py", "history.py", "../handlers/intake.py", "../channels/formats.py"):
        tree = ast.parse((root / name).read_text("utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        words = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and id(n) not in docs]
        assert [w for w in words if re.search(r"[\u4e00-\u9fff]", w)] == [], name
