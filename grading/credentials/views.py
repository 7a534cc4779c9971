"""The student's "My credentials" page inside the LMS: each credential to download (the
signed JWT, its JSON, a baked SVG badge) and a share link the student turns on or off."""

from __future__ import annotations

import json

from flask import Blueprint, Response, redirect, render_template, request
from sqlalchemy import select
from werkzeug.wrappers.response import Response as BaseResponse

from config import runtime
from config.web import NotFound, Principal, db, protect, require_launch, url
from grading.credentials import service
from grading.credentials.baking import baked_svg
from grading.credentials.models import Credential

bp = protect(Blueprint("credentials", __name__), by=Principal.LAUNCH)


def _own(credential_uuid: str) -> Credential:
    """The acting student's own credential; anyone else's looks missing."""
    identity = require_launch()
    found = db().scalar(select(Credential).where(Credential.uuid == credential_uuid[:36]))
    if found is None or found.person_id != identity.person_id:
        raise NotFound("You have no credential at this address.", title="Not found")
    return found


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.cache_control.no_store = True
    return response


@bp.get("/work/credentials")
def mine() -> str:
    identity = require_launch()
    rows = service.of_student(db(), person_id=identity.person_id)
    return render_template("grading/credentials/mine.html.jinja2",
                           items=[(row, service.payload(row)) for row in rows],
                           saved=request.args.get("saved", ""))


@bp.get("/work/credentials/<credential_uuid>/credential.jwt")
def download_jwt(credential_uuid: str) -> Response:
    found = _own(credential_uuid)
    return _download(found.jwt, "application/vc+jwt", f"credential-{found.uuid}.jwt")


@bp.get("/work/credentials/<credential_uuid>/credential.json")
def download_json(credential_uuid: str) -> Response:
    found = _own(credential_uuid)
    return _download(json.dumps(service.payload(found), indent=2), "application/json",
                     f"credential-{found.uuid}.json")


@bp.get("/work/credentials/<credential_uuid>/badge.svg")
def download_svg(credential_uuid: str) -> Response:
    found = _own(credential_uuid)
    vc = service.payload(found)
    return _download(baked_svg(jwt=found.jwt, title=vc["name"], issuer_name=vc["issuer"]["name"]),
                     "image/svg+xml", f"badge-{found.uuid}.svg")


@bp.post("/work/credentials/<credential_uuid>/sharing")
def sharing(credential_uuid: str) -> BaseResponse:
    found = _own(credential_uuid)
    service.set_sharing(db(), found, shared=request.form.get("share") == "on")
    db().commit()
    # The confirmation rides in the address, not a flashed message: inside the LMS frame the
    # browser may keep no cookie for Microbridge.
    return redirect(url("credentials.mine", saved="shared" if found.share_token else "unshared"),
                    code=303)


@bp.post("/work/credentials/<credential_uuid>/name")
def name(credential_uuid: str) -> BaseResponse:
    found = _own(credential_uuid)
    service.show_name(db(), found, show=request.form.get("show") == "on",
                      base_url=runtime.current().settings.base_url)
    db().commit()
    return redirect(url("credentials.mine", saved="named" if found.name_shown else "hashed"),
                    code=303)
