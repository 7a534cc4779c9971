"""Who is acting on the catalog: an employer member, a curator, an LMS administrator, or the
system. Services record actors in the history; views build them from the session or launch."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ActorKind(enum.StrEnum):
    EMPLOYER = "employer"
    CURATOR = "curator"
    CREDIT_OFFICER = "credit_officer"
    LTI_ADMIN = "lti_admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    """How the history names this actor, e.g. an email address."""
    id: int | None = None
    """EmployerMember.id or CuratorAccount.id or the LMS person id."""
    employer_id: int | None = None
    institution_id: int | None = None

    @classmethod
    def system(cls, label: str = "Microbridge") -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=label)

    @property
    def is_curator(self) -> bool:
        return self.kind in {ActorKind.CURATOR, ActorKind.LTI_ADMIN}
