"""M4: platform key sets, token endpoints, AGS and NRPS go through the egress policy, service
URLs must be on the platform's registered host, and what a platform answered (or a network
error) is never put in front of a user.

Every test runs on a sealed network (tests/security/network.py): connecting to anything but
loopback fails the test before a packet is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config.settings import Settings
from grading.placements.roster import RosterUnavailable
from grading.ports import GradebookRefused, GradebookUnavailable, ScoreKind, ScorePost
from lti_tool.demo_lms.platform import Platform
from lti_tool.registry.models import Platform as PlatformRow
from lti_tool.services.ags_scores import AgsScores
from lti_tool.services.connector import PermanentServiceError, connector_for
from lti_tool.services.nrps import NrpsRoster
from tests.security.network import SealedNetwork, answering
from tests.support.live import live_tool
from tests.support.lms import Installed, LaunchDriver, install_tool, running_platform

SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
FORBIDDEN = ["127.0.0.1:9", "[::1]", "10.0.0.7", "172.16.0.9", "192.168.1.20", "169.254.169.254"]


def _score(url: str) -> ScorePost:
    return ScorePost(line_item_url=url, user_id="student-1", kind=ScoreKind.GRADE,
                     timestamp=datetime.now(UTC), score_given=1, score_maximum=1)


def _point_platform_at(db: Session, row_id: int, base: str) -> None:
    row = db.get(PlatformRow, row_id)
    assert row is not None
    row.token_url, row.jwks_url = base + "/token", base + "/jwks"
    row.auth_login_url = base + "/auth"
    db.commit()


class TestWithTheDefaultPolicy:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.with_overrides(egress_allow_private=False)

    @pytest.fixture
    def canvas(self) -> Iterator[Platform]:
        with running_platform("canvas") as platform:
            yield platform

    @pytest.mark.parametrize("host", FORBIDDEN)
    def test_a_launch_does_not_fetch_keys_from_a_forbidden_address(
        self, client: FlaskClient, db: Session, network: SealedNetwork, canvas: Platform, host: str
    ) -> None:
        installed = install_tool(db, canvas)
        row = db.get(PlatformRow, installed.row_id)
        assert row is not None
        row.jwks_url = f"http://{host}/jwks"
        db.commit()
        before = list(network.connects)
        response = LaunchDriver(client, canvas).launch(
            installed.tool, installed.instructor, installed.course)
        assert response.status_code == 400
        assert network.forbidden_connects() == []
        assert "::1" not in network.connects and host not in response.get_data(as_text=True)
        # The driver talks to the LMS on loopback; the tool made no connection of its own.
        assert len(network.connects) - len(before) == 1

    def test_a_launch_from_the_loopback_lms_is_refused_its_keys(
        self, client: FlaskClient, db: Session, network: SealedNetwork, canvas: Platform
    ) -> None:
        installed = install_tool(db, canvas)
        with answering(200, '{"keys": []}', content_type="application/json") as keys:
            row = db.get(PlatformRow, installed.row_id)
            assert row is not None
            row.jwks_url = keys.url + "/jwks"
            db.commit()
            response = LaunchDriver(client, canvas).launch(
                installed.tool, installed.instructor, installed.course)
        assert response.status_code == 400 and keys.hits == []

    @pytest.mark.parametrize("host", FORBIDDEN)
    def test_no_token_is_asked_of_a_forbidden_address(
        self, app: Flask, db: Session, network: SealedNetwork, canvas: Platform, host: str
    ) -> None:
        installed = install_tool(db, canvas)
        _point_platform_at(db, installed.row_id, f"http://{host}")
        rt = app.extensions["microbridge"]
        connector = connector_for(db, rt.store, platform_id=installed.row_id)
        with pytest.raises(PermanentServiceError) as refused:
            connector.token([SCOPE_SCORE])
        assert network.connects == [] and host not in str(refused.value)

    @pytest.mark.parametrize("host", FORBIDDEN)
    def test_no_score_or_roster_request_goes_to_a_forbidden_address(
        self, app: Flask, db: Session, network: SealedNetwork, canvas: Platform, host: str
    ) -> None:
        installed = install_tool(db, canvas)
        _point_platform_at(db, installed.row_id, f"http://{host}")
        rt = app.extensions["microbridge"]
        with pytest.raises((GradebookRefused, GradebookUnavailable)) as refused:
            AgsScores(rt.session_factory, rt.store).publish_score(
                platform_id=installed.row_id, post=_score(f"http://{host}/lineitems/1"))
        assert host not in str(refused.value)
        with pytest.raises(RosterUnavailable) as unavailable:
            list(NrpsRoster(rt.session_factory, rt.store).members(
                platform_id=installed.row_id, memberships_url=f"http://{host}/members"))
        assert host not in str(unavailable.value)
        assert network.connects == []


# -- with private addresses allowed, as the demo runs: the host rule, redirects, bodies ------

@pytest.fixture(params=["canvas", "moodle"])
def world(request: pytest.FixtureRequest, app: Flask, db: Session, settings: Settings,
          network: SealedNetwork) -> Iterator[tuple[Installed, Any]]:
    with running_platform(request.param) as lms, live_tool(settings) as live:
        yield install_tool(db, lms, tool_base=live.base_url), live.app.extensions["microbridge"]


@pytest.mark.parametrize(
    "url", ["http://10.0.0.7/lineitems/1", "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.2/lineitems/1", "http://[::1]/lineitems/1"],
)
def test_service_urls_off_the_platforms_host_are_refused(
    world: tuple[Installed, Any], network: SealedNetwork, url: str
) -> None:
    installed, rt = world
    with pytest.raises(GradebookRefused) as refused:
        AgsScores(rt.session_factory, rt.store).publish_score(
            platform_id=installed.row_id, post=_score(url))
    assert "registered host" in str(refused.value)
    with pytest.raises(RosterUnavailable):
        list(NrpsRoster(rt.session_factory, rt.store).members(
            platform_id=installed.row_id, memberships_url=url))
    assert network.forbidden_connects() == []
    assert all(address == "127.0.0.1" for address in network.connects)


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/",
               "http://metadata.test/computeMetadata/v1/"],
)
def test_a_redirect_to_a_forbidden_address_is_refused(
    world: tuple[Installed, Any], network: SealedNetwork, target: str
) -> None:
    installed, rt = world
    network.names["metadata.test"] = "169.254.169.254"
    with answering(302, location=target) as redirecting:
        with pytest.raises(RosterUnavailable) as unavailable:
            list(NrpsRoster(rt.session_factory, rt.store).members(
                platform_id=installed.row_id, memberships_url=redirecting.url + "/members"))
        with pytest.raises((GradebookRefused, GradebookUnavailable)):
            AgsScores(rt.session_factory, rt.store).publish_score(
                platform_id=installed.row_id, post=_score(redirecting.url + "/lineitems/1"))
    assert redirecting.hits == ["members", "lineitems/1/scores"]
    assert network.forbidden_connects() == []
    assert "169.254" not in str(unavailable.value) and "metadata" not in str(unavailable.value)


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_a_platforms_answer_is_not_shown(
    world: tuple[Installed, Any], network: SealedNetwork, status: int
) -> None:
    installed, rt = world
    secret = "<html><body>INTERNAL-SERVICE-ANSWER " + "x" * 900 + "</body></html>"
    with answering(status, secret) as service:
        with pytest.raises((GradebookRefused, GradebookUnavailable)) as refused:
            AgsScores(rt.session_factory, rt.store).publish_score(
                platform_id=installed.row_id, post=_score(service.url + "/lineitems/1"))
        with pytest.raises(RosterUnavailable) as unavailable:
            list(NrpsRoster(rt.session_factory, rt.store).members(
                platform_id=installed.row_id, memberships_url=service.url + "/members"))
    assert str(status) in str(refused.value)
    assert "INTERNAL-SERVICE-ANSWER" not in str(refused.value)
    assert "INTERNAL-SERVICE-ANSWER" not in str(unavailable.value)


def test_a_network_error_is_not_shown(world: tuple[Installed, Any], network: SealedNetwork) -> None:
    installed, rt = world
    with pytest.raises(GradebookUnavailable) as unavailable:
        AgsScores(rt.session_factory, rt.store).publish_score(
            platform_id=installed.row_id, post=_score("http://127.0.0.1:9/lineitems/1"))
    text = str(unavailable.value)
    assert "127.0.0.1" not in text and "Errno" not in text and "refused" not in text.lower()
