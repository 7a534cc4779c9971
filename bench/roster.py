"""Roster benchmark: NRPS sync of a 10,000-member course into a placement's cached roster.

The emulated LMS runs in its own process with 10,000 members, 100-member pages and 20 ms of
latency per page (every page is a round trip: cursors allow no parallel fetch). The tool side
is what the dashboard's refresh button runs: ``grading.placements.roster.sync`` through the
NRPS Roster port (token from the shared cache, Link rel="next" paging), replacing the cached
roster in one transaction. Target: under 5 s.

    .venv/bin/python bench/roster.py [--members 10000] [--page-size 100] [--latency-ms 20]
                                     [--runs 3] [--flavour canvas] [--postgresql]
    .venv/bin/python bench/roster.py --members 200 --runs 1      # a smoke run

Prints each run's members, learners and seconds, then the median against the target.

Uses its own SQLite file under .bench/, or with --postgresql its own PostgreSQL database
(microbridge_bench_roster, bench/_own.py): it never empties a database it did not create.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, whatever is installed
BENCH_DIR = ROOT / ".bench" / "roster"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the LMS, in its own process ------------------------------------------------------------


def serve_lms(args: argparse.Namespace) -> None:
    from werkzeug.serving import make_server

    from lti_tool.demo_lms.app import create_platform_app
    from lti_tool.demo_lms.platform import Platform

    platform = Platform(args.flavour, base_url=f"http://127.0.0.1:{args.port}", platform_storage=False)
    platform.max_page_size = None  # the tool asks for --page-size; let it have it
    tool = platform.register_tool(
        login_url=args.tool_base + "/lti/login", redirect_uris=[args.tool_base + "/lti/launch"],
        jwks_url=args.tool_base + "/.well-known/jwks.json", target_link_uri=args.tool_base + "/lti/launch",
    )
    course = platform.add_course(title="Roster benchmark")
    teacher = platform.add_user("Bench", "Teacher")
    platform.enrol(course, teacher, "Instructor")
    platform.add_members(course, args.members)
    platform.latency_ms = args.latency_ms
    app = create_platform_app(platform)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(json.dumps({
        "issuer": platform.issuer, "client_id": tool.client_id, "deployment": tool.deployment_id,
        "auth_url": platform.auth_url, "token_url": platform.token_url, "jwks_url": platform.jwks_url,
        "memberships_url": platform.memberships_url(course, tool), "context_id": course.context_id,
    }), flush=True)
    server.serve_forever()


# -- the tool -------------------------------------------------------------------------------


@contextmanager
def tool_server(database_url: str, instance: Path, port: int) -> Any:
    from werkzeug.serving import make_server

    from config.migrate import upgrade
    from config.settings import load_settings
    from lti_tool.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    upgrade(database_url)
    settings = load_settings(environ={}, instance_path=instance, database_url=database_url,
                             base_url=f"http://127.0.0.1:{port}", secret_key="bench-secret",
                             egress_allow_private=True)  # the emulated LMS is on loopback
    app = create_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()


def placed(session: Any, lms: dict[str, Any]) -> int:
    """A registered platform, its course and a placement to sync the roster of."""
    from catalog.employers.models import EmployerOrg
    from catalog.institutions.service import get_or_create
    from catalog.projects.models import Project, ProjectRevision
    from grading.people.models import Course
    from grading.placements import service as placements
    from grading.placements.service import PlacementSettings
    from lti_tool.registry import service as registry

    inst = get_or_create(session, name="Bench University")
    platform = registry.add_platform(
        session, issuer=lms["issuer"], client_id=lms["client_id"], auth_login_url=lms["auth_url"],
        token_url=lms["token_url"], jwks_url=lms["jwks_url"], flavour="canvas",
        deployment_ids=[lms["deployment"]], institution_id=inst.id,
    )
    course = Course(platform_id=platform.id, deployment_id=lms["deployment"],
                    context_id=lms["context_id"], memberships_url=lms["memberships_url"])
    org = EmployerOrg(name="Bench Employer", slug="bench-employer", website="https://bench.example")
    session.add_all([course, org])
    session.flush()
    project = Project(employer_id=org.id, status="published")
    session.add(project)
    session.flush()
    revision = ProjectRevision(
        project_id=project.id, number=1, state="published", title="Bench project", summary="s",
        brief_md="b", discipline="data", estimated_hours=10, compensation_type="unpaid",
        window_start=date(2026, 1, 1), window_end=date(2026, 6, 1),
    )
    session.add(revision)
    session.flush()
    placement = placements.create(
        session, course_id=course.id, project_revision_id=revision.id,
        settings=PlacementSettings(title="Bench project"), created_by_person_id=None,
        resource_link_id=None,
    )
    session.commit()
    return placement.id


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--flavour", default="canvas", choices=["canvas", "moodle"])
    parser.add_argument("--postgresql", action="store_true", help="on its own PostgreSQL database")
    parser.add_argument("--serve-lms", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--tool-base", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_lms:
        serve_lms(args)
        return
    from config import runtime

    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    database = f"sqlite:///{BENCH_DIR / 'roster.sqlite3'}"
    if args.postgresql:
        from bench import _own

        lock = _own.single_run("roster")  # noqa: F841 (held until the process ends)
        database = _own.fresh_database("roster")
    tool_port, lms_port = free_port(), free_port()
    tool_base = f"http://127.0.0.1:{tool_port}"
    lms_proc = subprocess.Popen(
        [sys.executable, __file__, "--serve-lms", "--port", str(lms_port), "--tool-base", tool_base,
         "--members", str(args.members), "--latency-ms", str(args.latency_ms),
         "--flavour", args.flavour],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )
    try:
        assert lms_proc.stdout is not None
        lms = json.loads(lms_proc.stdout.readline())
        # The refresh button runs in a request, inside its app; here the bench is the command
        # around the sync, so it binds the app's runtime as the CLI does.
        with tool_server(database, BENCH_DIR, tool_port) as app, runtime.bound(runtime.of_app(app)):
            run_syncs(app, lms, args)
    finally:
        lms_proc.terminate()
        lms_proc.wait(timeout=10)


def run_syncs(app: Any, lms: dict[str, Any], args: argparse.Namespace) -> None:
    from grading.placements import roster
    from grading.placements.models import Placement
    from lti_tool.services.nrps import NrpsRoster

    rt = app.extensions["microbridge"]
    with rt.session_factory() as session:
        placement_id = placed(session, lms)
    port = NrpsRoster(rt.session_factory, rt.store, page_size=args.page_size)
    seconds: list[float] = []
    for run in range(1, args.runs + 1):
        with rt.session_factory() as session:
            placement = session.get(Placement, placement_id)
            assert placement is not None
            started = time.perf_counter()
            result = roster.sync(session, placement=placement, roster=port)
            session.commit()
            elapsed = time.perf_counter() - started
        seconds.append(elapsed)
        print(f"run {run}: {result.members} members ({result.learners} learners) in {elapsed:.2f} s",
              flush=True)
    engine = rt.engine.dialect.name
    print(f"NRPS roster sync, {args.members} members, {args.page_size}-member pages, "
          f"{args.latency_ms} ms per page, {args.flavour}, {engine}: "
          f"median {statistics.median(seconds):.2f} s (target < 5 s)")


if __name__ == "__main__":
    main()
