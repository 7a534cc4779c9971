"""Canvas's developer-key configuration for a manual LTI 1.3 install ("Enter URL")."""

from __future__ import annotations

from typing import Any

from lti_tool.registration import service

SELECTION_PLACEMENTS = ("link_selection", "assignment_selection")


def developer_key_config(base_url: str) -> dict[str, Any]:
    """The JSON Canvas reads from the tool: where to log in and launch, keys, placements."""
    launch = base_url + "/lti/launch"
    return {
        "title": "Microbridge",
        "description": "Employer micro-internship projects, reviewed by employers, graded in Canvas.",
        "oidc_initiation_url": base_url + "/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": base_url + "/.well-known/jwks.json",
        "scopes": list(service.SCOPES),
        "custom_fields": {
            **service.CUSTOM_PARAMETERS,
            "canvas_due_at": "$Canvas.assignment.dueAt.iso8601",
        },
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": base_url.split("://", 1)[-1],
                "tool_id": "microbridge",
                "privacy_level": "public",
                "settings": {
                    "text": "Microbridge",
                    "selection_height": 800,
                    "selection_width": 1000,
                    "placements": _placements(launch),
                },
            }
        ],
    }


def _placements(launch: str) -> list[dict[str, str]]:
    """Deep linking where an instructor adds content; the course home in course navigation."""
    selection = [
        {"placement": p, "message_type": "LtiDeepLinkingRequest", "target_link_uri": launch}
        for p in SELECTION_PLACEMENTS
    ]
    navigation = {
        "placement": "course_navigation",
        "message_type": "LtiResourceLinkRequest",
        "target_link_uri": launch,
        "default": "enabled",
        "text": "Microbridge",
    }
    return [*selection, navigation]
