"""H2: a platform never joins an existing institution by its own claim.

A registration link that names no institution gives the new platform a new institution of its
own, whatever the LMS calls itself (Canvas's account_name) or wherever it is hosted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution
from catalog.institutions.service import get_or_create
from lti_tool.demo_lms.platform import Platform
from lti_tool.registration import service
from lti_tool.registry.models import Platform as PlatformRow
from tests.support.lms import install_tool, running_platform


@pytest.fixture(params=["canvas", "moodle"])
def rogue(request: pytest.FixtureRequest) -> Iterator[Platform]:
    # The rogue LMS calls itself by the name of the institution it wants to join.
    with running_platform(str(request.param), name="Demo University") as platform:
        yield platform


def _register(client: FlaskClient, lms: Platform, link: str) -> int:
    parts = urlsplit(lms.registration_start(link))
    start = client.get(f"{parts.path}?{parts.query}")
    assert start.status_code == 200, start.get_data(as_text=True)[:500]
    page = start.get_data(as_text=True)
    fields = {k: unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    return client.post("/lti/register", data=fields).status_code


def test_a_link_without_an_institution_never_joins_an_existing_one(
    client: FlaskClient, db: Session, rogue: Platform
) -> None:
    with running_platform("canvas", issuer="https://canvas.real.example") as real:
        existing = install_tool(db, real, institution="Demo University")
    demo = db.scalar(select(Institution).where(Institution.name == "Demo University"))
    assert demo is not None
    # The institution's host name is claimed too (Moodle has no account name).
    get_or_create(db, name=urlsplit(rogue.base_url).netloc)
    db.commit()
    before = set(db.scalars(select(Institution.id)))
    link = service.create_link(db, base_url="http://127.0.0.1:5000", valid_for=timedelta(hours=1))
    db.commit()

    assert _register(client, rogue, link) == 200

    db.expire_all()
    registered = db.scalar(select(PlatformRow).where(PlatformRow.id != existing.row_id))
    assert registered is not None and registered.institution_id not in before
    members = db.scalars(select(PlatformRow.id).where(PlatformRow.institution_id == demo.id)).all()
    assert members == [existing.row_id]


def test_a_link_naming_an_institution_joins_it(client: FlaskClient, db: Session, rogue: Platform) -> None:
    link = service.create_link(db, base_url="http://127.0.0.1:5000", valid_for=timedelta(hours=1),
                               institution_name="Chosen By The Operator")
    db.commit()
    assert _register(client, rogue, link) == 200
    chosen = db.scalar(select(Institution).where(Institution.name == "Chosen By The Operator"))
    registered = db.scalar(select(PlatformRow))
    assert chosen is not None and registered is not None
    assert registered.institution_id == chosen.id
