"""URL rules whose builders are made once per process, not once per app.

Werkzeug turns every rule into two small generated functions (an AST compiled with
``compile()``); with some 160 routes that is most of the cost of building the app, paid again
by every app a process builds (the test suite builds one per test). The generated function
depends only on the rule's shape, never on the rule object: it reaches converters through the
rule it is bound to. So a function made for one rule serves every rule of the same shape.

Relies on ``Rule._compile_builder`` (Werkzeug 3.1, pinned in pyproject.toml); a test compares
the URLs built with and without this class over every route."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

from werkzeug.routing import Rule


class SharedBuilderRule(Rule):
    _builders: ClassVar[dict[Hashable, Callable[..., tuple[str, str]]]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

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
    if callable(getattr(Rule, "_compile_builder", None)):
        app.url_rule_class = SharedBuilderRule
