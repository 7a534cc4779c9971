"""M5: the email outbox (which holds working sign-in links) is a page only in the demo and in
tests, and ``microbridge serve`` refuses to start without a mail server unless told it is a
demo."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask import Flask

from config.settings import Settings
from lti_tool.app import create_app
from lti_tool.cli import main


def _page_status(settings: Settings) -> int:
    app = create_app(settings)
    try:
        return app.test_client().get("/outbox").status_code
    finally:
        app.extensions["microbridge"].dispose()


def test_a_production_tool_without_smtp_or_redis_has_no_outbox_page(settings: Settings) -> None:
    production = settings.with_overrides(testing=False, redis_url="", smtp_url="")
    assert _page_status(production) == 404


def test_the_demo_has_its_outbox_page(settings: Settings) -> None:
    demo = settings.with_overrides(testing=False, redis_url="", smtp_url="", demo=True)
    assert _page_status(demo) == 200


@pytest.fixture
def serve(app: Flask, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Run ``microbridge serve`` up to the point where it would hand over to uWSGI."""
    for name in ("SMTP_URL", "REDIS_URL"):
        monkeypatch.delenv(f"MICROBRIDGE_{name}", raising=False)
    # `serve --demo` sets MICROBRIDGE_DEMO in this process for uWSGI: setenv records it for
    # restoring (delenv of an absent name records nothing) and keeps it off the next test.
    monkeypatch.setenv("MICROBRIDGE_DEMO", "false")
    monkeypatch.setenv("MICROBRIDGE_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("MICROBRIDGE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MICROBRIDGE_SECRET_KEY", settings.secret_key)
    started: list[list[str]] = []
    monkeypatch.setattr("os.execvp", lambda file, args: started.append(list(args)))
    return started


def test_serve_refuses_to_start_without_smtp(serve: list[list[str]]) -> None:
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code != 0 and serve == []
    assert "MICROBRIDGE_SMTP_URL" in result.output and "microbridge demo" in result.output


def test_serve_starts_with_smtp_or_when_told_it_is_a_demo(
    serve: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROBRIDGE_SMTP_URL", "smtp://mail.example.org:587")
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    monkeypatch.delenv("MICROBRIDGE_SMTP_URL")
    result = CliRunner().invoke(main, ["serve", "--demo"])
    assert result.exit_code == 0, result.output
    assert len(serve) == 2
