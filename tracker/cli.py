"""`tracker`: up, migrate, keys, outbox, docs."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from shared.auth import ROLES, create_key, new_token
from shared.db import connect


def _server_url() -> str:
    from shared.settings import ServiceSettings

    return ServiceSettings().database_url


def cmd_up(args: argparse.Namespace) -> int:
    from tracker.stack import up

    return up(demo=not args.no_demo)


def cmd_migrate(args: argparse.Namespace) -> int:
    from tracker.services import migrate_all

    applied = asyncio.run(migrate_all(_server_url(), args.services or None))
    for name, files in applied.items():
        print(f"{name}: {len(files)} migration(s) applied" + (f": {', '.join(files)}" if files else ""))
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from tracker.services import SERVICES, migrate_all

    officer = uuid.UUID(args.officer) if args.officer else None
    if args.role == "officer" and officer is None:
        print("an officer key needs --officer ID", file=sys.stderr)
        return 2
    token, key_id, server = new_token(), uuid.uuid4(), _server_url()

    async def store() -> None:
        await migrate_all(server)
        for service in SERVICES:  # every service owns its copy of the key table
            conn = await connect(service.database_url(server))
            try:
                await create_key(conn, key_id=key_id, token=token, role=args.role,
                                 officer_id=officer, label=args.label)
            finally:
                await conn.close()

    asyncio.run(store())
    print(f"key {key_id} ({args.role}) created. Its token, shown only this once:")
    print(token)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from tracker.services import SERVICES

    async def rows() -> list[Any]:
        conn = await connect(SERVICES[0].database_url(_server_url()))
        try:
            return list(await conn.fetch(
                "SELECT id, role, officer_id, label, created_at, revoked_at FROM api_keys"
                " ORDER BY created_at"))
        finally:
            await conn.close()

    for r in asyncio.run(rows()):
        state = f"revoked {r['revoked_at']:%Y-%m-%d}" if r["revoked_at"] else "active"
        officer = f" officer={r['officer_id']}" if r["officer_id"] else ""
        print(f"{r['id']}  {r['role']:<8} {state:<18} {r['created_at']:%Y-%m-%d}"
              f"{officer}  {r['label'] or ''}")
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from tracker.services import SERVICES

    key_id = uuid.UUID(args.key_id)

    async def revoke() -> int:
        changed = 0
        for service in SERVICES:  # each service holds its own copy of the key
            conn = await connect(service.database_url(_server_url()))
            try:
                result = await conn.execute(
                    "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
                    key_id)
                changed += int(result.split()[-1])
            finally:
                await conn.close()
        return changed

    if asyncio.run(revoke()) == 0:
        print(f"no active key {key_id}", file=sys.stderr)
        return 1
    print(f"key {key_id} revoked in every service")
    return 0


def cmd_outbox_replay(args: argparse.Namespace) -> int:
    from tracker.outbox_replay import replay, report

    code, message = report(args.topic, asyncio.run(replay(_server_url(), args.topic, args.since)))
    print(message, file=sys.stderr if code else sys.stdout)
    return code


def cmd_docs_asyncapi(args: argparse.Namespace) -> int:
    from tracker.docs import asyncapi_document

    text = json.dumps(asyncapi_document(), indent=2, ensure_ascii=False, default=str)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


def cmd_docs_schemas(args: argparse.Namespace) -> int:
    from shared.events import json_schemas

    out = Path(args.directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (out / f"{name}.schema.json").write_text(
            json.dumps(schema, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {len(json_schemas())} schemas to {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    from tracker.outbox_replay import parse_since

    p = argparse.ArgumentParser(prog="tracker", description="Cultivation tracker administration")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the whole system (embedded PostgreSQL and broker)")
    up.add_argument("--no-demo", action="store_true", help="do not load demo data on first start")
    up.set_defaults(func=cmd_up)
    mig = sub.add_parser("migrate", help="apply pending migrations (DATABASE_URL)")
    mig.add_argument("services", nargs="*", help="only these services (registry, ladder, notifier)")
    mig.set_defaults(func=cmd_migrate)
    keys = sub.add_parser("keys", help="API keys").add_subparsers(dest="keys_cmd", required=True)
    create = keys.add_parser("create", help="make a key and print its token once")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--officer", help="officer id (for role officer)")
    create.add_argument("--label", help="a note on who holds the key")
    create.set_defaults(func=cmd_keys_create)
    keys.add_parser("list", help="list keys (never their tokens)").set_defaults(func=cmd_keys_list)
    revoke = keys.add_parser("revoke", help="revoke a key in every service")
    revoke.add_argument("key_id")
    revoke.set_defaults(func=cmd_keys_revoke)
    outbox = sub.add_parser("outbox", help="the outboxes, the events' source of truth")
    replay = outbox.add_subparsers(dest="outbox_cmd", required=True).add_parser(
        "replay", help="publish a topic again, for a broker that lost its data")
    replay.add_argument("--topic", required=True, help="e.g. registry.firm-events")
    replay.add_argument("--since", type=parse_since,
                        help="only events written since (ISO date or datetime, UTC)")
    replay.set_defaults(func=cmd_outbox_replay)
    docs = sub.add_parser("docs", help="contracts").add_subparsers(dest="docs_cmd", required=True)
    asyncapi = docs.add_parser("asyncapi", help="print the AsyncAPI document")
    asyncapi.add_argument("--output", "-o")
    asyncapi.set_defaults(func=cmd_docs_asyncapi)
    schemas = docs.add_parser("schemas", help="write the JSON Schema of every event type")
    schemas.add_argument("directory")
    schemas.set_defaults(func=cmd_docs_schemas)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tracker` command."""
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
