"""Issue, revoke and verify Open Badges 3.0 credentials (flush only; views and the credit
approval's transaction commit).

One approval issues at most one credential (keyed by the approving step); an approved credit
that is reopened revokes its credential, and a later approval issues a new one.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution
from catalog.projects.models import ProjectRevision
from catalog.skills.service import label_of
from config.database import utcnow
from config.web import UserFacingError
from grading.consent import service as consent
from grading.credentials import achievement, keys, status
from grading.credentials.achievement import Facts, Recipient, Skill
from grading.credentials.jose import Signer, canonical, issuer_key
from grading.credentials.models import Credential
from grading.people.models import Person
from grading.placements.models import Placement
from grading.reviews.records import reviews_of
from grading.submissions.access import member_ids
from grading.submissions.models import Submission

REASON_LIMIT = 1000


@dataclass(frozen=True)
class Award:
    """What was decided: the credit (0 for a badge without credit), hours and grade."""

    placement_id: int
    person_id: int
    institution_id: int
    credits: Decimal
    verified_hours: Decimal | None
    grade_percent: Decimal
    awarded_at: datetime
    credit_record_id: int | None = None
    step_id: int | None = None
    release_id: int | None = None
    """For a completion badge: the grade release it is issued on (the idempotency key)."""
    completion_minimum: Decimal | None = None
    """For a completion badge: the grade it needed (see grading.credentials.completion)."""


def active_for(session: Session, *, placement_id: int, person_id: int) -> Credential | None:
    return session.scalar(select(Credential).where(
        Credential.placement_id == placement_id, Credential.person_id == person_id,
        Credential.revoked_at.is_(None)).order_by(Credential.id.desc()).limit(1))


def of_student(session: Session, *, person_id: int) -> Sequence[Credential]:
    return session.scalars(select(Credential).where(Credential.person_id == person_id)
                           .order_by(Credential.id.desc())).all()


def endorsed_skills(session: Session, *, placement_id: int, person_id: int) -> list[str]:
    """The skills the employer endorsed on this student's work (slugs, first seen first)."""
    mine = [s.id for s in session.scalars(select(Submission).where(
        Submission.placement_id == placement_id).order_by(Submission.id))
        if person_id in member_ids(session, s)]
    found: list[str] = []
    for review in reviews_of(session, submission_ids=mine).values():
        found += [slug for slug in review.endorsed_skills if slug not in found]
    return found


def _next_index(session: Session, institution_id: int) -> int:
    last = session.scalar(select(func.max(Credential.status_index))
                          .where(Credential.institution_id == institution_id))
    return 0 if last is None else last + 1


def facts_for(session: Session, award: Award, *, base_url: str, credential_uuid: str,
              status_index: int, show_name: bool = False) -> Facts:
    placement = session.get(Placement, award.placement_id)
    person = session.get(Person, award.person_id)
    institution = session.get(Institution, award.institution_id)
    assert placement is not None and person is not None and institution is not None
    revision = session.get(ProjectRevision, placement.project_revision_id)
    assert revision is not None
    employer = revision.project.employer.name if revision.project.employer else ""
    skills = [Skill(label_of(slug), f"{achievement.issuer_url(base_url, institution.id)}"
                                    f"/skills/{slug}")
              for slug in endorsed_skills(session, placement_id=placement.id, person_id=person.id)]
    return Facts(
        uuid=credential_uuid, subject_uuid=str(uuid.uuid4()), base_url=base_url,
        institution_id=institution.id, institution_name=institution.name,
        placement_id=placement.id, project_title=revision.title or placement.title,
        project_summary=revision.summary, employer_name=employer, discipline=revision.discipline,
        skills=skills, grade_percent=award.grade_percent, verified_hours=award.verified_hours,
        credits=award.credits, valid_from=award.awarded_at, started_on=revision.window_start,
        ended_on=revision.window_end,
        recipient=Recipient(email=person.email or person.sub, salt=secrets.token_hex(8),
                            name=person.display_name(), show_name=show_name),
        status_index=status_index, completion_minimum=award.completion_minimum)


