"""Operator commands for the Cabañas service (one subcommand each; `--help` after any)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec

from entrypoints.logs import configure_logging, log_format
from entrypoints.settings import OperatorSettings, Settings, SettingsError
from entrypoints.urls import API_PREFIX, api_path, api_url

log = logging.getLogger("cabanas")


@contextlib.contextmanager
def resolved_services(settings: Settings) -> Iterator[Settings]:
    """Start embedded PostgreSQL/Redis for whatever URL is unset; stop them on the way out."""
    from entrypoints.embedded import EmbeddedPostgres, EmbeddedRedis

    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    changes: dict[str, str] = {}
    data = Path(settings.data_dir)
    try:
        if settings.database_url is None:
            _refuse_embedded_in_production(settings, "DATABASE_URL")
            pg = EmbeddedPostgres(data / "postgres").start()
            started.append(pg)
            changes["database_url"] = pg.url()
            log.info("embedded PostgreSQL 18 on 127.0.0.1:%s (data in %s)", pg.port, pg.data_dir)
        if settings.redis_url is None:
            _refuse_embedded_in_production(settings, "REDIS_URL")
            redis = EmbeddedRedis(data / "redis").start()
            started.append(redis)
            changes["redis_url"] = redis.url()
            log.info("embedded Redis on 127.0.0.1:%s", redis.port)
        yield msgspec.structs.replace(settings, **changes)
    finally:
        for server in reversed(started):
            server.stop()


def _refuse_embedded_in_production(settings: Settings, variable: str) -> None:
    if settings.environment == "production":
        raise SystemExit(
            f"{variable} is required in production (embedded servers are for development)"
        )


def _prepare_database(settings: Settings) -> None:
    from adapters.postgres.database import make_engine
    from adapters.postgres.seed import seed_if_empty
    from entrypoints.migrate import upgrade

    assert settings.database_url is not None
    upgrade(settings.database_url)
    if settings.seed_sample_data and settings.environment != "production":

        async def seed() -> int:
            engine = make_engine(settings.database_url or "", pool_size=1)
            try:
                return await seed_if_empty(engine, with_terms=True)
            finally:
                await engine.dispose()

        inserted = asyncio.run(seed())
        if inserted:
            log.info("seeded %d sample accommodations", inserted)


def cmd_run(settings: Settings) -> int:
    """Development server: embedded services if needed, migrations, seed, then serve."""
    import uvicorn

    from entrypoints.asgi import create
    from entrypoints.embedded import die_with_parent
    from entrypoints.production import refuse_weak_production

    # Every problem at once, before anything is started, migrated or seeded.
    refuse_weak_production(settings)
    # `make run` stopped with SIGTERM dies without forwarding it; have the kernel tell us.
    die_with_parent()

    with resolved_services(settings) as resolved:
        _prepare_database(resolved)
        if (link := invite_first_owner(resolved)) is not None:
            # Printed, never logged: the link is a password until it is used.
            print(
                f"\n  Console (/panel/): the owner's invitation, valid 24 h:\n  {link}\n",
                flush=True,
            )
        app = create(resolved, with_worker=resolved.embedded_worker)
        config = uvicorn.Config(
            app,
            host=resolved.host,
            port=resolved.port,
            log_level=resolved.log_level,
            # uvicorn's own lines go through our handler too (JSON, or console in development).
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
            # uvicorn would otherwise rewrite the client address from X-Forwarded-For sent by
            # 127.0.0.1, and announce itself in a Server header.
            proxy_headers=False,
            server_header=False,
        )
        root = api_url(f"http://{resolved.host}:{resolved.port}")
        log.info("serving on %s (docs at %s)", root, api_url(root.removesuffix(API_PREFIX), "docs"))
        # uvicorn drains on SIGINT/SIGTERM and then re-raises the signal to the handler that was
        # installed before it; make that one a no-op so we get to stop the embedded servers in
        # order and exit 0.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
        uvicorn.Server(config).run()
    log.info("stopped")
    return 0


def cmd_sync(settings: Settings, once: bool) -> int:
    """The sync/worker process. Without DATABASE_URL it shares `cabanas run`'s embedded
    servers (development). In production it refuses weak settings, like the API, before it
    connects to anything or runs any duty."""
    from entrypoints.cli.sync import main_async
    from entrypoints.embedded import die_with_parent
    from entrypoints.production import refuse_weak_production

    refuse_weak_production(settings)
    die_with_parent()
    with resolved_services(settings) as resolved:
        if settings.database_url is None:  # embedded: make sure it is migrated
            _prepare_database(msgspec.structs.replace(resolved, seed_sample_data=False))
        return asyncio.run(main_async(resolved, once=once))


def cmd_migrate(settings: Settings, revision: str | None, down: bool, listing: bool) -> int:
    """Fly's release command: a non-zero exit aborts the deploy (or the rollback). 2: the
    command was refused as typed (an unknown revision, a downgrade not asked for), nothing done;
    1: the database's schema was refused."""
    from entrypoints.migrate import SchemaRefused, UnknownRevision, WrongDirection, migrate

    if down and revision is None:
        print(
            "cabanas: --down needs the revision to go down to (cabanas migrate --list shows them)",
            file=sys.stderr,
        )
        return 2
    with resolved_services(settings) as resolved:
        assert resolved.database_url is not None
        if listing:
            return _list_revisions(resolved.database_url)
        try:
            done = migrate(resolved.database_url, revision or "head", down=down)
        except UnknownRevision as err:
            print(f"cabanas: {err} (cabanas migrate --list shows the known ones)", file=sys.stderr)
            return 2
        except WrongDirection as err:
            print(f"cabanas: migrate refused: {err}", file=sys.stderr)
            return 2
        except SchemaRefused as err:
            print(f"cabanas: migrate refused: {err}", file=sys.stderr)
            return 1
    if done is not None:
        print(done)
    return 0


