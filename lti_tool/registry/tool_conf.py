"""pylti1p3's view of a registration, for what still goes through pylti1p3: signing deep
linking responses and the service connector's access tokens."""

from __future__ import annotations

from pylti1p3.registration import Registration

from config.keypairs import private_key
from lti_tool.keys.service import SigningKey
from lti_tool.registry.cache import PlatformInfo
from lti_tool.registry.models import Platform


def registration_for(
    platform: Platform | PlatformInfo, signing: SigningKey | None = None
) -> Registration:
    registration = Registration()
    registration.set_issuer(platform.issuer)
    registration.set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url)
    registration.set_auth_token_url(platform.token_url)
    registration.set_key_set_url(platform.jwks_url)
    if platform.token_audience:
        registration.set_auth_audience(platform.token_audience)
    if signing is not None:
        # pylti1p3 hands the key to PyJWT, which takes a parsed key as well as a PEM (typed
        # str here): parsed once per process, not once per access token.
        registration.set_tool_private_key(private_key(signing.private_pem))  # type: ignore[arg-type]
    return registration
