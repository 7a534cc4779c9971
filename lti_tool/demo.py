"""``microbridge demo``: the tool and the demo LMS on two origins, seeded, in one process.

The tool listens on http://127.0.0.1:<tool_port> and the LMS on http://localhost:<lms_port>:
two different sites, so the tool runs in a cross-site iframe exactly as it does in Canvas.
The demo LMS talks to the tool only through LTI.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, render_template_string
from sqlalchemy.orm import Session
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from config.database import transaction
from config.migrate import upgrade
from config.runtime import Runtime, bound, of_app
from config.settings import load_settings
from lti_tool.registration.service import create_link

log = logging.getLogger(__name__)
INSTITUTION = "Demo University"


def run_demo(*, tool_port: int, lms_port: int) -> None:
    from lti_tool.app import create_app
    from lti_tool.demo_lms import persistence
    from lti_tool.demo_lms.app import create_platform_app
    from lti_tool.demo_lms.demo import demo_platform

    tool_url = f"http://127.0.0.1:{tool_port}"
    lms_root = f"http://localhost:{lms_port}"
    # The demo LMS listens on loopback, which the egress policy refuses unless allowed.
    settings = load_settings(base_url=tool_url, egress_allow_private=True, demo=True)
    upgrade(settings.database_url)
    app = create_app(settings)
    rt: Runtime = of_app(app)

    apps: dict[str, Any] = {}
    platforms = {}
    for flavour in ("canvas", "moodle"):
        platform = demo_platform(flavour, f"{lms_root}/{flavour}")
        state = Path(settings.instance_path) / f"demo-lms-{flavour}.json"
        if state.exists():
            persistence.load(platform, str(state))
        platform.state_file = str(state)
        platforms[flavour] = platform
        apps[f"/{flavour}"] = create_platform_app(platform)

    # Seeding queues mail (curators are told of projects to curate): it needs the runtime.
    with bound(rt), transaction(rt.session_factory) as session:
        catalog = _seed(session, platforms["canvas"], tool_url)
    persistence.save(platforms["canvas"], platforms["canvas"].state_file or "")
    for platform in platforms.values():
        # The LMS admin page offers a fresh single-use Dynamic Registration link.
        with transaction(rt.session_factory) as session:
            platform.suggested_tool_url = create_link(
                session, base_url=tool_url, valid_for=timedelta(days=7),
                note=f"demo {platform.flavour}", institution_name=INSTITUTION,
            )

    index = _lms_index(tool_url=tool_url, platforms=platforms, catalog=catalog)
    lms = make_server("localhost", lms_port, DispatcherMiddleware(index, apps), threaded=True)
    threading.Thread(target=lms.serve_forever, daemon=True).start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tool = make_server("127.0.0.1", tool_port, app, threaded=True)  # listening from here on
    print(
        f"\nMicrobridge demo is running. Open\n\n  {lms_root}/canvas/\n\n"
        "a course in the demo LMS, with the tool in its iframe. Its \"Demo home\" link leads to the\n"
        "Moodle-like course, dynamic registration and the tool's email outbox. Ctrl+C stops.\n",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        tool.serve_forever()


def _seed(session: Session, canvas: Any, tool_url: str) -> Any:
    """Register the tool with the demo Canvas (and it with the tool) and seed the catalog once."""
    from catalog.institutions.service import get_or_create
    from lti_tool.registry import service as registry

    institution = get_or_create(session, name=INSTITUTION)
    if not canvas.state.tools:
        canvas.register_tool(
            login_url=tool_url + "/lti/login",
            redirect_uris=[tool_url + "/lti/launch"],
            jwks_url=tool_url + "/.well-known/jwks.json",
            target_link_uri=tool_url + "/lti/launch",
        )
    tool = next(iter(canvas.state.tools.values()))
    if registry.find_platform(session, issuer=canvas.issuer, client_id=tool.client_id) is None:
        registry.add_platform(
            session, issuer=canvas.issuer, client_id=tool.client_id,
            auth_login_url=canvas.auth_url, token_url=canvas.token_url, jwks_url=canvas.jwks_url,
            flavour="canvas", name="Demo Canvas", deployment_ids=list(tool.deployment_ids),
            institution_id=institution.id,
        )
    catalog = _seed_catalog(session, institution.id)
    platform_row = registry.find_platform(session, issuer=canvas.issuer, client_id=tool.client_id)
    if catalog is not None and platform_row is not None:
        seed_choice_set(session, canvas, tool, platform_row.id, institution.id)
        seed_credit_placement(session, canvas, tool, platform_row.id, institution.id)
    return catalog


CREDIT_MARK = {"microbridge_demo": "credit"}


def seed_credit_placement(session: Session, canvas: Any, tool: Any, platform_id: int,
                          institution_id: int) -> None:
    """One project placed in the demo course for academic credit, once (the LMS's link and
    the tool's placement behind it)."""
    from grading.credit.demo_data import first_listed_revision
    from grading.credit.demo_data import seed_credit_placement as seed
    from lti_tool.demo_lms.gradebook import default_link

    course = next(iter(canvas.state.courses.values()))
    revision = first_listed_revision(session, institution_id=institution_id)
    if revision is None or any(link.custom == CREDIT_MARK for link in canvas.state.links.values()):
        return
    default_link(canvas, course, tool)  # the tool's plain link stays the course's first
    link = canvas.add_resource_link(course, tool, title=f"{revision.title} (for credit)",
                                    score_maximum=100, custom=dict(CREDIT_MARK))
    seed(session, platform_id=platform_id, deployment_id=tool.deployment_ids[0],
         context_id=course.context_id, course_title=course.title, resource_link_id=link.id,
         line_item_url=canvas.line_item_url(link.line_item_id), revision=revision)


CHOICE_TITLE = "Choose your project"


def seed_choice_set(session: Session, canvas: Any, tool: Any, platform_id: int, institution_id: int) -> None:
    """A graded "Choose your project" link in the demo course: four listed projects to rank,
    the first of which takes applications (its employer selects)."""
    from sqlalchemy import select

    from catalog.projects.models import CatalogListing, ProjectRevision
    from grading.choices import service as choice_sets
    from grading.people.models import Course
    from grading.placements.service import PlacementSettings
    from lti_tool.demo_lms.gradebook import default_link

    course = next(iter(canvas.state.courses.values()))
    links = canvas.state.links.values()
    if any(link.title == CHOICE_TITLE and link.course_id == course.id for link in links):
        return
    revisions = session.scalars(
        select(ProjectRevision).join(CatalogListing, CatalogListing.revision_id == ProjectRevision.id)
        .where(CatalogListing.institution_id == institution_id, ProjectRevision.team_size == 1)
        .order_by(ProjectRevision.id).limit(4)
    ).all()
    if len(revisions) < choice_sets.MIN_OPTIONS:
        return
    default_link(canvas, course, tool)  # the tool's plain link stays the course's first
    link = canvas.add_resource_link(course, tool, title=CHOICE_TITLE, score_maximum=100)
    row = session.scalar(select(Course).where(Course.platform_id == platform_id,
                                              Course.context_id == course.context_id))
    if row is None:
        row = Course(platform_id=platform_id, deployment_id=tool.deployment_ids[0],
                     context_id=course.context_id, title=course.title, label=course.label)
        session.add(row)
        session.flush()
    anchor = choice_sets.create(
        session, course_id=row.id, activity=PlacementSettings(title=CHOICE_TITLE),
        choices=[(r, PlacementSettings(title=r.title)) for r in revisions], created_by_person_id=None,
    )
    anchor.resource_link_id = link.id
    anchor.line_item_url = canvas.line_item_url(link.line_item_id)
    choice_sets.share_line_item(session, anchor)
    session.flush()
    # The first project selects its students: they apply, and its employer chooses blind.
    choice_set = choice_sets.set_at(session, anchor)
    if choice_set is not None and choice_set.options:
        from datetime import timedelta

        from config.database import utcnow
        from grading.applications import service as applications

        today = utcnow().date()
        applications.require_applications(session, option=choice_set.options[0],
                                          apply_by=today + timedelta(days=14),
                                          select_by=today + timedelta(days=21))


def _seed_catalog(session: Session, institution_id: int) -> Any:
    """The demo catalog's summary (employer and curator addresses), or None without one."""
    try:
        from catalog.demo_data import seed_demo_catalog
    except ImportError:  # the catalog's demo data is optional
        return None
    from catalog.institutions.models import Institution

    institution = session.get(Institution, institution_id)
    assert institution is not None
    return seed_demo_catalog(session, institution)


def _lms_index(*, tool_url: str, platforms: dict[str, Any], catalog: Any = None) -> Flask:
    """The demo LMS's home page: where everything a newcomer can try is linked."""
    index = Flask("demo_lms_index")

    @index.get("/")
    def home() -> str:
        return render_template_string(
            _INDEX, tool_url=tool_url, flavours=[(name, platforms[name]) for name in platforms],
            employers=list(getattr(catalog, "employer_emails", [])),
            curator=getattr(catalog, "curator_email", ""),
            credit_officer=getattr(catalog, "credit_officer_email", ""),
        )

    return index


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Demo LMS</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem;
         color: #1b1b1b; line-height: 1.5; }
  code { word-break: break-all; }
</style></head>
<body><main>
<h1>Microbridge demo LMS</h1>
<p>Two small course sites talk to Microbridge ({{ tool_url }}) only through LTI, as Canvas
and Moodle do. Switch people with the menu at the top of a course page.</p>
<ul>
  <li><a href="/canvas/">Canvas-like course</a>: Microbridge is already registered.</li>
  <li><a href="/moodle/">Moodle-like course</a>: register Microbridge first on its
    <a href="/moodle/admin">admin page</a> as the site administrator, Margaret Hamilton (the page
    offers the switch; the registration link is filled in), then activate it.</li>
</ul>
<h2>Things to try</h2>
<ol>
  <li>As the instructor, Grace Hopper: <em>Add Microbridge activity</em>, choose a project, add it
    (in the Canvas-like course, publish it).</li>
  <li>As a student, Ada Lovelace: open the activity, start, consent, submit.</li>
  <li>As the project's employer: sign in at
    <a href="{{ tool_url }}/employer/sign-in">the employer portal</a>; the sign-in email lands in
    <a href="{{ tool_url }}/outbox">Microbridge's outbox</a>. Review the work.</li>
  <li>As the instructor: open the activity, approve the grade, and see it with the comment in
    the course's gradebook.</li>
</ol>
{% if employers %}
<p>The demo employers sign in with these addresses:</p>
<ul>{% for email in employers %}<li><code>{{ email }}</code></li>{% endfor %}</ul>
{% endif %}
{% if curator %}<p>Curators approve employers' projects for the catalog at
<a href="{{ tool_url }}/curator/sign-in">the curators' sign-in</a>, as
<code>{{ curator }}</code>.</p>{% endif %}
{% if credit_officer %}<p>The course has a project placed for academic credit. After the
employer verifies the student's hours and the instructor recommends credit, the credit officer
approves it at <a href="{{ tool_url }}/credit-office/sign-in">the credit office sign-in</a>, as
<code>{{ credit_officer }}</code> (or Margaret Hamilton, the LMS administrator, from the
course).</p>{% endif %}
<p>Dynamic registration links of this run, one per course site (single use):</p>
<ul>{% for name, platform in flavours %}
  <li>{{ name }}: <code>{{ platform.suggested_tool_url }}</code></li>{% endfor %}
</ul>
</main></body></html>
"""
