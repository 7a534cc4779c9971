"""Microbridge's own LTI 1.3 platform emulator (the LMS side), Canvas- or Moodle-flavoured.

Used by the tool's integration tests over real HTTP, and as the demo LMS of `make demo`.
It follows LTI Core 1.3, Deep Linking 2.0, AGS 2.0, NRPS 2.0, Dynamic Registration 1.0 and
the platform storage postMessage specs, with Canvas's and Moodle's documented quirks
(as in the team's LTI-NOTES "Platform quirks table"). It depends on no other part of
Microbridge.

    platform, server = start_platform("canvas")
    tool = platform.register_tool(login_url=..., redirect_uris=[...], jwks_url=...,
                                  target_link_uri=...)
"""

from .app import create_platform_app
from .demo import demo_platform
from .errors import PlatformError
from .keys import CURRENT
from .model import (
    Course,
    DeepLinkOutcome,
    Enrolment,
    LineItem,
    ResourceLink,
    Result,
    ScorePost,
    ToolRegistration,
    User,
)
from .oidc import AuthResponse, LoginInitiation
from .platform import Platform
from .server import RunningServer, serve_in_thread, start_platform

__all__ = [
    "CURRENT",
    "AuthResponse",
    "Course",
    "DeepLinkOutcome",
    "Enrolment",
    "LineItem",
    "LoginInitiation",
    "Platform",
    "PlatformError",
    "ResourceLink",
    "Result",
    "RunningServer",
    "ScorePost",
    "ToolRegistration",
    "User",
    "create_platform_app",
    "demo_platform",
    "serve_in_thread",
    "start_platform",
]
