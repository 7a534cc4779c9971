"""Every setting Microbridge reads, in one place, from ``MICROBRIDGE_*`` environment variables.

With no settings at all the tool runs embedded: SQLite and a secret key under the instance
folder, Celery tasks in-process, caches and nonces in the database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


class SettingError(ValueError):
    """A setting has a value Microbridge cannot use."""


def _as_int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        message = f"MICROBRIDGE_{name.upper()} must be a whole number, not {raw!r}"
        raise SettingError(message) from None


def _as_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingError(f"MICROBRIDGE_{name.upper()} must be true or false, not {raw!r}")


def _as_decimal(name: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise SettingError(f"MICROBRIDGE_{name.upper()} must be a number like 20 or 18.50, not {raw!r}")
    return value


@dataclass(frozen=True)
class SmtpConfig:
    """Where outgoing email goes, parsed from ``MICROBRIDGE_SMTP_URL``.

    ``smtp://user:pass@host:587`` upgrades with STARTTLS when the server offers it (and
    ``?starttls=required`` refuses to send otherwise); ``smtps://host:465`` is TLS from the
    first byte.
    """

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    implicit_tls: bool = False
    starttls: str = "auto"  # auto | required | off
    timeout: float = 20.0


def parse_smtp_url(url: str) -> SmtpConfig:
    """Read an smtp:// or smtps:// URL; raise SettingError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise SettingError("MICROBRIDGE_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise SettingError("MICROBRIDGE_SMTP_URL must name a host, as in smtp://mail.example.org:587")
    try:
        port = parts.port
    except ValueError:
        raise SettingError("MICROBRIDGE_SMTP_URL has a port that is not a number") from None
    query = dict(pair.split("=", 1) for pair in parts.query.split("&") if "=" in pair)
    starttls = query.get("starttls", "auto").lower()
    if starttls not in {"auto", "required", "off"}:
        raise SettingError("MICROBRIDGE_SMTP_URL's starttls must be auto, required or off")
    implicit = parts.scheme == "smtps"
    return SmtpConfig(
        host=parts.hostname,
        port=port or (465 if implicit else 587),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        implicit_tls=implicit,
        starttls="off" if implicit else starttls,
    )


def _parse_pay_floors(raw: str) -> dict[str, Decimal]:
    """``EUR=18,GBP=16.50``: floors per hour in currencies besides the main one."""
    floors: dict[str, Decimal] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        code, _, amount = item.partition("=")
        code = code.strip().upper()
        if len(code) != 3 or not code.isalpha() or not amount:
            raise SettingError(
                f"MICROBRIDGE_PAY_FLOORS must look like EUR=18,GBP=16.50, not {raw!r}"
            )
        floors[code] = _as_decimal("pay_floors", amount)
    return floors


