"""Who is acting inside the LMS: the identity a validated LTI launch vouches for.

On the ground floor of config so that both the launch session (which signs it into a token)
and the web plumbing (which reads it back) can name it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Roles:
    """The roles Microbridge acts on, whichever LTI URI the platform used."""

    INSTRUCTOR = "Instructor"
    TEACHING_ASSISTANT = "TeachingAssistant"
    LEARNER = "Learner"
    ADMINISTRATOR = "Administrator"


@dataclass(frozen=True)
class LaunchIdentity:
    """Who is acting inside the LMS, from a validated LTI launch."""

    session_id: str
    person_id: int
    platform_id: int
    deployment_id: str
    course_id: int | None
    institution_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    launch_id: str = ""
    message_type: str = ""
    # The IANA zone the LMS gave for this person ($Person.address.timezone); "" when none.
    timezone: str = ""

    @property
    def is_instructor(self) -> bool:
        return bool(self.roles & {Roles.INSTRUCTOR, Roles.TEACHING_ASSISTANT, Roles.ADMINISTRATOR})

    @property
    def is_learner(self) -> bool:
        return Roles.LEARNER in self.roles and not self.is_instructor

    @property
    def is_admin(self) -> bool:
        return Roles.ADMINISTRATOR in self.roles
