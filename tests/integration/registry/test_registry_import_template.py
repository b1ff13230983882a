"""GET /v1/imports/template: each kind's template, its rules in a comment row; filled in, it
imports; an xlsx template only where the import reads xlsx."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest

from tests.factories import firm_payload

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("kind", ["firms", "reports", "filings", "applications",
                                  "funding_rounds", "certificates"])
async def test_each_kind_has_a_csv_template(client: httpx.AsyncClient, kind: str) -> None:
    r = await client.get("/v1/imports/template", params={"kind": kind})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f'filename="{kind}-template.csv"' in r.headers["content-disposition"]
    first, example, header = r.text.splitlines()[:3]
    assert first.startswith(f"# {kind} import") and example.startswith("# example: ")
    assert "uscc" in header.split(",")


async def test_a_filled_in_template_imports(client: httpx.AsyncClient) -> None:
    template = (await client.get("/v1/imports/template", params={"kind": "firms"})).text
    header = template.splitlines()[2].split(",")
    firm = firm_payload()
    row = ",".join(str(firm.get(c, "")) for c in header)
    files = {"file": ("firms.csv", (template + row + "\n").encode(), "text/csv")}
    r = await client.post("/v1/imports", params={"kind": "firms"}, files=files)
    assert r.status_code == 201, r.text
    assert (r.json()["applied"], r.json()["rejected"]) == (1, 0)


async def test_xlsx_only_for_filings(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/imports/template", params={"kind": "filings", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert str(sheet["A1"].value).startswith("# filings import")
    assert [c.value for c in sheet[3]][:2] == ["uscc", "name"]
    refused = await client.get("/v1/imports/template",
                               params={"kind": "reports", "format": "xlsx"})
    assert refused.status_code == 422, refused.text
    assert "format" in refused.text and refused.headers["content-type"].startswith(
        "application/problem+json")
    unknown = await client.get("/v1/imports/template", params={"kind": "people"})
    assert unknown.status_code == 422 and "kind" in unknown.text


async def test_a_rejected_row_names_the_files_line(client: httpx.AsyncClient) -> None:
    template = (await client.get("/v1/imports/template", params={"kind": "firms"})).text
    header = template.splitlines()[2].split(",")
    good, bad = firm_payload(), firm_payload(district="atlantis")
    body = "\n".join(",".join(str(f.get(c, "")) for c in header) for f in (good, bad))
    text = template + "\n" + body + "\n"  # an empty line before the rows
    files = {"file": ("firms.csv", text.encode(), "text/csv")}
    report = (await client.post("/v1/imports", params={"kind": "firms"}, files=files)).json()
    (error,) = report["errors"]
    assert (error["row"], error["field"], error["line"]) == (2, "district", 6)
    assert text.splitlines()[error["line"] - 1].startswith(bad["uscc"])
