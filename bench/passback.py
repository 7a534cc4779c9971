"""Grade passback benchmark: released grades through the score outbox, real Celery workers
over Redis, and the emulated LMS (AGS scores endpoint) over loopback HTTP, on PostgreSQL.

Each grade is released in its own transaction (GradeRelease + outbox row, delivery queued
after commit), as instructors release them. Workers are started as in production
(``microbridge worker``: its score pump takes first tries from Redis, a threads pool runs
the retries). The emulated LMS runs in its
own process, threaded, and sleeps ``--lms-latency-ms`` in every AGS call.

Per run it prints: scores/s and time from the first release commit to the last grade the LMS
accepted; enqueue-to-delivered latency percentiles; grades lost (no application in the LMS)
and applied twice (more than one accepted score POST for one release, counted in the
emulator); the workers' peak memory (RSS of each worker's process group, summed); CPU per
grade of each process kind (this process, which releases; the workers; the LMS; this bench's
PostgreSQL backends; the shared Redis server), which wall times on a busy machine hide. ``--drain``
also measures delivery alone: grades released while no worker runs, then drained.

It uses its own PostgreSQL database (microbridge_bench_passback) and Redis database number
(``--redis-db``), which it marks as its own, and wipes nothing it did not create (bench/_own.py).

    .venv/bin/python bench/passback.py [-n 1000] [--runs 3] [--workers 2] [--concurrency 32]
                                       [--pool threads|prefork] [--flavour canvas|moodle]
                                       [--lms-latency-ms 0] [--redis-db 10] [--drain]
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
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _own  # noqa: E402

BENCH = "passback"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
        return jsonify([[p.user_id, p.received_at.timestamp(), str(p.body.get("comment", ""))]
                        for p in accepted])

    serve_threaded(app, port)


def serve_threaded(app: object, port: int) -> None:
    """Serve as an LMS does: many requests at once (threads), connections kept alive
    (werkzeug's server closes every connection after one request)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": 1, "worker_class": "gthread",
                               "threads": 128, "keepalive": 30, "loglevel": "warning",
                               "backlog": 2048}.items():
                self.cfg.set(key, value)

        def load(self) -> object:
            return app

    Server().run()


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

    def accepted(self, round_number: int) -> list[tuple[str, float]]:
        """Every score POST the LMS accepted (applied) for this round's grades."""
        import requests

        marker = round_marker(round_number)
        return [(user, at) for user, at, comment in requests.get(self.url + "/bench/posts", timeout=60).json()
                if marker in comment]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def release_all(
    world: World, session_factory: object, round_number: int, producers: int, limit: int | None = None
) -> dict[int, float]:
    """Release one new grade per student, one transaction each, from ``producers`` threads
    (instructors releasing at once); returns outbox id -> commit time."""
    from config import outbox
    from grading.passback.models import CHANNEL
    from grading.placements.models import Placement
    from grading.reviews.models import ReleaseSource
    from grading.reviews.release import release
    from grading.submissions.models import Submission

    committed: dict[int, float] = {}
    lock = threading.Lock()
    queue = iter(enumerate(world.submissions[:limit]))

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
                    score_given=float((index + round_number) % 100), feedback_md=round_marker(round_number),
                )
                # The rows this commit queues (no query: the bench's own reads would count
                # as release cost in the CPU figures).
                ids = outbox.pending(db).get(CHANNEL, [])
                assert ids, f"release {grade.id} queued nothing"
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


def round_marker(round_number: int) -> str:
    return f"bench-round-{round_number}-end"


SETTLED = ("sent", "failed", "dead", "superseded")


def wait_delivered(session_factory: object, ids: set[int], timeout: float) -> dict[int, str]:
    """Wait until every row is settled (polling a count, which costs the database little)."""
    from sqlalchemy import func, select

    from grading.passback.models import ScoreOutbox

    low, high = min(ids), max(ids)
    deadline = time.time() + timeout
    while time.time() < deadline:
        with session_factory() as db:  # type: ignore[operator]
            waiting = db.scalar(select(func.count()).select_from(ScoreOutbox).where(
                ScoreOutbox.id.between(low, high), ScoreOutbox.state.not_in(SETTLED)))
        if not waiting:
            break
        time.sleep(0.25)
    with session_factory() as db:  # type: ignore[operator]
        states = dict(db.execute(
            select(ScoreOutbox.id, ScoreOutbox.state).where(ScoreOutbox.id.between(low, high))
        ).all())
    if any(state not in SETTLED for state in states.values()):
        raise SystemExit(f"not delivered in {timeout}s: {Counter(states.values())}")
    return {i: state for i, state in states.items() if i in ids}


