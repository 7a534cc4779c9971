"""The ``microbridge`` command: serve, worker, beat, db, platform, keys, registration-link, demo."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import click

from config import runtime
from config.celery_app import QUEUES
from config.database import transaction
from config.mail import missing_mail_server
from config.migrate import DatabaseNotMigrated, DatabaseUnreachable, check_migrated, upgrade
from config.settings import SettingError, load_settings
from config.web import UserFacingError
from lti_tool.runtime import ToolRuntime, build_tool_runtime, prepare


def _runtime(check: bool = True) -> ToolRuntime:
    """The command's runtime, bound for the command (it runs outside any request)."""
    settings = load_settings()
    import lti_tool.models_index  # noqa: F401

    rt = build_tool_runtime(settings)
    runtime.bind(rt)
    if check:
        try:
            check_migrated(rt.engine, settings.database_url)
        except DatabaseNotMigrated as error:
            raise click.ClickException(str(error)) from None
        prepare(rt)
    return rt


@click.group(help="Microbridge: employer micro-internship projects for Canvas and Moodle.")
def main() -> None:
    pass


# Threads per worker process. A thread is held for the whole of a request, so a client that
# stops half-way through an upload holds one (and only until its read times out after
# READ_SECONDS), not the worker. Launches are CPU work, so more threads add no throughput:
# they keep slow clients from taking the workers.
THREADS = 8
# How long a read from (or a write to) a client's socket may stall before the request ends
# and its thread serves others again (uWSGI's socket timeout).
READ_SECONDS = 30
# Request line and headers together: uWSGI's buffer, at its largest (its default, 4 KB, is less
# than an LMS's login initiation can send in its query string and cookies). A request with more
# is dropped without an answer: a proxy in front answers such requests itself (nginx: 400).
HEADER_BYTES = 65535


@main.command(help="Serve the tool with uWSGI (production settings).")
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=0, type=int, help="Default: one per CPU core but one (at least one).")
@click.option("--threads", default=THREADS, show_default=True, type=int,
              help="Requests each worker serves at once: a stalled upload holds one.")
@click.option(
    "--demo", is_flag=True,
    help="Serve a demo: without SMTP, emails (sign-in links too) are shown to anyone at /outbox.",
)
def serve(host: str, port: int, workers: int, threads: int, demo: bool) -> None:
    if demo:
        os.environ["MICROBRIDGE_DEMO"] = "true"  # read again by the uWSGI workers
    # One database connection per thread stays open (read again by the uWSGI workers):
    # with fewer, the threads beyond the pool open and close a connection on every request
    # they serve at once with the others (bench/launch.py runs 8 launches at a time).
    os.environ.setdefault("MICROBRIDGE_DB_POOL_SIZE", str(max(1, threads)))
    rt = _runtime()  # refuse to start on an unmigrated database, with the message
    refusal = missing_mail_server(rt.settings)
    if refusal:
        raise click.ClickException(refusal)
    args = uwsgi_args(host, port, workers or default_workers(), max(1, threads))
    os.execvp(sys.executable, [sys.executable, "-c", _RUN_UWSGI, *args])  # noqa: S606


# uWSGI from its wheel (pyuwsgi) reads its options from sys.argv.
_RUN_UWSGI = "import sys, pyuwsgi; sys.exit(pyuwsgi.run())"


