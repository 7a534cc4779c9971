"""Every grading page: labelled controls, described-by targets that exist, no inline script
or style (the CSP forbids both), one h1, and links and forms that keep the launch session."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select

from grading.submissions.models import Submission
from tests.reviews.flow import review, submitted
from tests.work.harness import School


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.open_labels = 0
        self.inline: list[str] = []
        self.h1 = 0
        self.forms: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        inline_script = tag == "script" and not a.get("src")  # a script file is allowed
        if "style" in a or any(name.startswith("on") for name in a) or tag == "style" or inline_script:
            self.inline.append(tag)
        self.h1 += tag == "h1"
        if tag == "form":
            self.forms.append(a)
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.labels.add(str(a["for"]))
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append({**a, "_wrapped": "yes" if self.open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def check(html: str, *, in_lms: bool) -> None:
    page = _Page()
    page.feed(html)
    assert page.inline == [] and page.h1 == 1
    for control in page.controls:
        assert control["_wrapped"] or control.get("id") in page.labels, control
        for ref in (control.get("aria-describedby") or "").split():
            assert ref in page.ids, (control, ref)
    if in_lms:
        for form in page.forms:
            assert "lt=" in str(form.get("action")), form
        assert 'name="csrf_token"' in html or not page.forms


def test_every_grading_page_is_accessible(canvas_course: School) -> None:
    canvas_course.placed.placement.team_size = 2
    canvas_course.db.commit()
    student = canvas_course.student()
    student.post(f"/work/{canvas_course.placement_id}/team/new")
    student_pages = [f"/work/{canvas_course.placement_id}", f"/work/{canvas_course.placement_id}/consent"]
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (3, 5))
    teacher = canvas_course.instructor()
    teacher_pages = [f"/work/{canvas_course.placement_id}/manage", f"/work/submissions/{submission.id}",
                     f"/reviews/placements/{canvas_course.placement_id}",
                     f"/passback/placements/{canvas_course.placement_id}", "/reviews/employers"]
    for path in [*student_pages, f"/work/submissions/{submission.id}"]:
        response = student.get(path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True), in_lms=True)
    for path in teacher_pages:
        response = teacher.get(path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True), in_lms=True)
    reviewer = canvas_course.reviewer()
    for path in ("/employer/reviews/", f"/employer/reviews/{submission.id}"):
        response = reviewer.get(path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True), in_lms=False)
    assert canvas_course.db.scalar(select(Submission)) is not None
    page = teacher.get(f"/work/submissions/{submission.id}").get_data(as_text=True)
    assert re.search(r'href="/work/\d+/manage\?lt=', page)
