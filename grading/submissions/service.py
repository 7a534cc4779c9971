"""Submissions: text (Markdown, sanitised when shown), links and files, attempt by attempt.

A learner, or a team for all its members, may submit again until the due date or until an
employer starts reviewing; every attempt is kept; a late attempt is allowed and records how
late it was. A form token makes a double-clicked Submit one attempt. Files are streamed to
staging with a per-file cap, checked by content, and kept only when the whole submission is
acceptable. Submitting writes, in the same transaction, a "submitted" score for each member
to the outbox so the LMS gradebook shows the work (without touching an existing grade).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from config.database import utcnow
from config.forms import FieldError
from config.settings import Settings
from config.web import NotFound, UserFacingError
from grading.consent.service import ensure_participation
from grading.passback import service as passback
from grading.people.models import Course, Person
from grading.placements.models import Placement
from grading.submissions import filetypes
from grading.submissions.models import StoredFile, Submission, SubmissionFile, owner_key
from grading.submissions.storage import FileStore, FileTooLarge, StagedFile, StorageFull
from grading.teams import service as teams

MAX_FILES = 20
MAX_LINKS = 10
TEXT_LIMIT = 50_000
# Content nothing refers to is removed once it is this old: far longer than any upload takes
# from being kept to being committed (see storage.py).
ORPHAN_GRACE = timedelta(hours=6)
log = logging.getLogger(__name__)
MB = 1024 * 1024


class UploadRefused(FieldError):
    """A file refused (size, type, quota): the form comes back with the rest of the work kept."""

    status = 413

    def __init__(self, message: str, *, status: int = 413) -> None:
        super().__init__({"files": message}, title="File not accepted", status=status)
        self.hint = "Nothing from this attempt was saved. Fix the file and submit again."


def no_room(error: StorageFull) -> UploadRefused:
    """A full disk, said as such (507), with nothing of the attempt saved."""
    log.error("the file store is full; uploads are refused until there is room: %s", error)
    refused = UploadRefused(
        "The server has no room left to store files right now, so nothing from this attempt "
        "was saved. Try again later; if it keeps happening, tell your instructor.", status=507,
    )
    refused.title = "No room to store files"
    refused.hint = "Your text and links are still in the form below."
    return refused


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    submission_bytes: int
    quota_bytes: int = 250 * MB
    """What one learner or team keeps in one placement, over the attempts whose files are kept."""
    max_attempts: int = 20
    keep_attempt_files: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.upload_max_file_mb * MB, settings.upload_max_submission_mb * MB,
                   quota_bytes=settings.upload_quota_mb * MB,
                   max_attempts=max(1, settings.max_attempts),
                   keep_attempt_files=max(1, settings.keep_attempt_files))

    @property
    def quota_label(self) -> str:
        return _size_label(self.quota_bytes)

    @property
    def file_label(self) -> str:
        return _size_label(self.file_bytes)

    @property
    def submission_label(self) -> str:
        return _size_label(self.submission_bytes)


def _size_label(size: int) -> str:
    return f"{size // MB} MB" if size % MB == 0 else f"{size} bytes"


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: IO[bytes]


@dataclass(frozen=True)
class Owner:
    key: str
    team_id: int | None
    members: list[Person]


def owner_for(session: Session, *, placement: Placement, person: Person) -> Owner:
    """Whose attempt this is: the learner's own, or their team's (for all its members)."""
    if not teams.uses_teams(placement):
        return Owner(owner_key(person_id=person.id), None, [person])
    team = teams.team_of(session, placement_id=placement.id, person_id=person.id)
    if team is None:
        raise UserFacingError(
            "This project is done in teams: join a team before you submit.",
            title="Join a team first", status=409,
        )
    return Owner(owner_key(team_id=team.id), team.id, [m.person for m in team.members])


def attempts(session: Session, *, placement_id: int, key: str) -> Sequence[Submission]:
    """Every attempt of one learner or team, newest first."""
    return session.scalars(
        select(Submission)
        .where(Submission.placement_id == placement_id, Submission.owner_key == key)
        .options(selectinload(Submission.files))
        .order_by(Submission.attempt.desc())
    ).all()


def why_no_attempt(
    session: Session, *, placement: Placement, key: str, now: datetime
) -> str | None:
    """Why another attempt is not allowed now; None when it is."""
    latest = session.scalar(
        select(Submission)
        .where(Submission.placement_id == placement.id, Submission.owner_key == key)
        .order_by(Submission.attempt.desc())
        .limit(1)
    )
    if latest is None:
        return None  # a first attempt is always allowed; after the due date it is marked late
    if latest.review_started_at is not None:
        return "The employer has started reviewing your submission, so it can no longer change."
    if placement.due_at is not None and now > placement.due_at:
        return "The due date has passed, so your last attempt stands."
    return None


def parse_links(raw: str) -> list[str]:
    links: list[str] = []
    for line in raw.splitlines():
        link = line.strip()
        if not link:
            continue
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 2000:
            raise FieldError(
                {"links": f"“{link[:80]}” is not a web address. Links start with https:// "
                          "(one per line)."},
                title="Link not accepted",
            )
        if link not in links:
            links.append(link)
    if len(links) > MAX_LINKS:
        raise FieldError({"links": f"Add at most {MAX_LINKS} links."}, title="Too many links")
    return links


def display_filename(raw: str) -> str:
    """The name to show: no folders, no control characters; never used as a path."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = name.strip(" .")
    return name[:200] or "file"


