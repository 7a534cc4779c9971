"""The institution's revocation list as a W3C Bitstring Status List (VC Bitstring Status List
v1.0, https://www.w3.org/TR/vc-bitstring-status-list/): bit ``i`` set = credential ``i`` revoked.
"""

from __future__ import annotations

import base64
import gzip
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.database import utcnow
from grading.credentials.achievement import VC_CONTEXT, issuer_url
from grading.credentials.models import Credential

MIN_BITS = 131072
"""16 KB, the spec's minimum, so a list does not tell how few credentials exist."""


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


def status_list_credential(session: Session, *, base_url: str, institution_id: int) -> dict[str, Any]:
    revoked = set(session.scalars(select(Credential.status_index).where(
        Credential.institution_id == institution_id, Credential.revoked_at.is_not(None))))
    url = f"{base_url}/credentials/status/{institution_id}"
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(base_url, institution_id),
        "validFrom": utcnow().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encoded_list(revoked)},
    }
