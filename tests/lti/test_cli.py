from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from config.settings import Settings
from lti_tool.cli import main


@pytest.fixture
def run(app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MICROBRIDGE_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("MICROBRIDGE_REDIS_URL", settings.redis_url)
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_platform_add_list_remove(run) -> None:  # type: ignore[no-untyped-def]
    added = run(
        "platform", "add", "--issuer", "https://canvas.instructure.com", "--client-id", "1000",
        "--auth-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--token-url", "https://sso.canvaslms.com/login/oauth2/token",
        "--jwks-url", "https://sso.canvaslms.com/api/lti/security/jwks",
        "--flavour", "canvas", "--deployment", "1:abc", "--institution", "State University",
    )
    assert "Registered platform" in added
    listed = run("platform", "list")
    assert "https://canvas.instructure.com" in listed and "1:abc" in listed
    platform_id = listed.split()[0]
    run("platform", "add-deployment", platform_id, "2:def")
    assert "2:def" in run("platform", "list")
    assert "Removed" in run("platform", "remove", platform_id)
    assert "No platforms registered" in run("platform", "list")


def test_the_same_platform_cannot_be_added_twice(
    app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    args = ["platform", "add", "--issuer", "https://m.example", "--client-id", "abc",
            "--auth-url", "https://m.example/auth", "--token-url", "https://m.example/token",
            "--jwks-url", "https://m.example/jwks"]
    runner = CliRunner()
    assert runner.invoke(main, args).exit_code == 0
    again = runner.invoke(main, args)
    assert again.exit_code != 0 and "already registered" in again.output


def test_keys_rotate_and_registration_link(run) -> None:  # type: ignore[no-untyped-def]
    assert "Now signing with key" in run("keys", "rotate", "--grace-hours", "2")
    link = run("registration-link", "--note", "Moodle test").strip()
    assert link.startswith("http://127.0.0.1:5000/lti/register?rt=")


def test_commands_refuse_an_unmigrated_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("MICROBRIDGE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["platform", "list"])
    assert result.exit_code != 0
    assert "microbridge db upgrade" in result.output
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    assert CliRunner().invoke(main, ["platform", "list"]).exit_code == 0


def test_a_platform_with_courses_is_not_removed(run, db) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from grading.people.models import Course

    run(
        "platform", "add", "--issuer", "https://m.example", "--client-id", "kept",
        "--auth-url", "https://m.example/auth", "--token-url", "https://m.example/token",
        "--jwks-url", "https://m.example/jwks",
    )
    platform_id = int(run("platform", "list").split()[0])
    db.add(Course(platform_id=platform_id, deployment_id="1", context_id="c1", title="Kept"))
    db.commit()

    refused = CliRunner().invoke(main, ["platform", "remove", str(platform_id)])
    assert refused.exit_code != 0 and "Deactivate it" in refused.output
    assert "https://m.example" in run("platform", "list")