class MemoryWatch:
    """Peak resident memory of the workers: each worker's process group, summed, every 0.5 s."""

    def __init__(self) -> None:
        self.groups: list[int] = []
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def reset(self) -> None:
        self.peak_mb = 0.0

    def _members(self) -> list[tuple[Path, list[str]]]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in self.groups:
                found.append((entry, fields))
        return found

    def now_mb(self) -> float:
        total = 0
        for entry, _ in self._members():
            try:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return total / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the workers' processes have used so far."""
        ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in self._members())
        return ticks / os.sysconf("SC_CLK_TCK")

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            if self.groups:
                self.peak_mb = max(self.peak_mb, self.now_mb())

    def stop(self) -> None:
        self._stop.set()


def _ticks(pid: int) -> int:
    """CPU ticks (user + system, all threads) one process has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU used per process kind during a run: this process (the releasing instructors), the
    workers, the emulated LMS, this bench's PostgreSQL backends and the Redis server (shared
    with whoever else uses it, so an upper bound). Everything shares the machine's cores, so
    CPU per grade, not wall time, says what a change saved."""

    def __init__(self, workers: MemoryWatch, lms_pgid: int, session_factory: object) -> None:
        self.workers, self.lms_pgid, self.session_factory = workers, lms_pgid, session_factory
        self.redis_pids = [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()
                           and _comm(e) == "redis-server"]
        self.start: dict[str, dict[int, int]] = {}

    def _backends(self) -> list[int]:
        from sqlalchemy import text

        with self.session_factory() as db:  # type: ignore[operator]
            return list(db.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")))

    def _read(self) -> dict[str, dict[int, int]]:
        kinds = {
            "bench": [os.getpid()], "worker": [p for g in self.workers.groups for p in _group(g)],
            "lms": _group(self.lms_pgid), "postgres": self._backends(), "redis": self.redis_pids,
        }
        return {kind: {pid: _ticks(pid) for pid in pids} for kind, pids in kinds.items()}

    def begin(self) -> None:
        self.start = self._read()

    def per_grade_ms(self, grades: int) -> dict[str, float]:
        """CPU ms per grade since ``begin``, per kind and in total. A PostgreSQL backend that
        ended in between is missed; one that began counts from zero."""
        end = self._read()
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        used = {kind: sum(t - self.start[kind].get(pid, 0) for pid, t in pids.items())
                * tick_ms / grades for kind, pids in end.items()}
        used["total"] = sum(used.values())
        return used


def _comm(entry: Path) -> str:
    try:
        return (entry / "comm").read_text().strip()
    except OSError:
        return ""


def check_round(world: World, round_number: int, states: dict[int, str], n: int) -> dict[str, float]:
    """Lost and doubly applied grades, counted in the LMS, and when the last one arrived."""
    posts = world.accepted(round_number)
    per_user = Counter(user for user, _ in posts)
    return {
        "lost": n - len(per_user), "applied twice": sum(c - 1 for c in per_user.values()),
        "not sent": sum(1 for s in states.values() if s != "sent"),
        "last": max((at for _, at in posts), default=float("nan")),
        "first": min((at for _, at in posts), default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="grades per run (one per student)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (0: drains only)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (microbridge worker)")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="tasks in flight per worker (default: microbridge worker's)")
    parser.add_argument("--pool", default="threads", choices=["threads", "prefork"])
    parser.add_argument("--flavour", default="canvas", choices=["canvas", "moodle"])
    parser.add_argument("--lms-latency-ms", type=int, default=0, help="slept in every AGS call")
    parser.add_argument("--producers", type=int, default=4, help="threads releasing grades")
    parser.add_argument("--redis-db", type=int, default=10, help="this bench's Redis database (1-13)")
    parser.add_argument("--drain", action="store_true", help="also measure draining a backlog")
    parser.add_argument("--drains", type=int, default=3, help="backlogs to drain with --drain")
    parser.add_argument("--serve-lms", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_lms:
        serve_lms(args.serve_lms, args.flavour, args.lms_latency_ms)
        return

    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    lock = _own.single_run(BENCH)  # noqa: F841 (held until the process ends)
    redis_url = _own.claim_redis(BENCH, args.redis_db)
    db_url = _own.fresh_database(BENCH)
    tool_port = free_port()
    tool_base = f"http://127.0.0.1:{tool_port}"
    instance = ROOT / ".bench" / "passback-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "MICROBRIDGE_DATABASE_URL": db_url, "MICROBRIDGE_REDIS_URL": redis_url,
        "MICROBRIDGE_INSTANCE_PATH": str(instance), "MICROBRIDGE_BASE_URL": tool_base,
        "MICROBRIDGE_SECRET_KEY": "bench-secret-key", "MICROBRIDGE_LOG_LEVEL": "WARNING",
        "MICROBRIDGE_EGRESS_ALLOW_PRIVATE": "true",  # the bench LMS listens on loopback
        "PYTHONPATH": str(ROOT),
    }
    from config.migrate import upgrade
    from config.settings import load_settings
    from lti_tool.app import create_app

    upgrade(db_url)
    settings = load_settings(environ=env)
    app = create_app(settings)  # the tool: publishes the JWKS the LMS's token endpoint reads
    serve(app, tool_port)
    session_factory = app.extensions["microbridge"].session_factory
    world = World(args, tool_base, session_factory)

    logs = ROOT / ".bench" / "passback-logs"
    logs.mkdir(parents=True, exist_ok=True)
    memory = MemoryWatch()

    def start_workers() -> list[subprocess.Popen[bytes]]:
        started = []
        for number in range(args.workers):
            log = (logs / f"worker-{number}.log").open("ab")
            # --demo: no SMTP here, so the worker's (few) emails go to the outbox table.
            command = [sys.executable, "-m", "lti_tool.cli", "worker", "--demo", "--pool", args.pool]
            if args.concurrency:
                command += ["--concurrency", str(args.concurrency)]
            command += ["--", "--loglevel", os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING"),
                        "-n", f"bench{number}@%h", "--without-gossip", "--without-mingle",
                        "--without-heartbeat"]
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True))
        memory.groups = [proc.pid for proc in started]
        time.sleep(5)  # workers connect
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
                proc.wait(timeout=10)

    workers = start_workers()
    meter = CpuMeter(memory, world.process.pid, session_factory)
    described = (f"N={args.n}, {args.producers} producers, {args.workers} worker(s) x "
                 f"{args.concurrency or 'default'} {args.pool}, {args.flavour}, "
                 f"LMS latency {args.lms_latency_ms} ms")
    try:
        figures = []
        for number in range(args.runs + 1):  # run 0 warms up connections, token and JWKS caches
            memory.reset()
            meter.begin()
            start = time.time()
            committed = release_all(world, session_factory, number, args.producers,
                                    limit=None if number else min(args.n, 200))
            release_seconds = time.time() - start
            states = wait_delivered(session_factory, set(committed), timeout=900)
            counted = check_round(world, number, states, len(committed))
            if number == 0:
                continue
            latencies = []
            posts = dict(world.accepted(number))
            with session_factory() as db:
                from sqlalchemy import select

                from grading.passback.models import ScoreOutbox

                for outbox_id, user_sub in db.execute(
                    select(ScoreOutbox.id, ScoreOutbox.user_sub).where(ScoreOutbox.id.in_(set(committed)))
                ):
                    if user_sub in posts:
                        latencies.append(posts[user_sub] - committed[outbox_id])
            elapsed = counted["last"] - start
            used = meter.per_grade_ms(len(committed))
            row = {
                "seconds": elapsed, "scores/s": len(committed) / elapsed,
                "release commits/s": len(committed) / release_seconds,
                "p50 ms": pct(latencies, 50), "p95 ms": pct(latencies, 95),
                "worker MB": memory.peak_mb, "lost": counted["lost"],
                "applied twice": counted["applied twice"], "not sent": counted["not sent"],
            }
            figures.append(row)
            print(f"run {number}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()), flush=True)
            print("  CPU ms per grade: " + ", ".join(f"{k} {v:.2f}" for k, v in used.items())
                  + f"; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        if figures:
            print(f"median of {args.runs} runs ({described}), first release to last grade applied:")
            for key in figures[0]:
                print(f"  {key:20s} {statistics.median(r[key] for r in figures):9.1f}")
        if args.drain:
            # Delivery capacity alone: grades released while no worker runs pile up in Redis;
            # then the workers drain them (workers started to last grade the LMS accepted).
            drains = []
            for number in range(args.drains):
                round_number = 100 + number
                stop_workers(workers)
                committed = release_all(world, session_factory, round_number, args.producers)
                memory.reset()
                started = time.time()
                workers = start_workers()
                states = wait_delivered(session_factory, set(committed), timeout=900)
                cpu = memory.cpu_seconds()
                counted = check_round(world, round_number, states, len(committed))
                seconds = counted["last"] - counted["first"]
                drains.append({
                    "drain seconds": seconds, "drain scores/s": (len(committed) - 1) / seconds,
                    "from start s": counted["last"] - started, "worker MB": memory.peak_mb,
                    "worker CPU ms/grade": cpu * 1000 / len(committed),
                    "lost": counted["lost"], "applied twice": counted["applied twice"],
                    "not sent": counted["not sent"],
                })
                print(f"drain {number + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in drains[-1].items()),
                      flush=True)
            print(f"median of {len(drains)} drains ({described}), first to last grade applied:")
            for key in drains[0]:
                print(f"  {key:20s} {statistics.median(r[key] for r in drains):9.1f}")
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        memory.stop()
        world.stop()
        stop_workers(workers)
        _own.release_redis(BENCH, args.redis_db)
        _own.drop_database(BENCH)


if __name__ == "__main__":
    main()
