from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config.settings import Settings
from tests.choices.harness import TODAY, ChoiceSchool, choice_course

SIX_WEEKS = {"starts": TODAY, "ends": TODAY + timedelta(days=41)}
PROJECTS = [
    # 5 h/week, 4 h/week and 10 h/week over their windows.
    {"title": "Sales dashboard", "skills": ("Excel", "Dashboards", "SQL"), "hours": 30, "capacity": 2,
     "discipline": "data", **SIX_WEEKS},
    {"title": "Brand survey", "skills": ("Survey design", "Market research"), "hours": 24, "capacity": 1,
     **SIX_WEEKS},
    {"title": "Grant proposal", "skills": ("Grant writing",), "hours": 60, "capacity": 5,
     "discipline": "communications", **SIX_WEEKS},
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(tasks_eager=True)


@pytest.fixture
def chooser(app: Flask, db: Session, settings: Settings) -> Iterator[ChoiceSchool]:
    with choice_course(db, settings, PROJECTS) as built:
        yield built
