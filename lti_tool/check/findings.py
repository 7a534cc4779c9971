"""A finding of ``microbridge check``: what was checked, how it stands, and the fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(enum.StrEnum):
    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Finding:
    subject: str
    level: Level
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        """The finding as the operator reads it: a status line, then the fix if any."""
        head = f"{self.level.value:<4}  {self.subject:<13} {self.detail}"
        return [head, f"{'':<19} fix: {self.fix}"] if self.fix and self.level is not Level.OK else [head]


def ok(subject: str, detail: str) -> Finding:
    return Finding(subject, Level.OK, detail)


def warn(subject: str, detail: str, fix: str) -> Finding:
    return Finding(subject, Level.WARN, detail, fix)


def fail(subject: str, detail: str, fix: str) -> Finding:
    return Finding(subject, Level.FAIL, detail, fix)
