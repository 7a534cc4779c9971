"""What ``microbridge check`` looks at on this machine and in the database: the public URL,
the secret key, the database and its migrations, the clock, the signing keys, the disk."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from config.migrate import code_heads, database_heads, describe_unreachable
from config.settings import Settings
from lti_tool.check.findings import Finding, fail, ok, warn
from lti_tool.keys.service import current_key

# Under this much free space uploads start failing (a submission may carry 100 MB); under the
# warning level an operator still has days to act.
DISK_FAIL_BYTES = 1 << 30
DISK_WARN_BYTES = 5 << 30
# Clock drift the outbox's claim timeouts and the launch tokens' expiry shrug off.
SKEW_OK_SECONDS = 2.0
SKEW_WARN_SECONDS = 30.0


def base_url(settings: Settings) -> Finding:
    parts = urlsplit(settings.base_url)
    if parts.scheme == "https" and parts.hostname:
        return ok("base URL", settings.base_url)
    if parts.scheme == "http" and settings.demo:
        return ok("base URL", f"{settings.base_url} (plain HTTP: a demo)")
    if parts.scheme == "http":
        return warn(
            "base URL", f"{settings.base_url} is plain HTTP: LMSs refuse or warn, cookies are Secure",
            "set MICROBRIDGE_BASE_URL to the https:// address of the TLS proxy in front of the tool",
        )
    return fail("base URL", f"{settings.base_url!r} is not an http(s) URL",
                "set MICROBRIDGE_BASE_URL, e.g. https://microbridge.example.edu")


def secret_key(settings: Settings) -> Finding:
    kept = settings.instance_path / "secret_key"
    if len(settings.secret_key) < 32:
        return fail("secret key", f"MICROBRIDGE_SECRET_KEY has {len(settings.secret_key)} characters",
                    "set MICROBRIDGE_SECRET_KEY to 40 or more random characters")
    if kept.exists() and kept.read_text().strip() == settings.secret_key and not settings.demo:
        return warn("secret key", f"generated on this machine ({kept})",
                    "set MICROBRIDGE_SECRET_KEY, the same on every web process and worker")
    return ok("secret key", "set")


def database(engine: Engine, settings: Settings) -> Finding:
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as error:
        return fail("database", describe_unreachable(settings.database_url, error),
                    "start the database, or correct MICROBRIDGE_DATABASE_URL")
    if engine.dialect.name == "sqlite" and not settings.demo:
        return warn("database", f"{where}: SQLite serves one machine and few people",
                    "set MICROBRIDGE_DATABASE_URL to a PostgreSQL database for production")
    return ok("database", f"{where}: reachable")


def migrations(engine: Engine, settings: Settings) -> Finding:
    have = database_heads(engine)
    want = code_heads(settings.database_url)
    if have == want:
        return ok("migrations", f"at {', '.join(sorted(want))}, the newest this version knows")
    state = f"at {', '.join(sorted(have))}" if have else "no Microbridge tables yet"
    return fail("migrations", f"{state}; this version needs {', '.join(sorted(want))}",
                "run `microbridge db upgrade`")


def clock_skew(engine: Engine) -> Finding:
    if engine.dialect.name == "sqlite":
        return ok("clock", "the database file shares this machine's clock")
    with engine.connect() as conn:
        sent = time.time()
        theirs = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
        back = time.time()
    ours = datetime.fromtimestamp((sent + back) / 2, UTC)
    skew = (theirs - ours).total_seconds()
    side = "ahead of" if skew > 0 else "behind"
    detail = f"the database's clock is {abs(skew):.1f} s {side} this machine's"
    fix = "keep both clocks synchronised (chrony or systemd-timesyncd)"
    if abs(skew) <= SKEW_OK_SECONDS:
        return ok("clock", f"{detail} (within {SKEW_OK_SECONDS:.0f} s)")
    return (warn if abs(skew) <= SKEW_WARN_SECONDS else fail)("clock", detail, fix)


def signing_keys(engine: Engine) -> Finding:
    with Session(engine) as session:
        key = current_key(session)
    if key is None:
        return warn("signing keys", "none yet",
                    "start `microbridge serve` once (it makes one), or run `microbridge keys rotate`")
    return ok("signing keys", f"signing with key {key.kid[:16]}..., published at /.well-known/jwks.json")


def disk_space(settings: Settings) -> Finding:
    path = settings.instance_path
    if not os.access(path, os.W_OK):
        return fail("disk", f"{path} is not writable by this user",
                    "give the user running Microbridge write access to MICROBRIDGE_INSTANCE_PATH")
    free = shutil.disk_usage(path).free
    detail = f"{free / (1 << 30):.1f} GB free under {path}"
    fix = "free space or move MICROBRIDGE_INSTANCE_PATH (uploaded files live there) to a larger disk"
    if free < DISK_FAIL_BYTES:
        return fail("disk", detail, fix)
    return warn("disk", detail, fix) if free < DISK_WARN_BYTES else ok("disk", detail)
