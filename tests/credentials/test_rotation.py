"""The issuer key rotates like the tool key: the new key signs, credentials the old one signed
still verify while it stays published, and not after."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from catalog.credit_office.models import Approver
from config import runtime
from config.database import utcnow
from grading.credentials import keys, service
from grading.credentials.models import IssuerKey
from tests.work.harness import School

from .test_issue import approved, only_credential


def test_a_rotated_key_keeps_old_credentials_valid_until_it_is_unpublished(
        canvas_course: School) -> None:
    approved(canvas_course, approver=Approver.INSTRUCTOR)
    credential = only_credential(canvas_course)
    base = runtime.current().settings.base_url
    old = keys.current(canvas_course.db)
    assert old is not None
    new = keys.rotate(canvas_course.db, grace_days=365)
    canvas_course.db.commit()
    assert new.kid != old.kid
    assert {k["kid"] for k in keys.published(canvas_course.db)} == {old.kid, new.kid}
    assert service.verify(canvas_course.db, credential.jwt, base_url=base).valid

    retired = canvas_course.db.scalars(select(IssuerKey).where(IssuerKey.kid == old.kid)).one()
    retired.publish_until = utcnow() - timedelta(seconds=1)
    canvas_course.db.commit()
    verdict = service.verify(canvas_course.db, credential.jwt, base_url=base)
    assert not verdict.valid and "not signed by a key this issuer publishes" in verdict.problems[0]
