"""The public pages' rate limit: a client over its group's limit gets 429 with Retry-After, a
page a person understands (JSON on the JSON endpoints); other clients, the other group and
the next window are not affected; a spoofed X-Forwarded-For buys nothing, a trusted proxy's
is believed. Counted in the process (embedded) or in Redis (shared by every process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from catalog.institutions.models import Institution
from config import ratelimit
from config.ratelimit import InProcessWindows, client_address, trusted_proxies
from config.settings import Settings
from lti_tool.app import create_app
from tests.conftest import TEST_REDIS_URL, _wipe

NOW = 1_800_000_030.0  # the middle of a window: a test never straddles two


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    proxies = trusted_proxies("127.0.0.1, 10.0.0.0/8")
    assert client_address("198.51.100.7", ["203.0.113.1"], proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", ["203.0.113.1"], proxies) == "203.0.113.1"
    # The client wrote the left part itself: the nearest untrusted hop is the one that counts.
    assert client_address("127.0.0.1", ["6.6.6.6, 203.0.113.1, 10.1.2.3"], proxies) == "203.0.113.1"
    assert client_address("127.0.0.1", [], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", ["not-an-address"], proxies) == "127.0.0.1"
    assert client_address("2001:db8:1:2:3:4:5:6", [], proxies) == "2001:db8:1:2::/64"
    assert client_address("::ffff:203.0.113.9", [], proxies) == "203.0.113.9"
    assert client_address("10.9.9.9", ["203.0.113.1"], trusted_proxies("*")) == "203.0.113.1"
    assert trusted_proxies("127.0.0.1,garbage") == trusted_proxies("127.0.0.1")


def test_in_process_windows_start_again_each_window() -> None:
    windows = InProcessWindows()
    assert [windows.hit("a", 7) for _ in range(3)] == [1, 2, 3]
    assert windows.hit("b", 7) == 1
    assert windows.hit("a", 8) == 1


MODES = ["embedded", pytest.param("redis", marks=pytest.mark.skipif(
    not TEST_REDIS_URL, reason="needs MICROBRIDGE_TEST_REDIS_URL"))]


@pytest.fixture(params=MODES)
def limited(request: pytest.FixtureRequest, settings: Settings,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Settings]]:
    monkeypatch.setattr(ratelimit, "clock", lambda: NOW)
    mode = str(request.param)
    yield mode, settings.with_overrides(redis_url=TEST_REDIS_URL if mode == "redis" else "",
                                        public_pages_per_minute=3, public_api_per_minute=5)


@pytest.fixture
def apps(limited: tuple[str, Settings]) -> Iterator[list[Flask]]:
    made: list[Flask] = []
    yield made
    for application in made:
        _wipe(application)


def _app(settings: Settings, apps: list[Flask]) -> Flask:
    application = create_app(settings)
    apps.append(application)
    return application


def _issuer(application: Flask) -> int:
    with application.extensions["microbridge"].session_factory() as session:
        row = Institution(name="Demo University", slug="demo-university")
        session.add(row)
        session.commit()
        return row.id


def _visitor(application: Flask, address: str) -> FlaskClient:
    client = application.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_over_the_limit_a_person_gets_a_page_and_a_program_json(
        limited: tuple[str, Settings], apps: list[Flask]) -> None:
    mode, settings = limited
    application = _app(settings, apps)
    issuer = _issuer(application)
    visitor = _visitor(application, "198.51.100.7")
    for _ in range(3):
        assert visitor.get("/credentials/verify").status_code == 200
    refused = visitor.get("/credentials/verify")
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert refused.headers["Retry-After"] == "30"  # the window ends 30 s after NOW
    text = refused.get_data(as_text=True)
    assert "Too many requests at once" in text and "Wait 30 seconds and reload the page" in text
    assert visitor.get("/credentials/shared/whatever").status_code == 429  # the same group
    assert visitor.get("/credentials/packets/verify").status_code == 429

    jwks = f"/credentials/issuers/{issuer}/jwks.json"
    for path in (jwks, jwks, f"/credentials/issuers/{issuer}", f"/credentials/status/{issuer}",
                 "/credentials/verify.json?credential=x"):
        assert visitor.get(path).status_code == 200  # the other group counts on its own
    over = visitor.get(jwks)
    assert over.status_code == 429 and over.headers["Retry-After"] == "30"
    assert over.get_json() == {"error": "too_many_requests", "retry_after": 30,
                               "message": "More than 5 requests a minute came from your address. "
                                          "Try again in 30 seconds."}

    assert _visitor(application, "203.0.113.9").get("/credentials/verify").status_code == 200
    ratelimit.clock = lambda: NOW + 60  # type: ignore[assignment]  (undone by monkeypatch)
    assert visitor.get("/credentials/verify").status_code == 200  # the next minute
    if mode == "redis":
        keys = redis.Redis.from_url(TEST_REDIS_URL).keys("rate:*")
        assert b"rate:pages:198.51.100.7:30000000" in keys and len(keys) >= 3


def test_a_forged_forwarded_for_buys_nothing_and_a_proxys_is_believed(
        limited: tuple[str, Settings], apps: list[Flask]) -> None:
    _, settings = limited
    application = _app(settings, apps)
    direct = _visitor(application, "198.51.100.7")
    codes = [direct.get("/credentials/verify", headers={"X-Forwarded-For": f"203.0.113.{n}"}
                        ).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]

    proxied = _visitor(application, "127.0.0.1")  # the proxy of forwarded_allow_ips
    for n in range(3):
        for client in ("203.0.113.50", "203.0.113.51"):
            answer = proxied.get("/credentials/verify", headers={"X-Forwarded-For": client})
            assert answer.status_code == 200, (n, client)
    assert proxied.get("/credentials/verify",
                       headers={"X-Forwarded-For": "203.0.113.50"}).status_code == 429


def test_the_count_is_shared_by_processes_only_with_redis(
        limited: tuple[str, Settings], apps: list[Flask]) -> None:
    mode, settings = limited
    first, second = _app(settings, apps), _app(settings, apps)
    for _ in range(3):
        assert _visitor(first, "198.51.100.7").get("/credentials/verify").status_code == 200
    other_process = _visitor(second, "198.51.100.7").get("/credentials/verify").status_code
    assert other_process == (429 if mode == "redis" else 200)


def test_a_limit_of_zero_is_off(settings: Settings, apps: list[Flask]) -> None:
    application = _app(settings.with_overrides(public_pages_per_minute=0), apps)
    visitor = _visitor(application, "198.51.100.7")
    assert all(visitor.get("/credentials/verify").status_code == 200 for _ in range(70))


def test_the_default_limits_are_far_above_a_person_or_a_verifier() -> None:
    defaults = Settings()
    assert defaults.public_pages_per_minute == 60 and defaults.public_api_per_minute == 300
