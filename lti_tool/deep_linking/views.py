"""The catalog picker inside the LMS: choose projects, set them up, send them to the course.

Deep linking (the LMS's "Add activity" dialog): picker -> configure -> a confirmation page
whose button posts the signed LtiDeepLinkingResponse to the LMS (``form-action *`` in our CSP;
no script needed). A link made by hand gets its project the same way, from its first
instructor launch. A placement's settings page changes title, points, due date, team size and
release mode, and keeps the LMS's line item in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response

from catalog.employers.service import verified_for
from catalog.projects.models import Compensation, Discipline, ProjectRevision
from catalog.recommend.service import recommend
from catalog.search import forms as search_forms
from catalog.search.service import SortOrder, get_listed, search_projects
from config import runtime
from config.database import commit_around
from config.web import (
    LaunchIdentity,
    Principal,
    UserFacingError,
    db,
    person_zone,
    protect,
    require_instructor,
    url,
)
from grading.applications import service as applications
from grading.choices import service as choice_sets
from grading.people.models import Course
from grading.placements import forms as settings_forms
from grading.placements import service as placements
from grading.placements.models import Placement
from grading.placements.service import PlacementSettings
from lti_tool.deep_linking import gradebook_column, service
from lti_tool.deep_linking import settings as dl_settings
from lti_tool.deep_linking.settings import DeepLinkSettings
from lti_tool.launch import claims, placement_step

bp = protect(Blueprint("deep_linking", __name__), by=Principal.LAUNCH)


@dataclass(frozen=True)
class Mode:
    """Deep linking (answer the LMS) or a hand-made link (attach directly)."""

    name: str
    picker: str
    configure: str
    submit: str
    multiple: bool


def _deep_linking(settings: DeepLinkSettings) -> Mode:
    return Mode("deep_linking", "deep_linking.picker", "deep_linking.configure",
                "deep_linking.respond", settings.accept_multiple)


ATTACH = Mode("attach", "deep_linking.choose", "deep_linking.choose_configure",
              "deep_linking.attach", False)


def _deep_linking_launch() -> tuple[LaunchIdentity, DeepLinkSettings]:
    identity = require_instructor()
    if identity.message_type != claims.DEEP_LINKING_REQUEST:
        raise UserFacingError(
            "This page opens from the LMS's “Add activity” dialog.", title="Open from the LMS",
            hint="In your course, add an activity or assignment and choose Microbridge.",
        )
    settings = dl_settings.read(service.launch_claims(runtime.current().store, identity))
    if not settings.accepts_resource_links:
        raise UserFacingError(
            "Microbridge adds projects as activity links, and the LMS does not accept links "
            f"here (it accepts: {', '.join(settings.accept_types) or 'nothing'}).",
            title="Not available here",
            hint="Add Microbridge from the course's assignments or modules instead.",
        )
    return identity, settings


def _hand_made_link() -> tuple[LaunchIdentity, service.HandMadeLink]:
    identity = require_instructor()
    body = service.launch_claims(runtime.current().store, identity)
    return identity, service.hand_made_link(db(), body, identity)


def _picker_page(identity: LaunchIdentity, mode: Mode, **extra: object) -> tuple[str, int]:
    institution_id = service.institution_of(identity)
    req = search_forms.parse(request.args)
    results = search_projects(
        db(), institution_id=institution_id, query=req.query, filters=req.filters,
        sort=req.sort, page=req.page, per_page=req.per_page,
    )
    rec_skills = request.args.get("rec_skills", "").strip()[:500]
    rec_interests = request.args.get("rec_interests", "").strip()[:500]
    recs = (recommend(db(), institution_id=institution_id, skills=rec_skills,
                      interests=rec_interests, limit=5) if rec_skills or rec_interests else [])
    course = db().get(Course, identity.course_id) if identity.course_id else None
    return render_template(
        "lti/deep_linking/picker.html.jinja2", mode=mode, req=req, results=results, recs=recs,
        rec_skills=rec_skills, rec_interests=rec_interests, course=course,
        disciplines=list(Discipline), compensations=list(Compensation), sorts=list(SortOrder),
        nothing_chosen=request.args.get("none") == "1", **extra,
    ), 422 if req.errors else 200


def _chosen(identity: LaunchIdentity, mode: Mode, ids: list[str]) -> list[ProjectRevision]:
    return service.chosen(db(), institution_id=service.institution_of(identity),
                          revision_ids=ids, multiple=mode.multiple)


def _configure_page(
    mode: Mode, revisions: list[ProjectRevision], forms: list[settings_forms.SettingsForm],
    *, status: int = 200, **extra: object,
) -> tuple[str, int]:
    return render_template(
        "lti/deep_linking/configure.html.jinja2", mode=mode, pairs=list(zip(revisions, forms, strict=True)),
        errors=[e for f in forms for e in f.errors.items()], **extra,
    ), status


def _parse_all(revisions: list[ProjectRevision]) -> tuple[list[settings_forms.SettingsForm],
                                                          list[PlacementSettings] | None]:
    parsed = [settings_forms.parse(f"p{i}", request.form, person_zone()) for i in range(len(revisions))]
    forms = [form for form, _ in parsed]
    chosen = [value for _, value in parsed if value is not None]
    return forms, chosen if len(chosen) == len(revisions) else None


# -- deep linking ------------------------------------------------------------------------


@bp.get("/lti/deep-linking")
def picker() -> tuple[str, int]:
    identity, settings = _deep_linking_launch()
    return _picker_page(identity, _deep_linking(settings), settings=settings)


@bp.get("/lti/deep-linking/configure")
def configure() -> tuple[str, int] | Response:
    identity, settings = _deep_linking_launch()
    mode = _deep_linking(settings)
    if not request.args.getlist("revision"):
        return redirect(url(mode.picker, none="1"))
    revisions = _chosen(identity, mode, request.args.getlist("revision"))
    zone = person_zone()
    forms = [settings_forms.initial(f"p{i}", service.suggested(r), zone) for i, r in enumerate(revisions)]
    return _configure_page(mode, revisions, forms, settings=settings)


@bp.post("/lti/deep-linking/respond")
def respond() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    identity, settings = _deep_linking_launch()
    mode = _deep_linking(settings)
    revisions = _chosen(identity, mode, request.form.getlist("revision"))
    forms, chosen = _parse_all(revisions)
    if chosen is None:
        return _configure_page(mode, revisions, forms, status=422, settings=settings)
    as_choice = service.choice_title(request.form.to_dict(), chosen=len(revisions)) if mode.multiple else None
    rt = runtime.current()
    earlier = service.claim_answer(rt.store, identity=identity)
    if earlier is not None:  # this dialog already answered: never a second copy
        return _no_repeat(render_template(
            "lti/deep_linking/already_added.html.jinja2", pending=earlier == service.ANSWER_PENDING,
            placements=service.answered(db(), identity=identity, recorded=earlier),
        ), 409)
    try:
        answer = service.answer(
            db(), identity=identity, settings=settings,
            choices=list(zip(revisions, chosen, strict=True)),
            launch_url=rt.settings.base_url + "/lti/launch", choice_title=as_choice,
        )
        db().commit()
    except BaseException:
        service.release_answer(rt.store, identity=identity)
        raise
    service.record_answer(rt.store, identity=identity, placements=answer.placements)
    page = render_template("lti/deep_linking/return.html.jinja2", answer=answer, cancelled=False)
    return _no_repeat(page, 200)


def _no_repeat(page: str, status: int) -> tuple[str, int, dict[str, str]]:
    # Not kept for Back: the browser asks this page again (and hears "already added") rather
    # than showing the signed answer, whose button would add a second copy in the LMS.
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/lti/deep-linking/cancel")
def cancel() -> str:
    identity, settings = _deep_linking_launch()
    token = service.cancel(db(), identity=identity, settings=settings)
    return render_template(
        "lti/deep_linking/return.html.jinja2", cancelled=True,
        answer=service.DeepLinkAnswer(settings.return_url, token, [], False, False),
    )


@bp.get("/lti/deep-linking/projects/<int:revision_id>")
def preview(revision_id: int) -> str:
    identity = require_instructor()
    institution_id = service.institution_of(identity)
    revision = get_listed(db(), institution_id=institution_id, revision_id=revision_id)
    back = "deep_linking.choose" if request.args.get("mode") == ATTACH.name else "deep_linking.picker"
    employer = revision.project.employer
    return render_template(
        "lti/deep_linking/preview.html.jinja2", revision=revision, employer=employer, back=back,
        employer_verified=employer.id in verified_for(db(), institution_id=institution_id,
                                                      employer_ids=[employer.id]),
    )


# -- a link made by hand -----------------------------------------------------------------


@bp.get("/lti/link/choose")
def choose() -> tuple[str, int]:
    identity, link = _hand_made_link()
    return _picker_page(identity, ATTACH, link=link)


@bp.get("/lti/link/configure")
def choose_configure() -> tuple[str, int] | Response:
    identity, link = _hand_made_link()
    if not request.args.getlist("revision"):
        return redirect(url(ATTACH.picker, none="1"))
    revisions = _chosen(identity, ATTACH, request.args.getlist("revision"))
    suggestion = service.suggested(revisions[0])
    forms = [settings_forms.initial("p0", suggestion, person_zone())]
    return _configure_page(ATTACH, revisions, forms, link=link)


@bp.post("/lti/link/attach")
def attach() -> tuple[str, int] | Response:
    identity, link = _hand_made_link()
    revisions = _chosen(identity, ATTACH, request.form.getlist("revision"))
    forms, chosen = _parse_all(revisions)
    if chosen is None:
        return _configure_page(ATTACH, revisions, forms, status=422, link=link)
    assert identity.course_id is not None
    session = db()
    placement = placements.attach_to_link(
        session, course_id=identity.course_id, resource_link_id=link.resource_link_id,
        project_revision_id=revisions[0].id, settings=chosen[0],
        created_by_person_id=identity.person_id,
    )
    placement_step.note_launch(placement, service.launch_claims(runtime.current().store, identity))
    commit_around(session, lambda: gradebook_column.ensure(
        placement, platform_id=identity.platform_id,
        lineitems_url=link.lineitems_url or placement.course.lineitems_url, scopes=link.scopes,
    ))
    return redirect(url("placements.show", placement_id=placement.id), code=303)


# -- a placement's settings --------------------------------------------------------------


@bp.route("/lti/placements/<int:placement_id>/settings", methods=["GET", "POST"])
def edit_settings(placement_id: int) -> tuple[str, int] | Response:
    identity = require_instructor()
    session = db()
    placement = placements.get_in_course(session, placement_id=placement_id, course_id=identity.course_id)
    if request.method == "GET":
        form = settings_forms.initial("p0", placements.settings_of(placement), person_zone())
        return _settings_page(placement, form), 200
    form, chosen = settings_forms.parse("p0", request.form, person_zone())
    if chosen is None:
        return _settings_page(placement, form), 422
    placements.apply_settings(placement, chosen)
    pushed = commit_around(
        session, lambda: gradebook_column.push_settings(placement, platform_id=identity.platform_id)
    )
    saved = "lms" if pushed else "tool"
    return redirect(url("placements.show", placement_id=placement.id, saved=saved), code=303)


def _settings_page(placement: Placement, form: settings_forms.SettingsForm) -> str:
    """The settings form, and "requires an application" for a project placed on its own."""
    session = db()
    found = choice_sets.set_at(session, placement)
    single = found is None and choice_sets.option_at(session, placement.id) is None
    solo_set = found if found is not None and found.solo else None
    call = applications.call_for(session, solo_set.options[0].id) if solo_set else None
    return render_template("lti/deep_linking/settings.html.jinja2", placement=placement, form=form,
                           single=single or solo_set is not None, solo=solo_set, call=call)


@bp.post("/lti/placements/<int:placement_id>/line-item")
def retry_line_item(placement_id: int) -> Response:
    identity = require_instructor()
    session = db()
    placement = placements.get_in_course(session, placement_id=placement_id, course_id=identity.course_id)
    commit_around(session, lambda: gradebook_column.ensure(
        placement, platform_id=identity.platform_id, lineitems_url=placement.course.lineitems_url,
    ))
    return redirect(url("placements.show", placement_id=placement.id), code=303)
