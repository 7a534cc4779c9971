"""Screenshots of the main pages for the README: `make screenshots` (or
`.venv/bin/python tools/screenshots.py [OUT_DIR]`).

Starts `microbridge demo` on free ports with a fresh instance folder, walks the journeys of the
browser tests (tests/browser/test_journeys.py) in Debian's Chromium (never a downloaded
browser), and writes OUT_DIR/NN-name.png (default docs/screenshots).
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


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    written: list[str] = []

    def shoot(name: str, page: Any) -> None:
        if name in SHOTS:
            frame = page.frame(name="tool")
            if name in SCROLL_TO and frame is not None:
                frame.evaluate("s => document.querySelector(s).scrollIntoView()", SCROLL_TO[name])
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
    missing = sorted(set(SHOTS.values()) - {re.sub(r"\.png$", "", name) for name in written})
    print(f"wrote {len(written)} screenshots to {out}" + (f"; missing: {missing}" if missing else ""))
    if missing:
        raise SystemExit(1)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
