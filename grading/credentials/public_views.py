"""What the world reads: the issuer's Profile, its keys, its revocation list, and the
verification page (paste a credential, or open one by its evidence link).

Read-only GETs, no session: nothing to forge. The status list is signed (a VC-JWT with the
issuer key) and cached 30 seconds at most, so a revocation reaches verifiers within a minute."""

from __future__ import annotations

import json
from html import escape

from flask import Blueprint, Response, abort, jsonify, render_template, request
from sqlalchemy import select

from catalog.institutions.models import Institution
from catalog.skills.service import label_of
from config import runtime
from config.ratelimit import limit
from config.web import NotFound, db
from grading.credentials import achievement, keys, service, status
from grading.credentials.jose import key_url
from grading.credentials.models import Credential, IssuerKey

# Unauthenticated: each client address is limited per minute (config/ratelimit.py); the
# pages a person opens answer a page when over it, the rest JSON.
bp = limit(Blueprint("credentials_public", __name__), pages={"verify_page", "verify_known", "shared"})

TOKEN_LIMIT = 20_000


def _base() -> str:
    return runtime.current().settings.base_url


def _institution(issuer_id: int) -> Institution:
    found = db().get(Institution, issuer_id)
    if found is None:
        raise NotFound("There is no such issuer.", title="Issuer not found")
    return found


def _cached(response: Response, seconds: int) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    return response


@bp.get("/credentials/issuers/<int:issuer_id>")
def issuer(issuer_id: int) -> Response:
    institution = _institution(issuer_id)
    profile = achievement.issuer_profile(_base(), institution.id, institution.name)
    profile["@context"] = [achievement.VC_CONTEXT, achievement.OB_CONTEXT]
    response = jsonify(profile)
    response.headers["Link"] = f'<{profile["id"]}/jwks.json>; rel="jwks"'
    return _cached(response, 300)


@bp.get("/credentials/issuers/<int:issuer_id>/image.svg")
def issuer_image(issuer_id: int) -> Response:
    name = _institution(issuer_id).name
    initials = "".join(w[0] for w in name.split()[:3]).upper() or "?"
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" role="img" '
           f'aria-label="{escape(name)}"><rect width="128" height="128" rx="16" fill="#1d3c6e"/>'
           '<text x="64" y="78" font-size="44" text-anchor="middle" fill="#fff" '
           f'font-family="sans-serif">{escape(initials)}</text></svg>')
    return _cached(Response(svg, mimetype="image/svg+xml"), 3600)


@bp.get("/credentials/issuers/<int:issuer_id>/jwks.json")
def issuer_jwks(issuer_id: int) -> Response:
    _institution(issuer_id)
    published = keys.published(db())
    for key in published:
        key["kid"] = key_url(_base(), key["kid"])
    return _cached(jsonify({"keys": published}), 300)


@bp.get("/credentials/issuers/<int:issuer_id>/skills/<slug>")
def skill(issuer_id: int, slug: str) -> Response:
    """What an alignment's targetUrl names: the skill as the catalog calls it."""
    _institution(issuer_id)
    return _cached(jsonify({"name": label_of(slug[:80])}), 3600)


@bp.get("/credentials/keys/<thumbprint>")
def key(thumbprint: str) -> Response:
    """The public JWK a credential's ``kid`` dereferences to (OB 3.0 8.2.4.1)."""
    if thumbprint not in {k["kid"] for k in keys.published(db())}:
        raise NotFound("This key is not published.", title="Key not found")
    row = db().scalar(select(IssuerKey).where(IssuerKey.kid == thumbprint))
    assert row is not None
    public = json.loads(row.public_jwk)
    public["kid"] = key_url(_base(), thumbprint)
    return _cached(jsonify(public), 300)


@bp.get("/credentials/status/<int:issuer_id>")
def status_list(issuer_id: int) -> Response:
    """The revocation list as a signed BitstringStatusListCredential (a VC-JWT)."""
    _institution(issuer_id)
    signed = status.signed_status_list(db(), base_url=_base(), institution_id=issuer_id)
    db().commit()  # an institution's first list may have created the issuer key
    return _cached(Response(signed, mimetype="application/vc+jwt"), status.LIST_TTL)


def _pasted() -> str:
    token = request.args.get("credential", "")
    if len(token) > TOKEN_LIMIT:
        abort(413)
    return token


@bp.get("/credentials/verify")
def verify_page() -> str:
    token = _pasted().strip()
    verdict = service.verify(db(), token, base_url=_base()) if token else None
    return render_template("grading/credentials/verify.html.jinja2", token=token, verdict=verdict)


@bp.get("/credentials/verify.json")
def verify_json() -> Response:
    token = _pasted().strip()
    if not token:
        return Response(json.dumps({"error": "Send the credential (a VC-JWT) as ?credential="}),
                        status=400, mimetype="application/json")
    response = jsonify(service.verify(db(), token, base_url=_base()).as_json())
    response.cache_control.no_store = True
    return response


@bp.get("/credentials/verify/<credential_uuid>")
def verify_known(credential_uuid: str) -> str:
    """The evidence link inside a credential: the issuer's copy, checked now."""
    row = db().scalar(select(Credential).where(Credential.uuid == credential_uuid[:36]))
    if row is None:
        raise NotFound("The issuer has no credential at this address.", title="Not found")
    verdict = service.verify(db(), row.jwt, base_url=_base())
    return render_template("grading/credentials/verify.html.jinja2", token=row.jwt,
                           verdict=verdict)


@bp.get("/credentials/shared/<token>")
def shared(token: str) -> str:
    """The student's share link: it opens only while the student keeps it on."""
    row = db().scalar(select(Credential).where(Credential.share_token == token[:64]))
    if row is None:
        raise NotFound("This share link is off or never existed.", title="Not found")
    verdict = service.verify(db(), row.jwt, base_url=_base())
    return render_template("grading/credentials/verify.html.jinja2", token=row.jwt,
                           verdict=verdict)
