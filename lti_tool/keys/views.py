"""The tool's public key set, fetched by platforms to verify what the tool signs."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from config.web import db
from lti_tool.keys import service

bp = Blueprint("keys", __name__)


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify({"keys": service.published_keys(db())})
    # Short: a rotated-in key must reach platforms quickly.
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
