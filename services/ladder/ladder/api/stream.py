"""`GET /v1/stream`: the three public topics as server-sent events, filtered and resumable."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from fastapi.responses import StreamingResponse
from fastapi.security.utils import get_authorization_scheme_param

from ladder.api.deps import get_stream_hub
from shared import stream_cursor
from shared.auth import Principal, principal_for
from shared.codes import District, Tier
from shared.deps import PoolDep, get_settings
from shared.errors import Rejected
from shared.events import ALL_EVENT_TYPES
from shared.stream import Filter, StreamHub, sse

router = APIRouter(prefix="/v1")
Settings = Annotated[Any, Depends(get_settings)]


async def stream_principal(
    pool: PoolDep, settings: Settings,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    token: Annotated[str | None, Query(max_length=200, description="API token, for EventSource "
                                       "clients that cannot send a header")] = None,
) -> Principal:
    """Bearer header, or `?token=` for EventSource clients, which cannot set headers."""
    scheme, credentials = get_authorization_scheme_param(authorization)
    given = credentials if scheme.lower() == "bearer" and credentials else token
    if not given:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "missing token: send 'Authorization: Bearer <token>' or ?token=",
                            headers={"WWW-Authenticate": "Bearer"})
    return await principal_for(pool, settings, given)


def _types(types: str | None) -> frozenset[str] | None:
    if not types:
        return None
    wanted = frozenset(t.strip() for t in types.split(",") if t.strip())
    unknown = sorted(wanted - set(ALL_EVENT_TYPES))
    if unknown:
        raise Rejected("types", "event_type", f"unknown event type(s): {', '.join(unknown)[:200]}"
                       f"; known: {', '.join(ALL_EVENT_TYPES)}")
    return wanted or None


def _since(header: str | None, query: str | None) -> stream_cursor.Positions | None:
    text, name = (header, "Last-Event-ID") if header else (query, "last_event_id")
    if not text:
        return None
    try:
        return stream_cursor.decode(text)
    except stream_cursor.BadCursor as exc:
        raise Rejected(name, "sse_id", str(exc)) from None


@router.get(
    "/stream", tags=["live"], response_class=StreamingResponse,
    responses={200: {"description": "Server-sent events, one per record",
                     "content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    summary="Live events of registry.firm-events, ladder.standing-events and "
    "notifier.alert-events (SSE)",
    description="Each message's `id` is `topic/partition/offset;` followed by every partition's "
    "next offset: reconnect with `Last-Event-ID` (browsers do it by themselves) and the stream "
    "resumes exactly after it. A comment every few seconds keeps proxies open. A client that "
    "falls too far behind gets `event: overflow` and the stream ends; reconnecting catches up. "
    "The firm, district and tier filters pass only events about a firm (alert outcomes carry "
    "none). Auth: the bearer header, or `?token=` for EventSource.")
async def stream(
    who: Annotated[Principal, Depends(stream_principal)],
    hub: Annotated[StreamHub, Depends(get_stream_hub)], settings: Settings,
    types: Annotated[str | None, Query(max_length=2000,
                                       description="Comma-separated event types")] = None,
    firm_id: uuid.UUID | None = None, district: District | None = None,
    tier: Tier | None = None,
    last_event_id: Annotated[str | None, Query(max_length=20_000,
                                               description="Resume after this id")] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID",
                                                       max_length=20_000)] = None,
) -> StreamingResponse:
    wanted = Filter(types=_types(types), firm_id=str(firm_id) if firm_id else None,
                    district=district, tier=tier)
    since = _since(last_event_id_header, last_event_id)
    frames = sse(hub, wanted, since, heartbeat_s=settings.stream_heartbeat_s)
    return StreamingResponse(frames, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