def issue(session: Session, award: Award, *, base_url: str) -> Credential:
    """Issue (or return the one already issued for this approval or still standing)."""
    if award.step_id is not None:
        same = session.scalar(select(Credential).where(Credential.source_step_id == award.step_id))
        if same is not None:
            return same
    if award.release_id is not None:
        same = session.scalar(select(Credential).where(
            Credential.source_release_id == award.release_id,
            Credential.person_id == award.person_id))
        if same is not None:
            return same
    standing = active_for(session, placement_id=award.placement_id, person_id=award.person_id)
    if standing is not None:
        return standing
    signer = Signer(keys.ensure(session), base_url)
    credential_uuid = str(uuid.uuid4())
    index = _next_index(session, award.institution_id)
    facts = facts_for(session, award, base_url=base_url, credential_uuid=credential_uuid,
                      status_index=index)
    withdrawn = consent.current(session, placement_id=award.placement_id,
                                person_id=award.person_id) is None
    row = Credential(
        uuid=credential_uuid, placement_id=award.placement_id, person_id=award.person_id,
        institution_id=award.institution_id, credit_record_id=award.credit_record_id,
        source_step_id=award.step_id, source_release_id=award.release_id, status_index=index,
        recipient_only=withdrawn,
        jwt=signer.vc_jwt(achievement.credential(facts)), issued_at=utcnow())
    session.add(row)
    session.flush()
    return row


def revoke(session: Session, credential: Credential, *, reason: str, by: str) -> Credential:
    reason = reason.strip()
    if not reason:
        raise UserFacingError("Say why the credential is revoked: the reason is kept with it.",
                              title="A reason is needed")
    if len(reason) > REASON_LIMIT:
        raise UserFacingError(f"Keep the reason under {REASON_LIMIT} characters.",
                              title="Reason too long")
    if credential.revoked_at is None:
        credential.revoked_at = utcnow()
        credential.revoked_reason = reason
        credential.revoked_by = by[:320]
        session.flush()
    return credential


def set_sharing(session: Session, credential: Credential, *, shared: bool) -> Credential:
    if shared and credential.share_token is None:
        credential.share_token = secrets.token_urlsafe(24)
    elif not shared:
        credential.share_token = None
    session.flush()
    return credential


def show_name(session: Session, credential: Credential, *, show: bool, base_url: str) -> Credential:
    """The student chooses how the credential names them: their name, or the salted email hash.

    The same credential (id, dates, status entry) is signed again; an earlier copy still
    verifies, so a student who shared the hashed form keeps it valid."""
    if credential.revoked:
        raise UserFacingError("A revoked credential cannot be changed.", title="Revoked",
                              status=409)
    person = session.get(Person, credential.person_id)
    assert person is not None
    recipient = Recipient(email=person.email or person.sub, salt=secrets.token_hex(8),
                          name=person.display_name(), show_name=show)
    vc = payload(credential)
    vc["credentialSubject"]["identifier"] = [recipient.identity_object()]
    credential.jwt = Signer(keys.ensure(session), base_url).vc_jwt(vc)
    credential.name_shown = show
    session.flush()
    return credential


def payload(credential: Credential) -> dict[str, Any]:
    """The OpenBadgeCredential inside the signed JWT (read without verifying: it is ours)."""
    claims: dict[str, Any] = jwt.decode(credential.jwt, options={"verify_signature": False})
    vc: dict[str, Any] = claims["vc"]
    return vc


# -- verification -------------------------------------------------------------------------


@dataclass
class Verification:
    """What a verifier learns of a pasted credential; ``valid`` only when every check holds."""

    signature: bool = False
    issuer: bool = False
    in_force: bool = False
    status: str = "unknown"
    problems: list[str] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    revoked_reason: str = ""
    revoked_at: datetime | None = None

    @property
    def valid(self) -> bool:
        return self.signature and self.issuer and self.in_force and self.status == "active" \
            and not self.problems

    def as_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "signature": self.signature, "issuer": self.issuer,
                "in_force": self.in_force, "status": self.status, "problems": self.problems,
                "revoked_reason": self.revoked_reason,
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
                "credential": self.credential}


def verify(session: Session, token: str, *, base_url: str,
           lists: status.StatusLists | None = None) -> Verification:
    """Check a pasted credential: signature (a published issuer key), issuer, dates, and its
    status in the issuer's signed status list (``lists`` gets a list by URL; by default this
    issuer's own, as served)."""
    found = Verification()
    token = "".join(token.split())
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        found.problems.append("This is not a credential in the signed (VC-JWT) form.")
        return found
    key = issuer_key(session, str(header.get("kid", "")), base_url)
    if header.get("alg") != "RS256" or key is None:
        found.problems.append("It was not signed by a key this issuer publishes.")
        return found
    try:
        claims = jwt.decode(token, keys.public_key(key.public_jwk), algorithms=["RS256"],
                            options={"require": ["iss", "jti", "nbf", "sub", "vc"],
                                     "verify_nbf": False})
    except jwt.PyJWTError:
        found.problems.append("The signature does not match: it was altered or not ours.")
        return found
    found.signature = True
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        found.problems.append("The signed token holds no credential.")
        return found
    found.credential = vc
    _check_claims(found, claims, vc, base_url)
    _check_status(session, found, vc, base_url=base_url,
                  lists=lists or status.own_lists(session, base_url))
    return found


