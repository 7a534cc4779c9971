"""AGS line items, scores and results, with Canvas's and Moodle's rules."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from lti_tool.demo_lms.vocab import CANVAS_SUBMISSION, MT_SCORE

from .conftest import Env

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)


def stamp(seconds: float = 0) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def score(user_id: str, *, at: float = 0, **fields: Any) -> dict[str, Any]:
    body = {
        "userId": user_id,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": stamp(at),
        "scoreGiven": 7,
        "scoreMaximum": 10,
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


# -- scores: both flavours ---------------------------------------------------------------


@pytest.mark.parametrize("missing", ["userId", "activityProgress", "gradingProgress", "timestamp"])
def test_required_score_fields(env: Env, missing: str) -> None:
    response = env.post_score(score(env.students[0].user_id, **{missing: None}))
    assert response.status_code == 400


def test_score_is_stored_scaled_and_recorded_once(env: Env) -> None:
    student = env.students[0]
    response = env.post_score(score(student.user_id, scoreGiven=35, scoreMaximum=50, comment="Nice"))
    assert response.status_code == 200, response.text
    result = env.platform.result(env.item, student)
    assert result is not None and result.score == pytest.approx(7.0)
    assert result.comment == "Nice"
    assert len(env.platform.score_posts(env.item, student)) == 1


def test_results_endpoint_lists_stored_results(env: Env) -> None:
    env.post_score(score(env.students[0].user_id))
    url = env.platform.results_url(env.item)
    body = requests.get(url, headers=env.auth(), timeout=5).json()
    assert [r["userId"] for r in body] == [env.students[0].user_id]
    assert body[0]["resultScore"] == 7 and body[0]["resultMaximum"] == 10
    assert body[0]["scoreOf"] == env.platform.line_item_url(env.item)


# -- scores: Canvas ------------------------------------------------------------------------


def test_canvas_refuses_an_older_timestamp_but_accepts_an_equal_one(canvas: Env) -> None:
    user = canvas.students[0].user_id
    assert canvas.post_score(score(user, at=10)).status_code == 200
    assert canvas.post_score(score(user, at=10)).status_code == 200
    older = canvas.post_score(score(user, at=9.5))
    assert older.status_code == 400
    assert len(canvas.platform.score_posts(canvas.item)) == 2
    assert len(canvas.platform.score_posts(canvas.item, accepted_only=False)) == 3


def test_canvas_422_for_a_user_who_is_not_a_student(canvas: Env) -> None:
    response = canvas.post_score(score(canvas.teacher.user_id))
    assert response.status_code == 422
    assert "User not found in course or is not a student" in response.text


def test_canvas_422_for_an_inactive_student(canvas: Env) -> None:
    canvas.platform.set_status(canvas.course, canvas.students[1], "Inactive")
    assert canvas.post_score(score(canvas.students[1].user_id)).status_code == 422


def test_canvas_accepts_the_numeric_user_id(canvas: Env) -> None:
    student = canvas.students[0]
    assert canvas.post_score(score(student.numeric_id)).status_code == 200
    assert canvas.platform.result(canvas.item, student) is not None


@pytest.mark.parametrize(
    "fields",
    [{"scoreMaximum": None}, {"scoreGiven": -1}, {"scoreMaximum": -5}, {"scoreMaximum": 0}],
)
def test_canvas_422_for_bad_score_values(canvas: Env, fields: dict[str, Any]) -> None:
    assert canvas.post_score(score(canvas.students[0].user_id, **fields)).status_code == 422


def test_canvas_pending_manual_grades_and_other_progress_clears(canvas: Env) -> None:
    user = canvas.students[0]
    canvas.post_score(score(user.user_id, gradingProgress="PendingManual"))
    assert canvas.platform.result(canvas.item, user).score == 7  # type: ignore[union-attr]
    canvas.post_score(score(user.user_id, at=1, gradingProgress="Pending", scoreGiven=None))
    assert canvas.platform.result(canvas.item, user).score is None  # type: ignore[union-attr]


def test_canvas_preserve_score_keeps_the_grade(canvas: Env) -> None:
    user = canvas.students[0]
    canvas.post_score(score(user.user_id))
    submitted = score(
        user.user_id,
        at=1,
        activityProgress="Submitted",
        gradingProgress="PendingManual",
        scoreGiven=None,
        scoreMaximum=None,
        **{CANVAS_SUBMISSION: {"preserve_score": True}},
    )
    assert canvas.post_score(submitted).status_code == 200
    assert canvas.platform.result(canvas.item, user).score == 7  # type: ignore[union-attr]


def test_canvas_new_submission_counts_attempts(canvas: Env) -> None:
    user = canvas.students[0]
    canvas.post_score(score(user.user_id))
    canvas.post_score(score(user.user_id, at=1))
    canvas.post_score(score(user.user_id, at=2, **{CANVAS_SUBMISSION: {"new_submission": False}}))
    canvas.post_score(score(user.user_id, at=3, **{CANVAS_SUBMISSION: {"submission_type": "none"}}))
    assert canvas.platform.result(canvas.item, user).attempts == 2  # type: ignore[union-attr]


def test_canvas_score_needs_no_content_type_and_returns_a_result_url(canvas: Env) -> None:
    response = canvas.post_score(score(canvas.students[0].user_id), content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(MT_SCORE)
    assert response.json()["resultUrl"].startswith(canvas.platform.results_url(canvas.item) + "/")


# -- scores: Moodle ------------------------------------------------------------------------


def test_moodle_refuses_a_score_in_the_same_second(moodle: Env) -> None:
    user = moodle.students[0].user_id
    assert moodle.post_score(score(user, at=0.1)).status_code == 200
    assert moodle.post_score(score(user, at=0.9)).status_code == 409
    assert moodle.post_score(score(user, at=1.0)).status_code == 200


def test_moodle_409_for_an_older_timestamp(moodle: Env) -> None:
    user = moodle.students[0].user_id
    moodle.post_score(score(user, at=10))
    assert moodle.post_score(score(user, at=5)).status_code == 409


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_moodle_requires_the_score_media_type(moodle: Env, content_type: str) -> None:
    response = moodle.post_score(score(moodle.students[0].user_id), content_type=content_type)
    assert response.status_code == 400


def test_moodle_400_for_a_user_who_is_not_gradable(moodle: Env) -> None:
    assert moodle.post_score(score(moodle.teacher.user_id)).status_code == 400


def test_moodle_score_maximum_defaults_to_one(moodle: Env) -> None:
    user = moodle.students[0]
    assert moodle.post_score(score(user.user_id, scoreGiven=0.5, scoreMaximum=None)).status_code == 200
    assert moodle.platform.result(moodle.item, user).score == pytest.approx(5)  # type: ignore[union-attr]


def test_moodle_only_fully_graded_sets_a_grade(moodle: Env) -> None:
    user = moodle.students[0]
    moodle.post_score(score(user.user_id, gradingProgress="PendingManual"))
    assert moodle.platform.result(moodle.item, user).score is None  # type: ignore[union-attr]


def test_moodle_400_for_non_numeric_scores(moodle: Env) -> None:
    assert moodle.post_score(score(moodle.students[0].user_id, scoreGiven="7")).status_code == 400


# -- line items ------------------------------------------------------------------------------


def test_create_and_read_a_line_item(env: Env) -> None:
    url = env.platform.line_items_url(env.course, env.tool)
    body = {"label": "Essay", "scoreMaximum": 20, "resourceId": "proj-1", "tag": "final"}
    created = requests.post(
        url,
        json=body,
        headers={**env.auth(), "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
        timeout=5,
    )
    assert created.status_code in (200, 201), created.text
    item_url = created.json()["id"]
    shown = requests.get(item_url, headers=env.auth(), timeout=5).json()
    assert shown["label"] == "Essay" and shown["scoreMaximum"] == 20 and shown["tag"] == "final"
    found = requests.get(url, params={"resource_id": "proj-1"}, headers=env.auth(), timeout=5).json()
    assert [item["id"] for item in found] == [item_url]


def test_moodle_line_item_urls_carry_the_type_id_query(moodle: Env) -> None:
    item_url = moodle.platform.line_item_url(moodle.item)
    assert item_url.endswith(f"/lineitem?type_id={moodle.tool.type_id}")
    scores = moodle.platform.scores_url(moodle.item)
    assert scores == item_url.replace("/lineitem?", "/lineitem/scores?")
    naive = requests.post(item_url + "/scores", json={}, headers=moodle.auth(), timeout=5)
    assert naive.status_code != 200


@pytest.mark.parametrize("body", [{"label": "No max"}, {"scoreMaximum": 10}])
def test_label_and_score_maximum_are_required(env: Env, body: dict[str, Any]) -> None:
    url = env.platform.line_items_url(env.course, env.tool)
    assert requests.post(url, json=body, headers=env.auth(), timeout=5).status_code == 400


def test_canvas_line_item_without_resource_link_is_a_placeholder(canvas: Env) -> None:
    url = canvas.platform.line_items_url(canvas.course, canvas.tool)
    created = requests.post(url, json={"label": "Extra", "scoreMaximum": 5}, headers=canvas.auth(), timeout=5)
    item = canvas.platform.get_line_item(created.json()["id"].rsplit("/", 1)[1])
    assert item.placeholder and item.resource_link_id is None


def test_update_and_delete_a_line_item(env: Env) -> None:
    url = env.platform.line_item_url(env.item)
    headers = {**env.auth(), "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}
    updated = requests.put(url, json={"label": "Renamed", "scoreMaximum": 15}, headers=headers, timeout=5)
    assert updated.status_code == 200 and updated.json()["label"] == "Renamed"
    assert env.item.score_maximum == 15
    assert requests.delete(url, headers=headers, timeout=5).status_code == 204
    assert requests.get(url, headers=headers, timeout=5).status_code == 404


def test_only_the_creating_tool_may_use_a_line_item(env: Env) -> None:
    other = env.platform.register_tool(
        login_url=env.fake.url + "/login",
        redirect_uris=[env.fake.url + "/launch"],
        jwks_url=env.fake.url + "/jwks",
        target_link_uri=env.fake.url + "/launch",
    )
    token = env.platform.issue_access_token(other, ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"])
    url = env.platform.line_item_url(env.item)
    if not env.platform.is_canvas:
        url = url.replace(f"type_id={env.tool.type_id}", f"type_id={other.type_id}")
    response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == (412 if env.platform.is_canvas else 403)


def test_canvas_line_item_paging_uses_case_sensitive_bookmarks(canvas: Env) -> None:
    for n in range(24):
        canvas.platform.add_line_item(canvas.course, canvas.tool, label=f"Item {n}", score_maximum=1)
    url = canvas.platform.line_items_url(canvas.course, canvas.tool)
    headers = canvas.auth()
    seen: list[str] = []
    next_url: str | None = url + "?limit=10"
    while next_url:
        response = requests.get(next_url, headers=headers, timeout=5)
        assert response.status_code == 200, response.text
        seen += [item["id"] for item in response.json()]
        next_url = response.links.get("next", {}).get("url")
        if next_url:
            cursor = next_url.split("page=")[1].split("&")[0]
            assert cursor.startswith("bookmark:") and cursor != cursor.lower()
            lowered = requests.get(next_url.lower(), headers=headers, timeout=5)
            assert lowered.status_code == 400
    assert len(seen) == len(set(seen)) == 25


def test_moodle_line_item_paging_with_limit_and_from(moodle: Env) -> None:
    for n in range(4):
        moodle.platform.add_line_item(moodle.course, moodle.tool, label=f"Item {n}", score_maximum=1)
    url = moodle.platform.line_items_url(moodle.course, moodle.tool)
    everything = requests.get(url, headers=moodle.auth(), timeout=5)
    assert len(everything.json()) == 5 and "Link" not in everything.headers
    first = requests.get(url + "&limit=2", headers=moodle.auth(), timeout=5)
    assert "from=2" in first.links["next"]["url"] and "type_id=" in first.links["next"]["url"]


def test_results_are_paged(env: Env) -> None:
    for student in env.students:
        env.post_score(score(student.user_id))
    url = env.platform.results_url(env.item)
    joiner = "&" if "?" in url else "?"
    headers = env.auth()
    page = requests.get(url + joiner + "limit=2", headers=headers, timeout=5)
    assert len(page.json()) == 2
    rest = requests.get(page.links["next"]["url"], headers=headers, timeout=5)
    assert len(rest.json()) == 1


# -- faults and latency ---------------------------------------------------------------------


def test_canvas_rate_limit_fault_is_a_403_once(canvas: Env) -> None:
    canvas.platform.faults.rate_limit("/scores")
    first = canvas.post_score(score(canvas.students[0].user_id))
    assert first.status_code == 403 and "Rate Limit Exceeded" in first.text
    assert canvas.post_score(score(canvas.students[0].user_id)).status_code == 200


def test_generic_faults_with_retry_after_and_times(env: Env) -> None:
    env.platform.faults.add("POST", "/scores", 429, headers={"Retry-After": "2"}, times=2)
    env.platform.faults.add("GET", "names_and_roles", 500)
    assert env.post_score(score(env.students[0].user_id)).headers["Retry-After"] == "2"
    assert env.post_score(score(env.students[0].user_id)).status_code == 429
    assert env.post_score(score(env.students[0].user_id)).status_code == 200


def test_latency_is_applied_to_service_requests(env: Env) -> None:
    env.platform.latency_ms = 100
    headers = env.auth()
    started = time.perf_counter()
    requests.get(env.platform.line_items_url(env.course, env.tool), headers=headers, timeout=5)
    assert time.perf_counter() - started >= 0.1


def test_canvas_result_url_can_be_read(canvas: Env) -> None:
    result_url = canvas.post_score(score(canvas.students[0].user_id)).json()["resultUrl"]
    shown = requests.get(result_url, headers=canvas.auth(), timeout=5)
    assert shown.status_code == 200 and shown.json()["resultScore"] == 7
