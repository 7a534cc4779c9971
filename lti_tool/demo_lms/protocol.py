"""HTTP endpoints of the protocol legs: JWKS, OIDC auth, token, deep link return, DR."""

from __future__ import annotations

from html import escape

from flask import Flask, Response, jsonify, request

from . import deep_linking, registration, tokens
from .model import DeepLinkOutcome
from .oidc import auth_response
from .platform import Platform, current_platform
from .services import json_body


def register(app: Flask, platform: Platform) -> None:
    """Add the protocol routes for the platform's flavour."""
    rule = platform.endpoints.rule
    app.add_url_rule(rule("jwks"), "jwks", jwks_view)
    app.add_url_rule(rule("auth"), "auth", auth_view, methods=["GET", "POST"])
    app.add_url_rule(rule("oauth2"), "token", token_view, methods=["POST"])
    app.add_url_rule(rule("deep_link_return"), "deep_link_return", deep_link_view, methods=["POST"])
    app.add_url_rule(rule("openid_configuration"), "openid_configuration", openid_config_view)
    app.add_url_rule(rule("registration"), "registration", registration_view, methods=["POST"])


def jwks_view() -> Response:
    """The platform's public keys."""
    platform = current_platform()
    with platform.lock:
        return jsonify(platform.keys.jwks())


def auth_view() -> Response:
    """OIDC authentication request -> auto-submitting form POST of the id_token."""
    platform = current_platform()
    answer = auth_response(platform, request.values.to_dict())
    return Response(answer.html(), content_type="text/html; charset=utf-8")


def token_view() -> Response:
    """client_credentials grant with a JWT client assertion."""
    body = tokens.token_endpoint(current_platform(), request.form.to_dict())
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def deep_link_view(cid: str | None = None) -> Response:
    """The deep_link_return_url: form field JWT."""
    platform = current_platform()
    ref = request.args.get("data") if platform.is_canvas else request.args.get("sesskey")
    outcome = deep_linking.handle_response(platform, ref, request.form.get("JWT"))
    return Response(_outcome_page(platform, outcome), content_type="text/html; charset=utf-8")


def _outcome_page(platform: Platform, outcome: DeepLinkOutcome) -> str:
    titles = [platform.state.links[link_id].title for link_id in outcome.resource_link_ids]
    lines = [f"<li>{escape(title)}</li>" for title in titles]
    notes = [f"<p>{escape(name)}: {escape(text)}</p>" for name, text in outcome.messages.items()]
    summary = "Added:" if titles else "Nothing was added."
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Content added</title>'
        f"</head><body><main><h1>{summary}</h1><ul>{''.join(lines)}</ul>{''.join(notes)}"
        f'<p><a href="{escape(platform.base_url)}/" target="_top">Back to the course</a></p>'
        "<script>if (window.top !== window) { window.top.postMessage("
        '{subject: "demo_lms.deep_linking_done"}, location.origin); }</script>'
        "</main></body></html>"
    )


def openid_config_view() -> Response:
    """Dynamic Registration: the platform configuration."""
    platform = current_platform()
    document = registration.openid_configuration(platform, request.headers.get("Authorization"))
    return jsonify(document)


def registration_view() -> Response:
    """Dynamic Registration: the client registration request."""
    platform = current_platform()
    body = registration.register(platform, request.headers.get("Authorization"), json_body())
    return jsonify(body)
