"""Build the wheel, install it (not editable, WITHOUT extras, as a deployment does) into a
throwaway virtualenv, and run it from another directory:

- embedded (SQLite): `microbridge db upgrade` finds its migrations, `microbridge serve` and
  `microbridge demo` serve a templated page and a static file, and every top-level package is
  imported from the installed files, not from this checkout;
- production-like (PostgreSQL + Redis + a local SMTP server): `db upgrade` refuses a missing
  database in one line, then migrates the database this script creates; `serve`, `worker` and
  `beat` start; `check` passes; a page is fetched; one email goes through the worker to the
  SMTP server; beat keeps its schedule in the instance folder.

It uses its own PostgreSQL database (mb_wheel_smoke, created and dropped here) and Redis
database 14, which nothing else uses (the tests' CI pass uses 15, helpers 1 to 13).

Run by .ci/run: `python tools/wheel_smoke.py` (exit status 0 when everything holds).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "catalog", "grading", "lti_tool", "templates")
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DB_NAME = "mb_wheel_smoke"
REDIS_URL = "redis://127.0.0.1:6379/14"


STARTED = time.monotonic()


def say(*args: str | Path, end: str = "") -> None:
    print(f"[{time.monotonic() - STARTED:5.1f} s] +", " ".join(str(a) for a in args), end, flush=True)


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> None:
    say(*args)
    subprocess.run([str(a) for a in args], cwd=cwd, env=env, check=True)  # noqa: S603 (our own argv)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, *, within: float = 60.0) -> tuple[int, str, bytes]:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback only)
                return answer.status, answer.headers.get("Content-Type", ""), answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextmanager
def running(*args: str | Path, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    with running_together([list(args)], cwd=cwd, env=env):
        yield


@contextmanager
def running_together(commands: list[list[str | Path]], *, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    """Start every command; at the end stop them all at once (each in its own process group)."""
    processes = []
    try:
        for args in commands:
            say(*args, end="&")
            processes.append(subprocess.Popen(  # noqa: S603 (our own argv)
                [str(a) for a in args], cwd=cwd, env=env, start_new_session=True
            ))
        yield
    finally:
        stopping = time.monotonic()
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        print(f"stopped in {time.monotonic() - stopping:.1f} s", flush=True)


def expect(url: str, *, content_type: str, contains: bytes) -> None:
    status, kind, body = fetch(url)
    assert status == 200, f"{url}: HTTP {status}"
    assert kind.startswith(content_type), f"{url}: Content-Type {kind!r}, wanted {content_type}"
    assert contains in body, f"{url}: {contains!r} not in the page"
    print(f"ok  {url} ({kind}, {len(body)} bytes)", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="microbridge-wheel-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROBRIDGE_", "PYTHON"))}
        env.update(MICROBRIDGE_INSTANCE_PATH=str(work / "instance"))
        bin_dir = install_wheel(work, env)
        embedded(work, env, bin_dir)
        with_services(work, env, bin_dir)
    print(f"wheel smoke test passed in {time.monotonic() - STARTED:.0f} s")
    return 0


def install_wheel(work: Path, env: dict[str, str]) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist",
        ROOT, cwd=work, env=env)
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' scratch copy
    wheel = next((work / "dist").glob("microbridge-*.whl"))
    # This pip installs into the new virtualenv (faster than bootstrapping one inside it); the
    # installed modules are compiled as they are first imported, not all of SciPy up front.
    run(sys.executable, "-m", "venv", "--without-pip", work / "venv", cwd=work, env=env)
    bin_dir = work / "venv" / "bin"
    # No extras: exactly what `pip install microbridge` gives a deployment.
    run(sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "-qq", "--no-compile",
        wheel, cwd=work, env=env)
    return bin_dir


def embedded(work: Path, env: dict[str, str], bin_dir: Path) -> None:
    # Every top-level package comes from the installed files (the run is outside the checkout).
    check = (
        "import importlib, sys\n"
        f"for name in {PACKAGES!r}:\n"
        "    path = importlib.import_module(name).__file__\n"
        "    assert '/site-packages/' in path, (name, path)\n"
        "print('ok  packages import from', path.rsplit('/', 2)[0])\n"
    )
    run(bin_dir / "python", "-c", check, cwd=work, env=env)
    run(bin_dir / "microbridge", "db", "upgrade", cwd=work, env=env)

    port = free_port()
    # serve refuses to start without a mail server; nothing is mailed here.
    serve_env = {**env, "MICROBRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
                 "MICROBRIDGE_SMTP_URL": "smtp://127.0.0.1:2525"}
    with running(bin_dir / "microbridge", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--workers", "1", cwd=work, env=serve_env):
        expect(f"http://127.0.0.1:{port}/", content_type="text/html", contains=b"Microbridge")
        expect(f"http://127.0.0.1:{port}/static/microbridge.css", content_type="text/css",
               contains=b"{")

    tool_port, lms_port = free_port(), free_port()
    demo_env = {**env, "MICROBRIDGE_INSTANCE_PATH": str(work / "demo-instance")}
    with running(bin_dir / "microbridge", "demo", "--tool-port", str(tool_port),
                 "--lms-port", str(lms_port), cwd=work, env=demo_env):
        expect(f"http://localhost:{lms_port}/canvas/", content_type="text/html", contains=b"<html")
        expect(f"http://127.0.0.1:{tool_port}/", content_type="text/html", contains=b"Microbridge")
        expect(f"http://127.0.0.1:{tool_port}/static/js/platform_storage.js",
               content_type="text/javascript", contains=b"postMessage")


# One email, queued in a committed transaction: the outbox hands it to Celery over Redis.
QUEUE_ONE_EMAIL = """
from config import runtime
from config.celery_app import configure_celery
from config.database import transaction
from config.mail import send_email
from config.settings import load_settings
import lti_tool.models_index
from lti_tool.runtime import build_tool_runtime

