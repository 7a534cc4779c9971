"""Every blueprint the app serves, in one list: parts add theirs here."""

from __future__ import annotations

from flask import Blueprint


def all_blueprints() -> list[Blueprint]:
    from microbridge.grading.courses.views import bp as courses_bp
    from microbridge.lti_tool.deep_linking.views import bp as deep_linking_bp
    from microbridge.lti_tool.keys.views import bp as keys_bp
    from microbridge.lti_tool.launch.views import bp as launch_bp
    from microbridge.lti_tool.registration.views import bp as registration_bp
    from microbridge.lti_tool.registry.views import bp as platform_admin_bp
    from microbridge.lti_tool.web_home import bp as home_bp

    return [
        home_bp, keys_bp, launch_bp, registration_bp, platform_admin_bp, deep_linking_bp, courses_bp,
    ]
