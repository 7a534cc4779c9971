"""What a validated launch records: the person, the course, and the launch data."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from config import timezones
from config.store import KeyValueStore
from config.web import LaunchIdentity, Roles
from grading.courses import service as courses
from grading.people import service as people
from grading.people.service import CourseSeen, PersonSeen
from lti_tool.deep_linking import settings as deep_linking_settings
from lti_tool.launch import claims
from lti_tool.launch.errors import LaunchRejected
from lti_tool.launch.roles import map_roles

LAUNCH_DATA_TTL = 8 * 3600
NONCE_TTL = 2 * 3600


@dataclass(frozen=True)
class CheckedLaunch:
    """What a validated message says about who launched from where."""

    message_type: str
    roles: frozenset[str]
    deployment_id: str
    context: dict[str, Any]


@dataclass(frozen=True)
class RecordedLaunch:
    identity: LaunchIdentity
    # The placement already at the launch's resource link, read by the course upsert itself
    # (None: no placement there, or no link to look at).
    placement_at_link: int | None
    # The learner's landing from the names the upserts returned (the page needs no query).
    learner_landing: courses.LearnerLanding


def check_launch(body: dict[str, Any]) -> CheckedLaunch:
    """Refuse what Microbridge cannot serve before anything is used up or written."""
    message_type = str(body.get(claims.MESSAGE_TYPE, ""))
    roles = map_roles(_string_list(body.get(claims.ROLES)))
    context = body.get(claims.CONTEXT)
    if not isinstance(context, dict) or not context.get("id"):
        raise LaunchRejected(
            "no_context",
            "Microbridge works inside a course, and this link was opened outside of one.",
            hint="Add Microbridge to a course (as an assignment or module item) and open it "
            "from there.",
        )
    if message_type == claims.DEEP_LINKING_REQUEST and not (
        roles & {Roles.INSTRUCTOR, Roles.TEACHING_ASSISTANT, Roles.ADMINISTRATOR}
    ):
        raise LaunchRejected(
            "deep_linking_not_instructor",
            "Only instructors can add Microbridge projects to a course.",
            hint="If you teach this course, ask your LMS administrator to check your role.",
            status=403,
        )
    if message_type == claims.DEEP_LINKING_REQUEST:
        deep_linking_settings.read(body)  # refuses a request without usable settings (400)
    return CheckedLaunch(message_type, roles, str(body[claims.DEPLOYMENT_ID]), context)


def use_nonce(store: KeyValueStore, *, issuer: str, body: dict[str, Any]) -> str:
    """Use up the nonce and keep the launch data under a new launch id, in one step.

    Whoever gets here second with the same id_token is a replay.
    """
    launch_id = secrets.token_urlsafe(18)
    if not store.add_then_put(
        _nonce_key(issuer, body), NONCE_TTL, _data_key(launch_id), json.dumps(body), LAUNCH_DATA_TTL
    ):
        raise nonce_replayed()
    return launch_id


@dataclass(frozen=True)
class UsedState:
    """What the one store step of a launch did (see ``use_state_and_nonce``)."""

    record: dict[str, Any] | None
    nonce_was_new: bool
    launch_id: str

    def check_nonce_was_new(self) -> None:
        if not self.nonce_was_new:
            raise nonce_replayed()

    def forget(self, store: KeyValueStore) -> None:
        """The launch was refused after all: its data must not wait for a token."""
        if self.nonce_was_new:
            store.delete(_data_key(self.launch_id))


def use_state_and_nonce(store: KeyValueStore, *, state_key: str, body: dict[str, Any]) -> UsedState:
    """Take the login's state, use the token's nonce and keep the launch data: one step.

    Runs before the token is validated (the state holds the nonce to check it against), so
    the caller must ``forget`` the data when validation refuses the launch; the data is only
    reachable through a session token issued after validation.
    """
    launch_id = secrets.token_urlsafe(18)
    raw, nonce_was_new = store.take_then_add_then_put(
        state_key, _nonce_key(str(body.get("iss", "")), body), NONCE_TTL,
        _data_key(launch_id), json.dumps(body), LAUNCH_DATA_TTL,
    )
    record = None if raw is None else dict(json.loads(raw))
    return UsedState(record, nonce_was_new, launch_id)


def nonce_replayed() -> LaunchRejected:
    return LaunchRejected(
        "nonce_replayed",
        "This launch message was already used. Each launch from the LMS works only once.",
        hint="Go back to your course and open the Microbridge link again.",
    )


def _nonce_key(issuer: str, body: dict[str, Any]) -> str:
    return f"lti-nonce:{issuer}:{body.get('nonce', '')}"


def _data_key(launch_id: str) -> str:
    return f"lti-launch:{launch_id}"


def record_launch(
    connection: Connection,
    checked: CheckedLaunch,
    *,
    platform_id: int,
    institution_id: int | None,
    body: dict[str, Any],
    launch_id: str,
    link_id: str | None,
) -> RecordedLaunch:
    """Upsert the person and the course on an autocommit connection.

    The two rows need no transaction around them: a launch costs one round trip on
    PostgreSQL instead of four. ``link_id`` is the resource link whose placement the
    course upsert reads on the way.
    """
    written = people.record_launch(
        connection,
        person=person_seen(body, platform_id=platform_id),
        course=course_seen(body, checked, platform_id=platform_id),
        link_id=link_id,
    )
    identity = LaunchIdentity(
        session_id=secrets.token_urlsafe(12),
        person_id=written.person_id,
        platform_id=platform_id,
        deployment_id=checked.deployment_id,
        course_id=written.course_id,
        institution_id=institution_id,
        roles=checked.roles,
        launch_id=launch_id,
        message_type=checked.message_type,
        timezone=zone_of(body),
    )
    landing = courses.landing_of(written.course_names, written.person_names)
    return RecordedLaunch(identity, written.placement_at_link, landing)


def zone_of(body: dict[str, Any]) -> str:
    """The person's time zone from the ``timezone`` custom parameter, "" when absent or unknown.

    A platform that cannot expand $Person.address.timezone sends the variable back literally,
    which zone_named refuses like any other unknown name.
    """
    custom = body.get(claims.CUSTOM)
    raw = custom.get("timezone") if isinstance(custom, dict) else None
    zone = timezones.zone_named(raw if isinstance(raw, str) else None)
    return str(zone) if zone else ""


def person_seen(body: dict[str, Any], *, platform_id: int) -> PersonSeen:
    """The person's claims (OIDC standard names) as plain values: "" where not shared."""
    return PersonSeen(
        platform_id=platform_id,
        sub=str(body.get("sub", "")),
        name=_text(body.get("name")),
        given_name=_text(body.get("given_name")),
        family_name=_text(body.get("family_name")),
        email=_text(body.get("email")),
        sis_id=_sis_id(body.get(claims.LIS)),
    )


def _sis_id(lis: Any) -> str:
    """The LIS claim's ``person_sourcedid`` (the SIS id), "" when the launch gives none."""
    return _text(lis.get("person_sourcedid")).strip() if isinstance(lis, dict) else ""


def course_seen(body: dict[str, Any], checked: CheckedLaunch, *, platform_id: int) -> CourseSeen:
    """The context claim and the course's service endpoints (AGS, NRPS) as plain values."""
    context = checked.context
    ags = body.get(claims.AGS_ENDPOINT)
    nrps = body.get(claims.NRPS)
    return CourseSeen(
        platform_id=platform_id,
        deployment_id=checked.deployment_id,
        context_id=str(context["id"]),
        label=str(context.get("label") or ""),
        title=str(context.get("title") or ""),
        lineitems_url=_text(ags.get("lineitems")) if isinstance(ags, dict) else "",
        memberships_url=(
            _text(nrps.get("context_memberships_url")) if isinstance(nrps, dict) else ""
        ),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def launch_data(store: KeyValueStore, launch_id: str) -> dict[str, Any] | None:
    raw = store.get(_data_key(launch_id))
    return None if raw is None else dict(json.loads(raw))


def _string_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
