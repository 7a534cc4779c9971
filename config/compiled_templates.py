"""Compiled templates kept once per process, for every app the process builds.

Jinja compiles each template (its parser, then Python's ``compile``) the first time an
environment loads it, and every app has an environment of its own: a process that builds
several apps (the test suite builds one per test, where it was a sixth of the CPU) compiled
every template again. Jinja keys each entry by the template's name and a checksum of its
source, so an edited template is compiled afresh; every app compiles with the same options
(``create_app``), so one compiled form serves them all.
"""

from __future__ import annotations

from typing import Any

from jinja2.bccache import Bucket, BytecodeCache


class ProcessTemplates(BytecodeCache):
    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = ProcessTemplates()


def shared_templates(app: Any) -> None:
    """``app`` loads compiled templates from, and adds them to, the process's store (set
    once the environment's options are final)."""
    app.jinja_env.bytecode_cache = _COMPILED
