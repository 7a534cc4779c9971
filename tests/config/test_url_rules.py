"""Rules that share Werkzeug's parse and generated URL builders build and match exactly what
Werkzeug's own rules do, for every route of the app, with and without extra query arguments,
and a second app in the same process (whose rules reuse the first one's work) agrees too."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import Map, Rule

from config.settings import Settings
from config.url_rules import SharedBuilderRule
from lti_tool.app import create_app

SAMPLES: dict[str, Any] = {"int": 7, "default": "a b/c", "string": "a b/c", "path": "x/y z",
                           "uuid": "0b6f9cf4-2f7b-4e3e-9d55-2f0b1a8e2c11"}


def _values(rule: Rule) -> dict[str, Any]:
    converters = rule._converters  # what each placeholder takes
    values: dict[str, Any] = {}
    for name in rule.arguments:
        kind = next((k for k, cls in rule.map.converters.items()
                     if type(converters.get(name)) is cls), "default")
        values[name] = SAMPLES.get(kind, "v1")
    return values


def _built(url_map: Map, endpoint: str, values: dict[str, Any]) -> list[str]:
    adapter = url_map.bind("tool.example", "/")
    return [adapter.build(endpoint, values), adapter.build(endpoint, {**values, "lt": "tok en"}),
            adapter.build(endpoint, values, force_external=True)]


def _matched(url_map: Map, path: str, method: str) -> tuple[str, dict[str, Any]]:
    endpoint, values = url_map.bind("tool.example", "/").match(path.split("?")[0], method=method)
    return str(endpoint), values


def test_shared_builders_build_what_werkzeug_builds(settings: Settings, app: Flask) -> None:
    assert isinstance(next(iter(app.url_map.iter_rules("placements.show"))), SharedBuilderRule)
    plain = Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods, defaults=r.defaults)
                 for r in app.url_map.iter_rules()], converters=app.url_map.converters)
    second = create_app(settings)
    checked = 0
    for rule in app.url_map.iter_rules():
        values = _values(rule)
        expected = _built(plain, rule.endpoint, values)
        assert _built(app.url_map, rule.endpoint, values) == expected, rule.rule
        assert _built(second.url_map, rule.endpoint, values) == expected, rule.rule
        # Matched back: the plain path of simple values (a space or a slash is a test of the
        # converters, not of the shared parse).
        simple = {k: v if isinstance(v, int) or "-" in str(v) else "v1" for k, v in values.items()}
        path = plain.bind("tool.example", "/").build(rule.endpoint, simple)
        method = next(iter(sorted((rule.methods or {"GET"}) - {"HEAD", "OPTIONS"})), "GET")
        matched = _matched(plain, path, method)
        assert _matched(app.url_map, path, method) == matched, path
        assert _matched(second.url_map, path, method) == matched, path
        checked += 1
    assert checked > 150
