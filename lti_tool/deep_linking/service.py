"""What the picker does between the catalog and the LMS: check the choice, place the projects,
answer the platform.

Two ways in: an LtiDeepLinkingRequest (the LMS's "Add activity" dialog, answered with a signed
LtiDeepLinkingResponse), and the first instructor launch of a link made by hand, which gets its
project directly (and its line item through AGS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.projects.models import ProjectRevision
from catalog.search.service import get_listed
from config.store import KeyValueStore
from config.web import LaunchIdentity, UserFacingError
from grading.choices import service as choice_sets
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import PlacementSettings
from lti_tool.deep_linking import response
from lti_tool.deep_linking.settings import DeepLinkSettings
from lti_tool.keys.service import signing_key
from lti_tool.launch import claims
from lti_tool.launch.placement_step import is_course_navigation, resource_link_id
from lti_tool.launch.service import LAUNCH_DATA_TTL, launch_data
from lti_tool.registry.models import Flavour, Platform

MAX_CHOSEN = 10
DONE_TTL = LAUNCH_DATA_TTL
"""As long as the request's launch data: after that the picker has expired anyway."""


class PickerExpired(UserFacingError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "This page's session with the LMS has ended.",
            title="Please start again from the LMS",
            hint="Close this dialog and open the LMS's “Add activity” (Microbridge) again.",
        )


def launch_claims(store: KeyValueStore, identity: LaunchIdentity) -> dict[str, Any]:
    body = launch_data(store, identity.launch_id) if identity.launch_id else None
    if body is None:
        raise PickerExpired()
    return body


def institution_of(identity: LaunchIdentity) -> int:
    if identity.institution_id is None:
        raise UserFacingError(
            "This LMS is not yet linked to an institution's catalog.",
            title="No catalog here yet",
            hint="Ask your LMS administrator to link Microbridge's registration to your "
            "institution.",
            status=403,
        )
    return identity.institution_id


def chosen(
    session: Session, *, institution_id: int, revision_ids: Sequence[str], multiple: bool
) -> list[ProjectRevision]:
    """The chosen revisions, each one listed in the institution's catalog."""
    ids: list[int] = []
    for raw in revision_ids:
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    if not ids:
        raise UserFacingError(
            "Choose a project first.", title="No project chosen",
            hint="Go back to the catalog and tick the project (or projects) to add.",
        )
    if len(ids) > (MAX_CHOSEN if multiple else 1):
        raise UserFacingError(
            "The LMS accepts only one project here." if not multiple
            else f"Add at most {MAX_CHOSEN} projects at a time.",
            title="Too many projects chosen",
            hint="Go back and choose fewer projects.",
        )
    return [get_listed(session, institution_id=institution_id, revision_id=i) for i in ids]


def suggested(revision: ProjectRevision) -> PlacementSettings:
    """Settings to start from: the project's title, team size, and its rubric's points."""
    points = float(revision.rubric_points) if revision.rubric_points > 0 else 100.0
    return PlacementSettings(title=revision.title, score_maximum=points, team_size=revision.team_size)


@dataclass(frozen=True)
class DeepLinkAnswer:
    """The signed response, and what the confirmation page says about it."""

    return_url: str
    jwt: str
    placements: list[Placement]
    with_line_items: bool
    canvas: bool


def answer(
    session: Session,
    *,
    identity: LaunchIdentity,
    settings: DeepLinkSettings,
    choices: Sequence[tuple[ProjectRevision, PlacementSettings]],
    launch_url: str,
    choice_title: str | None = None,
) -> DeepLinkAnswer:
    """Create a placement per chosen project and sign the response naming them all.

    With ``choice_title``: one activity (one link, one gradebook column) whose students rank
    the projects and get one each (grading/choices); the first project's points, due date and
    release mode are the activity's.
    """
    assert identity.course_id is not None
    platform = session.get(Platform, identity.platform_id)
    if platform is None:
        raise PickerExpired()
    summaries = {revision.id: revision.summary for revision, _ in choices}
    if choice_title is not None:
        first = choices[0][1]
        activity = PlacementSettings(title=choice_title, score_maximum=first.score_maximum,
                                     due_at=first.due_at, release_mode=first.release_mode)
        made = [choice_sets.create(session, course_id=identity.course_id, activity=activity,
                                   choices=choices, created_by_person_id=identity.person_id)]
        summaries = {made[0].project_revision_id: "Choose one of: " + "; ".join(r.title for r, _ in choices)}
    else:
        made = [
            placements.create(
                session, course_id=identity.course_id, project_revision_id=revision.id,
                settings=chosen_settings, created_by_person_id=identity.person_id,
            )
            for revision, chosen_settings in choices
        ]
    items = [
        response.content_item(
            placement, launch_url=launch_url, summary=summaries.get(placement.project_revision_id, ""),
            flavour=platform.flavour, with_line_item=settings.accept_lineitem,
            target=settings.document_target,
        )
        for placement in made
    ]
    token = response.signed_response(
        platform, signing_key(session), deployment_id=identity.deployment_id,
        settings=settings, items=items,
        message=(f"Added a choice of {len(choices)} Microbridge projects." if choice_title is not None
                 else f"Added {len(made)} Microbridge project{'s' if len(made) != 1 else ''}."),
    )
    return DeepLinkAnswer(
        return_url=settings.return_url, jwt=token, placements=made,
        with_line_items=settings.accept_lineitem, canvas=platform.flavour == Flavour.CANVAS.value,
    )


