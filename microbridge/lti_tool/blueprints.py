"""Every blueprint the app serves, in one list: parts add theirs here."""

from __future__ import annotations

from flask import Blueprint


def all_blueprints() -> list[Blueprint]:
    from microbridge.lti_tool.web_home import bp as home_bp

    return [home_bp]