@dataclass(frozen=True)
class Staged:
    filename: str
    staged: StagedFile
    kind: filetypes.Kind


def stage_uploads(store: FileStore, uploads: Sequence[Upload], limits: Limits) -> list[Staged]:
    """Stream every file to staging and check it; on any refusal discard them all."""
    if len(uploads) > MAX_FILES:
        raise UploadRefused(f"Attach at most {MAX_FILES} files to one submission.")
    done: list[Staged] = []
    total = 0
    try:
        for upload in uploads:
            name = display_filename(upload.filename)
            try:
                staged = store.stage(upload.stream, max_bytes=limits.file_bytes)
            except StorageFull as full:
                raise no_room(full) from None
            except FileTooLarge:
                raise UploadRefused(
                    f"“{name}” is larger than {limits.file_label}, the limit for one file."
                ) from None
            try:
                kind = filetypes.identify(staged.path, name)
            except filetypes.FileRefused as refusal:
                store.discard(staged)
                raise UploadRefused(str(refusal), status=415) from None
            done.append(Staged(name, staged, kind))
            total += staged.size
            if total > limits.submission_bytes:
                raise UploadRefused(
                    f"These files together are larger than {limits.submission_label}, the limit "
                    "for one submission."
                )
    except BaseException:
        for item in done:
            store.discard(item.staged)
        raise
    return done


def submit(
    session: Session, *, placement: Placement, person: Person, text_md: str, links: str,
    uploads: Sequence[Upload], form_token: str, store: FileStore, limits: Limits,
    review_url: Callable[[int], str], now: datetime | None = None,
) -> Submission:
    """Record one attempt (once per form token) and tell the LMS it was submitted."""
    now = now or utcnow()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", form_token or ""):
        raise UserFacingError("This form is missing its token; reload the page and submit again.")
    owner = owner_for(session, placement=placement, person=person)
    earlier = _by_token(session, placement.id, owner.key, form_token)
    if earlier is not None:
        return earlier
    blocked = why_no_attempt(session, placement=placement, key=owner.key, now=now)
    if blocked:
        raise UserFacingError(blocked, title="No more attempts", status=409)
    _check_attempt_cap(session, placement_id=placement.id, key=owner.key, limits=limits)
    link_list = parse_links(links)
    text = text_md.strip()
    if len(text) > TEXT_LIMIT:
        raise FieldError({"text": f"The text is longer than {TEXT_LIMIT:,} characters: shorten it, "
                                  "or attach it as a file."})
    staged = stage_uploads(store, uploads, limits)
    _check_quota(session, store, placement_id=placement.id, key=owner.key, staged=staged,
                 limits=limits)
    if not text and not link_list and not staged:
        raise FieldError({"text": "Add some text, a link or a file to submit."}, title="Nothing to submit")
    try:
        submission = _insert(session, placement=placement, person=person, owner=owner,
                             text=text, links=link_list, form_token=form_token, now=now)
    except IntegrityError:
        for item in staged:
            store.discard(item.staged)
        again = _by_token(session, placement.id, owner.key, form_token)
        if again is not None:
            return again
        raise UserFacingError(concurrent_attempt_message(owner), status=409) from None
    try:
        _attach(session, store, submission, staged)
    except StorageFull as full:
        for item in staged:
            store.discard(item.staged)
        raise no_room(full) from None
    _collect_superseded(session, placement_id=placement.id, key=owner.key,
                        keep=limits.keep_attempt_files)
    for member in owner.members:
        ensure_participation(session, placement=placement, person=member, start=True)
        passback.enqueue_submitted(
            session, placement=placement, person=member, submission_id=submission.id,
            submitted_at=submission.submitted_at, review_url=review_url(submission.id),
        )
    return submission


