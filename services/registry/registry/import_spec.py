"""The import files' public contract: each kind's columns, units, codes and rules, one place
for `tracker import --help`, the README, `GET /v1/imports/template` and its CSV/xlsx template.
Pure data (tests keep it equal to what the import reads)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal, get_args

from shared.codes import DISTRICTS, INDUSTRIES, CertificateKind, Currency, InvestorKind

ImportKindName = Literal["firms", "reports", "filings", "applications", "funding_rounds",
                         "certificates"]
KINDS: tuple[ImportKindName, ...] = ("firms", "reports", "filings", "applications",
                                     "funding_rounds", "certificates")
COMMENT = "#"  # lines starting with it, before the header row, are skipped by the import
COMPANY_KINDS = ("independent", "branch", "production_base", "sales", "trading")
TIERS = ("eaglet", "gazelle", "unicorn", "leader")
BOOL = "true/false (also 1/0, yes/no)"
CURRENCIES: tuple[str, ...] = get_args(Currency)
INVESTOR_KINDS: tuple[str, ...] = get_args(InvestorKind)
CERTIFICATE_KINDS: tuple[str, ...] = get_args(CertificateKind)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import file: what goes in it."""

    name: str
    required: bool
    kind: str  # text, date, yuan, money (in its currency), count, year, bool, code, uuid
    rule: str
    example: str = ""
    codes: tuple[str, ...] = ()

    def describe(self) -> str:
        """`name (required, unit): rule; one of a|b|c` on one line."""
        need = "required" if self.required else "optional"
        codes = f"; one of {'|'.join(self.codes)}" if self.codes else ""
        return f"{self.name} ({need}, {self.kind}): {self.rule}{codes}"


_YUAN = "whole yuan (元, not 万元), 0 or more"
_REPORT_FIGURES = (
    ("revenue", "营业收入: " + _YUAN, "52000000"),
    ("sales_revenue", "销售收入: " + _YUAN, "50000000"),
    ("total_assets", "资产总额: " + _YUAN, "80000000"),
    ("employees", "职工总数 (persons)", "120"),
    ("st_staff", "科技人员 (persons), at most employees", "40"),
    ("rd_expense", "研发费用: " + _YUAN, "4100000"),
    ("st_activity_investment", "科技活动投入: " + _YUAN, "4500000"),
    ("high_tech_revenue", "高新技术产品收入: " + _YUAN + ", at most revenue", "30000000"),
    ("ip_class1", "I类知识产权 (count)", "2"),
    ("ip_class2", "II类知识产权 (count)", "5"),
)

