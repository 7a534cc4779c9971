"""L9: a FERPA disclosure is recorded, and the student's work served, only when the employer
deliberately opened it: a navigation from Microbridge's own pages (Sec-Fetch-Site same-origin,
or none for a typed address or bookmark), not a link or redirect from another site."""

from __future__ import annotations

from sqlalchemy import func, select

from config import navigation, runtime
from grading.consent.models import Disclosure
from tests.security.world import Course, World
from tests.work.harness import Reviewer


def _disclosures(tenants: World) -> int:
    tenants.db.expire_all()
    return tenants.db.scalar(select(func.count()).select_from(Disclosure)) or 0


def _setup(tenants: World) -> tuple[Course, Reviewer, str]:
    course = tenants.tenants["a"].courses[1]  # reviewed by the employer; the learner consented
    reviewer = course.school.reviewer(tenants.tenants["a"].employer)
    work = f"Findings of {course.student.name}"
    return course, reviewer, work


def test_a_cross_site_link_to_a_submission_discloses_nothing(tenants: World) -> None:
    course, reviewer, work = _setup(tenants)
    path = f"/employer/reviews/{course.submission.id}"
    before = _disclosures(tenants)

    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Referer": "https://attacker.example/page"}, {}):
        answer = reviewer.client.get(path, headers=headers)
        assert answer.status_code == 200, headers
        body = answer.get_data(as_text=True)
        assert work not in body and course.student.name not in body, headers
        assert f'href="{path}"' in body  # one click from here opens it
        assert _disclosures(tenants) == before, headers

    download = f"{path}/files/{course.file.id}"
    answer = reviewer.client.get(download, headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(path)
    assert _disclosures(tenants) == before


def test_opening_a_submission_from_the_portal_is_disclosed(tenants: World) -> None:
    course, reviewer, work = _setup(tenants)
    path = f"/employer/reviews/{course.submission.id}"
    before = _disclosures(tenants)

    answer = reviewer.client.get(path, headers={"Sec-Fetch-Site": "same-origin"})
    assert work in answer.get_data(as_text=True)
    assert _disclosures(tenants) == before + 1
    # No copy is kept to answer a later request (which would go unlogged).
    assert "no-store" in answer.headers["Cache-Control"]
    assert "Sec-Fetch-Site" in answer.headers["Vary"]

    answer = reviewer.client.get(path, headers={"Sec-Fetch-Site": "none"})  # typed or bookmarked
    assert work in answer.get_data(as_text=True)
    assert _disclosures(tenants) == before + 2

    # A browser without Fetch Metadata: a Referer from our own pages is enough.
    ours = runtime.current().settings.base_url
    answer = reviewer.client.get(path, headers={"Referer": f"{ours}/employer/reviews/"})
    assert work in answer.get_data(as_text=True)
    assert _disclosures(tenants) == before + 3

    download = reviewer.client.get(f"{path}/files/{course.file.id}",
                                   headers={"Sec-Fetch-Site": "same-origin"})
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert _disclosures(tenants) == before + 4


def test_deliberate_navigations() -> None:
    ours = "https://tool.example"
    assert navigation.deliberate(method="POST", fetch_site="cross-site", referer=None, own_origin=ours)
    for site, expected in (("same-origin", True), ("none", True), ("same-site", False),
                           ("cross-site", False)):
        # Fetch Metadata wins over a Referer (which another site can set to anything it likes).
        assert navigation.deliberate(method="GET", fetch_site=site, referer=ours + "/x",
                                     own_origin=ours) is expected
    assert navigation.deliberate(method="GET", fetch_site=None, referer="https://TOOL.example/a",
                                 own_origin=ours)
    for referer in (None, "", "https://tool.example.evil/", "https://evil.example/?https://tool.example",
                    "/relative"):
        assert not navigation.deliberate(method="GET", fetch_site=None, referer=referer, own_origin=ours)
