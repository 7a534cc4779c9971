"""Checks written from the Open Badges 3.0 specification (1EdTech, 3.0 final), section B
"Data Models": the required properties and their types of OpenBadgeCredential, Profile,
AchievementSubject, Achievement, Criteria, Alignment, ResultDescription, Result,
IdentityObject, Evidence and CredentialStatus. Returns what is wrong, in words."""

from __future__ import annotations

import re
from typing import Any

URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
RESULT_TYPES = {"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel",
                "PredictedScore", "RawScore", "Result", "RubricCriterion",
                "RubricCriterionLevel", "RubricScore", "ScaledScore", "Status"}
IDENTITY_TYPES = {"name", "sourcedId", "systemId", "productId", "userName", "accountId",
                  "emailAddress", "nationalIdentityNumber", "isbn", "issn", "lisSourcedId",
                  "oneRosterSourcedId", "sisSourcedId", "ltiContextId", "ltiDeploymentId",
                  "ltiToolId", "ltiPlatformId", "ltiUserId", "identifier"}


def _types(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _need(problems: list[str], obj: dict[str, Any], where: str, name: str, kind: str) -> None:
    value = obj.get(name)
    ok = {
        "uri": isinstance(value, str) and bool(URI.match(value)),
        "str": isinstance(value, str) and value != "",
        "datetime": isinstance(value, str) and bool(DATETIME.match(value)),
        "bool": isinstance(value, bool),
        "obj": isinstance(value, dict),
    }[kind]
    if not ok:
        problems.append(f"{where}.{name} must be a {kind}, got {value!r}")


def _typed(problems: list[str], obj: dict[str, Any], where: str, *required: str) -> None:
    for name in required:
        if name not in _types(obj.get("type")):
            problems.append(f"{where}.type must include {name}")


def check(vc: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    context = vc.get("@context", [])
    if context[:1] != ["https://www.w3.org/ns/credentials/v2"] or not any(
            str(c).startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
            for c in context):
        problems.append("@context must start with the VC 2.0 context and include OB 3.0's")
    _need(problems, vc, "credential", "id", "uri")
    _typed(problems, vc, "credential", "VerifiableCredential", "OpenBadgeCredential")
    _need(problems, vc, "credential", "name", "str")
    _need(problems, vc, "credential", "validFrom", "datetime")
    issuer = vc.get("issuer", {})
    _need(problems, vc, "credential", "issuer", "obj")
    if isinstance(issuer, dict):
        _need(problems, issuer, "issuer", "id", "uri")
        _typed(problems, issuer, "issuer", "Profile")
    subject = vc.get("credentialSubject", {})
    _need(problems, vc, "credential", "credentialSubject", "obj")
    _typed(problems, subject, "credentialSubject", "AchievementSubject")
    for identity in subject.get("identifier", []):
        if identity.get("type") != "IdentityObject":
            problems.append("identifier.type must be IdentityObject")
        _need(problems, identity, "identifier", "identityHash", "str")
        _need(problems, identity, "identifier", "hashed", "bool")
        if identity.get("identityType") not in IDENTITY_TYPES:
            problems.append(f"identityType {identity.get('identityType')!r} is not in the list")
    achievement = subject.get("achievement", {})
    _need(problems, subject, "credentialSubject", "achievement", "obj")
    _need(problems, achievement, "achievement", "id", "uri")
    _typed(problems, achievement, "achievement", "Achievement")
    _need(problems, achievement, "achievement", "name", "str")
    _need(problems, achievement, "achievement", "description", "str")
    _need(problems, achievement, "achievement", "criteria", "obj")
    criteria = achievement.get("criteria", {})
    if not (criteria.get("id") or criteria.get("narrative")):
        problems.append("criteria needs an id or a narrative")
    for alignment in achievement.get("alignment", []):
        _typed(problems, alignment, "alignment", "Alignment")
        _need(problems, alignment, "alignment", "targetName", "str")
        _need(problems, alignment, "alignment", "targetUrl", "uri")
    described = set()
    for description in achievement.get("resultDescription", []):
        _need(problems, description, "resultDescription", "id", "uri")
        _typed(problems, description, "resultDescription", "ResultDescription")
        _need(problems, description, "resultDescription", "name", "str")
        if description.get("resultType") not in RESULT_TYPES \
                and not str(description.get("resultType", "")).startswith("ext:"):
            problems.append(f"resultType {description.get('resultType')!r} is not in the list")
        described.add(description.get("id"))
    for result in subject.get("result", []):
        _typed(problems, result, "result", "Result")
        if result.get("resultDescription") not in described:
            problems.append("result.resultDescription must name a resultDescription's id")
    for evidence in vc.get("evidence", []):
        _typed(problems, evidence, "evidence", "Evidence")
    status = vc.get("credentialStatus", {})
    _need(problems, status, "credentialStatus", "id", "uri")
    _need(problems, status, "credentialStatus", "type", "str")
    return problems
