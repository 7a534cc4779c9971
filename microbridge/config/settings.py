"""Every setting Microbridge reads, in one place, from ``MICROBRIDGE_*`` environment variables.

With no settings at all the tool runs embedded: SQLite and a secret key under the instance
folder, Celery tasks in-process, caches and nonces in the database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


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
    tasks_eager: bool = False
    log_level: str = "INFO"
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
    def data_path(self) -> Path:
        return self.instance_path

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_INT_SETTINGS = {"key_grace_hours", "jwt_leeway_seconds", "launch_session_hours",
                 "platform_jwks_cache_seconds"}
_BOOL_SETTINGS = {"tasks_eager", "testing"}
_STR_SETTINGS = {"database_url", "redis_url", "base_url", "secret_key", "smtp_url",
                 "smtp_from", "log_level"}


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
