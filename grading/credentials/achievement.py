"""The OpenBadgeCredential as data: built from plain facts, no database, no Flask.

Open Badges 3.0 (1EdTech, https://www.imsglobal.org/spec/ob/v3p0/) on the W3C Verifiable
Credentials Data Model 2.0; revocation by a W3C Bitstring Status List entry
(https://www.w3.org/TR/vc-bitstring-status-list/, statusPurpose "revocation").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True)
class Recipient:
    """Who it is for: a salted hash of the email, or the name the student chose to show."""

    email: str
    salt: str
    name: str = ""
    show_name: bool = False

    def identity_object(self) -> dict[str, Any]:
        if self.show_name and self.name:
            return {"type": "IdentityObject", "identityType": "name", "hashed": False,
                    "identityHash": self.name}
        digest = hashlib.sha256((self.email.strip().lower() + self.salt).encode()).hexdigest()
        return {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                "identityHash": f"sha256${digest}", "salt": self.salt}


@dataclass(frozen=True)
class Skill:
    label: str
    url: str


@dataclass(frozen=True)
class Facts:
    """Everything a credential says, gathered by ``grading.credentials.service``."""

    uuid: str
    subject_uuid: str
    base_url: str
    institution_id: int
    institution_name: str
    placement_id: int
    project_title: str
    project_summary: str
    employer_name: str
    discipline: str
    skills: Sequence[Skill]
    grade_percent: Decimal
    verified_hours: Decimal | None
    """None when nobody verified hours (a completion badge may be issued without them)."""
    credits: Decimal
    valid_from: datetime
    started_on: date | None
    ended_on: date | None
    recipient: Recipient
    status_index: int
    completion_minimum: Decimal | None = None
    """Set for a completion badge (no credit): the grade the student needed, shown in the
    criteria; None for a credential issued on credit approval."""

    @property
    def issuer_id(self) -> str:
        return issuer_url(self.base_url, self.institution_id)

    @property
    def status_list_url(self) -> str:
        return f"{self.base_url}/credentials/status/{self.institution_id}"

    @property
    def verify_url(self) -> str:
        return f"{self.base_url}/credentials/verify/{self.uuid}"


def issuer_url(base_url: str, institution_id: int) -> str:
    return f"{base_url}/credentials/issuers/{institution_id}"


def issuer_profile(base_url: str, institution_id: int, name: str) -> dict[str, Any]:
    """The institution as an OB 3.0 ``Profile`` (embedded in credentials and served alone)."""
    url = issuer_url(base_url, institution_id)
    return {"id": url, "type": ["Profile"], "name": name, "url": base_url,
            "image": {"id": f"{url}/image.svg", "type": "Image"}}


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def credential(facts: Facts) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential."""
    achievement_id = f"{facts.issuer_id}/achievements/{facts.placement_id}"
    grade_id = f"{achievement_id}#grade"
    hours_id = f"{achievement_id}#verified-hours"
    employer = f" with {facts.employer_name}" if facts.employer_name else ""
    if facts.completion_minimum is None:
        narrative = (f"Completed the project{employer}; the employer verified the hours worked; "
                     f"the instructor graded the work and {facts.institution_name} approved the "
                     "credit.")
    else:
        narrative = (f"Completed the project{employer}: the instructor released a grade of at "
                     f"least {_number(facts.completion_minimum)}% for the work. The project does "
                     "not bear academic credit.")
    results = [({"id": grade_id, "type": ["ResultDescription"], "name": "Grade",
                 "resultType": "Percent"},
                {"type": ["Result"], "resultDescription": grade_id,
                 "value": f"{_number(facts.grade_percent)}%"})]
    if facts.verified_hours is not None:
        results.append(({"id": hours_id, "type": ["ResultDescription"], "name": "Verified hours",
                         "resultType": "RawScore"},
                        {"type": ["Result"], "resultDescription": hours_id,
                         "value": _number(facts.verified_hours)}))
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Apprenticeship",
        "name": facts.project_title,
        "description": (facts.project_summary or facts.project_title)
        + f" A micro-internship{employer}, assessed by the employer's rubric and the instructor.",
        "criteria": {"narrative": narrative},
        "fieldOfStudy": facts.discipline,
        "resultDescription": [description for description, _ in results],
    }
    if facts.completion_minimum is None:
        achievement["creditsAvailable"] = float(facts.credits)
    if facts.skills:
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": s.label, "targetUrl": s.url,
             "targetType": "ceasn:Competency"} for s in facts.skills]
    subject: dict[str, Any] = {
        "id": f"urn:uuid:{facts.subject_uuid}",
        "type": ["AchievementSubject"],
        "identifier": [facts.recipient.identity_object()],
        "achievement": achievement,
        "result": [result for _, result in results],
    }
    if facts.completion_minimum is None:
        subject["creditsEarned"] = float(facts.credits)
    if facts.started_on:
        subject["activityStartDate"] = f"{facts.started_on.isoformat()}T00:00:00Z"
    if facts.ended_on:
        subject["activityEndDate"] = f"{facts.ended_on.isoformat()}T00:00:00Z"
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{facts.uuid}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(facts.base_url, facts.institution_id, facts.institution_name),
        "validFrom": _iso(facts.valid_from),
        "name": facts.project_title,
        "credentialSubject": subject,
        "evidence": [{"id": facts.verify_url, "type": ["Evidence"],
                      "name": "Evidence packet and verification"}],
        "credentialStatus": {
            "id": f"{facts.status_list_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_url,
        },
    }
