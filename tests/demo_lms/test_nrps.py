"""NRPS memberships: paging over big rosters, filters, PII and status."""

from __future__ import annotations

import requests

from lti_tool.demo_lms.vocab import MT_MEMBERSHIPS

from .conftest import Env

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def walk(env: Env, first_url: str) -> tuple[list[dict[str, object]], list[int], list[str]]:
    headers = {**env.auth(), "Accept": MT_MEMBERSHIPS}
    members: list[dict[str, object]] = []
    sizes: list[int] = []
    urls: list[str] = []
    url: str | None = first_url
    while url:
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith(MT_MEMBERSHIPS)
        page = response.json()["members"]
        members += page
        sizes.append(len(page))
        url = response.links.get("next", {}).get("url")
        urls += [url] if url else []
    return members, sizes, urls


def test_short_pages_over_a_big_roster_still_reach_everyone(env: Env) -> None:
    env.platform.add_members(env.course, 2500)
    env.platform.nrps_short_pages = True
    env.platform.max_page_size = None
    url = env.platform.memberships_url(env.course, env.tool)
    members, sizes, urls = walk(env, url + "?limit=200")
    ids = [m["user_id"] for m in members]
    assert len(ids) == len(set(ids)) == 2504
    assert all(size < 200 for size in sizes[:-1])  # short pages, yet a next link
    if env.platform.is_canvas:
        cursors = [u.split("page=")[1].split("&")[0] for u in urls]
        assert all(c.startswith("bookmark:") and c != c.lower() for c in cursors)
    else:
        assert all("from=" in u and "limit=200" in u for u in urls)


def test_canvas_caps_the_page_size_and_lowercased_cursors_fail(canvas: Env) -> None:
    canvas.platform.add_members(canvas.course, 120)
    url = canvas.platform.memberships_url(canvas.course, canvas.tool)
    headers = canvas.auth()
    response = requests.get(url + "?limit=1000", headers=headers, timeout=5)
    assert len(response.json()["members"]) == 50
    next_url = response.links["next"]["url"]
    assert requests.get(next_url.lower(), headers=headers, timeout=5).status_code == 400
    assert requests.get(next_url, headers=headers, timeout=5).status_code == 200


def test_moodle_has_no_default_limit(moodle: Env) -> None:
    moodle.platform.add_members(moodle.course, 300)
    response = requests.get(
        moodle.platform.memberships_url(moodle.course, moodle.tool), headers=moodle.auth(), timeout=5
    )
    assert len(response.json()["members"]) == 304 and "Link" not in response.headers


def test_role_filter_and_context(env: Env) -> None:
    url = env.platform.memberships_url(env.course, env.tool)
    body = requests.get(url, params={"role": LEARNER}, headers=env.auth(), timeout=5).json()
    assert {m["user_id"] for m in body["members"]} == {s.user_id for s in env.students}
    assert body["context"]["label"] == "CR101"
    short = requests.get(url, params={"role": "Instructor"}, headers=env.auth(), timeout=5).json()
    assert [m["user_id"] for m in short["members"]] == [env.teacher.user_id]


def test_status_and_privacy(env: Env) -> None:
    env.platform.set_status(env.course, env.students[0], "Inactive")
    env.platform.set_status(env.course, env.students[1], "Deleted")
    env.tool.privacy_level = "anonymous"
    url = env.platform.memberships_url(env.course, env.tool)
    members = requests.get(url, headers=env.auth(), timeout=5).json()["members"]
    statuses = {m["user_id"]: m["status"] for m in members}
    assert statuses[env.students[0].user_id] == "Inactive"
    assert statuses[env.students[1].user_id] == "Deleted"
    assert not any("name" in m or "email" in m for m in members)


def test_unknown_resource_link_filter_is_an_error(env: Env) -> None:
    url = env.platform.memberships_url(env.course, env.tool)
    assert requests.get(url, params={"rlid": "nope"}, headers=env.auth(), timeout=5).status_code == 404
    assert requests.get(url, params={"rlid": env.link.id}, headers=env.auth(), timeout=5).status_code == 200