def uwsgi_args(host: str, port: int, workers: int, threads: int) -> list[str]:
    """uWSGI's options for ``serve``.

    uWSGI parses HTTP and builds each request's environ in C: a launch costs about a quarter
    less CPU than under gunicorn, whose parsing, dispatch and logging ran in Python
    (bench/launch.py). It opens no control or stats socket unless told to.
    """
    return [
        "--strict",  # an unknown option is an error, not a warning
        "--http-socket", f"{host}:{port}",
        "--module", "lti_tool.wsgi:app",
        "--need-app",  # a worker whose app does not load ends the server, with the reason
        "--master", "--processes", str(workers), "--threads", str(threads),
        "--lazy-apps",  # each worker builds its own app: no connection crosses a fork
        "--single-interpreter",
        "--listen", str(listen_backlog()),
        "--socket-timeout", str(READ_SECONDS),
        "--buffer-size", str(HEADER_BYTES),
        # Our own access line (config/access_log.py) goes through the log hygiene; uWSGI's
        # request log would not.
        "--disable-logging",
        # A client that leaves before its answer is sent is not an error of the tool.
        "--ignore-sigpipe", "--ignore-write-errors", "--disable-write-exception",
        # SIGTERM (systemd, docker, kill) lets requests under way finish, then stops.
        "--hook-master-start", "unix_signal:15 gracefully_kill_them_all",
        "--worker-reload-mercy", str(READ_SECONDS),
        "--no-orphans",
    ]


def listen_backlog(wanted: int = 1024) -> int:
    """Connections the kernel may queue for the workers (uWSGI's default is 100; it refuses to
    start with more than the system allows)."""
    try:
        allowed = int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return 100
    return max(1, min(wanted, allowed))


def default_workers() -> int:
    """One worker process per core this process may use, but one: at least one.

    A launch is CPU work in Python (the database and Redis answer in well under a
    millisecond), and the tool rarely has the machine to itself: PostgreSQL, Redis, the
    Celery worker and the proxy run beside it, as the emulated LMS and the load generator do
    in bench/launch.py. On 2 busy shared cores one worker per core cost 7 to 23 % more CPU
    per launch than a single worker, which also served more launches per second; a worker's
    8 threads already keep a core busy.
    """
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    return max(1, len(cores) - 1)


WORKER_NAME = "microbridge@%h"


@main.command(
    help="Run a Celery worker: grade delivery, email, sweeps (needs MICROBRIDGE_REDIS_URL and "
    "MICROBRIDGE_SMTP_URL). Arguments after -- go to `celery worker` as they are.",
    context_settings={"ignore_unknown_options": True},
)
@click.option("--concurrency", default=32, show_default=True, type=int,
              help="Tasks in flight at once (threads, or processes with --pool prefork).")
@click.option("--pool", default="threads", show_default=True,
              type=click.Choice(["threads", "prefork"]),
              help="threads: delivery mostly waits on the LMS, so one process keeps many in flight.")
@click.option("--queues", default=",".join(QUEUES), show_default=True)
@click.option("--name", default=WORKER_NAME, show_default=True,
              help="Node name (%h: this host), as worker-ping names it.")
@click.option("--demo", is_flag=True, help="A demo's worker: starts without SMTP (its mail then "
              "fails, with the reason, on /admin/mail).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(
    concurrency: int, pool: str, queues: str, name: str, demo: bool, celery_args: tuple[str, ...]
) -> None:
    if demo:
        os.environ["MICROBRIDGE_DEMO"] = "true"  # read again by the worker's own settings
    refusal = missing_mail_server(load_settings())
    if refusal:  # the worker delivers the mail: without SMTP it would have nowhere to go
        raise click.ClickException(refusal)
    if pool == "threads":
        # One database connection per thread stays open (read again by the worker process).
        os.environ.setdefault("MICROBRIDGE_DB_POOL_SIZE", str(concurrency))
    _celery(["worker", "--pool", pool, "--concurrency", str(concurrency), "--loglevel", "INFO",
             "-Q", queues, "-n", name, *celery_args])


@main.command("worker-ping", help="Exit 0 if the worker answers a ping through Redis, else 1 "
              "(a liveness check for a supervisor or a container HEALTHCHECK).")
@click.option("--name", default=WORKER_NAME, show_default=True,
              help="The worker's node name (%h: this host).")
@click.option("--timeout", default=5.0, show_default=True, type=float, help="Seconds to wait.")
def worker_ping(name: str, timeout: float) -> None:
    from lti_tool.worker_health import ping

    answered, words = ping(load_settings(), node=name, timeout=timeout)
    click.echo(words)
    sys.exit(0 if answered else 1)


