"""Deep linking responses: verification like Canvas's, and what they create."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from lti_tool.demo_lms.vocab import DL, DL_SETTINGS, LTI

from .conftest import Env
from .test_launch import auth_request, decode_with_served_jwks


def dl_request(env: Env, **options: Any) -> dict[str, Any]:
    initiation = env.platform.login_initiation(
        env.tool, env.teacher, env.course, message_type="LtiDeepLinkingRequest", **options
    )
    _, fields = env.platform.auth_response(auth_request(env, initiation.params))
    claims = decode_with_served_jwks(env.platform, fields["id_token"], env.tool.client_id)
    return dict(claims[DL_SETTINGS])  # type: ignore[call-overload]


def response_jwt(env: Env, settings: dict[str, Any], items: list[dict[str, Any]], **override: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": env.tool.client_id,
        "aud": [env.platform.issuer],
        "iat": now,
        "exp": now + 300,
        "nonce": "dl-nonce",
        LTI + "deployment_id": env.tool.deployment_id,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "data": settings["data"],
        DL + "content_items": items,
        DL + "msg": "Placed 1 project",
    }
    claims.update(override)
    return env.fake.sign({key: value for key, value in claims.items() if value is not None})


def project(**extra: Any) -> dict[str, Any]:
    item = {
        "type": "ltiResourceLink",
        "title": "Market sizing for Acme",
        "url": "http://127.0.0.1/lti/launch",
        "custom": {"project_id": "acme-42"},
        "lineItem": {"scoreMaximum": 50, "label": "Acme project", "resourceId": "acme-42", "tag": "mb"},
        "submission": {"endDateTime": "2030-06-01T23:59:00Z"},
    }
    item.update(extra)
    return item


def post(settings: dict[str, Any], token: str) -> requests.Response:
    return requests.post(settings["deep_link_return_url"], data={"JWT": token}, timeout=10)


def test_valid_response_creates_a_graded_link(env: Env) -> None:
    settings = dl_request(env)
    response = post(settings, response_jwt(env, settings, [project()]))
    assert response.status_code == 200, response.text
    assert "Placed 1 project" in response.text
    outcome = env.platform.deep_link_outcomes[-1]
    assert outcome.status == "created" and len(outcome.resource_link_ids) == 1
    link = env.platform.get_link(outcome.resource_link_ids[0])
    item = env.platform.get_line_item(outcome.line_item_ids[0])
    assert link.title == "Acme project"  # lineItem.label overrides title
    assert link.custom == {"project_id": "acme-42"}
    assert item.score_maximum == 50 and item.resource_id == "acme-42" and item.tag == "mb"
    assert link.line_item_id == item.id
    if env.platform.is_canvas:
        assert not link.published  # Canvas creates the assignment unpublished
        assert item.end_at is not None and item.end_at.isoformat().startswith("2030-06-01T23:59")


def test_missing_score_maximum_is_refused(env: Env) -> None:
    settings = dl_request(env)
    response = post(settings, response_jwt(env, settings, [project(lineItem={"label": "x"})]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "lineItem.scoreMaximum is a required field"
    assert env.platform.deep_link_outcomes == []


@pytest.mark.parametrize(
    "override",
    [
        {"aud": ["https://wrong.example"]},
        {"iss": "another-client"},
        {"nonce": None},
        {LTI + "deployment_id": "other-deployment"},
        {LTI + "message_type": "LtiResourceLinkRequest"},
        {LTI + "version": "1.2.0"},
        {DL + "data": "not-what-was-sent"},
        {"exp": int(time.time()) - 600},
    ],
)
def test_bad_response_claims_are_refused(env: Env, override: dict[str, Any]) -> None:
    settings = dl_request(env)
    response = post(settings, response_jwt(env, settings, [project()], **override))
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")


def test_canvas_audience_is_the_shared_issuer_not_the_host(canvas: Env) -> None:
    settings = dl_request(canvas)
    token = response_jwt(canvas, settings, [project()], aud=canvas.platform.base_url)
    assert post(settings, token).status_code == 400


def test_empty_content_items_is_a_cancel(env: Env) -> None:
    settings = dl_request(env)
    assert post(settings, response_jwt(env, settings, [])).status_code == 200
    assert env.platform.deep_link_outcomes[-1].status == "cancelled"


def test_accept_multiple_is_honoured(env: Env) -> None:
    settings = dl_request(env, deep_link_settings={"accept_multiple": False})
    assert settings["accept_multiple"] is False
    response = post(settings, response_jwt(env, settings, [project(), project()]))
    assert response.status_code == 400


def test_unaccepted_type_is_refused(env: Env) -> None:
    settings = dl_request(env)
    html = {"type": "html", "html": "<p>hi</p>"}
    assert post(settings, response_jwt(env, settings, [html])).status_code == 400


def test_missing_jwt_or_unknown_request(env: Env) -> None:
    settings = dl_request(env)
    assert requests.post(settings["deep_link_return_url"], data={}, timeout=5).status_code == 400
    bogus = settings["deep_link_return_url"].rsplit("=", 1)[0] + "=unknown"
    token = response_jwt(env, settings, [project()])
    assert requests.post(bogus, data={"JWT": token}, timeout=5).status_code == 400


def test_signature_must_match_the_tool_jwks(env: Env) -> None:
    settings = dl_request(env)
    token = response_jwt(env, settings, [project()])
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[::-1]}"
    assert post(settings, tampered).status_code == 400


def test_return_url_shapes(env: Env) -> None:
    url = dl_request(env)["deep_link_return_url"]
    if env.platform.is_canvas:
        assert f"/courses/{env.course}/deep_linking_response?" in url
    else:
        assert "/mod/lti/contentitem_return.php?course=" in url


def test_canvas_editor_placement_makes_plain_links(canvas: Env) -> None:
    settings = dl_request(canvas, placement="editor_button")
    assert "html" in settings["accept_types"] and settings["accept_lineitem"] is False
    items = [project(), {"type": "html", "html": "<p>Hello</p>"}]
    assert post(settings, response_jwt(canvas, settings, items)).status_code == 200
    outcome = canvas.platform.deep_link_outcomes[-1]
    assert len(outcome.resource_link_ids) == 1 and outcome.line_item_ids == []
    assert len(outcome.items) == 2
