"""Validation of the id_token that ends a launch (LTI Core 1.3 §5.1.3, OIDC Core §3.1.3.7).

The JWT is parsed once and its RS256 signature checked with ``cryptography`` directly: this
runs on every launch, and going through pylti1p3's MessageLaunch and PyJWT cost several
times more (a character-by-character base64 check of a 3-4 KB token, the token decoded
twice, registration objects built per call). pylti1p3's message validators still decide
what each message type must carry.

What we check beyond pylti1p3: only RS256 (never ``none`` or HS256), ``aud`` must hold our
client id and ``azp`` name it when there are several audiences, ``exp``/``iat``/``nbf`` with
a small leeway, the nonce must be the one issued with this state, and platform keys are
refetched once when the token names a kid we have not seen (LTI-NOTES pitfalls 2, 16, 23).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators
from sqlalchemy.orm import Session

from lti_tool.launch import claims
from lti_tool.launch.errors import LaunchRejected, unknown_platform
from lti_tool.launch.platform_keys import PlatformKeyError, PlatformKeys
from lti_tool.registry import cache
from lti_tool.registry import service as registry
from lti_tool.registry.cache import PlatformInfo
from lti_tool.registry.models import Platform

REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "nonce")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_MESSAGE_VALIDATORS = get_validators()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class IdToken:
    """An id_token split and decoded, not yet trusted."""

    header: dict[str, Any]
    body: dict[str, Any]
    signing_input: bytes
    signature: bytes


@dataclass(frozen=True)
class ValidLaunch:
    platform: PlatformInfo
    body: dict[str, Any]


def parse(id_token: str) -> IdToken:
    """Split and decode; refuses what is not a JWT. Nothing in it is checked yet."""
    return IdToken(*_parse(id_token))


def validate(
    token: IdToken,
    *,
    session: Session,
    keys: PlatformKeys,
    leeway: int,
    expected_nonce: str,
) -> ValidLaunch:
    """Everything but the state, which the caller has already used up.

    ``session`` is only written to (flushed, never committed) when a platform that registers
    its deployments as they come (Canvas) launches from a new one: the caller commits.
    """
    header, body, signing_input, signature = (
        token.header, token.body, token.signing_input, token.signature
    )
    _check_shape(body)
    client_id = _client_id(body)
    platform = _registration(session, str(body.get("iss", "")), client_id)
    _check_signature(header, platform, keys, signing_input, signature)
    _check_registered_claims(body, platform, client_id, leeway)
    if not body.get("nonce") or body["nonce"] != expected_nonce:
        raise LaunchRejected(
            "nonce_mismatch", "The launch does not belong to the login that started it."
        )
    _check_deployment(session, platform, str(body[claims.DEPLOYMENT_ID]))
    _check_message(body)
    return ValidLaunch(platform, body)


def _parse(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    parts = token.split(".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
        raise _malformed()
    try:
        header, body = json.loads(_b64(parts[0])), json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, binascii.Error):
        raise _malformed() from None
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise _malformed()
    return header, body, f"{parts[0]}.{parts[1]}".encode(), signature


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _malformed() -> LaunchRejected:
    return LaunchRejected("malformed", "The launch message is not a valid LTI message.")


def _check_shape(body: dict[str, Any]) -> None:
    message_type = body.get(claims.MESSAGE_TYPE)
    if not message_type:
        raise LaunchRejected("message_type_missing", "The launch message has no message type.")
    if message_type not in claims.SUPPORTED_MESSAGES:
        raise LaunchRejected(
            "message_type_unsupported", f"Microbridge does not handle {message_type!r} messages."
        )
    if not body.get(claims.DEPLOYMENT_ID):
        raise LaunchRejected("deployment_missing", "The launch message has no deployment id.")
    sub = body.get("sub")
    # LTI Core §5.3.6: the user id is a string of at most 255 characters. A number or a list
    # would be turned into some other person's id by str().
    if sub is not None and (not isinstance(sub, str) or not sub or len(sub) > 255):
        raise LaunchRejected(
            "sub_invalid", "The launch message does not name its user (sub) as text."
        )


def _client_id(body: dict[str, Any]) -> str:
    aud = body.get("aud")
    if isinstance(aud, list):
        if len(aud) == 1:
            return str(aud[0])
        azp = body.get("azp")
        # OIDC Core §2: with several audiences, azp names the one the token is for.
        if not azp or azp not in aud:
            raise LaunchRejected(
                "azp_invalid", "The launch names several audiences but not which one is Microbridge."
            )
        return str(azp)
    if not isinstance(aud, str) or not aud:
        raise LaunchRejected("aud_missing", "The launch does not say which tool it is for.")
    return aud


def _registration(session: Session, issuer: str, client_id: str) -> PlatformInfo:
    platform = cache.lookup(session, issuer=issuer, client_id=client_id) if issuer else None
    if platform is not None:
        return platform
    if issuer and registry.platforms_for_issuer(session, issuer=issuer):
        raise LaunchRejected(
            "aud_invalid", f"The launch message is meant for another tool (client id {client_id})."
        )
    raise unknown_platform(issuer, client_id)


def _check_signature(
    header: dict[str, Any],
    platform: PlatformInfo,
    keys: PlatformKeys,
    signing_input: bytes,
    signature: bytes,
) -> None:
    alg, kid = header.get("alg"), header.get("kid")
    if alg != "RS256":
        raise LaunchRejected(
            "alg_refused", f"The launch was signed with {alg!r}; LTI 1.3 requires RS256."
        )
    if not kid or not isinstance(kid, str):
        raise LaunchRejected("kid_missing", "The launch's signature does not name its key.")
    try:
        key = keys.key_for(platform.jwks_url, kid, alg)
    except PlatformKeyError as error:
        raise LaunchRejected(
            "key_unknown", f"The launch's signature key cannot be checked: {error}."
        ) from error
    if not isinstance(key, rsa.RSAPublicKey):
        raise LaunchRejected("key_unknown", f"The platform's key {kid!r} is not an RSA key.")
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise LaunchRejected(
            "signature_invalid", "The launch message's signature is not valid."
        ) from None


def _check_registered_claims(
    body: dict[str, Any], platform: PlatformInfo, client_id: str, leeway: int
) -> None:
    missing = [name for name in REQUIRED_CLAIMS if name not in body]
    if missing:
        raise LaunchRejected(
            "claim_missing", f"The launch message lacks the required claim {missing[0]!r}."
        )
    if body["iss"] != platform.issuer:
        raise unknown_platform(str(body["iss"]), client_id)
    aud = body["aud"]
    if client_id != platform.client_id or client_id not in (aud if isinstance(aud, list) else [aud]):
        raise LaunchRejected("aud_invalid", "The launch message is meant for another tool.")
    now = time.time()
    exp, iat, nbf = body["exp"], body["iat"], body.get("nbf", 0)
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in (exp, iat, nbf)):
        raise LaunchRejected("malformed", "The launch message's dates are not numbers.")
    if exp <= now - leeway:
        raise LaunchRejected(
            "expired", "The launch message has expired. Check that the LMS clock is right."
        )
    if iat > now + leeway or nbf > now + leeway:
        raise LaunchRejected("not_yet_valid", "The launch message is dated in the future.")


def _check_deployment(session: Session, platform: PlatformInfo, deployment_id: str) -> None:
    if deployment_id in platform.deployment_ids:
        return
    if platform.auto_register_deployments:
        # After the signature check: the platform itself vouches for this deployment.
        row = session.get(Platform, platform.id)
        assert row is not None
        registry.add_deployment(session, platform=row, deployment_id=deployment_id)
        return
    raise LaunchRejected(
        "deployment_unknown",
        f"The deployment {deployment_id!r} of this LMS is not registered with Microbridge.",
        hint="An administrator can add the deployment on the Microbridge admin page or "
        "with `microbridge platform add --deployment`.",
        status=403,
    )


def _check_message(body: dict[str, Any]) -> None:
    """pylti1p3's rules for each message type (sub, version 1.3.0, roles, link id, ...)."""
    try:
        for validator in _MESSAGE_VALIDATORS:
            if validator.can_validate(body):
                validator.validate(body)
                return
    except LtiException as error:
        detail = str(error) or error.__class__.__name__
        raise LaunchRejected(
            "invalid_message", f"The launch message from the LMS is not valid: {detail}."
        ) from error
    raise LaunchRejected("invalid_message", "The launch message from the LMS is not valid.")
