"""URL rules parsed and given builders once per process, not once per app.

Werkzeug parses every rule into regex parts and turns it into two small generated functions
(an AST compiled with ``compile()``); with some 160 routes that is most of the cost of building
the app, paid again by every app a process builds (the test suite builds one per test). Both
depend only on the rule's text and the map's converter classes: the parts hold no converter,
and a generated function reaches converters through the rule it is bound to. So one parse and
one function serve every rule of the same shape; each rule still gets its own converters.

Relies on ``Rule.compile``, ``_parse_rule`` and ``_compile_builder`` (Werkzeug 3.1, pinned in
pyproject.toml); a test compares the URLs built and matched with and without this class over
every route."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from werkzeug.routing import BaseConverter, Rule


@dataclass(frozen=True)
class _Parsed:
    parts: tuple[Any, ...]
    trace: tuple[tuple[bool, str], ...]
    converters: tuple[tuple[str, str, tuple[Any, ...], tuple[tuple[str, Any], ...]], ...]


class SharedBuilderRule(Rule):
    _builders: ClassVar[dict[Hashable, Callable[..., tuple[str, str]]]] = {}
    _parsed: ClassVar[dict[Hashable, _Parsed]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    _asked: list[tuple[str, str, tuple[Any, ...], tuple[tuple[str, Any], ...]]] | None = None

    def get_converter(self, variable_name: str, converter_name: str, args: tuple[Any, ...],
                      kwargs: Mapping[str, Any]) -> BaseConverter:
        if self._asked is not None:  # parsing for the first time: remember what it asked for
            self._asked.append((variable_name, converter_name, args, tuple(kwargs.items())))
        return super().get_converter(variable_name, converter_name, args, kwargs)

    def _parse_key(self) -> Hashable:
        assert self.map is not None
        domain = (self.host if self.map.host_matching else self.subdomain) or ""
        return (self.rule, domain, self.map.host_matching, self.merge_slashes,
                tuple(sorted(self.map.converters.items())))

    def compile(self) -> None:
        key = self._parse_key()
        found = self._parsed.get(key)
        if found is None:
            self._asked = []
            super().compile()
            with self._lock:
                self._parsed.setdefault(key, _Parsed(tuple(self._parts), tuple(self._trace),
                                                     tuple(self._asked)))
            self._asked = None
            return
        # What Werkzeug's compile leaves behind, from the first parse of this shape.
        self._parts = list(found.parts)
        self._trace = list(found.trace)
        self._converters = {}
        for variable, converter, args, kwargs in found.converters:
            self._converters[variable] = self.get_converter(variable, converter, args,
                                                            dict(kwargs))
            self.arguments.add(variable)
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    def _shape(self, append_unknown: bool) -> Hashable:
        defaults = self.defaults or {}
        return (
            self.rule, append_unknown, tuple(self._trace),
            tuple(sorted((str(k), repr(v)) for k, v in defaults.items())),
            # A default that fills a placeholder is built in as the converter writes it.
            tuple(sorted((name, type(conv).__qualname__,
                          repr({k: v for k, v in vars(conv).items() if k != "map"}))
                         for name, conv in self._converters.items() if name in defaults)),
        )

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        key = self._shape(append_unknown)
        found = self._builders.get(key)
        if found is None:
            found = super()._compile_builder(append_unknown)
            with self._lock:
                self._builders.setdefault(key, found)
        return found


def shared_builders(app: Any) -> None:
    """Rules added to ``app`` from now on share their builders (set before any blueprint).
    A Werkzeug without the hook keeps its own rules."""
    if all(callable(getattr(Rule, name, None)) for name in ("_compile_builder", "_parse_rule")):
        app.url_rule_class = SharedBuilderRule
