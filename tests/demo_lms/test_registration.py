"""Dynamic Registration: configuration, registration, tokens and activation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from lti_tool.demo_lms.vocab import PLATFORM_CONFIG, SCOPE_LINEITEM, SCOPE_NRPS, SCOPE_SCORE, TOOL_CONFIG

from .conftest import Env


def start(env: Env) -> tuple[str, str]:
    url = env.platform.registration_start("http://tool.example/lti/register?x=1")
    query = dict(parse_qsl(urlsplit(url).query))
    assert url.startswith("http://tool.example/lti/register?x=1&")
    return query["openid_configuration"], query["registration_token"]


def client(env: Env, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": env.fake.url + "/login",
        "redirect_uris": [env.fake.url + "/launch"],
        "client_name": "Microbridge",
        "jwks_uri": env.fake.url + "/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": f"{SCOPE_SCORE} {SCOPE_NRPS}",
        TOOL_CONFIG: {
            "domain": "127.0.0.1",
            "target_link_uri": env.fake.url + "/launch",
            "claims": ["iss", "sub", "name", "given_name", "family_name"],
            "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": env.fake.url + "/dl"}],
        },
    }
    body.update(changes)
    return body


def register(env: Env, token: str, body: dict[str, Any]) -> requests.Response:
    endpoint = env.platform.registration_url
    return requests.post(endpoint, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5)


def test_canvas_requires_the_token_on_the_configuration_get(canvas: Env) -> None:
    config_url, token = start(canvas)
    assert requests.get(config_url, timeout=5).status_code == 401
    response = requests.get(config_url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == "https://canvas.instructure.com"
    assert document["registration_endpoint"] == canvas.platform.registration_url
    platform_config = document[PLATFORM_CONFIG]
    assert platform_config["product_family_code"] == "canvas"
    assert platform_config["messages_supported"][1]["placements"]
    assert "$Canvas.assignment.dueAt.iso8601" in platform_config["variables"]


def test_moodle_configuration_get_needs_no_token(moodle: Env) -> None:
    config_url, _ = start(moodle)
    document = requests.get(config_url, timeout=5).json()
    assert document["issuer"] == moodle.platform.base_url
    assert document["token_endpoint"].endswith("/mod/lti/token.php")
    bad = requests.get(config_url, headers={"Authorization": "Bearer forged"}, timeout=5)
    assert bad.status_code == 401


def test_canvas_registration_defaults_to_anonymous_and_waits_for_the_admin(canvas: Env) -> None:
    _, token = start(canvas)
    response = register(canvas, token, client(canvas))
    assert response.status_code == 200, response.text
    body = response.json()
    tool = canvas.platform.get_tool(body["client_id"])
    assert body[TOOL_CONFIG]["deployment_id"] == tool.deployment_id
    assert tool.privacy_level == "anonymous" and not tool.active
    assert set(tool.scopes) == {SCOPE_SCORE, SCOPE_NRPS}
    initiation = canvas.platform.login_initiation(tool, canvas.students[0], canvas.course)
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": tool.client_id,
        "redirect_uri": tool.redirect_uris[0],
        "login_hint": initiation.params["login_hint"],
        "lti_message_hint": initiation.params["lti_message_hint"],
        "nonce": "n",
    }
    assert requests.get(canvas.platform.auth_url, params=params, timeout=5).status_code == 400
    canvas.platform.activate(tool.client_id)
    assert requests.get(canvas.platform.auth_url, params=params, timeout=5).status_code == 200


def test_canvas_privacy_level_extension(canvas: Env) -> None:
    _, token = start(canvas)
    body = client(canvas)
    body[TOOL_CONFIG]["https://canvas.instructure.com/lti/privacy_level"] = "public"
    tool_id = register(canvas, token, body).json()["client_id"]
    assert canvas.platform.get_tool(tool_id).privacy_level == "public"


def test_moodle_token_is_single_use(moodle: Env) -> None:
    _, token = start(moodle)
    first = register(moodle, token, client(moodle))
    assert first.status_code == 200, first.text
    again = register(moodle, token, client(moodle))
    assert again.status_code == 401 and again.json()["error"] == "token_already_used"


def test_moodle_maps_scopes_and_claims_and_uses_the_type_id(moodle: Env) -> None:
    _, token = start(moodle)
    body = register(moodle, token, client(moodle, scope=f"{SCOPE_LINEITEM} {SCOPE_NRPS}")).json()
    tool = moodle.platform.get_tool(body["client_id"])
    assert body[TOOL_CONFIG]["deployment_id"] == tool.type_id
    assert SCOPE_SCORE in tool.scopes and SCOPE_LINEITEM in tool.scopes
    assert tool.privacy_level == "name_only"  # names claimed, email not
    assert not tool.active


def test_registration_needs_a_bearer_token(env: Env) -> None:
    response = requests.post(env.platform.registration_url, json=client(env), timeout=5)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "changes",
    [
        {"response_types": ["code"]},
        {"initiate_login_uri": None},
        {"redirect_uris": "http://one"},
        {"client_name": None},
        {"jwks_uri": None},
        {"token_endpoint_auth_method": "client_secret_basic"},
        {"application_type": "native"},
        {TOOL_CONFIG: {"domain": "x"}},
    ],
)
def test_registration_validates_required_fields(env: Env, changes: dict[str, Any]) -> None:
    _, token = start(env)
    body = {key: value for key, value in client(env, **changes).items() if value is not None}
    response = register(env, token, body)
    assert response.status_code == 400 and response.json()["error"] == "invalid_client_metadata"
