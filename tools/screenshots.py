"""Screenshots of the main pages for the README: `make screenshots` (or
`.venv/bin/python tools/screenshots.py [OUT_DIR]`).

Starts `microbridge demo` on free ports with a fresh instance folder, walks the journeys of the
browser tests (tests/browser/test_journeys.py) in Debian's Chromium (never a downloaded
browser), and writes OUT_DIR/NN-name.png (default docs/screenshots).

Then the credit and credentials walk (tests/browser/test_credit_walk.py and
test_credential_walk.py) with the tool and the demo LMS served in this process, as those tests
do: the student's finished project, the employer's verified hours, the instructor's
recommendation, the credit office's approval, the student's credit, credentials and evidence
packet, the verification page, and the revocation. These are 1000 px wide.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.browser.journey import Gaps, Lms  # noqa: E402
from tests.browser.test_journeys import (  # noqa: E402
    consent_and_submit,
    employer_reviews,
    grade_and_comment_in_gradebook,
    instructor_approves,
    open_project_as_student,
    place_by_deep_linking,
    register_by_dynamic_registration,
)

# Checked page name -> file name. Pages framed by the LMS are shot with the LMS around them.
SHOTS = {
    "registration: confirm": "01-dynamic-registration",
    "deep linking: catalog": "02-instructor-catalog",
    "deep linking: set up": "03-instructor-set-up",
    "student: project": "04-student-project",
    "student: consent": "05-student-consent",
    "student: project, started": "06-student-submit",
    "outbox": "07-demo-email-outbox",
    "employer: review": "08-employer-review",
    "instructor: reviews and grades": "09-instructor-approve",
    "gradebook": "10-lms-gradebook",
}
# Where to scroll the tool's page first (the LMS page itself is shot from its top).
SCROLL_TO = {"student: project, started": "#submit"}
VIEWPORT = {"width": 1200, "height": 1000}

# The credit walk: checked page name -> (file name, what to scroll into view in the tool first).
CREDIT_SHOTS = {
    "student: finished": ("11-student-finished", "#credit"),
    "employer: hours verified": ("12-employer-hours", "#hours"),
    "instructor: credit recommended": ("13-instructor-credit", "article:has-text('Ada Lovelace')"),
    "credit office: waiting": ("14-credit-office", ""),
    "student: credit approved": ("15-student-credit", "#credit"),
    "student: my credentials": ("16-student-credentials", ""),
    "evidence packet": ("17-evidence-packet", ""),
    "verify: valid": ("18-verify-valid", ""),
    "credentials office: revoked": ("19-institution-revokes", ""),
    "verify: revoked": ("20-verify-revoked", ""),
    "student: revoked": ("21-student-revoked", ""),
}
CREDIT_VIEWPORT = {"width": 1000, "height": 760}


@dataclass
class DemoSite:
    """What the journey steps need to know of a platform served by `microbridge demo`."""

    base_url: str
    is_canvas: bool


# `microbridge demo`, with this interpreter (the console script may not be on PATH).
DEMO = "from lti_tool.cli import main; main(prog_name='microbridge')"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_demo(instance: Path) -> tuple[subprocess.Popen[str], str, str]:
    tool_port, lms_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROBRIDGE_")}
    env["MICROBRIDGE_INSTANCE_PATH"] = str(instance)
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", DEMO, "demo", "--tool-port", str(tool_port),
         "--lms-port", str(lms_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    for line in process.stdout:
        if "Ctrl+C" in line:
            break
        if time.monotonic() > deadline:
            raise SystemExit("the demo did not start")
    else:
        raise SystemExit(f"the demo stopped (exit {process.wait()})")
    return process, f"http://127.0.0.1:{tool_port}", f"http://localhost:{lms_port}"


def scroll_to(page: Any, selector: str, *, framed: bool) -> None:
    """The element near the top of the window. The LMS grows the tool's frame to fit its page,
    so it is the LMS page that scrolls (below its sticky bar, 40 px)."""
    target = (page.frame_locator("iframe[name=tool]") if framed else page).locator(selector).first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None, selector
    page.evaluate("y => window.scrollBy(0, y)", box["y"] - (56 if framed else 16))


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    written: list[str] = []

    def shoot(name: str, page: Any) -> None:
        if name in SHOTS:
            framed = page.frame(name="tool") is not None
            if name in SCROLL_TO and framed:
                scroll_to(page, SCROLL_TO[name], framed=True)
            else:
                page.evaluate("() => window.scrollTo(0, 0)")  # the LMS page from its top
            page.wait_for_timeout(150)  # fonts and the iframe's layout settle
            path = out / f"{SHOTS[name]}.png"
            page.screenshot(path=str(path))
            written.append(path.name)

    with tempfile.TemporaryDirectory(prefix="microbridge-shots-") as tmp, sync_playwright() as playwright:
        process, tool_url, lms_root = start_demo(Path(tmp) / "instance")
        try:
            profile = Path(tmp) / "profile"
            (profile / "Default").mkdir(parents=True)
            prefs = {"profile": {"cookie_controls_mode": 1}}  # third-party cookies blocked
            (profile / "Default" / "Preferences").write_text(json.dumps(prefs))
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, viewport=VIEWPORT,
            )
            context.set_default_timeout(20000)
            page = context.new_page()

            # Dynamic registration, in the Moodle-like site (the demo's Canvas has the tool already).
            moodle = Lms(page, DemoSite(lms_root + "/moodle", False), tool_url, a11y=False, shoot=shoot)
            moodle.open("/")
            register_by_dynamic_registration(moodle, None, check_done_page=False)

            # Everything else in the Canvas-like course.
            lms = Lms(page, DemoSite(lms_root + "/canvas", True), tool_url, a11y=False, shoot=shoot)
            lms.open("/")
            gaps = Gaps()
            place_by_deep_linking(lms)
            open_project_as_student(lms, gaps)
            consent_and_submit(lms)
            employer_reviews(context, lms, gaps)
            instructor_approves(lms, gaps)
            grade_and_comment_in_gradebook(lms)
            shoot("gradebook", page)
            context.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
        credit_walk(playwright, Path(tmp), out, written)
    wanted = [*SHOTS.values(), *(name for name, _ in CREDIT_SHOTS.values())]
    missing = sorted(set(wanted) - {re.sub(r"\.png$", "", name) for name in written})
    print(f"wrote {len(written)} screenshots to {out}" + (f"; missing: {missing}" if missing else ""))
    if missing:
        raise SystemExit(1)


def credit_walk(playwright: Any, tmp: Path, out: Path, written: list[str]) -> None:
    """The credit and credentials walk, the tool and the demo LMS served in this process."""
    from flask import session as flask_session
    from sqlalchemy import select

    from catalog.employers.models import EmployerMember
    from catalog.institutions.service import get_or_create
    from catalog.projects.models import Project, ProjectRevision
    from config import runtime
    from config.cookie_session import sign_in
    from config.migrate import upgrade
    from config.settings import load_settings
    from grading.credentials import packet, pdf
    from grading.credentials.models import Credential
    from grading.people.models import Person
    from grading.placements.models import Placement
    from grading.submissions.models import Submission
    from lti_tool.demo import CREDIT_MARK, seed_credit_placement
    from lti_tool.registry import service as registry
    from tests.browser.journey import INSTITUTION, STUDENT, demo_lms, install, seed_catalog
    from tests.browser.test_credit_walk import (
        credit_officer_approves,
        instructor_recommends,
        student_sees_it_approved,
        work_graded_and_hours_verified,
    )
    from tests.support.live import live_tool

    def shoot(name: str, page: Any) -> None:
        if name not in CREDIT_SHOTS:
            return
        stem, scroll = CREDIT_SHOTS[name]
        page.set_viewport_size(CREDIT_VIEWPORT)
        framed = page.frame(name="tool") is not None
        if scroll:
            scroll_to(page, scroll, framed=framed)
        elif framed:
            page.evaluate("() => window.scrollTo(0, 0)")  # the LMS page from its top
        page.wait_for_timeout(150)  # fonts and the iframe's layout settle
        page.screenshot(path=str(out / f"{stem}.png"))
        written.append(f"{stem}.png")

    settings = load_settings(environ={}, instance_path=tmp / "credit-instance", testing=True,
                             egress_allow_private=True, demo=True)
    upgrade(settings.database_url)
    with live_tool(settings) as tool, demo_lms("canvas") as platform:
        app = tool.app
        db = runtime.of_app(app).session_factory()
        seed_catalog(db)
        install(db, platform, tool)
        registration = next(iter(platform.state.tools.values()))
        row = registry.find_platform(db, issuer=platform.issuer, client_id=registration.client_id)
        assert row is not None
        seed_credit_placement(db, platform, registration, row.id,
                              get_or_create(db, name=INSTITUTION).id)
        db.commit()
        link = next(x for x in platform.state.links.values() if x.custom == CREDIT_MARK)
        link.published = True
        placement = db.scalars(select(Placement).where(Placement.resource_link_id == link.id)).one()
        work_graded_and_hours_verified(app, db, platform, registration, link, placement)

        profile = tmp / "credit-profile"
        (profile / "Default").mkdir(parents=True)
        (profile / "Default" / "Preferences").write_text(
            json.dumps({"profile": {"cookie_controls_mode": 1}}))
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport=CREDIT_VIEWPORT)
        context.set_default_timeout(20000)
        lms = Lms(context.new_page(), platform, tool.base_url, a11y=False, shoot=shoot)
        lms.open("/")

        # The student has logged hours, submitted, consented and handed in the reflection.
        lms.switch_user(STUDENT)
        lms.launch(link.title)
        lms.wait_heading(link.title)
        lms.frame.locator("#credit").wait_for()
        lms.check("student: finished")

        # The employer's review, where they confirmed the hours (signed in as the link would).
        db.expire_all()
        submission = db.scalars(select(Submission).where(
            Submission.placement_id == placement.id)).one()
        revision = db.get(ProjectRevision, placement.project_revision_id)
        assert revision is not None
        member = db.scalars(select(EmployerMember).join(
            Project, Project.employer_id == EmployerMember.employer_id).where(
            Project.id == revision.project_id)).first()
        assert member is not None
        with app.test_request_context("/"):
            sign_in("employer", member.id)
            cookie = app.session_interface.get_signing_serializer(app).dumps(  # type: ignore[attr-defined]
                dict(flask_session))
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                              "url": tool.base_url}])
        employer = lms.new_top_page(context)
        employer.goto(f"{tool.base_url}/employer/reviews/{submission.id}")
        employer.locator("#hours").wait_for()
        lms.check_top(employer, "employer: hours verified")
        employer.close()

        instructor_recommends(lms, link.title)
        credit_officer_approves(context, lms)
        student_sees_it_approved(lms, link.title)
        lms.frame.get_by_role("link", name="My credentials").click()
        lms.wait_heading("My credentials")
        lms.check("student: my credentials")

        # The packet's PDF is WeasyPrint's rendering of this page (grading/credentials/pdf.py).
        person = db.scalars(select(Person).where(Person.id == submission.member_ids[0])).one()
        with app.test_request_context("/"):
            shown = pdf.html(packet.record(db, placement=placement, person=person,
                                           base_url=tool.base_url))
        document = lms.new_top_page(context)
        document.set_content(shown)
        lms.check_top(document, "evidence packet")
        document.close()

        db.expire_all()
        credential = db.scalars(select(Credential)).one()
        checker = lms.new_top_page(context)
        checker.goto(f"{tool.base_url}/credentials/verify/{credential.uuid}")
        checker.get_by_role("heading", name="Valid").wait_for()
        lms.check_top(checker, "verify: valid")

        office = lms.new_top_page(context)  # still signed in to the credit office
        office.goto(f"{tool.base_url}/credit-office/credentials")
        office.get_by_label("Reason for revoking").fill("Issued in error: the hours were "
                                                        "counted twice.")
        office.get_by_role("button", name="Revoke").click()
        office.get_by_text("counted twice").wait_for()
        lms.check_top(office, "credentials office: revoked")
        checker.reload()
        checker.get_by_role("heading", name="Revoked").wait_for()
        lms.check_top(checker, "verify: revoked")
        lms.tool_frame().evaluate("() => location.reload()")  # the student's My credentials
        lms.frame.get_by_text("counted twice").wait_for()
        lms.check("student: revoked")
        context.close()
        db.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
