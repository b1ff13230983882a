"""Builders shared by every test: valid USCCs, firm and report payloads, unique ids."""

from __future__ import annotations

import random
import uuid
from typing import Any

from shared.uscc import ALPHABET, check_character

ADMIN_TOKEN = "ct_test_admin_" + uuid.uuid4().hex


def random_uscc(rng: random.Random | None = None) -> str:
    """A USCC with a correct GB 32100-2015 check character (Dalian division 2102xx)."""
    rng = rng or random.Random()
    body = "91" + "2102" + f"{rng.randrange(100):02d}" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def wrong_check_uscc() -> str:
    """A USCC whose last character is not the GB 32100-2015 check character."""
    valid = random_uscc()
    wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != valid[17])
    return valid[:17] + wrong


def firm_payload(**overrides: Any) -> dict[str, Any]:
    """A valid POST /v1/firms body."""
    return {
        "uscc": random_uscc(),
        "name": f"大连测试科技有限公司-{uuid.uuid4().hex[:6]}",
        "district": "hitech",
        "industry": "next_gen_it",
        "founded_on": "2016-04-01",
        **overrides,
    }


def report_payload(**overrides: Any) -> dict[str, Any]:
    """A valid annual report body (a small, healthy tech firm)."""
    return {
        "revenue": 30_000_000,
        "sales_revenue": 29_000_000,
        "total_assets": 40_000_000,
        "employees": 120,
        "st_staff": 40,
        "rd_expense": 2_400_000,
        "st_activity_investment": 2_700_000,
        "high_tech_revenue": 20_000_000,
        "ip_class1": 2,
        "ip_class2": 5,
        **overrides,
    }


def gazelle_reports(fy: int, filed_on: str) -> list[tuple[int, dict[str, Any]]]:
    """Four years of reports, FY fy-3 .. fy, whose revenue grows 26% a year from 20 million
    yuan (a gazelle by the rulebook's growth rule; a 30% rule fails it): (fiscal year, body)."""
    base = 20_000_000
    out = []
    for offset, factor in ((3, 4), (2, 5), (1, 6), (0, 8)):
        revenue = base * factor // 4
        out.append((fy - offset, report_payload(
            revenue=revenue, sales_revenue=revenue, high_tech_revenue=revenue // 2,
            st_activity_investment=revenue // 25, ip_class1=1, filed_on=filed_on)))
    return out


def auth(token: str = ADMIN_TOKEN) -> dict[str, str]:
    """Authorization header."""
    return {"Authorization": f"Bearer {token}"}
