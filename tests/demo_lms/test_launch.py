"""Keys, login initiation, the OIDC auth endpoint and id_token claims."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import jwt
import pytest
import requests

from lti_tool.demo_lms import Platform, PlatformError
from lti_tool.demo_lms.vocab import AGS_CLAIM, DL_SETTINGS, LTI, NRPS_CLAIM

from .conftest import Env


def auth_request(env: Env, initiation_params: dict[str, str], **overrides: str) -> dict[str, str]:
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": env.tool.client_id,
        "redirect_uri": env.tool.redirect_uris[0],
        "login_hint": initiation_params["login_hint"],
        "lti_message_hint": initiation_params["lti_message_hint"],
        "nonce": "nonce-123",
        "state": "state-XyZ",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value != ""}


def decode_with_served_jwks(platform: Platform, token: str, audience: str) -> dict[str, object]:
    jwks = requests.get(platform.jwks_url, timeout=5).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    return jwt.decode(token, jwt.PyJWK(key), algorithms=["RS256"], audience=audience)


def launch_claims(env: Env, user: object = None, **options: object) -> dict[str, object]:
    initiation = env.platform.login_initiation(env.tool, user or env.students[0], env.course, **options)
    _, fields = env.platform.auth_response(auth_request(env, initiation.params))
    return decode_with_served_jwks(env.platform, fields["id_token"], env.tool.client_id)


def test_jwks_serves_the_signing_key(env: Env) -> None:
    keys = requests.get(env.platform.jwks_url, timeout=5).json()["keys"]
    assert [k["kid"] for k in keys] == [env.platform.keys.current.kid]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]


def test_rotation_keeps_old_public_keys_unless_dropped(env: Env) -> None:
    old = env.platform.keys.current.kid
    new = env.platform.rotate_keys()
    kids = [k["kid"] for k in requests.get(env.platform.jwks_url, timeout=5).json()["keys"]]
    assert kids == [old, new]
    env.platform.rotate_keys(drop_old=True)
    kids = [k["kid"] for k in requests.get(env.platform.jwks_url, timeout=5).json()["keys"]]
    assert old not in kids and new not in kids and len(kids) == 1


def test_canvas_login_initiation_is_a_form_post_with_canvas_parameters(canvas: Env) -> None:
    initiation = canvas.platform.login_initiation(canvas.tool, canvas.students[0], canvas.course)
    assert initiation.method == "POST"
    assert initiation.url == canvas.tool.login_url
    params = initiation.params
    assert params["iss"] == "https://canvas.instructure.com"
    assert params["client_id"] == canvas.tool.client_id
    assert params["lti_deployment_id"] == canvas.tool.deployment_id
    assert re.fullmatch(r"\d+:[0-9a-f]{40}", params["lti_deployment_id"])
    assert params["canvas_region"] and params["canvas_environment"]
    assert params["lti_storage_target"] == "post_message_forwarding"
    assert 'method="post"' in initiation.html()


def test_moodle_login_initiation_is_a_get(moodle: Env) -> None:
    initiation = moodle.platform.login_initiation(moodle.tool, moodle.students[0], moodle.course)
    assert initiation.method == "GET"
    assert initiation.params["iss"] == moodle.platform.base_url
    assert initiation.params["lti_deployment_id"] == moodle.tool.type_id
    assert "lti_storage_target" not in initiation.params
    assert initiation.as_url().startswith(moodle.tool.login_url + "?iss=")


def test_auth_endpoint_posts_a_verifiable_id_token(env: Env) -> None:
    initiation = env.platform.login_initiation(env.tool, env.students[0], env.course)
    response = requests.get(env.platform.auth_url, params=auth_request(env, initiation.params))
    assert response.status_code == 200
    action = unescape(re.search(r'action="([^"]*)"', response.text).group(1))  # type: ignore[union-attr]
    fields = dict(re.findall(r'name="([^"]*)" value="([^"]*)"', response.text))
    assert action == env.tool.redirect_uris[0]
    assert fields["state"] == "state-XyZ"
    assert ("lti_storage_target" in fields) == env.platform.is_canvas
    claims = decode_with_served_jwks(env.platform, fields["id_token"], env.tool.client_id)
    assert claims["nonce"] == "nonce-123"
    assert claims["iss"] == env.platform.issuer


def test_auth_endpoint_accepts_post_on_canvas(canvas: Env) -> None:
    initiation = canvas.platform.login_initiation(canvas.tool, canvas.students[0], canvas.course)
    response = requests.post(canvas.platform.auth_url, data=auth_request(canvas, initiation.params))
    assert response.status_code == 200 and "id_token" in response.text


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"redirect_uri": "http://127.0.0.1:1/elsewhere"}, "redirect_uri"),
        ({"redirect_uri": "LAUNCH"}, "redirect_uri"),
        ({"nonce": ""}, "nonce"),
        ({"prompt": "login"}, "prompt"),
        ({"response_mode": "query"}, "response_mode"),
        ({"scope": "profile"}, "scope"),
        ({"lti_message_hint": "forged"}, "lti_message_hint"),
        ({"login_hint": "someone-else"}, "login_hint"),
        ({"client_id": "999"}, "client_id"),
    ],
)
def test_auth_endpoint_rejects_bad_requests(env: Env, override: dict[str, str], error: str) -> None:
    initiation = env.platform.login_initiation(env.tool, env.students[0], env.course)
    params = auth_request(env, initiation.params, **override)
    if params.get("redirect_uri") == "LAUNCH":
        params["redirect_uri"] = env.tool.redirect_uris[0].upper()
    response = requests.get(env.platform.auth_url, params=params)
    assert response.status_code == 400
    assert error in response.json()["error_description"]
    with pytest.raises(PlatformError):
        env.platform.auth_response(params)


def test_auth_response_accepts_the_tools_redirect_url(env: Env) -> None:
    initiation = env.platform.login_initiation(env.tool, env.students[0], env.course)
    query = requests.Request("GET", env.platform.auth_url, params=auth_request(env, initiation.params))
    url, fields = env.platform.auth_response(query.prepare().url or "")
    assert url == env.tool.redirect_uris[0] and fields["state"] == "state-XyZ"


def test_resource_link_claims(env: Env) -> None:
    claims = launch_claims(env, resource_link=env.link)
    assert claims["sub"] == env.students[0].user_id
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == env.tool.deployment_id
    assert claims[LTI + "resource_link"] == {"id": env.link.id, "title": "Project"}
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner" in claims[LTI + "roles"]  # type: ignore[operator]
    assert claims[LTI + "context"]["label"] == "CR101"  # type: ignore[index]
    assert claims[LTI + "tool_platform"]["product_family_code"] == env.platform.flavour  # type: ignore[index]
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"  # type: ignore[index]
    assert claims["name"] == "Ada Lovelace" and claims["email"]
    ags = claims[AGS_CLAIM]
    assert ags["lineitem"] == env.platform.line_item_url(env.item)  # type: ignore[index]
    assert ags["lineitems"] == env.platform.line_items_url(env.course, env.tool)  # type: ignore[index]
    assert "2.0" in claims[NRPS_CLAIM]["service_versions"]  # type: ignore[index]


def test_admin_gets_the_institution_role(env: Env) -> None:
    admin = env.platform.add_user("Margaret", "Hamilton", is_admin=True)
    roles = launch_claims(env, admin)[LTI + "roles"]
    assert "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator" in roles  # type: ignore[operator]


def test_teaching_assistant_gets_sub_role_and_principal_role(env: Env) -> None:
    ta = env.platform.add_user("Tom", "Assistant")
    env.platform.enrol(env.course, ta, "TeachingAssistant")
    roles = launch_claims(env, ta)[LTI + "roles"]
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant" in roles  # type: ignore[operator]
    assert "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor" in roles  # type: ignore[operator]


@pytest.mark.parametrize(
    ("level", "present", "absent"),
    [
        ("anonymous", [], ["name", "email"]),
        ("name_only", ["name", "given_name", "family_name"], ["email"]),
        ("email_only", ["email"], ["name"]),
    ],
)
def test_pii_follows_privacy_level(env: Env, level: str, present: list[str], absent: list[str]) -> None:
    env.tool.privacy_level = level
    claims = launch_claims(env)
    assert all(name in claims for name in present)
    assert not any(name in claims for name in absent)


def test_canvas_substitutes_history_and_due_date_and_sends_unknown_literally(canvas: Env) -> None:
    platform = canvas.platform
    due = datetime(2030, 5, 1, 23, 59, tzinfo=UTC)
    platform.set_due_date(canvas.link, due)
    copy = platform.copy_course(canvas.course)
    new_link = next(link for link in platform.state.links.values() if link.course_id == copy.id)
    new_link.custom = {
        "context_history": "$Context.id.history",
        "link_history": "$ResourceLink.id.history",
        "due": "$Canvas.assignment.dueAt.iso8601",
        "end": "$ResourceLink.submission.endDateTime",
        "unknown": "$Made.up.variable",
        "plain": "project-42",
    }
    platform.enrol(copy, canvas.students[0], "Learner")
    initiation = platform.login_initiation(canvas.tool, canvas.students[0], copy, resource_link=new_link)
    _, fields = platform.auth_response(auth_request(canvas, initiation.params))
    claims = decode_with_served_jwks(platform, fields["id_token"], canvas.tool.client_id)
    custom = claims[LTI + "custom"]
    assert custom == {
        "context_history": platform.get_course(canvas.course).context_id,
        "link_history": canvas.link.id,
        "due": "2030-05-01T23:59:00Z",
        "end": "2030-05-01T23:59:00Z",
        "unknown": "$Made.up.variable",
        "plain": "project-42",
    }
    assert claims[LTI + "context"]["id"] == copy.context_id  # type: ignore[index]
    assert claims[LTI + "resource_link"]["id"] == new_link.id  # type: ignore[index]


def test_moodle_sends_canvas_variables_literally(moodle: Env) -> None:
    moodle.link.custom = {"due": "$Canvas.assignment.dueAt.iso8601", "ctx": "$Context.id"}
    custom = launch_claims(moodle, resource_link=moodle.link)[LTI + "custom"]
    assert custom == {"due": "$Canvas.assignment.dueAt.iso8601", "ctx": moodle.course}


def test_deep_linking_request_claims(env: Env) -> None:
    claims = launch_claims(env, env.teacher, message_type="LtiDeepLinkingRequest")
    settings = claims[DL_SETTINGS]
    assert settings["deep_link_return_url"].startswith(env.platform.base_url)  # type: ignore[index]
    assert settings["accept_types"] == ["ltiResourceLink"]  # type: ignore[index]
    assert settings["data"]  # type: ignore[index]
    assert LTI + "resource_link" not in claims


def test_submission_review_has_for_user(env: Env) -> None:
    claims = launch_claims(
        env,
        env.teacher,
        message_type="LtiSubmissionReviewRequest",
        resource_link=env.link,
        for_user=env.students[1],
    )
    assert claims[LTI + "for_user"]["user_id"] == env.students[1].user_id  # type: ignore[index]
    assert claims[AGS_CLAIM]["lineitem"] == env.platform.line_item_url(env.item)  # type: ignore[index]


def test_extra_claims_override_and_remove(env: Env) -> None:
    audience = [env.tool.client_id, "another-client"]
    claims = launch_claims(env, extra_claims={LTI + "roles": None, "aud": audience})
    assert LTI + "roles" not in claims
    assert claims["aud"] == audience and claims["azp"] == env.tool.client_id


def test_sign_can_craft_bad_tokens(env: Env) -> None:
    claims = env.platform.base_claims(env.tool, env.students[0], env.course)
    no_kid = env.platform.sign(claims, kid=None)
    assert "kid" not in jwt.get_unverified_header(no_kid)
    wrong = env.platform.sign(claims, kid="not-a-key")
    assert jwt.get_unverified_header(wrong)["kid"] == "not-a-key"
    hs = env.platform.sign(claims, alg="HS256", key="secret-secret-secret-secret-32b!")
    assert jwt.get_unverified_header(hs)["alg"] == "HS256"
    valid = env.platform.id_token(env.tool, env.students[0], env.course)
    assert decode_with_served_jwks(env.platform, valid, env.tool.client_id)["sub"]