def _list_revisions(database_url: str) -> int:
    """This release's migrations, oldest first, with where the database and the head are."""
    from entrypoints.migrate import database_revisions, revisions

    current = database_revisions(database_url)
    for rev in revisions():
        marks = [m for m, on in (("head", rev.head), ("database", rev.revision in current)) if on]
        print(f"{rev.revision}  {rev.name}" + (f"  ({', '.join(marks)})" if marks else ""))
    if not current:
        print("(the database is at base: nothing migrated)")
    elif unknown := current - {r.revision for r in revisions()}:
        print(f"(the database is at {', '.join(sorted(unknown))}, which this release has not got)")
    return 0


def cmd_seed(settings: Settings) -> int:
    if settings.environment == "production":
        raise SystemExit(
            "sample cabins are for development; in production add accommodations through "
            f"POST {api_path('admin', 'accommodations')}"
        )
    with resolved_services(settings) as resolved:
        _prepare_database(msgspec.structs.replace(resolved, seed_sample_data=True))
    return 0


def cmd_config_check(settings: Settings) -> int:
    """The production verdict without starting anything (exit 1 on problems)."""
    from entrypoints.production import describe, production_problems

    for line in describe(settings):
        print(line)
    problems = production_problems(settings)
    target = "production" if settings.environment == "production" else "production (if deployed)"
    if problems:
        print(f"\nNOT ready for {target}:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"\nready for {target}")
    return 0


def cmd_admin_token(settings: Settings, email: str, ttl_hours: float) -> int:
    """Issue an admin JWT (run it where JWT_SECRET lives; the token goes to stdout only)."""
    from datetime import UTC, datetime, timedelta

    from adapters.security.jwt import issue

    if settings.jwt_secret is None or not settings.jwt_secret.reveal():
        print("cabanas: JWT_SECRET is not set", file=sys.stderr)
        return 2
    if ttl_hours <= 0 or ttl_hours > settings.jwt_max_ttl_hours:
        print(f"cabanas: --ttl-hours must be in (0, {settings.jwt_max_ttl_hours}]", file=sys.stderr)
        return 2
    allowed = {e.lower() for e in settings.admin_allowed_emails}
    if email.lower() not in allowed:
        print(
            f"cabanas: warning: {email} is not in ADMIN_ALLOWED_EMAILS (the API will answer 403)",
            file=sys.stderr,
        )
    token = issue(
        settings.jwt_secret.reveal(),
        email=email.lower(),
        now=datetime.now(UTC),
        ttl=timedelta(hours=ttl_hours),
    )
    print(token)
    return 0


async def _invite(settings: Settings, email: str, role: str, actor: str) -> str:
    from application.accounts.invitations import InviteUser
    from domain.accounts import Role
    from entrypoints.container import make_container
    from entrypoints.http.console.links import invitation_link

    container = make_container(settings)
    try:
        async with container() as request:
            use_case = await request.get(InviteUser)
            token = await use_case(email, Role(role), actor)
    finally:
        await container.close()
    return invitation_link(settings, token)


def cmd_admin_invite(settings: Settings, email: str, role: str) -> int:
    """A one-time link (24 h) where that person sets a password for the console."""
    from domain.errors import DomainError

    with resolved_services(settings) as resolved:
        assert resolved.database_url is not None
        try:
            link = asyncio.run(_invite(resolved, email, role, "cli"))
        except DomainError as err:
            print(f"cabanas: {err.message}", file=sys.stderr)
            return 1
    print(link)
    return 0


def invite_first_owner(settings: Settings) -> str | None:
    """Development's first start: while nobody can sign in to the console, a fresh invitation
    for the first owner email (``Settings.console_owner_emails``) to print."""
    from sqlalchemy import func, select

    from adapters.postgres.database import make_engine
    from adapters.postgres.tables import users

    if settings.environment != "development" or not settings.console_owner_emails:
        return None

    async def nobody_yet() -> bool:
        engine = make_engine(settings.database_url or "", pool_size=1)
        try:
            async with engine.connect() as conn:
                count = (await conn.execute(select(func.count()).select_from(users))).scalar_one()
                return int(count) == 0
        finally:
            await engine.dispose()

    if not asyncio.run(nobody_yet()):
        return None
    owner = sorted(settings.console_owner_emails)[0]
    return asyncio.run(_invite(settings, owner, "owner", "make run"))


def cmd_backup(settings: Settings, directory: str | None, keep: int | None) -> int:
    from entrypoints.backup import BackupError, backup

    upload, prune = settings.backup_upload_command, settings.backup_prune_command
    with resolved_services(settings) as resolved:
        assert resolved.database_url is not None
        try:
            path = backup(
                resolved.database_url,
                Path(directory or settings.backup_dir),
                keep=keep or settings.backup_keep,
                upload_command=upload.reveal() if upload else None,
                pg_bin_dir=settings.pg_bin_dir,
                prune_command=prune.reveal() if prune else None,
            )
        except BackupError as err:
            print(f"cabanas: {err}", file=sys.stderr)
            return 1
    print(path)
    if upload is None:
        print(
            "cabanas: not uploaded (BACKUP_UPLOAD_COMMAND is not set): recorded as a local "
            "backup, which does not count as the daily off-site one where backups are uploaded",
            file=sys.stderr,
        )
    return 0


def cmd_restore(settings: Settings, file: str, dry_run: bool, yes: bool) -> int:
    from entrypoints.backup import BackupError, restore

    if not dry_run and not yes:
        print(
            "cabanas: restoring replaces the target database's data; "
            "run with --dry-run first, then again with --yes",
            file=sys.stderr,
        )
        return 2
    with resolved_services(settings) as resolved:
        assert resolved.database_url is not None
        try:
            report = restore(
                resolved.database_url, Path(file), dry_run=dry_run, pg_bin_dir=settings.pg_bin_dir
            )
        except BackupError as err:
            print(f"cabanas: {err}", file=sys.stderr)
            return 1
    kind = "dry run into scratch database" if dry_run else "restored into"
    print(f"{kind} {report.database}:")
    for table, count in report.row_counts.items():
        print(f"  {table}: {count} rows")
    return 0


def cmd_preflight(args: argparse.Namespace) -> int:
    """The cutover checklist against a running deployment; exit 0 only if nothing failed."""
    from datetime import date, timedelta

    from entrypoints.cli.preflight import passed, render, run

    start = (
        date.fromisoformat(args.smoke_check_in)
        if args.smoke_check_in
        else date.today() + timedelta(days=400)
    )
    stay = (args.smoke_accommodation, start.isoformat(), (start + timedelta(days=2)).isoformat())
    token = args.token
    if token is None and (secret := OperatorSettings.from_env().admin_token) is not None:
        token = secret.reveal()
    items = run(
        args.url,
        smoke=args.smoke,
        token=token,
        smoke_stay=stay,
        healthz_budget_ms=args.healthz_budget_ms,
    )
    print(render(items, args.json))
    return 0 if passed(items) else 1


def cmd_whatsapp_templates() -> int:
    """The message templates as JSON for Meta's API, one request body per template."""
    from adapters.whatsapp.templates import definitions

    print(json.dumps(definitions(), ensure_ascii=False, indent=2))
    return 0


def _add_migrate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = sub.add_parser(
        "migrate",
        help="apply Alembic migrations (default: up to head)",
        description="Upgrade the database to REVISION (default: head). Going down is never "
        "implied: it drops what the newer revisions added, with their data; ask for it with "
        "--down.",
    )
    migrate.add_argument(
        "revision",
        nargs="?",
        default=None,
        help="head, base, a revision (--list shows them) or, with --down, -N (N below the "
        "database's)",
    )
    migrate.add_argument(
        "--down", action="store_true", help="downgrade to REVISION (required to go down)"
    )
    migrate.add_argument(
        "--list",
        action="store_true",
        dest="listing",
        help="list this release's revisions, marking the database's and the head",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cabanas", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve the API (embedded PostgreSQL/Redis unless URLs are set)")
    _add_migrate(sub)
    sub.add_parser("seed", help="insert sample cabins into an empty database")
    sync = sub.add_parser("sync", help="the worker: outbox, hold expiry, webhook retries")
    sync.add_argument("--once", action="store_true", help="one pass; exit 1 if any duty failed")
    config = sub.add_parser("config", help="configuration tools")
    config.add_subparsers(dest="config_command", required=True).add_parser(
        "check", help="print the production verdict for the current environment (exit 1 if unfit)"
    )
    admin = sub.add_parser("admin", help="admin tools")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    token = admin_commands.add_parser("token", help="issue an admin JWT for --email")
    invite = admin_commands.add_parser(
        "invite", help="print a one-time link (24 h) to set a console password"
    )
    invite.add_argument("email")
    invite.add_argument(
        "--role",
        choices=["owner", "staff"],
        default="staff",
        help="owners must also be in ADMIN_ALLOWED_EMAILS (default: staff)",
    )
    token.add_argument("--email", required=True)
    token.add_argument("--ttl-hours", type=float, default=8.0)
    backup = sub.add_parser("backup", help="pg_dump (custom format) + SHA-256, pruning old ones")
    backup.add_argument("--dir", default=None, help="default: BACKUP_DIR (backups)")
    backup.add_argument("--keep", type=int, default=None, help="default: BACKUP_KEEP (7)")
    restore = sub.add_parser("restore", help="verify a backup's checksum and restore it")
    restore.add_argument("file")
    restore.add_argument(
        "--dry-run", action="store_true", help="restore into a scratch database and count rows"
    )
    restore.add_argument(
        "--yes", action="store_true", help="really replace the target database's data"
    )
    preflight = sub.add_parser("preflight", help="run the cutover checklist against a base URL")
    preflight.add_argument("url")
    preflight.add_argument("--json", action="store_true")
    preflight.add_argument(
        "--healthz-budget-ms",
        type=float,
        default=200.0,
        help="the latency /healthz must answer within (default: the checklist's 200 ms)",
    )
    preflight.add_argument("--smoke", action="store_true", help="hold and cancel a test booking")
    preflight.add_argument("--token", default=None, help="default: ADMIN_TOKEN")
    preflight.add_argument("--smoke-accommodation", type=int, default=1)
    preflight.add_argument("--smoke-check-in", default=None)
    whatsapp = sub.add_parser("whatsapp", help="WhatsApp tools")
    whatsapp.add_subparsers(dest="whatsapp_command", required=True).add_parser(
        "templates",
        help="print the message templates as JSON bodies for POST /{WABA_ID}/message_templates",
    )
    args = parser.parse_args(argv)
    if args.command == "preflight":
        return cmd_preflight(args)  # needs no settings: it only talks HTTP
    if args.command == "whatsapp":
        return cmd_whatsapp_templates()  # nor does this: the templates are in the code

    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"cabanas: {err}", file=sys.stderr)
        return 2
    quiet = args.command in {"config", "admin", "backup", "restore"}
    if quiet:
        logging.disable(logging.CRITICAL)  # their output is for the operator, nothing else
    try:
        return _dispatch(args, settings)
    finally:
        if quiet:  # called in-process (tests, tools), logging must work again afterwards
            logging.disable(logging.NOTSET)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    configure_logging(settings.log_level, log_format(settings))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    if args.command == "backup":
        return cmd_backup(settings, args.dir, args.keep)
    if args.command == "restore":
        return cmd_restore(settings, args.file, args.dry_run, args.yes)
    if args.command == "config":
        return cmd_config_check(settings)
    if args.command == "admin" and args.admin_command == "invite":
        return cmd_admin_invite(settings, args.email, args.role)
    if args.command == "admin":
        return cmd_admin_token(settings, args.email, args.ttl_hours)
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "migrate":
        return cmd_migrate(settings, args.revision, args.down, args.listing)
    if args.command == "sync":
        return cmd_sync(settings, args.once)
    return cmd_seed(settings)


if __name__ == "__main__":
    raise SystemExit(main())