@dataclass(frozen=True)
class Settings:
    instance_path: Path = field(default_factory=lambda: Path("instance").resolve())
    database_url: str = ""
    redis_url: str = ""
    base_url: str = "http://127.0.0.1:5000"
    secret_key: str = ""
    smtp_url: str = ""
    smtp_from: str = "Microbridge <no-reply@microbridge.local>"
    key_grace_hours: int = 24
    jwt_leeway_seconds: int = 60
    launch_session_hours: int = 8
    platform_jwks_cache_seconds: int = 300
    # Catalog guardrails: a paid project pays at least this much per estimated hour; an unpaid
    # one is capped at unpaid_hours_cap hours (US DOL primary-beneficiary test).
    pay_floor_per_hour: Decimal = Decimal("20")
    pay_floor_currency: str = "USD"
    pay_floors: str = ""
    unpaid_hours_cap: int = 40
    # Employer and curator portal sign-in links.
    magic_link_minutes: int = 15
    magic_link_per_hour: int = 5
    email_max_attempts: int = 5
    # Mail that anyone can make Microbridge send (sign-up, sign-in) is limited per client IP;
    # invitations per inviting member (an hour) and per organisation (a day); an invitation
    # waits this many days for the invitee to accept it.
    portal_mail_per_ip_hour: int = 20
    employer_invites_per_hour: int = 10
    employer_invites_per_day: int = 30
    employer_invitation_days: int = 14
    # Student work: uploads are refused above these sizes (megabytes).
    upload_max_file_mb: int = 25
    upload_max_submission_mb: int = 100
    # Storage one learner (or team) uses in one project: at most max_attempts attempts; the
    # files of the newest keep_attempt_files attempts are kept (older ones are removed, their
    # record stays) and together stay under upload_quota_mb.
    upload_quota_mb: int = 250
    max_attempts: int = 20
    keep_attempt_files: int = 3
    # Employer reviews are due this many days after a submission; reminders on day 3 and 6.
    review_days: int = 7
    # Grade passback: a claim older than this is taken to be a dead worker's (longer than a
    # delivery can last: three LMS calls of at most passback_timeout_seconds each); the sweep
    # runs every passback_sweep_seconds and queues a row nobody claimed after
    # passback_unclaimed_grace_seconds; transient failures are retried with backoff (from
    # passback_backoff_seconds, capped at half an hour) until passback_give_up_hours after the
    # first try; at most passback_per_platform scores are on their way to one LMS at once.
    passback_claim_seconds: int = 120
    passback_sweep_seconds: int = 60
    passback_unclaimed_grace_seconds: int = 20
    passback_backoff_seconds: int = 10
    passback_give_up_hours: int = 72
    passback_timeout_seconds: int = 10
    passback_per_platform: int = 32
    tasks_eager: bool = False
    # In-process tasks (embedded default) run on a background thread after the commit, not
    # inside the request. Unset: yes, except in tests, which deliver at once unless they ask.
    tasks_background: bool | None = None
    # Database connections one process keeps open. ``microbridge worker`` raises it to its
    # thread count, so threads waiting on the LMS never open and close connections in turn.
    db_pool_size: int = 5
    # Outbound requests to loopback and private addresses (the demo LMS runs on loopback);
    # link-local and cloud metadata addresses stay refused even then (config/egress.py).
    egress_allow_private: bool = False
    # A demo (``microbridge demo``, or ``serve --demo``): without SMTP, emails are shown on the
    # /outbox page, sign-in links and all. Never set it on a tool real people use.
    demo: bool = False
    log_level: str = "INFO"
    # The proxies whose X-Forwarded-* headers the tool believes (comma-separated addresses or
    # networks; config/forwarded.py, config/ratelimit.py).
    forwarded_allow_ips: str = "127.0.0.1"
    # Requests a minute one client address may make to the public, unauthenticated pages
    # (credential and packet verification, share links) and to their JSON (issuer profile,
    # keys, status list, verify.json); 0 turns the limit off (config/ratelimit.py).
    public_pages_per_minute: int = 60
    public_api_per_minute: int = 300
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_embedded(self) -> bool:
        """True when no Redis is configured: tasks in-process, caches in the database."""
        return not self.redis_url

    @property
    def run_tasks_in_process(self) -> bool:
        return self.tasks_eager or self.is_embedded

    @property
    def run_tasks_in_background(self) -> bool:
        """In-process tasks go to the background queue (config/background.py)."""
        wanted = not self.testing if self.tasks_background is None else self.tasks_background
        return self.run_tasks_in_process and wanted

    @property
    def smtp(self) -> SmtpConfig | None:
        """The SMTP server, or None: then mail goes to the local outbox (embedded default)."""
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def pay_floor_table(self) -> dict[str, Decimal]:
        """Pay floor per estimated hour, by currency."""
        table = _parse_pay_floors(self.pay_floors)
        table[self.pay_floor_currency.upper()] = Decimal(self.pay_floor_per_hour)
        return table

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_INT_SETTINGS = {"key_grace_hours", "jwt_leeway_seconds", "launch_session_hours",
                 "platform_jwks_cache_seconds", "unpaid_hours_cap", "magic_link_minutes",
                 "magic_link_per_hour", "email_max_attempts", "upload_max_file_mb",
                 "upload_max_submission_mb", "review_days", "passback_claim_seconds",
                 "passback_sweep_seconds", "passback_unclaimed_grace_seconds",
                 "passback_backoff_seconds", "passback_give_up_hours", "passback_timeout_seconds",
                 "passback_per_platform", "portal_mail_per_ip_hour",
                 "employer_invites_per_hour", "employer_invites_per_day",
                 "employer_invitation_days", "upload_quota_mb", "max_attempts",
                 "keep_attempt_files", "db_pool_size", "public_pages_per_minute",
                 "public_api_per_minute"}
_DECIMAL_SETTINGS = {"pay_floor_per_hour"}
_BOOL_SETTINGS = {"tasks_eager", "tasks_background", "testing", "egress_allow_private", "demo"}
_STR_SETTINGS = {"database_url", "redis_url", "base_url", "secret_key", "smtp_url",
                 "smtp_from", "log_level", "pay_floor_currency", "pay_floors",
                 "forwarded_allow_ips"}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from the environment; keyword overrides win (tests use them)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    raw_instance = env.get("MICROBRIDGE_INSTANCE_PATH")
    if raw_instance:
        values["instance_path"] = Path(raw_instance).resolve()
    for name in _STR_SETTINGS:
        raw = env.get(f"MICROBRIDGE_{name.upper()}")
        if raw is not None and raw != "":
            values[name] = raw
    for name in _INT_SETTINGS:
        raw = env.get(f"MICROBRIDGE_{name.upper()}")
        if raw:
            values[name] = _as_int(name, raw)
    for name in _DECIMAL_SETTINGS:
        raw = env.get(f"MICROBRIDGE_{name.upper()}")
        if raw:
            values[name] = _as_decimal(name, raw)
    for name in _BOOL_SETTINGS:
        raw = env.get(f"MICROBRIDGE_{name.upper()}")
        if raw is not None:
            values[name] = _as_bool(name, raw)
    values.update(overrides)
    settings = Settings(**values)
    return _complete(settings)


def _complete(settings: Settings) -> Settings:
    """Fill what the embedded default derives: the SQLite URL and a kept secret key."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    changes: dict[str, Any] = {"base_url": settings.base_url.rstrip("/")}
    if not settings.database_url:
        changes["database_url"] = f"sqlite:///{settings.instance_path / 'microbridge.sqlite3'}"
    if not settings.secret_key:
        changes["secret_key"] = _kept_secret_key(settings.instance_path)
    if not settings.database_url.startswith(("sqlite", "postgresql")) and settings.database_url:
        raise SettingError(
            "MICROBRIDGE_DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL"
        )
    if settings.smtp_url:
        parse_smtp_url(settings.smtp_url)  # fail at start-up, not at the first email
    _parse_pay_floors(settings.pay_floors)
    currency = settings.pay_floor_currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise SettingError("MICROBRIDGE_PAY_FLOOR_CURRENCY must be a 3-letter code such as USD")
    changes["pay_floor_currency"] = currency
    return replace(settings, **changes)


def _kept_secret_key(instance_path: Path) -> str:
    """Generate the secret key once and keep it, so sessions survive a restart."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