@main.command(help="Run Celery beat: periodic sweeps (needs MICROBRIDGE_REDIS_URL).")
def beat() -> None:
    # The schedule file (when each periodic task last ran) lives with the instance's other
    # data, not in whatever folder beat was started from.
    schedule = load_settings().instance_path / "celerybeat-schedule"
    _celery(["beat", "--loglevel", "INFO", "--schedule", str(schedule)])


def _celery(args: list[str]) -> None:
    if not load_settings().redis_url:
        raise click.ClickException(
            "Set MICROBRIDGE_REDIS_URL: without Redis, tasks run inside the web process."
        )
    _runtime()
    argv = [sys.executable, "-m", "celery", "-A", "lti_tool.worker", *args]
    os.execvp(sys.executable, argv)  # noqa: S606


@main.command("check", help="Check settings and services after configuring; exit 1 on a FAIL.")
@click.option("--send-test-to", default="", metavar="ADDRESS",
              help="Also send a test message to ADDRESS through the mail server.")
def check(send_test_to: str) -> None:
    from lti_tool.check.findings import Level, fail
    from lti_tool.check.service import run_checks

    try:
        settings = load_settings()
    except (SettingError, OSError) as error:
        findings = [fail("settings", str(error), "correct the MICROBRIDGE_* variable named")]
    else:
        import lti_tool.models_index  # noqa: F401  (every model mapped before the first query)

        findings = run_checks(settings, send_test_to=send_test_to)
    for finding in findings:
        click.echo("\n".join(finding.lines()))
    failed = sum(finding.level is Level.FAIL for finding in findings)
    warned = sum(finding.level is Level.WARN for finding in findings)
    click.echo(f"{len(findings) - failed - warned} OK, {warned} WARN, {failed} FAIL")
    if failed:
        sys.exit(1)


@main.group(help="Database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Migrate the database to this version of Microbridge.")
def db_upgrade() -> None:
    settings = load_settings()
    try:
        applied = upgrade(settings.database_url)
    except DatabaseUnreachable as error:
        raise click.ClickException(str(error)) from None
    for revision, description in applied:
        click.echo(f"Applied {revision}: {description.splitlines()[0] if description else ''}")
    click.echo("Database is up to date." if applied else "Database was already up to date.")


@main.group(help="LMS platforms registered with this tool.")
def platform() -> None:
    pass


@platform.command("add", help="Register a platform (an LMS's registration of this tool).")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--token-url", required=True)
@click.option("--jwks-url", required=True)
@click.option("--flavour", type=click.Choice(["canvas", "moodle", "other"]), default="other")
@click.option("--deployment", "deployments", multiple=True, help="A deployment id (repeatable).")
@click.option("--name", default="")
@click.option("--institution", default="", help="Institution name; created when new.")
def platform_add(
    issuer: str, client_id: str, auth_url: str, token_url: str, jwks_url: str, flavour: str,
    deployments: tuple[str, ...], name: str, institution: str,
) -> None:
    from catalog.institutions.service import get_or_create
    from lti_tool.registry import service

    rt = _runtime()
    try:
        with transaction(rt.session_factory) as session:
            inst = get_or_create(session, name=institution or name or issuer)
            found = service.add_platform(
                session, issuer=issuer, client_id=client_id, auth_login_url=auth_url,
                token_url=token_url, jwks_url=jwks_url, flavour=flavour, name=name,
                deployment_ids=list(deployments), institution_id=inst.id,
            )
            click.echo(f"Registered platform {found.id}: {found.label()}")
    except UserFacingError as error:
        raise click.ClickException(error.message) from None


@platform.command("add-deployment", help="Add a deployment id to a registered platform.")
@click.argument("platform_id", type=int)
@click.argument("deployment_id")
def platform_add_deployment(platform_id: int, deployment_id: str) -> None:
    from lti_tool.registry import service
    from lti_tool.registry.models import Platform

    rt = _runtime()
    with transaction(rt.session_factory) as session:
        found = session.get(Platform, platform_id)
        if found is None:
            raise click.ClickException(f"There is no platform with id {platform_id}.")
        service.add_deployment(session, platform=found, deployment_id=deployment_id)
    click.echo(f"Added deployment {deployment_id} to platform {platform_id}.")


