"""The WSGI entry point for gunicorn: ``gunicorn microbridge.lti_tool.wsgi:app``."""

from __future__ import annotations

from microbridge.lti_tool.app import create_app

app = create_app()
