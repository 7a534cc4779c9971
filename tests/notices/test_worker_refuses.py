"""`microbridge worker` delivers the mail: without a mail server it would have nowhere to send
it, so it refuses to start (with the fix) unless told it runs a demo."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from config.settings import Settings
from lti_tool.cli import main


@pytest.fixture
def started(app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Run ``microbridge worker`` up to the point where it would hand over to Celery."""
    monkeypatch.delenv("MICROBRIDGE_SMTP_URL", raising=False)
    monkeypatch.setenv("MICROBRIDGE_DEMO", "false")  # restored after the test (--demo sets it)
    monkeypatch.setenv("MICROBRIDGE_REDIS_URL", settings.redis_url or "redis://127.0.0.1:6379/14")
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MICROBRIDGE_SECRET_KEY", settings.secret_key)
    calls: list[list[str]] = []
    monkeypatch.setattr("os.execvp", lambda file, args: calls.append(list(args)))
    return calls


def test_the_worker_refuses_to_start_without_smtp(started: list[list[str]]) -> None:
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0 and started == []
    assert "Set MICROBRIDGE_SMTP_URL" in result.output and "--demo" in result.output


def test_the_worker_starts_with_smtp_or_as_a_demo(
    started: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROBRIDGE_SMTP_URL", "smtp://mail.example.org:587")
    assert CliRunner().invoke(main, ["worker"]).exit_code == 0
    monkeypatch.delenv("MICROBRIDGE_SMTP_URL")
    result = CliRunner().invoke(main, ["worker", "--demo"])
    assert result.exit_code == 0, result.output
    assert len(started) == 2 and "worker" in started[1]
