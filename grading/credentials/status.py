"""The institution's revocation list as a W3C Bitstring Status List (VC Bitstring Status List
v1.0, https://www.w3.org/TR/vc-bitstring-status-list/): bit ``i`` set = credential ``i`` revoked.

The list is itself a credential, a ``BitstringStatusListCredential``, served as a VC-JWT
signed with the issuer key (the same key ring as the badges; its ``kid`` is in the issuer's
JWKS), so a verifier can tell the issuer's list from a forged one that hides a revocation.
It is signed again as soon as a bit changes (and at most every ``LIST_TTL`` seconds otherwise)
and verifiers keep it ``LIST_TTL`` seconds at most, so a revocation reaches them within a
minute. Its ``validUntil`` is an hour on: a copy caught
on the way cannot be replayed for longer than that to hide a later revocation.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.institutions.models import Institution
from config.database import utcnow
from grading.credentials import keys
from grading.credentials.achievement import VC_CONTEXT, issuer_url
from grading.credentials.jose import Signer, issuer_key
from grading.credentials.models import Credential

MIN_BITS = 131072
"""16 KB, the spec's minimum, so a list does not tell how few credentials exist."""
LIST_TTL = 30
"""Seconds a verifier may keep the list (HTTP max-age, and the list's own ``ttl`` hint)."""
LIST_VALID_FOR = timedelta(hours=1)


def encoded_list(revoked: set[int]) -> str:
    """GZIP of the bitstring (index 0 = left-most bit), multibase base64url without padding."""
    size = max(MIN_BITS, ((max(revoked, default=0) // 8) + 1) * 8)
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    bits = gzip.decompress(packed)
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def list_url(base_url: str, institution_id: int) -> str:
    return f"{base_url}/credentials/status/{institution_id}"


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _revoked(session: Session, institution_id: int) -> set[int]:
    return set(session.scalars(select(Credential.status_index).where(
        Credential.institution_id == institution_id, Credential.revoked_at.is_not(None))))


def status_list_credential(session: Session, *, base_url: str, institution_id: int,
                           revoked: set[int] | None = None) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential (what the signed list carries)."""
    if revoked is None:
        revoked = _revoked(session, institution_id)
    url = list_url(base_url, institution_id)
    now = utcnow().replace(microsecond=0)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(base_url, institution_id),
        "validFrom": _iso(now),
        "validUntil": _iso(now + LIST_VALID_FOR),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "ttl": LIST_TTL * 1000,
                              "encodedList": encoded_list(revoked)},
    }


_signed: dict[tuple[str, int, str, frozenset[int]], tuple[str, datetime]] = {}
"""Lists signed lately, by (base URL, institution, key, revoked bits): a list is signed again
when a bit changes (so a revocation is in the very next list served), when the key rotates,
or after ``LIST_TTL`` seconds; otherwise the same signed list is served (signing costs ~1 ms)."""


def signed_status_list(session: Session, *, base_url: str, institution_id: int) -> str:
    """The list as served: a VC-JWT signed with the issuer's current key (flushes: an
    institution's first list may create the key)."""
    key, revoked = keys.ensure(session), _revoked(session, institution_id)
    cache_key = (base_url, institution_id, key.kid, frozenset(revoked))
    cached = _signed.get(cache_key)
    if cached is not None and utcnow() - cached[1] < timedelta(seconds=LIST_TTL):
        return cached[0]
    token = Signer(key, base_url).vc_jwt(status_list_credential(
        session, base_url=base_url, institution_id=institution_id, revoked=revoked))
    if len(_signed) > 256:
        _signed.clear()
    _signed[cache_key] = (token, utcnow())
    return token


StatusLists = Callable[[str], "str | None"]
"""Gets a status list credential (its VC-JWT) by URL; None when there is none to be had."""


def own_lists(session: Session, base_url: str) -> StatusLists:
    """This issuer's lists, read as they are served. The verifier is the issuer, so nothing is
    fetched over the network; the list is still checked like one that was (``check_entry``)."""
    pattern = re.compile(re.escape(list_url(base_url, 0)[:-1]) + r"(\d{1,9})")

    def get(url: str) -> str | None:
        found = pattern.fullmatch(url)
        if found is None or session.get(Institution, int(found[1])) is None:
            return None
        return signed_status_list(session, base_url=base_url, institution_id=int(found[1]))

    return get


@dataclass(frozen=True)
class EntryCheck:
    """What a credential's status entry says, once the list behind it is trusted."""

    revoked: bool | None
    """None: the list could not be had or trusted, so the status is unknown."""
    problem: str = ""


def _refused(problem: str) -> EntryCheck:
    return EntryCheck(None, problem)


def check_entry(session: Session, entry: Any, *, issuer_id: str, base_url: str,
                lists: StatusLists) -> EntryCheck:
    """Read a credential's ``credentialStatus`` from its list, after checking the list's
    signature (a published issuer key), dates, issuer (the credential's) and purpose."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry" \
            or entry.get("statusPurpose") != "revocation" \
            or not str(entry.get("statusListIndex", "")).isdigit():
        return _refused("The credential has no revocation status entry this verifier reads.")
    url, index = str(entry.get("statusListCredential", "")), int(entry["statusListIndex"])
    token = lists(url)
    if token is None:
        return _refused("The credential's status list could not be had from its issuer.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return _refused("The status list is not a signed (VC-JWT) list.")
    key = issuer_key(session, str(header.get("kid", "")), base_url)
    if header.get("alg") != "RS256" or key is None:
        return _refused("The status list was not signed by a key this issuer publishes.")
    try:
        claims = jwt.decode(token, keys.public_key(key.public_jwk), algorithms=["RS256"],
                            leeway=60, options={"require": ["iss", "jti", "nbf", "exp", "vc"]})
    except jwt.ExpiredSignatureError:
        return _refused("The status list is out of date (past its validUntil).")
    except jwt.PyJWTError:
        return _refused("The status list's signature does not match: it was altered or is "
                        "not the issuer's.")
    vc = claims["vc"] if isinstance(claims.get("vc"), dict) else {}
    subject = vc.get("credentialSubject") if isinstance(vc.get("credentialSubject"), dict) else {}
    assert isinstance(subject, dict)
    if "BitstringStatusListCredential" not in vc.get("type", []) or vc.get("id") != url \
            or claims["jti"] != url or claims["iss"] != issuer_id or vc.get("issuer") != issuer_id \
            or subject.get("statusPurpose") != "revocation":
        return _refused("The status list is not this credential's issuer's revocation list.")
    try:
        return EntryCheck(is_set(str(subject.get("encodedList", "")), index))
    except (ValueError, IndexError, OSError, EOFError, binascii.Error, zlib.error):
        return _refused("The status list cannot be read at this credential's entry.")
