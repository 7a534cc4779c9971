from __future__ import annotations

from pathlib import Path

import pytest

from config.migrate import DatabaseNotMigrated
from config.settings import SettingError, load_settings
from lti_tool.app import create_app


def test_the_app_refuses_an_unmigrated_database_with_a_clear_message(tmp_path: Path) -> None:
    settings = load_settings(environ={"MICROBRIDGE_INSTANCE_PATH": str(tmp_path)})
    with pytest.raises(DatabaseNotMigrated, match="microbridge db upgrade"):
        create_app(settings)


def test_embedded_default_keeps_its_data_and_secret_under_the_instance_folder(tmp_path: Path) -> None:
    first = load_settings(environ={"MICROBRIDGE_INSTANCE_PATH": str(tmp_path)})
    again = load_settings(environ={"MICROBRIDGE_INSTANCE_PATH": str(tmp_path)})
    assert first.database_url == f"sqlite:///{tmp_path / 'microbridge.sqlite3'}"
    assert first.secret_key == again.secret_key and len(first.secret_key) > 40
    assert first.is_embedded and first.run_tasks_in_process
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_services_are_chosen_by_environment(tmp_path: Path) -> None:
    settings = load_settings(environ={
        "MICROBRIDGE_INSTANCE_PATH": str(tmp_path),
        "MICROBRIDGE_DATABASE_URL": "postgresql+psycopg://u@db/x",
        "MICROBRIDGE_REDIS_URL": "redis://r:6379/0",
        "MICROBRIDGE_BASE_URL": "https://tool.example/",
    })
    assert not settings.is_embedded and settings.base_url == "https://tool.example"


def test_a_bad_setting_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingError, match="MICROBRIDGE_KEY_GRACE_HOURS"):
        load_settings(environ={"MICROBRIDGE_INSTANCE_PATH": str(tmp_path),
                               "MICROBRIDGE_KEY_GRACE_HOURS": "soon"})