SPEC: dict[ImportKindName, tuple[Column, ...]] = {
    "firms": (
        Column("uscc", True, "text", "统一社会信用代码: 18 characters with a valid check "
               "character (GB 32100-2015); one row per firm", "91210200MA0QC2PX3M"),
        Column("name", True, "text", "the registered name, 2 to 200 characters",
               "大连星海智造科技有限公司"),
        Column("district", True, "code", "the district the firm is registered in",
               "hitech", DISTRICTS),
        Column("industry", True, "code", "the industry it is counted under",
               "intelligent_manufacturing", INDUSTRIES),
        Column("founded_on", True, "date", "成立日期 YYYY-MM-DD, not in the future",
               "2018-03-01"),
        Column("company_kind", False, "code", "default independent (独立法人)",
               "independent", COMPANY_KINDS),
        Column("listed", False, "bool", f"上市 {BOOL}; default false", "false"),
        Column("abnormal_list", False, "bool", f"经营异常名录 {BOOL}; default false", "false"),
        Column("dishonest_list", False, "bool", f"严重违法失信名单 {BOOL}; default false",
               "false"),
    ),
    "reports": (
        Column("uscc", False, "text", "whose report: uscc or firm_id (one of the two)",
               "91210200MA0QC2PX3M"),
        Column("firm_id", False, "uuid", "whose report, by the registry's id (instead of uscc)"),
        Column("fiscal_year", True, "year", "the fiscal year reported, e.g. 2023", "2023"),
        *(Column(name, True, "count" if "persons" in rule or "count" in rule else "yuan", rule,
                 example) for name, rule, example in _REPORT_FIGURES),
        Column("total_cost", False, "yuan", "成本费用总额: " + _YUAN),
        Column("filed_on", False, "date", "the day the firm submitted it YYYY-MM-DD: on or "
               "after 1 January of fiscal_year+1, not in the future; default today "
               "(a restatement keeps its date)", "2024-04-15"),
    ),
    "filings": (
        Column("uscc", True, "text", "the firm on the list (registered already)",
               "91210200MA0QC2PX3M"),
        Column("name", False, "text", "the name as the list prints it (checked against ours)",
               "大连星海智造科技有限公司"),
        Column("tier", True, "code", "the list's tier; the Chinese word works too "
               "(雏鹰/瞪羚/独角兽/领军)", "gazelle", TIERS),
        Column("grade", False, "code", "unicorn lists only (种子/潜在/独角兽 work too)", "",
               ("seed", "potential", "unicorn")),
        Column("listed_on", True, "date", "the list's date YYYY-MM-DD: the filing counts from "
               "it", "2022-12-20"),
        Column("list_name", True, "text", "the list's title as published",
               "辽宁省2022年第一批瞪羚企业"),
        Column("expires_on", False, "date", "end of validity YYYY-MM-DD; default listed_on "
               "+ 3 years"),
    ),
    "applications": (
        Column("uscc", True, "text", "the applying firm (registered already)",
               "91210200MA0QC2PX3M"),
        Column("round_year", True, "year", "the round applied to, 2000 to 2100", "2024"),
        Column("tier", True, "code", "the tier applied for; the Chinese word works too",
               "gazelle", TIERS),
        Column("applied_on", True, "date", "申报日期 YYYY-MM-DD", "2024-11-28"),
        Column("district_checked_on", False, "date", "区县审核 date; needs district_passed",
               "2024-12-05"),
        Column("district_passed", False, "bool", f"the district's verdict {BOOL} (通过/未通过 "
               "work too)", "true"),
        Column("district_reason", False, "text", "why the district refused it"),
        Column("recommended_on", False, "date", "市级推荐 date", "2024-12-12"),
        Column("not_filed_on", False, "date", "the day a list left it out"),
        Column("not_filed_reason", False, "text", "why it was left out"),
        Column("withdrawn_on", False, "date", "the day the firm withdrew"),
        Column("note", False, "text", "a note kept with the application"),
    ),
    "funding_rounds": (
        Column("uscc", False, "text", "whose round: uscc or firm_id (one of the two)",
               "91210200MA0QC2PX3M"),
        Column("firm_id", False, "uuid", "whose round, by the registry's id (instead of uscc)"),
        Column("closed_on", True, "date", "the day the round closed YYYY-MM-DD: not before "
               "the firm's founding, not in the future", "2023-06-30"),
        Column("amount", True, "money", "the amount raised in whole units of currency "
               "(元 for CNY, not 万元), more than 0", "30000000"),
        Column("currency", False, "code", "default CNY", "CNY", CURRENCIES),
        Column("post_money_valuation", True, "money", "投后估值 in whole units of currency, "
               "at least amount", "300000000"),
        Column("investor_kind", True, "code", "vc_pe: a venture or private-equity fund "
               "(创投/私募), other: anyone else", "vc_pe", INVESTOR_KINDS),
    ),
    "certificates": (
        Column("uscc", False, "text", "whose certificate: uscc or firm_id (one of the two)",
               "91210200MA0QC2PX3M"),
        Column("firm_id", False, "uuid", "whose certificate, by the registry's id (instead of "
               "uscc)"),
        Column("kind", True, "code", "the certificate or award", "high_tech_enterprise",
               CERTIFICATE_KINDS),
        Column("issued_on", True, "date", "the day it was issued YYYY-MM-DD: not before the "
               "firm's founding, not in the future", "2022-12-01"),
        Column("expires_on", False, "date", "end of validity YYYY-MM-DD, after issued_on",
               "2025-12-01"),
        Column("number", False, "text", "the certificate's number, at most 100 characters",
               "GR202221000123"),
    ),
}

FORMATS = {"firms": "csv", "reports": "csv", "filings": "csv or xlsx", "applications": "csv",
           "funding_rounds": "csv", "certificates": "csv"}


def columns(kind: ImportKindName) -> tuple[Column, ...]:
    """The columns of one import kind, in template order."""
    return SPEC[kind]


def rules_line(kind: ImportKindName) -> str:
    """The template's comment row: every column's rule, on one line."""
    text = " | ".join(c.describe() for c in SPEC[kind])
    return (f"{COMMENT} {kind} import ({FORMATS[kind]}, UTF-8; blank = not given; lines "
            f"starting with {COMMENT} before the header are skipped): {text}")


def help_text(kind: ImportKindName) -> str:
    """The columns of one kind, one per line, for --help and the README."""
    return "\n".join(f"  {c.describe()}" for c in SPEC[kind])


def example_row(kind: ImportKindName) -> list[str]:
    """An example value per column (blank where the column is usually left out)."""
    return [c.example for c in SPEC[kind]]


def template_csv(kind: ImportKindName) -> str:
    """A CSV template: the rules' comment row, an example as a comment row (so the template
    imports nothing as it is), then the header row to write the data under."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    example = io.StringIO()
    csv.writer(example, lineterminator="").writerow(example_row(kind))
    out.write(rules_line(kind).replace("\n", " ") + "\n")
    out.write(f"{COMMENT} example: {example.getvalue()}\n")
    writer.writerow([c.name for c in SPEC[kind]])
    return out.getvalue()


def template_xlsx(kind: ImportKindName) -> bytes:
    """The same template as an xlsx workbook: the rules in A1, the example in A2 (both
    comment rows), the header in row 3."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind
    sheet.append([rules_line(kind)])
    sheet.append([f"{COMMENT} example: " + ", ".join(example_row(kind))])
    sheet.append([c.name for c in SPEC[kind]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def is_comment(line: str) -> bool:
    """A rules line: starts with # (also when a spreadsheet saved it quoted)."""
    return line.lstrip().lstrip('"').startswith(COMMENT)


def skip_comments(text: str) -> tuple[str, int]:
    """The file without the comment lines before its header, and how many there were."""
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and is_comment(lines[skipped]):
        skipped += 1
    return "".join(lines[skipped:]), skipped