def _check_claims(found: Verification, claims: dict[str, Any], vc: dict[str, Any],
                  base_url: str) -> None:
    issuer = vc.get("issuer") if isinstance(vc.get("issuer"), dict) else {}
    subject = vc.get("credentialSubject") if isinstance(vc.get("credentialSubject"), dict) else {}
    assert isinstance(issuer, dict) and isinstance(subject, dict)
    issuer_id = str(issuer.get("id", ""))
    found.issuer = issuer_id.startswith(f"{base_url}/credentials/issuers/") \
        and claims["iss"] == issuer_id
    if not found.issuer:
        found.problems.append("The issuer named inside is not the one that signed it.")
    if claims["jti"] != vc.get("id") or claims["sub"] != subject.get("id"):
        found.problems.append("The token's claims do not match the credential inside.")
    try:
        valid_from = datetime.fromisoformat(str(vc.get("validFrom", "")).replace("Z", "+00:00"))
    except ValueError:
        found.problems.append("The credential has no readable validFrom date.")
        return
    if int(valid_from.timestamp()) != claims["nbf"]:
        found.problems.append("The token's claims do not match the credential inside.")
    now = utcnow()
    until = vc.get("validUntil")
    expired = bool(until) and datetime.fromisoformat(str(until).replace("Z", "+00:00")) < now
    found.in_force = valid_from <= now and not expired
    if not found.in_force:
        found.problems.append("It is outside its validity dates.")


def _check_status(session: Session, found: Verification, vc: dict[str, Any], *, base_url: str,
                  lists: status.StatusLists) -> None:
    """Revoked or not, as the issuer's signed status list says (checked before it is trusted);
    the issuer's record gives the reason."""
    credential_uuid = str(vc.get("id", "")).removeprefix("urn:uuid:")
    row = session.scalar(select(Credential).where(Credential.uuid == credential_uuid))
    if row is None:
        found.problems.append("The issuer has no record of this credential.")
        return
    issuer = vc.get("issuer") if isinstance(vc.get("issuer"), dict) else {}
    assert isinstance(issuer, dict)
    entry = status.check_entry(session, vc.get("credentialStatus"), base_url=base_url,
                               issuer_id=str(issuer.get("id", "")), lists=lists)
    if entry.revoked is None:
        found.status = "unknown"
        found.problems.append(entry.problem)
        return
    found.status = "revoked" if entry.revoked else "active"
    if entry.revoked:
        found.revoked_reason, found.revoked_at = row.revoked_reason, row.revoked_at
        found.problems.append(f"The issuer revoked it: {row.revoked_reason}" if row.revoked_reason
                              else "The issuer's status list says it is revoked.")


# -- the evidence packet's detached signature -------------------------------------------------


@dataclass
class PacketCheck:
    signature: bool = False
    problems: list[str] = field(default_factory=list)
    packet: dict[str, Any] | None = None


def verify_packet(session: Session, text: str, *, base_url: str) -> PacketCheck:
    """Check a downloaded packet JSON (``{"packet": ..., "signature": "header..sig"}``)."""
    found = PacketCheck()
    try:
        loaded = json.loads(text)
    except ValueError:
        found.problems.append("This is not the JSON of an evidence packet.")
        return found
    if not isinstance(loaded, dict) or not isinstance(loaded.get("packet"), dict) \
            or not isinstance(loaded.get("signature"), str):
        found.problems.append("The JSON needs a packet and its signature, as downloaded.")
        return found
    signature: str = loaded["signature"]
    try:
        header = jwt.get_unverified_header(signature)
    except jwt.PyJWTError:
        found.problems.append("The signature is not a JWS.")
        return found
    key = issuer_key(session, str(header.get("kid", "")), base_url)
    if header.get("alg") != "RS256" or key is None:
        found.problems.append("It was not signed by a key this issuer publishes.")
        return found
    try:
        PyJWS().decode_complete(signature, keys.public_key(key.public_jwk), algorithms=["RS256"],
                                detached_payload=canonical(loaded["packet"]))
    except jwt.PyJWTError:
        found.problems.append("The signature does not match: the packet was altered.")
        return found
    found.signature, found.packet = True, loaded["packet"]
    return found
