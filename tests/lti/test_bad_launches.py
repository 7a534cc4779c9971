"""Every launch the 1EdTech certification calls bad is refused with a 4xx a person understands
(LTI-NOTES §5), and replays, forgeries and strangers get nowhere."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from config.store import RedisStore, StoreEntry
from lti_tool.demo_lms.platform import Platform
from tests.support.lms import Installed, LaunchDriver

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _crafted(
    installed: Installed,
    driver: LaunchDriver,
    change: dict[str, Any],
    *,
    sign: dict[str, Any] | None = None,
    raw_token: str | None = None,
) -> TestResponse:
    platform = installed.platform
    login = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )
    claims = platform.base_claims(
        installed.tool, installed.instructor, installed.course, nonce=login.nonce
    )
    for name, value in change.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    token = raw_token or platform.sign(claims, **(sign or {}))
    return driver.post_launch({"id_token": token, "state": login.state})


def _refused(response: TestResponse, *words: str, status: int = 400) -> str:
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:800]
    assert "Traceback" not in text
    assert "Microbridge could not open" in text or "could not" in text
    for word in words:
        assert word.lower() in text.lower(), text[:800]
    return text


def _unsigned(claims_header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(claims_header)}.{part(claims)}."


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({LTI + "version": "1.2.0"}, ["version"]),
        ({LTI + "version": None}, ["version"]),
        ({LTI + "message_type": None}, ["message type"]),
        ({LTI + "roles": None}, ["roles"]),
        ({LTI + "deployment_id": None}, ["deployment"]),
        ({LTI + "resource_link": {"title": "no id"}}, ["resource link"]),
        ({"sub": None}, ["user"]),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, ["expired"]),
        ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}, ["future"]),
        ({"aud": "some-other-tool"}, ["another tool"]),
        ({"iss": "https://evil.example"}, ["not registered"]),
        ({LTI + "message_type": "LtiStartProctoring"}, ["does not handle"]),
        ({"nonce": "not-the-login-nonce"}, ["does not belong"]),
        ({"nonce": None}, ["nonce"]),
        ({"exp": "tomorrow"}, ["dates"]),
        ({"iat": None}, ["iat"]),
    ],
)
def test_known_bad_payloads_are_refused(
    installed: Installed, driver: LaunchDriver, change: dict[str, Any], words: list[str]
) -> None:
    _refused(_crafted(installed, driver, change), *words)


def test_several_audiences_without_azp_are_refused(installed: Installed, driver: LaunchDriver) -> None:
    change = {"aud": [installed.tool.client_id, "another-client"], "azp": None}
    _refused(_crafted(installed, driver, change), "several audiences")


def test_several_audiences_with_our_azp_are_accepted(
    installed: Installed, driver: LaunchDriver
) -> None:
    change = {"aud": [installed.tool.client_id, "another-client"], "azp": installed.tool.client_id}
    assert _crafted(installed, driver, change).status_code == 200


def test_an_unregistered_deployment_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    response = _crafted(installed, driver, {LTI + "deployment_id": "99:not-ours"})
    _refused(response, "99:not-ours", "not registered", status=403)


def test_no_kid_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    _refused(_crafted(installed, driver, {}, sign={"kid": None}), "does not name its key")


def test_an_incorrect_kid_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    _refused(_crafted(installed, driver, {}, sign={"kid": "no-such-key"}), "no-such-key")


def test_alg_none_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    claims = installed.platform.base_claims(installed.tool, installed.instructor, installed.course)
    token = _unsigned({"alg": "none", "typ": "JWT", "kid": "x"}, claims)
    _refused(_crafted(installed, driver, {}, raw_token=token), "RS256")


def test_hs256_signed_with_the_platforms_public_key_is_refused(
    installed: Installed, driver: LaunchDriver
) -> None:
    platform = installed.platform
    login = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )
    claims = platform.base_claims(
        installed.tool, installed.instructor, installed.course, nonce=login.nonce
    )
    public_jwk = platform.keys.jwks()["keys"][0]
    public_pem = jwt.PyJWK(public_jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": public_jwk["kid"]}
    import hashlib
    import hmac

    signing_input = _unsigned(header, claims)[:-1]
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    _refused(driver.post_launch({"id_token": token, "state": login.state}), "RS256")


def test_a_token_signed_with_another_key_under_the_platforms_kid_is_refused(
    installed: Installed, driver: LaunchDriver
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = _crafted(installed, driver, {}, sign={"key": stranger})
    _refused(response, "signature")


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "e30.W10.sig", "e30.bnVsbA.sig"])
def test_garbage_id_tokens_are_refused(
    installed: Installed, driver: LaunchDriver, token: str
) -> None:
    response = _crafted(installed, driver, {}, raw_token=token or None) if token else None
    if response is None:
        login = driver.login(
            installed.platform.login_initiation(
                installed.tool, installed.instructor, installed.course
            )
        )
        response = driver.post_launch({"id_token": "", "state": login.state})
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_replayed_launch_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    platform = installed.platform
    login = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )
    fields = driver.authorize(login)
    assert driver.post_launch(fields).status_code == 200

    _refused(driver.post_launch(fields), "already used")


def test_a_replayed_id_token_with_a_fresh_state_is_refused(
    installed: Installed, driver: LaunchDriver
) -> None:
    platform = installed.platform
    first = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )
    fields = driver.authorize(first)
    assert driver.post_launch(fields).status_code == 200
    second = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )

    _refused(driver.post_launch({**fields, "state": second.state}), "does not belong")


def test_an_unknown_state_is_refused(installed: Installed, driver: LaunchDriver) -> None:
    platform = installed.platform
    login = driver.login(
        platform.login_initiation(installed.tool, installed.instructor, installed.course)
    )
    fields = driver.authorize(login)
    _refused(driver.post_launch({**fields, "state": "state-forged"}), "expired")


def test_a_launch_without_an_id_token_is_refused(client: FlaskClient) -> None:
    _refused(client.post("/lti/launch", data={"state": "x"}), "no launch message")


def test_a_platform_key_rotation_is_followed(installed: Installed, driver: LaunchDriver) -> None:
    platform = installed.platform
    assert driver.launch(installed.tool, installed.instructor, installed.course).status_code == 200
    platform.rotate_keys(drop_old=True)

    response = driver.launch(installed.tool, installed.instructor, installed.course)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_a_launch_outside_a_course_is_explained(installed: Installed, driver: LaunchDriver) -> None:
    response = _crafted(installed, driver, {LTI + "context": None})
    _refused(response, "inside a course")


def test_a_learner_cannot_start_deep_linking(installed: Installed, driver: LaunchDriver) -> None:
    platform = installed.platform
    login = driver.login(
        platform.login_initiation(
            installed.tool, installed.student, installed.course, message_type="LtiDeepLinkingRequest"
        )
    )
    _refused(driver.post_launch(driver.authorize(login)), "only instructors", status=403)


def test_login_from_an_unknown_lms_is_explained(client: FlaskClient, lms: Platform) -> None:
    response = client.post(
        "/lti/login",
        data={"iss": "https://unknown.example", "login_hint": "1", "client_id": "nope",
              "target_link_uri": "http://127.0.0.1:5000/lti/launch"},
    )
    _refused(response, "not registered", "dynamic registration")


def test_login_without_issuer_is_refused(client: FlaskClient) -> None:
    _refused(client.get("/lti/login"), "issuer")


def _kept_launch_data(app: Flask) -> int:
    runtime = app.extensions["microbridge"]
    if isinstance(runtime.store, RedisStore):
        return len(list(runtime.store._redis.scan_iter("lti-launch:*")))
    with runtime.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(StoreEntry).where(StoreEntry.key.like("lti-launch:%"))
        ).scalar_one()
    return int(count)


def test_a_refused_launch_keeps_no_launch_data(
    installed: Installed, driver: LaunchDriver, app: Flask
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(_crafted(installed, driver, {}, sign={"key": stranger}), "signature")
    _refused(_crafted(installed, driver, {LTI + "context": None}), "inside a course")
    assert _kept_launch_data(app) == 0

    assert driver.launch(installed.tool, installed.instructor, installed.course).status_code == 200
    assert _kept_launch_data(app) == 1
