"""Jinja templates (one folder per part) and the static files the browser fetches (static/).

A package only so that the installed distribution carries them as its data."""
