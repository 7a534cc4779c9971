"""The token endpoint: client assertions verified against the tool's JWKS over HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from lti_tool.demo_lms.keys import SigningKey
from lti_tool.demo_lms.vocab import SCOPE_NRPS, SCOPE_SCORE

from .conftest import JWT_BEARER, Env


def request_token(env: Env, assertion: str, scope: str = SCOPE_SCORE, **form: str) -> requests.Response:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": scope,
        **form,
    }
    return requests.post(env.platform.token_url, data=data, timeout=5)


def test_valid_assertion_gets_a_bearer_token(env: Env) -> None:
    response = request_token(env, env.fake.assertion(env.platform, env.tool))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == SCOPE_SCORE and body["access_token"]
    assert env.platform.stats.tokens_issued == 1


def test_canvas_also_accepts_its_issuer_as_audience(canvas: Env) -> None:
    assertion = canvas.fake.assertion(canvas.platform, canvas.tool, aud=canvas.platform.issuer)
    assert request_token(canvas, assertion).status_code == 200


def test_assertion_signed_by_another_key_is_rejected(env: Env) -> None:
    stranger = SigningKey.generate(env.fake.key.kid)  # same kid, different key
    assertion = env.fake.sign(
        {
            "iss": env.tool.client_id,
            "sub": env.tool.client_id,
            "aud": env.platform.token_url,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "jti": "j-1",
        },
        key=stranger,
    )
    response = request_token(env, assertion)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_replayed_jti_is_rejected(env: Env) -> None:
    assertion = env.fake.assertion(env.platform, env.tool, jti="same-jti")
    assert request_token(env, assertion).status_code == 200
    replay = request_token(env, env.fake.assertion(env.platform, env.tool, jti="same-jti"))
    assert replay.status_code == 400 and "jti" in replay.json()["error_description"]


@pytest.mark.parametrize(
    "override",
    [
        {"aud": "https://elsewhere.example/token"},
        {"iss": "someone-else"},
        {"exp": int(time.time()) - 3600},
        {"jti": None},
    ],
)
def test_bad_claims_are_rejected(env: Env, override: dict[str, Any]) -> None:
    response = request_token(env, env.fake.assertion(env.platform, env.tool, **override))
    assert response.status_code == 400


def test_moodle_does_not_take_the_issuer_as_audience(moodle: Env) -> None:
    assertion = moodle.fake.assertion(moodle.platform, moodle.tool, aud=moodle.platform.issuer)
    assert request_token(moodle, assertion).status_code == 400


def test_scopes_not_granted_are_refused(env: Env) -> None:
    env.tool.scopes = [SCOPE_SCORE]
    response = request_token(env, env.fake.assertion(env.platform, env.tool), scope=SCOPE_NRPS)
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"client_assertion_type": "basic"}, "invalid_request"),
    ],
)
def test_malformed_requests(env: Env, form: dict[str, str], error: str) -> None:
    response = request_token(env, env.fake.assertion(env.platform, env.tool), **form)
    assert response.status_code == 400 and response.json()["error"] == error


def test_inactive_tool_is_refused(env: Env) -> None:
    env.platform.activate(env.tool.client_id, active=False)
    response = request_token(env, env.fake.assertion(env.platform, env.tool))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_tool_jwks_is_cached_and_refetched_for_an_unknown_kid(env: Env) -> None:
    stats = env.platform.stats
    request_token(env, env.fake.assertion(env.platform, env.tool))
    request_token(env, env.fake.assertion(env.platform, env.tool))
    assert stats.tool_jwks_fetches == 1
    env.fake.keys.append(SigningKey.generate("tool-key-rotated"))
    try:
        assert request_token(env, env.fake.assertion(env.platform, env.tool)).status_code == 200
        assert stats.tool_jwks_fetches == 2
    finally:
        env.fake.keys.pop()


def test_service_calls_need_a_valid_token_with_the_right_scope(env: Env) -> None:
    url = env.platform.line_items_url(env.course, env.tool)
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    score_only = env.auth([SCOPE_SCORE])
    assert requests.get(url, headers=score_only, timeout=5).status_code == 403
    env.platform.expire_tokens()
    assert requests.get(url, headers=score_only, timeout=5).status_code == 401
