"""Validation of the id_token that ends a launch, on pylti1p3 with its gaps closed.

What we add to pylti1p3's checks: only RS256 (never ``none`` or HS256), ``aud`` must hold our
client id and ``azp`` name it when there are several audiences, ``exp``/``iat`` with a small
leeway, the nonce must be the one issued with this state, and platform keys are refetched once
when the token names a kid we have not seen (LTI-NOTES pitfalls 2, 16, 23).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch

from microbridge.lti_tool.launch import claims
from microbridge.lti_tool.launch.adapters import CapturingCookies, CapturingSession, FormRequest
from microbridge.lti_tool.launch.errors import LaunchRejected, unknown_platform
from microbridge.lti_tool.launch.platform_keys import PlatformKeyError, PlatformKeys
from microbridge.lti_tool.registry import service as registry
from microbridge.lti_tool.registry.tool_conf import DatabaseToolConf

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "nonce"]


class ToolMessageLaunch(
    MessageLaunch[FormRequest, DatabaseToolConf, CapturingSession, CapturingCookies]
):
    def __init__(
        self,
        params: Mapping[str, str],
        tool_conf: DatabaseToolConf,
        *,
        keys: PlatformKeys,
        leeway: int,
        expected_nonce: str,
    ) -> None:
        request = FormRequest(params, secure=True)
        super().__init__(
            request,
            tool_conf,
            session_service=CapturingSession(request),
            cookie_service=CapturingCookies(),
        )
        self._keys = keys
        self._leeway = leeway
        self._expected_nonce = expected_nonce

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def get_client_id(self) -> str:
        body = self._get_jwt_body()
        aud = body.get("aud")
        if isinstance(aud, list):
            if len(aud) == 1:
                return str(aud[0])
            azp = body.get("azp")
            # OIDC Core §2: with several audiences, azp names the one the token is for.
            if not azp or azp not in aud:
                raise LaunchRejected(
                    "azp_invalid",
                    "The launch names several audiences but not which one is Microbridge.",
                )
            return str(azp)
        if not isinstance(aud, str) or not aud:
            raise LaunchRejected("aud_missing", "The launch does not say which tool it is for.")
        return aud

    def check(self) -> ToolMessageLaunch:
        """Validate everything but the state, which the caller checks and consumes."""
        self._validated = True
        try:
            self.validate_jwt_format()
            self._check_shape()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_nonce()
            self.validate_deployment()
            self.validate_message()
        except LtiException as error:
            self._validated = False
            raise _translate(error, self._jwt.get("body", {})) from error
        except Exception:
            self._validated = False
            raise
        return self

    def _check_shape(self) -> None:
        body, header = self._jwt.get("body"), self._jwt.get("header")
        if not isinstance(body, dict) or not isinstance(header, dict):
            raise LaunchRejected("malformed", "The launch message is not a valid LTI message.")
        if not body.get(claims.MESSAGE_TYPE):
            raise LaunchRejected("message_type_missing", "The launch message has no message type.")
        if body.get(claims.MESSAGE_TYPE) not in claims.SUPPORTED_MESSAGES:
            raise LaunchRejected(
                "message_type_unsupported",
                f"Microbridge does not handle {body.get(claims.MESSAGE_TYPE)!r} messages.",
            )
        if not body.get(claims.DEPLOYMENT_ID):
            raise LaunchRejected("deployment_missing", "The launch message has no deployment id.")

    def validate_registration(self) -> ToolMessageLaunch:
        try:
            super().validate_registration()
        except LtiException:
            issuer, client_id = str(self._get_jwt_body().get("iss", "")), self.get_client_id()
            if registry.platforms_for_issuer(self._tool_config.session, issuer=issuer):
                raise LaunchRejected(
                    "aud_invalid",
                    f"The launch message is meant for another tool (client id {client_id}).",
                ) from None
            raise unknown_platform(issuer, client_id) from None
        return self

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        header = self._jwt.get("header", {})
        alg, kid = header.get("alg"), header.get("kid")
        if alg != "RS256":
            raise LaunchRejected(
                "alg_refused", f"The launch was signed with {alg!r}; LTI 1.3 requires RS256."
            )
        if not kid or not isinstance(kid, str):
            raise LaunchRejected("kid_missing", "The launch's signature does not name its key.")
        registration = self._registration
        assert registration is not None
        jwks_url = registration.get_key_set_url() or ""
        try:
            key = self._keys.key_for(jwks_url, kid, alg)
        except PlatformKeyError as error:
            raise LaunchRejected(
                "key_unknown", f"The launch's signature key cannot be checked: {error}."
            ) from error
        try:
            jwt.decode(
                self._get_id_token(),
                key,
                algorithms=["RS256"],
                audience=self.get_client_id(),
                issuer=registration.get_issuer(),
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise LaunchRejected(
                "expired", "The launch message has expired. Check that the LMS clock is right."
            ) from None
        except jwt.ImmatureSignatureError:
            raise LaunchRejected(
                "not_yet_valid", "The launch message is dated in the future."
            ) from None
        except jwt.InvalidAudienceError:
            raise LaunchRejected(
                "aud_invalid", "The launch message is meant for another tool."
            ) from None
        except jwt.InvalidTokenError as error:
            raise LaunchRejected(
                "signature_invalid", f"The launch message's signature is not valid ({error})."
            ) from None
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        nonce = self._get_jwt_body().get("nonce")
        if not nonce or nonce != self._expected_nonce:
            raise LaunchRejected(
                "nonce_mismatch", "The launch does not belong to the login that started it."
            )
        return self

    def validate_deployment(self) -> ToolMessageLaunch:
        try:
            super().validate_deployment()
        except LtiException:
            deployment = self._get_jwt_body().get(claims.DEPLOYMENT_ID, "")
            raise LaunchRejected(
                "deployment_unknown",
                f"The deployment {deployment!r} of this LMS is not registered with Microbridge.",
                hint="An administrator can add the deployment on the Microbridge admin page or "
                "with `microbridge platform add --deployment`.",
                status=403,
            ) from None
        return self

    def body(self) -> dict[str, Any]:
        return dict(self._get_jwt_body())


def _translate(error: LtiException, body: Any) -> LaunchRejected:
    detail = str(error) or error.__class__.__name__
    return LaunchRejected(
        "invalid_message", f"The launch message from the LMS is not valid: {detail}."
    )
