"""Compiled templates shared by every app a test worker builds."""

from __future__ import annotations

from jinja2.bccache import Bucket, BytecodeCache


class SharedTemplates(BytecodeCache):
    """Compiled templates kept for every app this worker builds: a test builds a fresh app, and
    compiling its templates again (Jinja's parser and Python's compile) was a sixth of the
    suite's CPU. Jinja keys each entry by the template's name and a checksum of its source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.compiled.get(bucket.key)
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


SHARED_TEMPLATES = SharedTemplates()
