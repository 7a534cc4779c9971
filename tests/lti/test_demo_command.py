"""`microbridge demo` starts cleanly on a fresh instance folder and prints one URL that works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.support.live import free_port

START_SECONDS = 90
# `microbridge demo`, with this interpreter (the console script may not be on PATH).
DEMO = "from lti_tool.cli import main; main(prog_name='microbridge')"


def test_demo_starts_and_prints_one_working_url(tmp_path: Path) -> None:
    tool_port, lms_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROBRIDGE_")}
    env["MICROBRIDGE_INSTANCE_PATH"] = str(tmp_path / "instance")
    process = subprocess.Popen(
        [sys.executable, "-c", DEMO, "demo",
         "--tool-port", str(tool_port), "--lms-port", str(lms_port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if "Ctrl+C" in line:
                started.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not started.is_set() and process.poll() is None and time.monotonic() < deadline:
            started.wait(0.2)
        output = "".join(lines)
        assert started.is_set(), f"the demo did not start (exit {process.poll()}):\n{output}"
        assert "Traceback" not in output, output
        urls = re.findall(r"https?://\S+", output)
        assert urls == [f"http://localhost:{lms_port}/canvas/"], output

        course = requests.get(urls[0], timeout=10)
        assert course.status_code == 200
        assert "Career Readiness 101" in course.text
        assert "Add Microbridge activity" in course.text  # the demo Canvas has the tool
        assert "Choose your project" in course.text  # and a choice of projects to rank
        assert "(for credit)" in course.text  # and a project placed for academic credit
        home = requests.get(f"http://localhost:{lms_port}/", timeout=10)
        assert "Moodle-like course" in home.text and "/lti/register?rt=" in home.text
        assert "/credit-office/sign-in" in home.text and "registrar@" in home.text
        tool = requests.get(f"http://127.0.0.1:{tool_port}/healthz", timeout=10)
        assert tool.json() == {"status": "ok"}
        as_instructor = requests.get(f"http://localhost:{lms_port}/moodle/admin", timeout=10)
        assert as_instructor.status_code == 403 and "Only administrators" in as_instructor.text
        admin = re.search(r'name="user_id" value="([^"]+)"', as_instructor.text)
        assert admin is not None
        moodle_admin = requests.post(f"http://localhost:{lms_port}/moodle/switch-user",
                                     data={"user_id": admin.group(1), "next": "admin"}, timeout=10)
        assert f"http://127.0.0.1:{tool_port}/lti/register?rt=" in moodle_admin.text
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
