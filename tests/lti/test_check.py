"""`microbridge check`: an operator's one command after configuring. Each line says OK, WARN or
FAIL with the fix; any FAIL makes the exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from config.settings import Settings
from lti_tool.cli import main
from tests.conftest import USES_SERVICES
from tests.support.live import free_port
from tests.support.smtp import mail_server


def check(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> Result:
    values = {
        "MICROBRIDGE_INSTANCE_PATH": str(settings.instance_path),
        "MICROBRIDGE_DATABASE_URL": settings.database_url,
        "MICROBRIDGE_REDIS_URL": settings.redis_url,
        "MICROBRIDGE_SECRET_KEY": "an-operator-chosen-secret-of-forty-characters",
        "MICROBRIDGE_BASE_URL": "https://microbridge.example.edu",
        "MICROBRIDGE_TASKS_EAGER": "true",
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(main, ["check", *args])


def line(result: Result, subject: str) -> str:
    found = [text for text in result.output.splitlines() if text[6:].startswith(subject)]
    assert found, result.output
    return found[0]


def fix_after(result: Result, subject: str) -> str:
    lines = result.output.splitlines()
    return lines[lines.index(line(result, subject)) + 1]


def test_a_configured_installation_passes_with_its_mail_server_signing_in(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with mail_server(tmp_path, monkeypatch) as smtp:
        result = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=smtp.url())
    assert result.exit_code == 0, result.output
    for subject in ("settings", "base URL", "secret key", "migrations", "clock", "signing keys",
                    "smtp", "worker", "disk"):
        assert line(result, subject).startswith("OK"), result.output
    # The embedded default works, but is not what production should run on.
    for subject in ("database", "redis"):
        assert line(result, subject).startswith("OK" if USES_SERVICES else "WARN"), result.output
    assert "as microbridge, TLS" in line(result, "smtp")
    assert "0 FAIL" in result.output
    assert not smtp.received  # checking sends nothing unless asked


def test_send_test_to_delivers_a_message_to_the_address_given(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with mail_server(tmp_path, monkeypatch) as smtp:
        result = check(settings, monkeypatch, "--send-test-to", "ops@example.edu",
                       MICROBRIDGE_SMTP_URL=smtp.url())
    assert result.exit_code == 0, result.output
    assert "test message sent to ops@example.edu" in line(result, "smtp")
    [message] = smtp.received
    assert message["To"] == "ops@example.edu" and "Microbridge" in message["Subject"]


def test_a_wrong_mail_password_fails_and_says_what_to_correct(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with mail_server(tmp_path, monkeypatch) as smtp:
        result = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=smtp.url(password="wrong"))
    assert result.exit_code == 1
    assert line(result, "smtp").startswith("FAIL") and "refused the sign-in as 'microbridge'" in result.output
    assert "MICROBRIDGE_SMTP_URL" in fix_after(result, "smtp")
    assert "wrong" not in result.output  # the password is never printed


def test_no_mail_server_listening_fails(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert line(result, "smtp").startswith("FAIL") and "cannot talk to 127.0.0.1" in result.output


def test_without_smtp_outside_a_demo_the_check_fails_with_the_setting_to_add(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MICROBRIDGE_SMTP_URL", raising=False)
    result = check(settings, monkeypatch)
    assert result.exit_code == 1
    assert line(result, "smtp").startswith("FAIL")
    assert "set MICROBRIDGE_SMTP_URL" in fix_after(result, "smtp")


def test_the_embedded_demo_passes_with_plain_http(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MICROBRIDGE_SMTP_URL", raising=False)
    result = check(settings, monkeypatch, MICROBRIDGE_DEMO="true",
                   MICROBRIDGE_BASE_URL="http://127.0.0.1:5000")
    assert result.exit_code == 0, result.output
    assert "0 WARN, 0 FAIL" in result.output, result.output


def test_plain_http_outside_a_demo_is_a_warning_with_the_fix(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with mail_server(tmp_path, monkeypatch) as smtp:
        result = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=smtp.url(),
                       MICROBRIDGE_BASE_URL="http://tool.example.edu")
    assert result.exit_code == 0
    assert line(result, "base URL").startswith("WARN")
    assert "https://" in fix_after(result, "base URL")


def test_an_unmigrated_database_fails_with_the_command_to_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check(settings, monkeypatch, MICROBRIDGE_INSTANCE_PATH=str(tmp_path),
                   MICROBRIDGE_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
                   MICROBRIDGE_DEMO="true", MICROBRIDGE_REDIS_URL="")
    assert result.exit_code == 1
    assert line(result, "migrations").startswith("FAIL") and "no Microbridge tables" in result.output
    assert "microbridge db upgrade" in fix_after(result, "migrations")
    assert line(result, "signing keys").startswith("FAIL")


def test_an_unreachable_database_fails_and_the_checks_that_need_it_say_so(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"postgresql+psycopg://microbridge:hunter2@127.0.0.1:{free_port()}/microbridge"
    result = check(settings, monkeypatch, MICROBRIDGE_INSTANCE_PATH=str(tmp_path),
                   MICROBRIDGE_DATABASE_URL=url, MICROBRIDGE_REDIS_URL="")
    assert result.exit_code == 1
    assert line(result, "database").startswith("FAIL") and "Cannot reach the database" in result.output
    assert "hunter2" not in result.output
    assert "not checked" in line(result, "migrations")


def test_a_bad_setting_is_one_failing_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = check(settings, monkeypatch, MICROBRIDGE_REVIEW_DAYS="a week")
    assert result.exit_code == 1
    assert line(result, "settings").startswith("FAIL") and "MICROBRIDGE_REVIEW_DAYS" in result.output


@pytest.mark.services
def test_with_redis_a_running_worker_answers_and_a_missing_one_fails(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.passback.workers import celery_worker

    assert USES_SERVICES
    with mail_server(tmp_path, monkeypatch) as smtp:
        nobody = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=smtp.url(),
                       MICROBRIDGE_TASKS_EAGER="false")
        with celery_worker(settings.with_overrides(tasks_eager=False), tmp_path, beat=False):
            answered = check(settings, monkeypatch, MICROBRIDGE_SMTP_URL=smtp.url(),
                             MICROBRIDGE_TASKS_EAGER="false")
    assert nobody.exit_code == 1 and line(nobody, "worker").startswith("FAIL")
    assert "microbridge worker" in fix_after(nobody, "worker")
    assert answered.exit_code == 0, answered.output
    for subject in ("redis", "worker", "clock", "database"):
        assert line(answered, subject).startswith("OK"), answered.output
    assert "1 answered: mbtest-" in line(answered, "worker")
