"""grading's view of the runtime: the ground floor's resources plus the ports to the LMS.

The composition root (lti_tool) builds one such runtime with the LTI implementations of the
ports; grading reaches them here, or better, is handed them as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import runtime
from config.runtime import Runtime
from grading.ports import Gradebook, LaunchReader, Roster
from grading.submissions.storage import FileStore


@dataclass
class GradingRuntime(Runtime):
    gradebook: Gradebook
    roster: Roster
    launches: LaunchReader
    files: FileStore


def current() -> GradingRuntime:
    rt = runtime.current()
    if not isinstance(rt, GradingRuntime):
        raise RuntimeError("This runtime has no LMS ports: build it with the composition root")
    return rt
