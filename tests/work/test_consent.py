"""FERPA consent and pseudonymity: until a student consents, no employer-facing page or file
carries their name; consent reveals what it names; withdrawal hides it again at once; every
disclosure is logged where the student and the instructor can read it."""

from __future__ import annotations

import re

from sqlalchemy import select

from grading.consent.models import Consent, Disclosure, Participation
from grading.submissions.models import Submission
from tests.work.harness import LaunchedUser, Reviewer, School

PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
SECRETS = ("Ada", "Lovelace", "ada@example.edu")


def _submission(course: School) -> Submission:
    course.db.expire_all()
    found = course.db.scalar(select(Submission))
    assert found is not None
    return found


def _employer_pages(course: School, reviewer: Reviewer) -> str:
    """Every employer-facing page and file of the submission, concatenated."""
    submission = _submission(course)
    texts = [reviewer.get("/employer/reviews/").get_data(as_text=True)]
    page = reviewer.get(f"/employer/reviews/{submission.id}")
    texts.append(page.get_data(as_text=True))
    for upload in submission.files:
        download = reviewer.get(f"/employer/reviews/{submission.id}/files/{upload.id}")
        texts.append(download.headers.get("Content-Disposition", ""))
        texts.append(download.get_data(as_text=True) if download.status_code != 200 else "")
    return "\n".join(texts)


def _pseudonym(course: School) -> str:
    course.db.expire_all()
    row = course.db.scalar(select(Participation))
    assert row is not None
    return row.pseudonym


def _consent(
    student: LaunchedUser, course: School, records: list[str], signature: str = "Ada Lovelace"
) -> int:
    return student.post(f"/work/{course.placement_id}/consent",
                        data={"records": records, "signature": signature}).status_code


def test_without_consent_the_employer_never_sees_the_name(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, text="The market is large.", files=[(PDF, "Ada_Lovelace_report.pdf")])
    reviewer = canvas_course.reviewer()

    seen = _employer_pages(canvas_course, reviewer)

    for secret in SECRETS:
        assert secret not in seen, secret
    assert re.search(r"Student [0-9A-F]{4}", seen)
    assert "not shared with your organisation" in seen and "The market is large." not in seen


def test_anonymous_sharing_shows_the_work_under_the_pseudonym(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, text="The market is large.", files=[(PDF, "Ada_Lovelace_report.pdf")])
    student.post(f"/work/{canvas_course.placement_id}/sharing", data={"share": "yes"})
    reviewer = canvas_course.reviewer()

    seen = _employer_pages(canvas_course, reviewer)

    assert "The market is large." in seen
    assert _pseudonym(canvas_course) in seen
    assert "attachment-1.pdf" in seen  # the file's own name could identify the student
    for secret in SECRETS:
        assert secret not in seen, secret


def test_consent_reveals_what_it_names_and_withdrawal_hides_it_at_once(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, text="The market is large.", files=[(PDF, "report.pdf")])
    reviewer = canvas_course.reviewer()

    assert _consent(student, canvas_course, ["work", "email"]) == 303
    seen = _employer_pages(canvas_course, reviewer)
    assert "Ada Lovelace" in seen and "ada@example.edu" in seen and "report.pdf" in seen

    student.post(f"/work/{canvas_course.placement_id}/consent/withdraw")
    seen = _employer_pages(canvas_course, reviewer)
    for secret in SECRETS:
        assert secret not in seen, secret


def test_consent_records_what_99_30_asks_for(canvas_course: School) -> None:
    student = canvas_course.student()
    _consent(student, canvas_course, ["work"])

    consent = canvas_course.db.scalar(select(Consent))
    assert consent is not None
    assert consent.records == ["name", "work"] and consent.signature == "Ada Lovelace"
    assert consent.employer_name == "Acme Analytics" and "review my work" in consent.purpose
    assert consent.signed_on is not None
    for words in ("Acme Analytics", "my name", "the work I submit", "Purpose", "withdraw",
                  "Signed electronically on"):
        assert words in consent.statement
    page = student.get(f"/work/{canvas_course.placement_id}/consent").get_data(as_text=True)
    assert "Withdraw my consent" in page


def test_a_signature_that_is_not_the_students_name_is_refused(canvas_course: School) -> None:
    student = canvas_course.student()
    assert _consent(student, canvas_course, ["work"], signature="Somebody Else") == 400
    assert canvas_course.db.scalar(select(Consent)) is None


def test_every_disclosure_is_logged_for_the_student_and_the_instructor(canvas_course: School) -> None:
    student = canvas_course.student()
    canvas_course.submit(student, files=[(PDF, "report.pdf")])
    _consent(student, canvas_course, ["work"])
    reviewer = canvas_course.reviewer()
    submission = _submission(canvas_course)

    reviewer.get(f"/employer/reviews/{submission.id}")
    reviewer.get(f"/employer/reviews/{submission.id}/files/{submission.files[0].id}")

    canvas_course.db.expire_all()
    log = canvas_course.db.scalars(select(Disclosure).order_by(Disclosure.id)).all()
    assert [d.action for d in log] == ["viewed the submission (attempt 1)", "downloaded the file report.pdf"]
    assert all(d.identified and d.consent_id is not None for d in log)
    assert all(d.viewer_label == canvas_course.placed.employer.member.email for d in log)
    mine = student.get(f"/work/{canvas_course.placement_id}/consent").get_data(as_text=True)
    assert "downloaded the file report.pdf" in mine and "Acme Analytics" in mine
    teacher = canvas_course.instructor()
    overview = teacher.get(f"/work/{canvas_course.placement_id}/manage").get_data(as_text=True)
    assert "viewed the submission (attempt 1)" in overview


def test_another_organisation_cannot_open_the_submission(canvas_course: School) -> None:
    from tests.work.harness import other_employer

    student = canvas_course.student()
    canvas_course.submit(student, files=[(PDF, "report.pdf")])
    _consent(student, canvas_course, ["work"])
    outsider = canvas_course.reviewer(other_employer(canvas_course.db))
    submission = _submission(canvas_course)

    assert outsider.get(f"/employer/reviews/{submission.id}").status_code == 404
    file_url = f"/employer/reviews/{submission.id}/files/{submission.files[0].id}"
    assert outsider.get(file_url).status_code == 404
    assert "Lovelace" not in outsider.get("/employer/reviews/").get_data(as_text=True)
    assert canvas_course.db.scalar(select(Disclosure)) is None


def test_the_portal_needs_a_signed_in_employer(canvas_course: School) -> None:
    anonymous = canvas_course.app.test_client()
    response = anonymous.get("/employer/reviews/")
    assert response.status_code == 302 and "/employer/sign-in" in response.headers["Location"]
