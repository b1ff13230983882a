"""A Chinese export names its codes and rounds its numbers; an English one stays as the API
gives it (issue 19)."""

from __future__ import annotations

import csv
import io

from ladder.exports import to_csv
from ladder.queries.tables import Table

GAP = {"kind": "lever", "params": {"key": "st_intensity", "label": "S&T activity investment / "
                                   "revenue", "fy": 2021, "unit": "ratio", "comparator": "ge",
                                   "value": 0.02496, "threshold": 0.025, "gap": 0.00004,
                                   "need": 3136, "from": 2018, "to": 2021}}
TABLE = Table("candidates", ("name", "district", "current_tier", "conversion_probability",
                             "missing"),
              [{"name": "大连海云机器人", "district": "jinpu", "current_tier": "eaglet",
                "conversion_probability": 1.511764705882353, "missing": "S&T ... would pass",
                "gaps": [GAP]}])


def _rows(lang: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(to_csv(TABLE, lang).decode("utf-8-sig"))))


def test_a_chinese_export_names_codes_rounds_numbers_and_words_the_gaps() -> None:
    head, row = _rows("zh")
    assert head == ["企业名称", "区市县", "当前梯度", "转化概率", "欠缺条件"]
    assert row[:4] == ["大连海云机器人", "金普新区", "雏鹰", "1.5118"]
    assert row[4].startswith("科技活动投入占营业收入比例为2.496%，要求不低于2.5%")
    assert "2018—2021年度" in row[4] and "再增加3136元" in row[4]


def test_an_english_export_keeps_keys_and_codes() -> None:
    head, row = _rows("en")
    assert head == ["name", "district", "current tier", "conversion probability", "missing"]
    assert row[1:3] == ["jinpu", "eaglet"] and row[4] == "S&T ... would pass"
