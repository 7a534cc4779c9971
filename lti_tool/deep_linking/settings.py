"""The deep linking settings claim of an LtiDeepLinkingRequest, read once and checked.

https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-settings. What the platform accepts
decides what the picker offers: ``accept_types`` must include ``ltiResourceLink``,
``accept_multiple`` allows choosing several projects, and ``accept_lineitem`` false means the
link gets no gradebook column from the response (Microbridge creates one through AGS at the
first launch instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lti_tool.launch import claims
from lti_tool.launch.errors import LaunchRejected

RESOURCE_LINK = "ltiResourceLink"


def _flag(value: Any, default: bool) -> bool:
    """Booleans that some platforms send as strings ("true"/"false")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


@dataclass(frozen=True)
class DeepLinkSettings:
    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    accept_lineitem: bool
    targets: tuple[str, ...]
    data: Any = None
    raw: dict[str, Any] | None = None

    @property
    def accepts_resource_links(self) -> bool:
        return RESOURCE_LINK in self.accept_types

    @property
    def document_target(self) -> str:
        """Where the activity opens: in the LMS's frame when allowed, else a new window."""
        for target in ("iframe", "window"):
            if target in self.targets:
                return target
        return "iframe"


def read(body: dict[str, Any]) -> DeepLinkSettings:
    """The settings of a deep linking launch; refused when the claim is missing or unusable."""
    raw = body.get(claims.DEEP_LINKING_SETTINGS)
    if not isinstance(raw, dict) or not isinstance(raw.get("deep_link_return_url"), str) or not raw[
        "deep_link_return_url"
    ].startswith(("https://", "http://")):
        raise LaunchRejected(
            "deep_linking_settings_missing",
            "The LMS asked Microbridge to add content but did not say where to send it back "
            "(the deep linking settings are missing).",
            hint="Open the “Add activity” dialog again. If this keeps happening, ask your LMS "
            "administrator to check Microbridge's registration.",
        )
    types = raw.get("accept_types")
    targets = raw.get("accept_presentation_document_targets")
    return DeepLinkSettings(
        return_url=raw["deep_link_return_url"],
        accept_types=tuple(str(t) for t in types) if isinstance(types, list) else (RESOURCE_LINK,),
        accept_multiple=_flag(raw.get("accept_multiple"), False),
        # Absent means "no promise either way": send the line item, it does no harm.
        accept_lineitem=_flag(raw.get("accept_lineitem"), True),
        targets=tuple(str(t) for t in targets) if isinstance(targets, list) else (),
        data=raw.get("data"),
        raw=dict(raw),
    )
