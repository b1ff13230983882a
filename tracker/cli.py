"""`tracker`: up, status, wait, import, kafka, migrate, keys, outbox, backup, restore, docs."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from shared.auth import ROLES, create_key, new_token
from shared.db import connect
from tracker.backup import BackupError
from tracker.envhelp import API, DATABASE, KAFKA, epilog
from tracker.locate import NoStack, locator


def _server_url() -> str:
    """DATABASE_URL, else the running stack's PostgreSQL."""
    return locator().database_url()


def cmd_up(args: argparse.Namespace) -> int:
    from tracker.stack import up

    return up(demo=not args.no_demo)


def cmd_status(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tracker.status import service_states, status_table

    info = locator().stack()
    states = service_states(info)
    if args.json:
        print(json.dumps({**info.model_dump(mode="json", exclude={"services", "database_url"}),
                          "services": states}, indent=2))
    else:
        Console().print(status_table(info, states))
    return 0 if all(s["ready"] for s in states.values()) else 1


def cmd_wait(args: argparse.Namespace) -> int:
    from tracker.catchup import wait

    return asyncio.run(wait(_server_url(), timeout_s=args.timeout))


def cmd_import(args: argparse.Namespace) -> int:
    from tracker.importer import run_import

    where = locator()
    return run_import(where.service_url("registry"), where.token(), args.kind, Path(args.file),
                      chunk_rows=args.chunk_rows)


def cmd_demo(args: argparse.Namespace) -> int:
    from tracker.demo import DemoLoadError, load_demo
    from tracker.progress import staged_progress

    where = locator()
    try:
        with staged_progress() as progress:
            summary = asyncio.run(load_demo(
                where.service_url("registry"), where.token(), firms=args.firms, seed=args.seed,
                shape=args.shape, ladder_url=where.service_url("ladder"), progress=progress))
    except DemoLoadError as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 1 if summary["rejected"] else 0


def cmd_kafka(args: argparse.Namespace) -> int:
    from tracker.kafka_tools import NoJava, command, run, tool_args

    main_class, tool = tool_args(
        args.kafka_cmd, locator().kafka_bootstrap(), group=getattr(args, "group", None),
        topic=getattr(args, "topic", None), members=getattr(args, "members", False),
        from_beginning=getattr(args, "from_beginning", False),
        max_messages=getattr(args, "max_messages", None))
    try:
        argv = command(main_class, tool)
    except (NoJava, RuntimeError) as exc:
        print(f"tracker: {exc}", file=sys.stderr)
        return 2
    return run(argv)


def cmd_import_template(args: argparse.Namespace) -> int:
    from registry.import_spec import template_csv, template_xlsx

    if args.xlsx and args.template_kind != "filings":
        print("tracker: only filings are imported from xlsx; the other kinds are CSV",
              file=sys.stderr)
        return 2
    if args.xlsx:
        if not args.output:
            print("tracker: an xlsx template needs --output FILE", file=sys.stderr)
            return 2
        Path(args.output).write_bytes(template_xlsx(args.template_kind))
    elif args.output:
        Path(args.output).write_text(template_csv(args.template_kind), encoding="utf-8")
    else:
        sys.stdout.write(template_csv(args.template_kind))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from tracker.services import migrate_all

    applied = asyncio.run(migrate_all(_server_url(), args.services or None))
    for name, files in applied.items():
        print(f"{name}: {len(files)} migration(s) applied" + (f": {', '.join(files)}" if files else ""))
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from tracker.services import SERVICES, migrate_all

    officer = args.officer
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

    key_id = args.key_id

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


def cmd_backup(args: argparse.Namespace) -> int:
    from tracker.backup import take_backup
    from tracker.progress import staged_progress

    where = locator()
    dest = Path(args.dest) if args.dest else where.settings.tracker_backup_dir
    server = where.database_url()
    with staged_progress() as progress:
        done = asyncio.run(take_backup(server, where.settings.tracker_data_dir, dest,
                                       keep=args.keep, progress=progress))
    size = sum(p.stat().st_size for p in done.path.rglob("*") if p.is_file())
    print(f"backup {done.path} ({size / 2**20:,.1f} MiB), taken "
          f"{done.manifest.started_at:%Y-%m-%d %H:%M:%S} to "
          f"{done.manifest.finished_at:%H:%M:%S} UTC")
    for name, state in done.manifest.services.items():
        print(f"  {name:<9} " + (f"outbox up to event #{state.outbox_last_id_before}"
                                 f"–#{state.outbox_last_id_after}" if state.present
                                 else "no database on this server"))
    for old in done.removed:
        print(f"removed {old} (keeping {args.keep})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from tracker.progress import staged_progress
    from tracker.restore import restore

    settings = locator().settings
    if settings.database_url:
        print("tracker: restore rebuilds the embedded PostgreSQL in TRACKER_DATA_DIR; with "
              "DATABASE_URL set, restore the server by its own means (README: Backups)",
              file=sys.stderr)
        return 2
    data_dir = settings.tracker_data_dir.resolve()
    with staged_progress() as progress:
        done = asyncio.run(restore(Path(args.src), data_dir, progress=progress))
    print(f"restored {done.backup.name} (taken {done.manifest.finished_at:%Y-%m-%d %H:%M:%S} "
          f"UTC) into {data_dir}")
    for name, (last, queued) in done.outboxes.items():
        print(f"  {name:<9} outbox up to event #{last}: {queued} event(s) to publish again")
    print("start it with `tracker up`: its broker starts empty, the relays publish every "
          "event again and the consumers skip what they had applied")
    return 0


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


def _positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _demo_firms(text: str) -> int:
    """An argparse type: a demo city's size, from the generator's minimum to a province."""
    from tracker.demo import MAX_FIRMS, MIN_FIRMS

    n = _positive(text)
    if not MIN_FIRMS <= n <= MAX_FIRMS:
        raise argparse.ArgumentTypeError(f"must be {MIN_FIRMS} to {MAX_FIRMS:,}, not {n}")
    return n


def _uuid(text: str) -> uuid.UUID:
    """An argparse type: a UUID."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a UUID: {text!r}") from None


def _command(sub: Any, name: str, help_text: str, env: tuple[str, ...] = ()) -> Any:
    """A subcommand whose --help lists the environment variables it reads."""
    return sub.add_parser(name, help=help_text, description=help_text,
                          epilog=epilog(env) if env else None,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def parser() -> argparse.ArgumentParser:
    from tracker.envhelp import MEANING
    from tracker.outbox_replay import parse_since
    from tracker.stack import StackSettings

    p = argparse.ArgumentParser(
        prog="tracker", description="Cultivation tracker administration. Commands find the "
        "running stack through TRACKER_DATA_DIR/stack.json, or use the URLs set below.",
        epilog=epilog(MEANING), formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    up = _command(sub, "up", "run the whole system (embedded PostgreSQL and broker), "
                  "restarting a service that dies", tuple(f.upper() for f in StackSettings.model_fields))
    up.add_argument("--no-demo", action="store_true", help="do not load demo data on first start")
    up.set_defaults(func=cmd_up)
    status = _command(sub, "status", "the running stack's processes: pid, uptime, restarts, "
                      "readiness (exit 1 when one is not ready)", ("TRACKER_DATA_DIR",))
    status.add_argument("--json", action="store_true", help="print JSON, for scripts")
    status.set_defaults(func=cmd_status)
    wait = _command(sub, "wait", "wait until the ladder, the notifier and the entitlements "
                    "service have caught up with "
                    "the registry (by sequence); exit 1 on timeout", DATABASE)
    wait.add_argument("--timeout", type=float, default=600.0, help="seconds (default 600)")
    wait.set_defaults(func=cmd_wait)
    from registry.import_spec import FORMATS, KINDS, help_text

    columns = "\n\n".join(f"{kind} ({FORMATS[kind]}):\n{help_text(kind)}" for kind in KINDS)
    imp = sub.add_parser(
        "import", help="bulk import a CSV through the registry (firms, reports, filings, "
        "applications, funding_rounds, certificates), or write a kind's template",
        description="Bulk import a UTF-8 CSV with a header row through the registry; rejected "
        "rows are printed and written beside it as <name>.errors.csv (row: the data row; "
        "line: the file's line), exit 1 when any. `tracker import template KIND` writes a "
        "template whose first line (#, skipped on import) states these rules.",
        epilog=f"columns of each kind (blank = not given):\n\n{columns}\n\n{epilog(API)}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = imp.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind in KINDS:
        one = kinds.add_parser(kind, help=f"import {kind} ({FORMATS[kind]})",
                               description=f"import {kind} ({FORMATS[kind]})",
                               epilog=f"columns:\n{help_text(kind)}\n\n{epilog(API)}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        one.add_argument("file", help="UTF-8 CSV with a header row")
        one.add_argument("--chunk-rows", type=_positive, default=1000,
                         help="rows per request (default 1000)")
        one.set_defaults(func=cmd_import)
    template = kinds.add_parser("template", help="write a kind's template (its rules in the "
                                "first line, then the header and an example row)",
                                description="write a kind's template; no stack needed")
    template.add_argument("template_kind", metavar="KIND", choices=KINDS)
    template.add_argument("--output", "-o", help="file to write (default: stdout)")
    template.add_argument("--xlsx", action="store_true",
                          help="an xlsx workbook (filings only: the one kind read from xlsx)")
    template.set_defaults(func=cmd_import_template)
    kafka = _command(sub, "kafka", "Apache Kafka's own operator tools (kafka-tools from the "
                     "pom, run with java) against the stack's broker", KAFKA)
    kafka_cmds = kafka.add_subparsers(dest="kafka_cmd", required=True)
    _command(kafka_cmds, "groups", "list the consumer groups (ConsumerGroupCommand --list)",
             KAFKA).set_defaults(func=cmd_kafka)
    describe = _command(kafka_cmds, "describe", "a group's partitions, committed offsets, lag "
                        "and members' client ids (ConsumerGroupCommand --describe)", KAFKA)
    describe.add_argument("group", help="e.g. ladder, notifier, entitlements")
    describe.add_argument("--members", action="store_true",
                          help="list the members (client id = service-host-pid) instead")
    describe.set_defaults(func=cmd_kafka)
    tail = _command(kafka_cmds, "tail", "print a topic's messages as they come, with key, "
                    "partition, offset and time (ConsoleConsumer; Ctrl-C stops)", KAFKA)
    tail.add_argument("topic", help="e.g. registry.firm-events, ladder.standing-events")
    tail.add_argument("--from-beginning", action="store_true",
                      help="start at the topic's first message, not its end")
    tail.add_argument("--max-messages", type=_positive, help="stop after N messages")
    tail.set_defaults(func=cmd_kafka)
    from tracker.demo import DALIAN, DALIAN_FIRMS, DEMO_FIRMS, MAX_FIRMS, MIN_FIRMS, SHAPES

    demo = _command(sub, "demo", "load a demo city of another size into the running stack "
                    "(firms, reports, funding rounds, certificates, rounds; loading it again "
                    "adds nothing)", API)
    demo.add_argument("--firms", type=_demo_firms, default=DEMO_FIRMS,
                      help=f"how many firms, {MIN_FIRMS} to {MAX_FIRMS:,} (default {DEMO_FIRMS:,},"
                      f" what `tracker up` loads; {DALIAN_FIRMS:,}: Dalian at full size)")
    demo.add_argument("--seed", type=int, default=2022, help="another seed, another city")
    demo.add_argument("--shape", choices=tuple(SHAPES), default=DALIAN.name,
                      help="dalian (as the press reports it, the default) or rulebook")
    demo.set_defaults(func=cmd_demo)
    mig = _command(sub, "migrate", "apply pending migrations", DATABASE)
    mig.add_argument("services", nargs="*", help="only these services (registry, ladder, notifier)")
    mig.set_defaults(func=cmd_migrate)
    keys = _command(sub, "keys", "API keys", DATABASE).add_subparsers(dest="keys_cmd", required=True)
    create = _command(keys, "create", "make a key and print its token once", DATABASE)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--officer", type=_uuid, help="officer id (for role officer)")
    create.add_argument("--label", help="a note on who holds the key")
    create.set_defaults(func=cmd_keys_create)
    _command(keys, "list", "list keys (never their tokens)", DATABASE).set_defaults(func=cmd_keys_list)
    revoke = _command(keys, "revoke", "revoke a key in every service", DATABASE)
    revoke.add_argument("key_id", type=_uuid)
    revoke.set_defaults(func=cmd_keys_revoke)
    outbox = _command(sub, "outbox", "the outboxes, the events' source of truth", DATABASE)
    replay = _command(outbox.add_subparsers(dest="outbox_cmd", required=True), "replay",
                      "publish a topic again, for a broker that lost its data", DATABASE)
    replay.add_argument("--topic", required=True, help="e.g. registry.firm-events")
    replay.add_argument("--since", type=parse_since,
                        help="only events written since (ISO date or datetime, UTC)")
    replay.set_defaults(func=cmd_outbox_replay)
    backup = _command(sub, "backup", "copy the running stack's databases (all at one point) "
                      "and data-dir files into a new folder in DEST; the stack keeps answering",
                      ("TRACKER_DATA_DIR", "DATABASE_URL", "TRACKER_BACKUP_DIR"))
    backup.add_argument("dest", nargs="?", help="folder for backups (default TRACKER_BACKUP_DIR, "
                        "./backups)")
    backup.add_argument("--keep", type=_positive, help="then remove all but the newest N "
                        "backups in DEST (for a cron line; see README)")
    backup.set_defaults(func=cmd_backup)
    restore = _command(sub, "restore", "restore a backup into an empty TRACKER_DATA_DIR; "
                       "`tracker up` then republishes the events from the outboxes",
                       ("TRACKER_DATA_DIR",))
    restore.add_argument("src", help="a backup folder, or a DEST holding backups (the newest "
                         "is used)")
    restore.set_defaults(func=cmd_restore)
    docs = sub.add_parser("docs", help="contracts").add_subparsers(dest="docs_cmd", required=True)
    asyncapi = docs.add_parser("asyncapi", help="print the AsyncAPI document")
    asyncapi.add_argument("--output", "-o")
    asyncapi.set_defaults(func=cmd_docs_asyncapi)
    schemas = docs.add_parser("schemas", help="write the JSON Schema of every event type")
    schemas.add_argument("directory")
    schemas.set_defaults(func=cmd_docs_schemas)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `tracker` command: a missing or unreachable stack is one line, exit 2."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (NoStack, BackupError) as exc:
        print(f"tracker: {exc}", file=sys.stderr)
    except (OSError, httpx.TransportError, asyncpg.InvalidCatalogNameError,
            asyncpg.InvalidAuthorizationSpecificationError) as exc:
        print(f"tracker: cannot reach the stack: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
