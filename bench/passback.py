"""Grade passback benchmark: released grades through the score outbox, real Celery workers
over Redis, and the emulated LMS (AGS scores endpoint) over loopback HTTP, on PostgreSQL.

Each grade is released in its own transaction (GradeRelease + outbox row, delivery queued
after commit), as instructors release them. Prints scores/s (first commit to last grade
accepted by the LMS) and enqueue-to-delivered latency percentiles (outbox row written to the
LMS accepting the score), per run and the median of the runs.

    .venv/bin/python bench/passback.py [-n 1000] [--runs 3] [--workers 2] [--concurrency 4]
                                       [--flavour canvas|moodle] [--lms-latency-ms 0]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "mb_bench_passback"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = "redis://127.0.0.1:6379/10"
CELERY = str(Path(sys.executable).with_name("celery"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_database() -> None:
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DB_NAME}"))
    engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()


def serve(app: object, port: int) -> None:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def serve_lms(port: int, flavour: str, latency_ms: int) -> None:
    """The emulated LMS in its own process (so its work does not share this process's GIL),
    with two bench endpoints: set up a course, and list the scores it accepted."""
    import logging

    from flask import jsonify, request

    from lti_tool.demo_lms.app import create_platform_app
    from lti_tool.demo_lms.platform import Platform

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    lms = Platform(flavour, base_url=f"http://127.0.0.1:{port}")
    lms.latency_ms = latency_ms
    app = create_platform_app(lms)
    made: dict[str, object] = {}

    @app.post("/bench/setup")
    def setup():  # type: ignore[no-untyped-def]
        tool_base, n = request.json["tool_base"], int(request.json["n"])  # type: ignore[index]
        tool = lms.register_tool(
            login_url=tool_base + "/lti/login", redirect_uris=[tool_base + "/lti/launch"],
            jwks_url=tool_base + "/.well-known/jwks.json", target_link_uri=tool_base + "/lti/launch",
        )
        course = lms.add_course(title="Benchmark course")
        users = lms.add_members(course, n)
        link = lms.add_resource_link(course, tool, title="Bench project", score_maximum=100)
        made["item"] = link.line_item_id
        return jsonify({
            "issuer": lms.issuer, "client_id": tool.client_id, "deployment_ids": tool.deployment_ids,
            "auth_url": lms.auth_url, "token_url": lms.token_url, "jwks_url": lms.jwks_url,
            "flavour": lms.flavour, "context_id": course.context_id, "link_id": link.id,
            "line_item_url": lms.line_item_url(link.line_item_id),
            "users": [[u.user_id, u.name] for u in users],
        })

    @app.get("/bench/posts")
    def posts():  # type: ignore[no-untyped-def]
        accepted = lms.score_posts(str(made["item"]))
        return jsonify([[p.user_id, p.received_at.timestamp()] for p in accepted])

    from werkzeug.serving import make_server

    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


class World:
    """The emulated LMS with one course of N students, and the tool's rows for them."""

    def __init__(self, args: argparse.Namespace, tool_base: str, session_factory: object) -> None:
        import requests

        from catalog.employers.models import EmployerOrg
        from catalog.institutions.service import get_or_create
        from catalog.projects.models import Project, ProjectRevision
        from grading.people.models import Course, Person
        from grading.placements.models import Placement
        from grading.submissions.models import Submission, owner_key
        from lti_tool.registry import service as registry

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-lms", str(port), "--flavour", args.flavour,
             "--lms-latency-ms", str(args.lms_latency_ms)], start_new_session=True,
        )
        info = None
        for _ in range(100):
            try:
                info = requests.post(self.url + "/bench/setup", json={"tool_base": tool_base, "n": args.n},
                                     timeout=5).json()
                break
            except requests.RequestException:
                time.sleep(0.1)
        assert info is not None, "the LMS did not start"
        with session_factory() as db:  # type: ignore[operator]
            inst = get_or_create(db, name="Bench University")
            row = registry.add_platform(
                db, issuer=info["issuer"], client_id=info["client_id"], auth_login_url=info["auth_url"],
                token_url=info["token_url"], jwks_url=info["jwks_url"], flavour=info["flavour"],
                deployment_ids=list(info["deployment_ids"]), institution_id=inst.id,
            )
            org = EmployerOrg(name="Bench Employer", slug="bench-employer")
            db.add(org)
            db.flush()
            project = Project(employer_id=org.id, status="published")
            db.add(project)
            db.flush()
            revision = ProjectRevision(
                project_id=project.id, number=1, state="published", title="Bench project",
                summary="Bench", brief_md="Bench", discipline="business", estimated_hours=10,
                compensation_type="paid", window_start=date(2026, 1, 1), window_end=date(2030, 1, 1),
            )
            db.add(revision)
            lms_course = Course(platform_id=row.id, deployment_id=info["deployment_ids"][0],
                                context_id=info["context_id"], title="Benchmark course")
            db.add(lms_course)
            db.flush()
            placement = Placement(
                course_id=lms_course.id, resource_link_id=info["link_id"], project_revision_id=revision.id,
                title="Bench project", score_maximum=100, release_mode="automatic",
                line_item_url=info["line_item_url"],
            )
            db.add(placement)
            db.flush()
            self.placement_id = placement.id
            self.submissions: list[int] = []
            for sub, name in info["users"]:
                person = Person(platform_id=row.id, sub=sub, name=name)
                db.add(person)
                db.flush()
                submission = Submission(
                    placement_id=placement.id, owner_key=owner_key(person_id=person.id),
                    person_id=person.id, member_ids=[person.id], attempt=1, text_md="work",
                    submitted_by_id=person.id, form_token=secrets.token_urlsafe(18),
                )
                db.add(submission)
                db.flush()
                self.submissions.append(submission.id)
            db.commit()

    def accepted(self) -> list[tuple[str, float]]:
        import requests

        return [(user, at) for user, at in requests.get(self.url + "/bench/posts", timeout=30).json()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def release_all(world: World, session_factory: object, round_number: int, producers: int) -> dict[int, float]:
    """Release one new grade per student, one transaction each, from ``producers`` threads
    (instructors releasing at once); returns outbox id -> commit time."""
    from sqlalchemy import select

    from grading.passback.models import ScoreOutbox
    from grading.placements.models import Placement
    from grading.reviews.models import ReleaseSource
    from grading.reviews.release import release
    from grading.submissions.models import Submission

    committed: dict[int, float] = {}
    lock = threading.Lock()
    queue = iter(enumerate(world.submissions))

    def produce() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            index, submission_id = item
            with session_factory() as db:  # type: ignore[operator]
                grade = release(
                    db, submission=db.get(Submission, submission_id),
                    placement=db.get(Placement, world.placement_id), source=ReleaseSource.INSTRUCTOR,
                    score_given=float((index + round_number) % 100), feedback_md=f"Round {round_number}",
                    link="https://tool.example/review",
                )
                ids = db.scalars(select(ScoreOutbox.id).where(ScoreOutbox.release_id == grade.id)).all()
                db.commit()
            now = time.time()
            with lock:
                for outbox_id in ids:
                    committed[outbox_id] = now

    threads = [threading.Thread(target=produce) for _ in range(producers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return committed


def wait_delivered(session_factory: object, ids: set[int], timeout: float) -> dict[int, str]:
    from sqlalchemy import select

    from grading.passback.models import ScoreOutbox

    deadline = time.time() + timeout
    states: dict[int, str] = {}
    while time.time() < deadline:
        with session_factory() as db:  # type: ignore[operator]
            states = dict(db.execute(
                select(ScoreOutbox.id, ScoreOutbox.state).where(ScoreOutbox.id.in_(ids))
            ).all())
        if all(state in ("sent", "failed", "dead", "superseded") for state in states.values()):
            return states
        time.sleep(0.05)
    raise SystemExit(f"not delivered in {timeout}s: {sorted(set(states.values()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="grades per run (one per student)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=4, help="pool size of each worker")
    parser.add_argument("--flavour", default="canvas", choices=["canvas", "moodle"])
    parser.add_argument("--lms-latency-ms", type=int, default=0, help="added to every AGS call")
    parser.add_argument("--producers", type=int, default=4, help="threads releasing grades")
    parser.add_argument("--drain", action="store_true", help="also measure draining a backlog")
    parser.add_argument("--serve-lms", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_lms:
        serve_lms(args.serve_lms, args.flavour, args.lms_latency_ms)
        return

    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    fresh_database()
    tool_port = free_port()
    tool_base = f"http://127.0.0.1:{tool_port}"
    instance = ROOT / ".bench" / "passback-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "MICROBRIDGE_DATABASE_URL": DB_URL, "MICROBRIDGE_REDIS_URL": REDIS_URL,
        "MICROBRIDGE_INSTANCE_PATH": str(instance), "MICROBRIDGE_BASE_URL": tool_base,
        "MICROBRIDGE_SECRET_KEY": "bench-secret-key", "MICROBRIDGE_LOG_LEVEL": "WARNING",
        "MICROBRIDGE_EGRESS_ALLOW_PRIVATE": "true",  # the bench LMS listens on loopback
    }
    from config.migrate import upgrade
    from config.settings import load_settings
    from lti_tool.app import create_app

    upgrade(DB_URL)
    settings = load_settings(environ=env)
    app = create_app(settings)  # the tool: publishes the JWKS the LMS's token endpoint reads
    serve(app, tool_port)
    session_factory = app.extensions["microbridge"].session_factory
    world = World(args, tool_base, session_factory)

    logs = ROOT / ".bench" / "passback-logs"
    logs.mkdir(parents=True, exist_ok=True)

    def start_workers() -> list[subprocess.Popen[bytes]]:
        started = []
        for number in range(args.workers):
            log = (logs / f"worker-{number}.log").open("ab")
            started.append(subprocess.Popen(
                [CELERY, "-A", "lti_tool.worker", "worker", "-Q", "microbridge",
                 "--concurrency", str(args.concurrency), "--loglevel",
                 os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"), "-n", f"bench{number}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            ))
        time.sleep(4)  # workers connect
        return started

    def stop_workers(running: list[subprocess.Popen[bytes]]) -> None:
        for proc in running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in running:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    workers = start_workers()
    try:
        figures = []
        for number in range(args.runs + 1):  # run 0 warms up connections, token and JWKS caches
            before = len(world.accepted())
            start = time.time()
            committed = release_all(world, session_factory, number, args.producers)
            release_seconds = time.time() - start
            states = wait_delivered(session_factory, set(committed), timeout=600)
            posts = world.accepted()[before:]
            accepted = dict(posts)
            end = max(accepted.values())
            latencies = []
            with session_factory() as db:
                from sqlalchemy import select

                from grading.passback.models import ScoreOutbox

                for outbox_id, user_sub in db.execute(
                    select(ScoreOutbox.id, ScoreOutbox.user_sub).where(ScoreOutbox.id.in_(set(committed)))
                ):
                    latencies.append(accepted[user_sub] - committed[outbox_id])
            failed = sum(1 for s in states.values() if s != "sent")
            if number == 0:
                continue
            row = {
                "scores/s": len(committed) / (end - start), "p50 ms": pct(latencies, 50),
                "p95 ms": pct(latencies, 95), "release commits/s": len(committed) / release_seconds,
            }
            figures.append(row)
            print(f"run {number}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items())
                  + f" (not sent: {failed}, LMS posts: {len(posts)})")
        print(f"median of {args.runs} runs (N={args.n}, {args.producers} producers, {args.workers} "
              f"workers x {args.concurrency}, {args.flavour}, LMS latency {args.lms_latency_ms} ms):")
        for key in figures[0]:
            print(f"  {key:20s} {statistics.median(r[key] for r in figures):9.1f}")
        if args.drain:
            # Delivery capacity alone: grades released while no worker runs pile up in Redis;
            # then the workers drain them (first to last grade the LMS accepted).
            rates = []
            for number in range(args.runs):
                stop_workers(workers)
                before = len(world.accepted())
                committed = release_all(world, session_factory, 100 + number, args.producers)
                workers = start_workers()
                wait_delivered(session_factory, set(committed), timeout=600)
                stamps = sorted(at for _, at in world.accepted()[before:])
                rates.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
                print(f"drain {number + 1}: {rates[-1]:.1f} scores/s")
            print(f"  {'drain scores/s':20s} {statistics.median(rates):9.1f}")
    finally:
        world.stop()
        stop_workers(workers)


if __name__ == "__main__":
    main()
