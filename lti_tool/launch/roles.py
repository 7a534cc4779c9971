"""Map LTI role URIs (long and short forms, context and institution) to Microbridge roles.

Context roles decide what a person may do in a course. Of the institution and system roles
only Administrator counts: a faculty member is not an instructor of every course. The same
vocabulary comes from NRPS, where grading wants the course roles by their short names.

Institution-wide administration (curation, platform administration) comes only from the
institution and system Administrator roles. The context role Administrator (long or short
form) administers one course: it is course staff, mapped to Instructor, and never an
administrator of the institution.
"""

from __future__ import annotations

from collections.abc import Iterable

from config.web import Roles

_MEMBERSHIP_ROOT = "http://purl.imsglobal.org/vocab/lis/v2/membership"
_MEMBERSHIP = _MEMBERSHIP_ROOT + "#"
_TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
_ADMIN_URIS = {
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin",
}

_CONTEXT_ROLES = {
    "Instructor": Roles.INSTRUCTOR,
    "Learner": Roles.LEARNER,
    "Administrator": Roles.INSTRUCTOR,
    "TeachingAssistant": Roles.TEACHING_ASSISTANT,
}


def map_roles(role_uris: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    for raw in role_uris:
        role = raw.strip()
        if role in _ADMIN_URIS:
            found.add(Roles.ADMINISTRATOR)
        elif role == _TA or (role.startswith(_MEMBERSHIP_ROOT) and role.endswith("#TeachingAssistant")):
            found.add(Roles.TEACHING_ASSISTANT)
        elif role.startswith(_MEMBERSHIP):
            mapped = _CONTEXT_ROLES.get(role.removeprefix(_MEMBERSHIP))
            if mapped:
                found.add(mapped)
        elif role in _CONTEXT_ROLES:
            # Short (simple-name) context roles, deprecated in LTI 1.3 but still sent.
            found.add(_CONTEXT_ROLES[role])
    return frozenset(found)


def context_role_names(role_uris: Iterable[str]) -> tuple[str, ...]:
    """``Learner``, ``Instructor``, ``TeachingAssistant``... from context role URIs or short names.

    Sub-roles count as the sub-role (``membership/Instructor#TeachingAssistant`` is a
    TeachingAssistant); institution and system roles say nothing about this course.
    """
    found: list[str] = []
    for raw in role_uris:
        role = raw.strip()
        if role.startswith(_MEMBERSHIP_ROOT):
            short = role.rsplit("#", 1)[-1]
        elif "#" in role or "/" in role:
            continue
        else:
            short = role
        if short and short not in found:
            found.append(short)
    return tuple(found)
