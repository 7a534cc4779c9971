"""The person a launch speaks for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from config.web import LaunchIdentity, NotFound
from grading.people.models import Person


def person(session: Session, identity: LaunchIdentity) -> Person:
    found = session.get(Person, identity.person_id)
    if found is None:
        raise NotFound("Your account is no longer known to Microbridge.", title="Not found")
    return found