def concurrent_attempt_message(owner: Owner) -> str:
    """Another attempt took this attempt number first: a team-mate's, or on individual work
    the learner's own, from another tab or window."""
    if owner.team_id is not None:
        return "Someone in your team submitted at the same moment; reload and check."
    return ("You submitted this project from another tab or window at the same moment; "
            "reload this page to see your attempts.")


def _check_attempt_cap(session: Session, *, placement_id: int, key: str, limits: Limits) -> None:
    made = session.scalar(
        select(func.count()).select_from(Submission)
        .where(Submission.placement_id == placement_id, Submission.owner_key == key)
    ) or 0
    if made >= limits.max_attempts:
        raise UserFacingError(
            f"You have made {made} attempts, the most one project allows "
            f"({limits.max_attempts} attempts). Your last attempt stands.",
            title="No more attempts", status=409,
        )


def _kept_attempt_ids(session: Session, *, placement_id: int, key: str, keep: int) -> list[int]:
    return list(session.scalars(
        select(Submission.id)
        .where(Submission.placement_id == placement_id, Submission.owner_key == key)
        .order_by(Submission.attempt.desc())
        .limit(keep)
    ).all())


def _check_quota(
    session: Session, store: FileStore, *, placement_id: int, key: str, staged: list[Staged],
    limits: Limits,
) -> None:
    """Refuse files that would take what this learner or team keeps over the quota; what is
    kept after this attempt is its files and those of the newest attempts still kept."""
    if not staged:
        return
    still_kept = _kept_attempt_ids(session, placement_id=placement_id, key=key,
                                   keep=limits.keep_attempt_files - 1)
    kept = session.scalar(
        select(func.coalesce(func.sum(SubmissionFile.size), 0))
        .where(SubmissionFile.submission_id.in_(still_kept),
               SubmissionFile.collected_at.is_(None))
    ) if still_kept else 0
    if int(kept or 0) + sum(item.staged.size for item in staged) > limits.quota_bytes:
        for item in staged:
            store.discard(item.staged)
        raise UploadRefused(
            f"With these files you would keep more than {limits.quota_label} in this project, "
            "the limit for one learner or team. Make the files smaller or attach fewer."
        )


_COLLECTED_KEY = "microbridge.submissions.collected_files"


def _collect_superseded(session: Session, *, placement_id: int, key: str, keep: int) -> None:
    """Mark the files of attempts older than the newest ``keep`` as removed; their content is
    deleted after the commit (remove_collected), once nothing kept refers to it."""
    kept_ids = _kept_attempt_ids(session, placement_id=placement_id, key=key, keep=keep)
    older = session.scalars(
        select(SubmissionFile)
        .join(Submission, Submission.id == SubmissionFile.submission_id)
        .where(Submission.placement_id == placement_id, Submission.owner_key == key,
               Submission.id.not_in(kept_ids), SubmissionFile.collected_at.is_(None))
    ).all()
    now = utcnow()
    for item in older:
        item.collected_at = now
    session.flush()
    session.info.setdefault(_COLLECTED_KEY, set()).update(item.stored_file_id for item in older)


def remove_collected(session: Session, store: FileStore) -> None:
    """After the commit: delete the content of collected files that no kept file refers to."""
    candidates: set[int] = session.info.pop(_COLLECTED_KEY, set())
    if not candidates:
        return
    still_used = set(session.scalars(
        select(SubmissionFile.stored_file_id)
        .where(SubmissionFile.stored_file_id.in_(candidates),
               SubmissionFile.collected_at.is_(None))
    ).all())
    for stored in session.scalars(
        select(StoredFile).where(StoredFile.id.in_(candidates - still_used))
    ).all():
        store.delete(stored.sha256)


def remove_orphans(
    session: Session, store: FileStore, *, now: datetime, grace: timedelta = ORPHAN_GRACE
) -> int:
    """Remove stored content no kept file refers to (a commit that failed after its files were
    kept, a removal cut short) and uploads a killed process left staged, older than ``grace``."""
    referenced = set(session.scalars(
        select(StoredFile.sha256)
        .join(SubmissionFile, SubmissionFile.stored_file_id == StoredFile.id)
        .where(SubmissionFile.collected_at.is_(None))
    ).all())
    cutoff = (now - grace).timestamp()
    found = list(store.orphans(older_than=cutoff, referenced=referenced))
    removed = sum(1 for path in found if store.remove_orphan(path, older_than=cutoff))
    if removed:
        log.info("removed %s unreferenced file(s) from the file store", removed)
    return removed


