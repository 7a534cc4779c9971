"""The openid-configuration document of Dynamic Registration 1.0 (section 3.4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import substitution
from .vocab import ALL_SCOPES, MSG_DEEP_LINKING, MSG_RESOURCE_LINK, PLATFORM_CONFIG

if TYPE_CHECKING:
    from .platform import Platform

CANVAS_PLACEMENTS = {
    MSG_RESOURCE_LINK: [
        "course_navigation",
        "account_navigation",
        "assignment_view",
        "link_selection",
        "assignment_selection",
    ],
    MSG_DEEP_LINKING: [
        "link_selection",
        "assignment_selection",
        "editor_button",
        "homework_submission",
        "course_assignments_menu",
        "module_index_menu_modal",
        "module_menu_modal",
    ],
}


def document(platform: Platform) -> dict[str, Any]:
    """The platform's OpenID configuration with the LTI platform configuration."""
    doc: dict[str, Any] = {
        "issuer": platform.issuer,
        "authorization_endpoint": platform.auth_url,
        "registration_endpoint": platform.registration_url,
        "jwks_uri": platform.jwks_url,
        "token_endpoint": platform.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", *ALL_SCOPES],
        "response_types_supported": ["id_token"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public", "pairwise"],
        "claims_supported": [
            "iss",
            "sub",
            "aud",
            "iat",
            "exp",
            "nonce",
            "name",
            "given_name",
            "family_name",
            "email",
            "locale",
        ],
        PLATFORM_CONFIG: _platform_configuration(platform),
    }
    if platform.is_canvas:
        doc["authorization_server"] = urlsplit(platform.issuer).netloc
    return doc


def _platform_configuration(platform: Platform) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for message_type in (MSG_RESOURCE_LINK, MSG_DEEP_LINKING):
        message: dict[str, Any] = {"type": message_type}
        if platform.is_canvas:
            message["placements"] = CANVAS_PLACEMENTS[message_type]
        messages.append(message)
    config: dict[str, Any] = {
        "product_family_code": platform.flavour,
        "version": "cloud" if platform.is_canvas else "4.5",
        "messages_supported": messages,
        "variables": sorted(substitution.variables(platform.flavour)),
    }
    if platform.is_canvas:
        config["https://canvas.instructure.com/lti/account_name"] = platform.name
        config["https://canvas.instructure.com/lti/account_lti_guid"] = platform.guid
    return config
