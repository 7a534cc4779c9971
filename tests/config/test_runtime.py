"""Each app built in a process keeps its own runtime: a second create_app() rewires nothing."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import runtime
from config.settings import Settings
from grading import runtime as grading_runtime
from lti_tool import runtime as tool_runtime
from lti_tool.app import create_app


def test_two_apps_in_one_process_keep_their_own_runtime(
    app: Flask, settings: Settings, tmp_path: Path
) -> None:
    other_settings = settings.with_overrides(
        instance_path=tmp_path / "other", base_url="http://127.0.0.1:5999"
    )
    other = create_app(other_settings)
    try:
        # Each app's pages are built from its own settings, whichever app was created last.
        first_config = app.test_client().get("/lti/canvas.json").get_json()
        other_config = other.test_client().get("/lti/canvas.json").get_json()
        assert first_config["oidc_initiation_url"] == settings.base_url + "/lti/login"
        assert other_config["oidc_initiation_url"] == "http://127.0.0.1:5999/lti/login"

        with app.test_request_context():
            first = tool_runtime.current()
        with other.test_request_context():
            second = tool_runtime.current()
        assert first is runtime.of_app(app) and second is runtime.of_app(other)
        assert first.settings.instance_path == settings.instance_path
        assert second.settings.instance_path == tmp_path / "other"
        # No service is shared between the two: not the store, the keys, the ports, the files.
        assert first.store is not second.store
        assert first.platform_keys is not second.platform_keys
        assert first.gradebook is not second.gradebook
        assert first.roster is not second.roster
        assert first.launches is not second.launches
        assert getattr(first.files, "root") == settings.instance_path / "files"
        assert getattr(second.files, "root") == tmp_path / "other" / "files"
    finally:
        runtime.of_app(other).dispose()


def test_outside_a_request_the_bound_runtime_is_used(app: Flask, settings: Settings, tmp_path: Path) -> None:
    other = create_app(settings.with_overrides(instance_path=tmp_path / "other"))
    try:
        # The test fixture bound the first app's runtime, as a worker binds its own.
        assert runtime.current() is runtime.of_app(app)
        with runtime.bound(runtime.of_app(other)):
            assert grading_runtime.current() is runtime.of_app(other)
        assert runtime.current() is runtime.of_app(app)
    finally:
        runtime.of_app(other).dispose()


def test_nothing_bound_and_no_app_is_a_clear_error() -> None:
    import contextvars

    def outside() -> str:
        try:
            runtime.current()
        except RuntimeError as error:
            return str(error)
        return "no error"

    # A fresh context, as a new thread has: no runtime until its entry point binds one.
    assert "No Microbridge runtime" in contextvars.Context().run(outside)