@platform.command("list", help="List registered platforms and their deployments.")
def platform_list() -> None:
    from lti_tool.registry import service

    rt = _runtime()
    with transaction(rt.session_factory) as session:
        rows = service.list_platforms(session)
        if not rows:
            click.echo("No platforms registered.")
        for row in rows:
            deployments = ", ".join(d.deployment_id for d in row.deployments) or "none"
            state = "" if row.active else " (inactive)"
            click.echo(
                f"{row.id}\t{row.flavour}\t{row.issuer}\tclient {row.client_id}\t"
                f"deployments: {deployments}{state}"
            )


@platform.command("remove", help="Remove a platform (it can no longer launch the tool).")
@click.argument("platform_id", type=int)
def platform_remove(platform_id: int) -> None:
    from lti_tool.registry import service

    rt = _runtime()
    try:
        with transaction(rt.session_factory) as session:
            removed = service.remove_platform(session, platform_id=platform_id)
            click.echo(f"Removed platform {platform_id}: {removed.label()}")
    except UserFacingError as error:
        raise click.ClickException(error.message) from None


@main.group(help="The tool's signing keys.")
def keys() -> None:
    pass


@keys.command("rotate", help="Sign with a new key; keep the old public key published a while.")
@click.option("--grace-hours", type=int, default=None, help="Default: MICROBRIDGE_KEY_GRACE_HOURS.")
def keys_rotate(grace_hours: int | None) -> None:
    from lti_tool.keys import service

    rt = _runtime()
    hours = rt.settings.key_grace_hours if grace_hours is None else grace_hours
    with transaction(rt.session_factory) as session:
        key = service.rotate(session, grace_hours=hours)
        click.echo(f"Now signing with key {key.kid}; old keys stay published for {hours} h.")


@keys.command("rotate-issuer", help="Sign credentials and evidence packets with a new issuer key.")
@click.option("--grace-days", type=int, default=365, show_default=True,
              help="How long the old public key stays published (credentials live for years).")
def keys_rotate_issuer(grace_days: int) -> None:
    from grading.credentials import keys as issuer_keys

    rt = _runtime()
    with transaction(rt.session_factory) as session:
        key = issuer_keys.rotate(session, grace_days=grace_days)
        click.echo(f"Credentials now signed with issuer key {key.kid}; old keys stay published "
                   f"for {grace_days} days.")


@main.command("registration-link", help="Print a single-use LTI Dynamic Registration link.")
@click.option("--hours", default=24, show_default=True, type=int, help="How long it is valid.")
@click.option("--note", default="", help="Who it is for, kept for the record.")
@click.option(
    "--institution", default="",
    help="Institution the new platform joins (created when new). Without it the platform gets "
    "a new institution of its own: the registering LMS never picks an existing one.",
)
def registration_link(hours: int, note: str, institution: str) -> None:
    from lti_tool.registration import service

    rt = _runtime()
    with transaction(rt.session_factory) as session:
        link = service.create_link(
            session, base_url=rt.settings.base_url, valid_for=timedelta(hours=hours),
            note=note, institution_name=institution,
        )
    click.echo(link)


@main.command("admin-link", help="Print a 15-minute sign-in link to the platform admin page.")
def admin_link() -> None:
    from lti_tool.registry.admin import operator_link_token

    rt = _runtime()
    token = operator_link_token(rt.settings.secret_key)
    click.echo(f"{rt.settings.base_url}/admin/sign-in?token={token}")


@main.command(help="Try Microbridge: migrate, seed demo data, start the tool and the demo LMS.")
@click.option("--tool-port", default=5000, show_default=True, type=int)
@click.option("--lms-port", default=5001, show_default=True, type=int)
def demo(tool_port: int, lms_port: int) -> None:
    from lti_tool.demo import run_demo

    run_demo(tool_port=tool_port, lms_port=lms_port)


if __name__ == "__main__":
    main()
