"""M4: /lti/register fetches only addresses the egress policy allows, follows no redirect,
shows no remote text or network error, and a link is used up by repeated failures.

Every test here runs on a sealed network (tests/security/network.py): a connection attempt to
anything but loopback fails the test before a packet is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config.settings import Settings
from lti_tool.demo_lms.platform import Platform
from lti_tool.registration import service
from tests.security.network import SealedNetwork, answering
from tests.support.lms import running_platform

FORBIDDEN_HOSTS = [
    ("127.0.0.1", None),
    ("[::1]", None),
    ("10.0.0.7", None),
    ("172.16.0.9", None),
    ("192.168.1.20", None),
    ("169.254.169.254", None),
    ("[::ffff:10.0.0.7]", None),
    ("lms.internal.test", "10.1.2.3"),
    ("metadata.test", "169.254.169.254"),
    ("rebind.test", "::ffff:192.168.1.20"),
]


def _link(db: Session) -> str:
    secret = service.create_link(db, base_url="http://127.0.0.1:5000", valid_for=timedelta(hours=1))
    db.commit()
    return secret.split("rt=", 1)[1]


def _start(client: FlaskClient, rt: str, config_url: str) -> tuple[int, str]:
    query = urlencode({"rt": rt, "openid_configuration": config_url, "registration_token": "tok"})
    response = client.get(f"/lti/register?{query}")
    return response.status_code, response.get_data(as_text=True)


class TestWithTheDefaultPolicy:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(egress_allow_private=False)

    @pytest.mark.parametrize(("host", "resolves_to"), FORBIDDEN_HOSTS)
    def test_the_configuration_url_is_refused_without_a_connection(
        self, client: FlaskClient, db: Session, network: SealedNetwork, host: str,
        resolves_to: str | None,
    ) -> None:
        if resolves_to:
            network.names[host] = resolves_to
        status, page = _start(client, _link(db), f"http://{host}:8080/.well-known/openid-configuration")
        assert status == 400, page[:500]
        assert network.connects == []
        assert f"{host}:8080" not in page and (resolves_to or host) not in page.replace(
            "127.0.0.1:5000", "")

    def test_the_completing_post_is_refused_too(
        self, client: FlaskClient, db: Session, network: SealedNetwork
    ) -> None:
        rt = _link(db)
        response = client.post("/lti/register", data={
            "rt": rt, "openid_configuration": "http://169.254.169.254/latest/meta-data/",
            "registration_token": "tok",
        })
        assert response.status_code == 400
        assert network.connects == []

    def test_a_demo_lms_on_loopback_cannot_register(
        self, client: FlaskClient, db: Session, network: SealedNetwork
    ) -> None:
        with running_platform("moodle") as lms:
            status, _ = _start(client, _link(db), lms.openid_configuration_url)
        assert status == 400
        assert network.connects == []


# -- with private addresses allowed (the demo and the other tests): redirects, bodies, limits --

@pytest.fixture
def moodle() -> Iterator[Platform]:
    with running_platform("moodle") as platform:
        yield platform


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/", "http://[::1]:9/",
               "http://127.0.0.1:9/x"],
)
def test_registration_follows_no_redirect(
    client: FlaskClient, db: Session, network: SealedNetwork, target: str
) -> None:
    with answering(302, location=target) as server:
        status, page = _start(client, _link(db), server.url + "/.well-known/openid-configuration")
    assert status == 400
    assert network.forbidden_connects() == []
    assert len(network.connects) == 1  # the redirecting server only
    assert "redirect" in page.lower() or "could not" in page.lower()


def test_remote_text_and_network_errors_are_not_shown(
    client: FlaskClient, db: Session, network: SealedNetwork
) -> None:
    secret = "INTERNAL-ADMIN-PANEL " * 40
    with answering(500, secret) as server:
        status, page = _start(client, _link(db), server.url + "/config")
    assert status == 400 and "INTERNAL-ADMIN-PANEL" not in page
    assert server.url.split("//")[1] not in page
    with answering(200, secret, content_type="application/json") as server:
        status, page = _start(client, _link(db), server.url + "/config")
    assert status == 400 and "INTERNAL-ADMIN-PANEL" not in page
    status, page = _start(client, _link(db), "http://127.0.0.1:9/nothing-listens")
    assert status == 400 and "Connection refused" not in page and "127.0.0.1:9" not in page


def test_the_registration_endpoints_answer_is_not_shown(
    client: FlaskClient, db: Session, network: SealedNetwork
) -> None:
    secret = "INTERNAL-REGISTRATION-ANSWER " * 20
    with answering(400, secret) as refusing:
        config = json.dumps({
            "issuer": "https://rogue.test", "authorization_endpoint": refusing.url + "/auth",
            "token_endpoint": refusing.url + "/token", "jwks_uri": refusing.url + "/jwks",
            "registration_endpoint": refusing.url + "/register",
        })
        with answering(200, config, content_type="application/json") as configuration:
            status, page = _start(client, _link(db), configuration.url + "/config")
            assert status == 200, page[:500]
            fields = {k: unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
            done = client.post("/lti/register", data=fields)
    assert refusing.hits == ["register"]
    assert done.status_code == 400
    assert "INTERNAL-REGISTRATION-ANSWER" not in done.get_data(as_text=True)


def test_failed_attempts_use_up_the_link(
    client: FlaskClient, db: Session, network: SealedNetwork, moodle: Platform
) -> None:
    rt = _link(db)
    with answering(500, "down") as broken:
        statuses = [_start(client, rt, broken.url + "/config")[0] for _ in range(service.MAX_FAILED_ATTEMPTS)]
    assert statuses == [400] * service.MAX_FAILED_ATTEMPTS
    start = moodle.registration_start(f"http://127.0.0.1:5000/lti/register?rt={rt}")
    response = client.get(start.split("127.0.0.1:5000", 1)[1])
    assert response.status_code == 403 and "failed" in response.get_data(as_text=True)