def _by_token(session: Session, placement_id: int, key: str, token: str) -> Submission | None:
    return session.scalar(
        select(Submission).where(
            Submission.placement_id == placement_id, Submission.owner_key == key,
            Submission.form_token == token,
        )
    )


def _insert(
    session: Session, *, placement: Placement, person: Person, owner: Owner, text: str,
    links: list[str], form_token: str, now: datetime,
) -> Submission:
    last = session.scalar(
        select(func.max(Submission.attempt)).where(
            Submission.placement_id == placement.id, Submission.owner_key == owner.key
        )
    ) or 0
    late = int((now - placement.due_at).total_seconds()) if placement.due_at else 0
    submission = Submission(
        placement_id=placement.id, owner_key=owner.key,
        person_id=None if owner.team_id else person.id, team_id=owner.team_id,
        member_ids=[m.id for m in owner.members], attempt=last + 1, text_md=text, links=links,
        submitted_by_id=person.id, submitted_at=now, due_at=placement.due_at,
        late_seconds=max(0, late), form_token=form_token,
    )
    with session.begin_nested():
        session.add(submission)
    return submission


def _attach(session: Session, store: FileStore, submission: Submission, staged: list[Staged]) -> None:
    for position, item in enumerate(staged):
        store.keep(item.staged)
        stored = _stored_file(session, item)
        session.add(SubmissionFile(
            submission_id=submission.id, stored_file_id=stored.id, position=position,
            filename=item.filename, size=item.staged.size, media_type=item.kind.media_type,
        ))
    session.flush()
    session.expire(submission, ["files"])


def _stored_file(session: Session, item: Staged) -> StoredFile:
    query = select(StoredFile).where(StoredFile.sha256 == item.staged.sha256)
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            found = StoredFile(sha256=item.staged.sha256, size=item.staged.size,
                               media_type=item.kind.media_type, category=item.kind.category)
            session.add(found)
        return found
    except IntegrityError:
        return session.execute(query).scalar_one()


def latest_per_owner(session: Session, *, placement_id: int) -> list[Submission]:
    """The newest attempt of every learner or team in a placement."""
    return latest_per_owner_in(session, placement_ids=[placement_id])


def latest_per_owner_in(session: Session, *, placement_ids: Sequence[int]) -> list[Submission]:
    """The newest attempt of every learner or team in each of these placements, by time."""
    if not placement_ids:
        return []
    newest = (
        select(Submission.placement_id, Submission.owner_key,
               func.max(Submission.attempt).label("attempt"))
        .where(Submission.placement_id.in_(placement_ids))
        .group_by(Submission.placement_id, Submission.owner_key)
        .subquery()
    )
    return list(session.scalars(
        select(Submission)
        .join(newest, (Submission.placement_id == newest.c.placement_id)
              & (Submission.owner_key == newest.c.owner_key)
              & (Submission.attempt == newest.c.attempt))
        .options(selectinload(Submission.files))
        .order_by(Submission.submitted_at, Submission.id)
    ).all())


def latest_for_learner(session: Session, *, placement: Placement, person_sub: str) -> Submission | None:
    """The newest attempt that counts for this learner (their own or their team's)."""
    course = session.get(Course, placement.course_id)
    person = session.scalar(
        select(Person).where(Person.platform_id == course.platform_id, Person.sub == person_sub)
    ) if course is not None else None
    if person is None:
        return None
    team = teams.team_of(session, placement_id=placement.id, person_id=person.id)
    mine = [s for s in latest_per_owner(session, placement_id=placement.id)
            if person.id in (s.member_ids or []) or s.person_id == person.id
            or (team is not None and s.team_id == team.id)]
    return max(mine, key=lambda s: s.submitted_at) if mine else None


def file_of(session: Session, *, submission: Submission, file_id: int) -> SubmissionFile:
    found = session.get(SubmissionFile, file_id)
    if found is None or found.submission_id != submission.id:
        raise NotFound("There is no such file in this submission.", title="File not found")
    if found.collected_at is not None:
        raise UserFacingError(
            "This file belonged to an earlier attempt and was removed to save space: the "
            "newest attempts keep their files.", title="File removed", status=410)
    return found