def cancel(session: Session, *, identity: LaunchIdentity, settings: DeepLinkSettings) -> str:
    """An empty response: the LMS closes its dialog and adds nothing."""
    platform = session.get(Platform, identity.platform_id)
    if platform is None:
        raise PickerExpired()
    return response.signed_response(
        platform, signing_key(session), deployment_id=identity.deployment_id,
        settings=settings, items=[],
    )


ANSWER_PENDING = "pending"


def _answer_key(identity: LaunchIdentity) -> str:
    return f"dl-answer:{identity.launch_id}"


def claim_answer(store: KeyValueStore, *, identity: LaunchIdentity) -> str | None:
    """None the first time this deep-linking request is answered; afterwards what the first
    answer recorded: ``ANSWER_PENDING`` while it is being made, then its placement ids.

    One answer per request, however it is sent again (a double click, Back and the button
    again, the browser resending the form): a second answer would add a second copy."""
    if store.add(_answer_key(identity), ANSWER_PENDING, DONE_TTL):
        return None
    return store.get(_answer_key(identity)) or ANSWER_PENDING


def record_answer(store: KeyValueStore, *, identity: LaunchIdentity, placements: Sequence[Placement]) -> None:
    store.put(_answer_key(identity), ",".join(str(p.id) for p in placements), DONE_TTL)


def release_answer(store: KeyValueStore, *, identity: LaunchIdentity) -> None:
    """The first answer failed before anything was kept: the request may be answered again."""
    store.delete(_answer_key(identity))


def answered(session: Session, *, identity: LaunchIdentity, recorded: str) -> list[Placement]:
    """The placements the first answer made, in this course."""
    ids = [int(part) for part in recorded.split(",") if part.isdigit()]
    if not ids or identity.course_id is None:
        return []
    found = session.scalars(
        select(Placement).where(Placement.id.in_(ids), Placement.course_id == identity.course_id)
    ).all()
    return sorted(found, key=lambda p: ids.index(p.id))


@dataclass(frozen=True)
class HandMadeLink:
    """A resource link launched by an instructor before it had a project."""

    resource_link_id: str
    title: str
    lineitems_url: str
    scopes: tuple[str, ...] | None


def hand_made_link(session: Session, body: dict[str, Any], identity: LaunchIdentity) -> HandMadeLink:
    link_id = None if is_course_navigation(body) else resource_link_id(body)
    if identity.message_type != claims.RESOURCE_LINK_REQUEST or not link_id or identity.course_id is None:
        raise UserFacingError(
            "Projects are chosen for a link of the course: open one from the LMS first.",
            title="No link to set up",
            hint="Open the Microbridge link (assignment or module item) from your course.",
        )
    existing = placements.at_link(session, course_id=identity.course_id, resource_link_id=link_id)
    if existing is not None:
        raise UserFacingError(
            f"This link already has its project: {existing.title}.", title="Already set up",
            hint="Open the link again from the LMS to see it.", status=409,
        )
    link = body.get(claims.RESOURCE_LINK)
    ags = body.get(claims.AGS_ENDPOINT)
    ags = ags if isinstance(ags, dict) else {}
    scopes = ags.get("scope")
    return HandMadeLink(
        resource_link_id=link_id,
        title=str(link.get("title") or "") if isinstance(link, dict) else "",
        lineitems_url=str(ags.get("lineitems") or ""),
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
    )


def choice_title(form: dict[str, str], *, chosen: int) -> str | None:
    """The activity's name when the instructor places the projects as one choice (else None)."""
    if form.get("as") != "choice":
        return None
    if chosen < choice_sets.MIN_OPTIONS:
        raise UserFacingError(
            f"A choice of projects needs at least {choice_sets.MIN_OPTIONS} projects.",
            title="Too few projects for a choice", status=422,
            hint="Go back and tick more projects, or add this one as its own activity.",
        )
    title = " ".join(form.get("choice_title", "").split())[:120]
    return title or "Choose your project"
