"""The bureau's dashboard: the page and its static assets (no build step), the tables it shows,
and their CSV / Excel exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from ladder import exports
from ladder.api.deps import Rulebooks, Today
from ladder.queries import tables
from ladder.schemas import Me, TableOut
from ladder.schemas.dashboard import CatalogueOut
from shared import catalogue
from shared.auth import Reader
from shared.codes import District, Industry, Tier
from shared.deps import PoolDep, get_settings

STATIC = Path(__file__).parent.parent / "static"
TableName = Literal["targets", "funnel", "cohorts", "candidates", "standings"]
router = APIRouter()
# a table's rows a page shows at most: a page waits for no more than this, whatever the city
TABLE_LIMIT, TABLE_LIMIT_MAX = 500, 5000
EXPORTED: dict[int | str, dict[str, Any]] = {200: {
    "description": "The table as a file",
    "content": {"text/csv": {"schema": {"type": "string"}},
                exports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


def filters(today: Today, year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
            tier: Tier | None = None, district: District | None = None,
            industry: Industry | None = None) -> tables.Filters:
    """The filters every table and export takes (year: default the current one)."""
    return tables.Filters(year=year or today.year, tier=tier, district=district,
                          industry=industry)


Filtered = Annotated[tables.Filters, Depends(filters)]


@router.get("/dashboard", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html", headers={"Cache-Control": "no-cache"})


@router.get("/v1/dashboard/me", tags=["dashboard"], response_model=Me,
            summary="Who the token is, and where the page finds the notifier and the "
            "entitlements service")
async def me(who: Reader, today: Today,
             settings: Annotated[Any, Depends(get_settings)]) -> Me:
    return Me(role=who.role, officer_id=who.officer_id, notifier_url=settings.notifier_url,
              entitlements_url=settings.entitlements_url, today=today)


@router.get("/v1/dashboard/catalogue", tags=["dashboard"], response_model=CatalogueOut,
            summary="Every word the pages show, in one language: labels, criteria, gap "
            "sentences, alert kinds, event types, tiers and code values, keyed")
async def get_catalogue(lang: Literal["zh", "en"] = "zh") -> Response:
    # public like the page itself: the login form needs its words before a token exists
    body = CatalogueOut(lang=lang, words=catalogue.words(lang)).model_dump_json()
    return Response(body, media_type="application/json",
                    headers={"Cache-Control": "public, max-age=300"})


@router.get("/v1/dashboard/tables/{name}", tags=["dashboard"], response_model=TableOut,
            summary="A dashboard table (targets, funnel, cohorts, candidates, standings), "
            "filtered: its first `limit` rows (the export holds them all)")
async def get_table(name: Annotated[TableName, PathParam()], pool: PoolDep,
                    rulebooks: Rulebooks, today: Today, who: Reader, f: Filtered,
                    limit: Annotated[int, Query(ge=1, le=TABLE_LIMIT_MAX)] = TABLE_LIMIT
                    ) -> TableOut:
    found = await tables.table(name, pool, rulebooks.active, f, today, limit)
    return TableOut(name=found.name, columns=list(found.columns), rows=found.rows,
                    more=found.more, filters=f.__dict__)


@router.get("/v1/exports/{name}.{fmt}", tags=["dashboard"], response_class=Response,
            responses=EXPORTED,
            summary="A dashboard table as CSV or Excel, with the same filters")
async def export(name: Annotated[TableName, PathParam()],
                 fmt: Annotated[Literal["csv", "xlsx"], PathParam()], pool: PoolDep,
                 rulebooks: Rulebooks, today: Today, who: Reader, f: Filtered,
                 lang: Literal["zh", "en"] = "zh") -> Response:
    parts = [name, str(f.year), f.tier, f.district, f.industry]
    filename = "-".join(p for p in parts if p) + f".{fmt}"
    if name == "standings" and fmt == "csv":  # the whole city: streamed a page at a time
        header = tables.Table(name, tables.STANDING_COLUMNS, [])
        return StreamingResponse(
            exports.stream_csv(header, tables.standing_pages(pool, f, today), lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    found = await tables.table(name, pool, rulebooks.active, f, today)
    body, media = ((exports.to_csv(found, lang), "text/csv; charset=utf-8") if fmt == "csv"
                   else (exports.to_xlsx(found, lang), exports.XLSX_TYPE))
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def mount(app: FastAPI) -> None:
    """The routes and the static assets (ECharts is vendored in static/vendor)."""
    app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")
