"""Shared fixtures. The backend is the embedded default unless MICROBRIDGE_TEST_DATABASE_URL and
MICROBRIDGE_TEST_REDIS_URL name a real PostgreSQL and Redis (as .ci/run's second pass does)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from config import keypairs, runtime
from config.database import make_engine
from config.migrate import upgrade
from config.settings import Settings, load_settings
from config.url_rules import SharedBuilderRule
from lti_tool.app import create_app
from lti_tool.demo_lms import keys as demo_lms_keys
from lti_tool.models_index import metadata

# Under pytest-xdist (`make test` runs three workers) each worker gets a database and a Redis
# database number of its own, derived from the ones given: gw0 keeps them, gw1 takes `<db>_gw1`
# and the Redis database below, and so on. Tests wipe what they use, so they must not share.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0


def _for_this_worker(database_url: str, redis_url: str) -> tuple[str, str]:
    if not WORKER_INDEX:
        return database_url, redis_url
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        database_url = url.set(database=f"{url.database}_gw{WORKER_INDEX}").render_as_string(
            hide_password=False)
    if redis_url:
        parts = urlsplit(redis_url)
        number = int(parts.path.strip("/") or 0) - WORKER_INDEX
        if number < 0:
            raise RuntimeError(f"no Redis database left for xdist worker {XDIST_WORKER}")
        redis_url = urlunsplit(parts._replace(path=f"/{number}"))
    return database_url, redis_url


TEST_DATABASE_URL, TEST_REDIS_URL = _for_this_worker(
    os.environ.get("MICROBRIDGE_TEST_DATABASE_URL", ""),
    os.environ.get("MICROBRIDGE_TEST_REDIS_URL", ""))
USES_SERVICES = bool(TEST_DATABASE_URL.startswith("postgresql") and TEST_REDIS_URL)


# Files that take longest, started first so that `make test`'s workers finish together (xdist
# hands out tests in collection order).
SLOW_FIRST = (
    "tests/browser/",
    "tests/security/test_csrf_crawler.py",
    "tests/security/test_team_move.py",
    "tests/lti/test_demo_command.py",
    "tests/credentials/",
    "tests/placements/test_large_course.py",
)


def _slowness_rank(item: pytest.Item) -> int:
    path = item.nodeid
    return next((rank for rank, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)),
                len(SLOW_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_slowness_rank)  # stable: files keep their tests together and in order
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            # A browser test that fails is run once more, from fresh fixtures, and the summary
            # counts it as rerun: on two busy cores Chromium has missed a 15 s wait in about
            # one full run in three, each time at a different step, and passes alone. A real
            # fault fails both times.
            item.add_marker(pytest.mark.flaky(reruns=1))
    if USES_SERVICES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL, Redis and a Celery worker (.ci/run pass 2)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


_RERUN_REPORTS: list[pytest.TestReport] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if str(report.outcome) == "rerun":  # an outcome of pytest-rerunfailures
        _RERUN_REPORTS.append(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # A rerun that passed leaves only its name in the summary; CI's log should say why the
    # first try failed, or a flaky test can never be told from a race in the product.
    for report in _RERUN_REPORTS:
        terminalreporter.write_sep("-", f"why the first try of {report.nodeid} failed")
        terminalreporter.write_line(report.longreprtext[-4000:])
        for name, content in report.sections:  # the servers' log lines say what reached them
            terminalreporter.write_line(f"--- {name}\n{content[-3000:]}")


class ReusedKeys:
    """RSA keys for the tests: the n-th key a test asks for, per purpose, is the n-th key any
    earlier test asked for, generated once per worker. Keys stay distinct inside a test (a
    rotation still gets a new key); every test starts from an empty database and store, so no
    test sees another's use of the same key. Fixtures wider than a test get fresh keys."""

    def __init__(self) -> None:
        self.made: dict[str, list[RSAPrivateKey]] = {}
        self.handed: dict[str, int] = {}

    def __call__(self, purpose: str) -> RSAPrivateKey:
        made = self.made.setdefault(purpose, [])
        index = self.handed.get(purpose, 0)
        self.handed[purpose] = index + 1
        if index == len(made):
            made.append(keypairs.generate(purpose))
        return made[index]


REUSED_KEYS = ReusedKeys()


@pytest.fixture(autouse=True)
def _reused_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    REUSED_KEYS.handed.clear()
    # The demo LMS imports nothing of the tool's, so it has a seam of its own.
    monkeypatch.setattr(demo_lms_keys, "new_private_key", lambda: REUSED_KEYS("platform"))
    with keypairs.made_by(REUSED_KEYS):
        yield


_ENGINES: dict[tuple[str, bool, int], Engine] = {}


def _reused_engine(database_url: str, *, pool: bool = True, pool_size: int = 5) -> Engine:
    """One engine per database and pool shape for the whole worker: each test's app disposes
    it (its pooled connections close) and the next app's runtime takes it up again, with
    SQLAlchemy's compiled statements still cached (compiling them afresh for every test's new
    engine was a quarter of the suite's CPU). Tests still start from an empty database."""
    key = (database_url, pool, pool_size)
    if key not in _ENGINES:
        _ENGINES[key] = make_engine(database_url, pool=pool, pool_size=pool_size)
    return _ENGINES[key]


@pytest.fixture(scope="session", autouse=True)
def _work_reused() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "make_engine", _reused_engine)
        # Every Flask app the tests build, the demo LMS's too, parses each route once per
        # worker (the tool's own app does so everywhere: config/url_rules.py).
        patch.setattr(Flask, "url_rule_class", SharedBuilderRule)
        yield


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> str:
    url = TEST_DATABASE_URL or f"sqlite:///{instance_dir / 'test.sqlite3'}"
    if url.startswith("postgresql"):
        _create_database_if_missing(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture
def settings(instance_dir: Path, database_url: str) -> Settings:
    return load_settings(
        environ={},
        instance_path=instance_dir,
        database_url=database_url,
        redis_url=TEST_REDIS_URL,
        secret_key="test-secret-key-not-for-production",
        base_url="http://127.0.0.1:5000",
        testing=True,
        # The emulated LMS listens on loopback; tests that check the egress policy turn this off.
        egress_allow_private=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    # What tests run outside a request (tasks, sweeps) uses this app's runtime, as a worker would.
    with runtime.bound(runtime.of_app(application)):
        yield application
    _wipe(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session outside any request, for arranging and checking data."""
    session = app.extensions["microbridge"].session_factory()
    yield session
    session.close()


def _create_database_if_missing(url: str) -> None:
    """An xdist worker's own database, made beside the one the run was given."""
    name = make_url(url).database
    given = make_url(os.environ["MICROBRIDGE_TEST_DATABASE_URL"])
    if name == given.database:
        return
    engine = create_engine(given, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def _wipe(application: Flask) -> None:
    """Leave an empty database and store for the next test."""
    rt = application.extensions["microbridge"]
    with rt.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    if TEST_REDIS_URL:
        import redis

        redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    rt.dispose()