settings = load_settings()
rt = build_tool_runtime(settings)
runtime.bind(rt)
configure_celery(settings)
with transaction(rt.session_factory) as session:
    send_email(session, to="smoke@example.edu", subject="Wheel smoke", body="Through the worker.")
print("ok  one email queued for the worker")
"""


def with_services(work: Path, env: dict[str, str], bin_dir: Path) -> None:
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Keep:
        async def handle_DATA(self, _server: object, _session: object, envelope: Any) -> str:
            received.append(envelope.content)
            return "250 OK"

    smtp_port, port = free_port(), free_port()
    instance = work / "services-instance"
    services_env = {
        **env, "MICROBRIDGE_INSTANCE_PATH": str(instance),
        "MICROBRIDGE_DATABASE_URL": f"{PG_SERVER}/{DB_NAME}", "MICROBRIDGE_REDIS_URL": REDIS_URL,
        "MICROBRIDGE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MICROBRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "MICROBRIDGE_SECRET_KEY": "wheel-smoke-secret-key-of-forty-characters-or-more",
    }
    drop_database()
    missing = subprocess.run(  # noqa: S603 (our own argv)
        [str(bin_dir / "microbridge"), "db", "upgrade"], cwd=work, env=services_env,
        capture_output=True, text=True, check=False,
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr, missing
    assert len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    print("ok  db upgrade on a missing database:", missing.stderr.strip(), flush=True)
    create_database()
    smtp = Controller(Keep(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        run(bin_dir / "microbridge", "db", "upgrade", cwd=work, env=services_env)
        microbridge = bin_dir / "microbridge"
        with running_together([
            [microbridge, "worker", "--concurrency", "1"], [microbridge, "beat"],
            [microbridge, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        ], cwd=work, env=services_env):
            expect(f"http://127.0.0.1:{port}/", content_type="text/html", contains=b"Microbridge")
            passes_check(microbridge, work, services_env)
            run(bin_dir / "python", "-c", QUEUE_ONE_EMAIL, cwd=work, env=services_env)
            wait(lambda: any(b"Subject: Wheel smoke" in message for message in received),
                 what="the email to arrive through the worker")
            print("ok  the worker delivered the email to the SMTP server", flush=True)
            # The schedule is a shelve file: its name gets a suffix from the dbm at hand.
            wait(lambda: any(instance.glob("celerybeat-schedule*")), what="beat's schedule")
            assert not list(work.glob("celerybeat-schedule*")), "beat wrote into the working folder"
            print("ok  beat keeps its schedule in the instance folder", flush=True)
    finally:
        smtp.stop()
        drop_database()
        say("dropped", DB_NAME)


def passes_check(microbridge: Path, work: Path, env: dict[str, str]) -> None:
    """`microbridge check` passes once the worker answers its ping (it may still be starting)."""
    deadline = time.monotonic() + 90
    while True:
        result = subprocess.run(  # noqa: S603 (our own argv)
            [str(microbridge), "check"], cwd=work, env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    print(result.stdout, end="", flush=True)
    assert result.returncode == 0, result.stdout + result.stderr


def wait(condition: Callable[[], bool], *, what: str, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def create_database() -> None:
    _admin(f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # database 14 is this script's alone


def _admin(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
