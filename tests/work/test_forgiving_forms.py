"""Refused forms come back as they were sent: the student's submission (empty, a bad link, a file
too large or of the wrong type), the consent signature, the instructor's adjusted score without
a reason and grade without feedback. Each error sits beside its field (aria-describedby,
aria-invalid), the status stays 4xx, nothing is saved, and nobody is sent back to the LMS."""

from __future__ import annotations

import re

from sqlalchemy import select

from grading.consent.models import Consent
from grading.reviews.models import GradeRelease
from grading.submissions.models import Submission
from tests.reviews.flow import review, submitted
from tests.work.harness import School

MB = 1024 * 1024
TEXT = "Our survey of 212 cafés & <b>bakeries</b>."
LINKS = "https://example.org/survey"


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def _token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _kept(page: str, *, field: str, text: str = TEXT, links: str = LINKS) -> None:
    """The submission form again, with what was typed and the error tied to ``field``."""
    assert "go back to it in Canvas or Moodle" not in page
    assert "Please fix 1 problem" in page and f'href="#submit-{field}"' in page
    if text:
        assert "Our survey of 212 cafés &amp; &lt;b&gt;bakeries&lt;/b&gt;.</textarea>" in page
    if links:
        assert f">{links}</textarea>" in page
    _invalid(page, f"submit-{field}")
    assert f'<p class="field-error" id="submit-{field}-error">' in page


def _invalid(page: str, element_id: str) -> None:
    """The element names its error (after any hint) and says it is invalid."""
    assert re.search(rf'id="{element_id}"[^>]*aria-describedby="([^"]* )?{element_id}-error"'
                     r' aria-invalid="true"', page), element_id


def _attempts(course: School) -> int:
    course.db.expire_all()
    return len(course.db.scalars(select(Submission)).all())


def test_an_empty_submission_comes_back_with_the_error_beside_the_text(canvas_course: School) -> None:
    student = canvas_course.student()
    token = _token(student.get(f"/work/{canvas_course.placement_id}").get_data(as_text=True))

    refused = canvas_course.submit(student, text="   ", token=token)

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    _kept(page, field="text", text="", links="")
    assert "Add some text, a link or a file to submit." in page
    assert _token(page) == token  # the same attempt, still unsent
    assert _attempts(canvas_course) == 0
    assert canvas_course.submit(student, text=TEXT, token=token).status_code == 303


def test_a_bad_link_keeps_the_text_and_the_links(canvas_course: School) -> None:
    student = canvas_course.student()
    refused = canvas_course.submit(student, text=TEXT, links="example.org/no-scheme")
    assert refused.status_code == 400
    _kept(refused.get_data(as_text=True), field="links", links="example.org/no-scheme")
    assert _attempts(canvas_course) == 0


def test_a_file_too_large_keeps_the_rest_of_the_submission(canvas_course: School) -> None:
    student = canvas_course.student()
    refused = canvas_course.submit(student, text=TEXT, links=LINKS, files=[(_pdf(MB + 1), "big.pdf")])
    assert refused.status_code == 413
    page = refused.get_data(as_text=True)
    _kept(page, field="files")
    assert "larger than 1 MB, the limit for one file" in page and "choose the files again" in page
    assert _attempts(canvas_course) == 0


def test_a_file_of_the_wrong_type_keeps_the_rest_of_the_submission(canvas_course: School) -> None:
    student = canvas_course.student()
    program = b"MZ\x90\x00" + b"\x00" * 200
    refused = canvas_course.submit(student, text=TEXT, links=LINKS, files=[(program, "setup.exe")])
    assert refused.status_code == 415
    _kept(refused.get_data(as_text=True), field="files")
    assert _attempts(canvas_course) == 0


def test_files_over_what_the_server_reads_still_keep_the_text(canvas_course: School) -> None:
    """Over the request limit the files are never read; the text and links before them are."""
    student = canvas_course.student()
    files = [(_pdf(MB - 100), f"part{i}.pdf") for i in range(4)]  # 4 MB: over 2 MB + the form

    refused = canvas_course.submit(student, text=TEXT, links=LINKS, files=files)

    assert refused.status_code == 413
    page = refused.get_data(as_text=True)
    _kept(page, field="files")
    assert "larger than 2 MB, the limit for one submission" in page
    assert _attempts(canvas_course) == 0


def test_a_signature_that_does_not_match_comes_back_beside_the_field(canvas_course: School) -> None:
    student = canvas_course.student()
    refused = student.post(f"/work/{canvas_course.placement_id}/consent",
                           data={"records": ["work"], "signature": "Ada Lovelance"})

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'value="Ada Lovelance" aria-describedby="signature-hint signature-error"' in page
    _invalid(page, "signature")
    assert "exactly as your course shows it: Ada Lovelace" in page
    assert re.search(r'name="records" value="work" checked', page)
    assert not re.search(r'name="records" value="feedback" checked', page)  # as the student left it
    assert canvas_course.db.scalar(select(Consent)) is None


def test_a_changed_score_without_a_reason_comes_back_beside_the_reason(canvas_course: School) -> None:
    _, submission = submitted(canvas_course)
    review(canvas_course.reviewer(), submission, canvas_course, (5, 3))
    teacher = canvas_course.instructor()
    approve = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/approve"

    refused = teacher.post(approve, data={"score": "90", "reason": " "})

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    sid = submission.id
    assert f'id="score-{sid}" name="score" value="90"' in page
    _invalid(page, f"reason-{sid}")
    assert f'<p class="field-error" id="reason-{sid}-error">Say why you changed' in page
    assert canvas_course.db.scalar(select(GradeRelease)) is None


def test_a_grade_without_feedback_comes_back_with_the_score(canvas_course: School) -> None:
    _, submission = submitted(canvas_course, consent=False)
    teacher = canvas_course.instructor()
    grade = f"/reviews/placements/{canvas_course.placement_id}/submissions/{submission.id}/grade"

    refused = teacher.post(grade, data={"score": "72", "feedback": ""})

    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    sid = submission.id
    assert f'id="grade-{sid}" name="score" value="72"' in page
    _invalid(page, f"feedback-{sid}")
    assert canvas_course.db.scalar(select(GradeRelease)) is None
    out_of_range = teacher.post(grade, data={"score": "140", "feedback": "Thorough."})
    assert out_of_range.status_code == 400
    assert "Thorough.</textarea>" in out_of_range.get_data(as_text=True)
