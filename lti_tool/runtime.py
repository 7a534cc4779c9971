"""The composition root's runtime: every service a web process, worker or command uses.

Built once per app (``create_app``), per worker process (``lti_tool.worker``) and per
command (the CLI), and handed on from there: two apps in one process each keep their own.
grading sees it as a ``GradingRuntime`` (its ports, filled here with AGS, NRPS and the
stored launches); config as a plain ``Runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass

from config import egress, runtime
from config.database import transaction
from config.runtime import build_runtime
from config.settings import Settings
from grading.runtime import GradingRuntime
from grading.submissions.storage import LocalFolderStore
from lti_tool.keys.service import ensure_signing_key
from lti_tool.launch.platform_keys import PlatformKeys
from lti_tool.launch.reader import StoredLaunches
from lti_tool.services.ags_scores import AgsScores
from lti_tool.services.nrps import NrpsRoster


@dataclass
class ToolRuntime(GradingRuntime):
    platform_keys: PlatformKeys


def build_tool_runtime(settings: Settings) -> ToolRuntime:
    """Every service, wired; nothing is read from or written to the database yet."""
    base = build_runtime(settings)
    return ToolRuntime(
        **vars(base),
        gradebook=AgsScores(base.session_factory, base.store, http=egress.http_session(settings)),
        roster=NrpsRoster(base.session_factory, base.store, http=egress.http_session(settings)),
        launches=StoredLaunches(base.store),
        files=LocalFolderStore(settings.instance_path / "files"),
        platform_keys=PlatformKeys(
            base.store, cache_seconds=settings.platform_jwks_cache_seconds,
            http=egress.http_session(settings),
        ),
    )


def prepare(rt: ToolRuntime) -> None:
    """Start-up work on a migrated database: the tool's signing key exists before anything
    signs (a key made inside a request that later rolls back would leave platforms a kid
    they cannot find)."""
    with transaction(rt.session_factory) as session:
        ensure_signing_key(session)


def current() -> ToolRuntime:
    rt = runtime.current()
    if not isinstance(rt, ToolRuntime):
        raise RuntimeError("This runtime was not built by lti_tool.runtime.build_tool_runtime")
    return rt
