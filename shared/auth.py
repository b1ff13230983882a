"""API keys: bearer tokens stored hashed, each with a role."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.db import DbConn
from shared.deps import get_correlation_id, get_pool, get_settings

Role = Literal["admin", "officer", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "officer", "viewer")
TOKEN_PREFIX = "ct_"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling."""

    key_id: str
    role: Role
    officer_id: uuid.UUID | None = None

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        return f"{self.role}:{self.key_id}"


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is a safe one-way store."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def create_key(
    conn: DbConn, *, key_id: uuid.UUID, token: str, role: Role,
    officer_id: uuid.UUID | None = None, label: str | None = None,
) -> None:
    """Store a key (hashed) in one service's database."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    await conn.execute(
        "INSERT INTO api_keys (id, key_hash, role, officer_id, label) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (id) DO NOTHING",
        key_id, hash_token(token), role, officer_id, label,
    )


async def resolve(pool: asyncpg.Pool, token: str, admin_token: str | None) -> Principal | None:
    """The principal a token stands for, or None."""
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(key_id="admin-token", role="admin")
    row = await pool.fetchrow(
        "SELECT id, role, officer_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        hash_token(token),
    )
    if row is None:
        return None
    return Principal(key_id=str(row["id"]), role=row["role"], officer_id=row["officer_id"])


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    pool: Annotated[asyncpg.Pool, Depends(get_pool)],
    settings: Annotated[Any, Depends(get_settings)],
) -> Principal:
    """FastAPI dependency: 401 unless a valid bearer token is given."""
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return await principal_for(pool, settings, creds.credentials)


async def principal_for(pool: asyncpg.Pool, settings: Any, token: str) -> Principal:
    """Who a given token stands for (the settings' admin token included); 401 for none."""
    admin = settings.tracker_admin_token
    principal = await resolve(pool, token, admin.get_secret_value() if admin else None)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid or revoked token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def require(*roles: Role):  # type: ignore[no-untyped-def]
    """FastAPI dependency factory: 403 unless the caller has one of `roles`."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"role '{principal.role}' may not do this; needs one of: {', '.join(roles)}",
            )
        return principal

    return dependency


ANY_ROLE = require("admin", "officer", "viewer")
WRITER = require("admin", "officer")
ADMIN = require("admin")
Reader = Annotated[Principal, Depends(ANY_ROLE)]
Writer = Annotated[Principal, Depends(WRITER)]
Admin = Annotated[Principal, Depends(ADMIN)]


@dataclass(frozen=True, slots=True)
class Ctx:
    """Who asks, and the id that ties what their request causes (events, logs) to it."""

    principal: Principal
    correlation_id: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names the caller."""
        return self.principal.actor


def _ctx_of(role: Any):  # type: ignore[no-untyped-def]
    # defaults, not Annotated: under `from __future__ import annotations` an annotation is a
    # string FastAPI resolves in the module's globals, where the local `role` is not
    async def dependency(principal: Principal = Depends(role),
                         cid: str | None = Depends(get_correlation_id)) -> Ctx:
        return Ctx(principal=principal, correlation_id=cid)

    return dependency


ReaderCtx = Annotated[Ctx, Depends(_ctx_of(ANY_ROLE))]
WriterCtx = Annotated[Ctx, Depends(_ctx_of(WRITER))]
AdminCtx = Annotated[Ctx, Depends(_ctx_of(ADMIN))]
