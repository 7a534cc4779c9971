"""pylti1p3's view of our registry: registrations come from the database, per request."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy.orm import Session

from microbridge.lti_tool.keys.service import SigningKey
from microbridge.lti_tool.registry import cache, service
from microbridge.lti_tool.registry.cache import PlatformInfo
from microbridge.lti_tool.registry.models import Platform


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
        registration.set_tool_private_key(signing.private_pem)
    return registration


class DatabaseToolConf(ToolConfAbstract[Any]):
    """Every issuer may have many client ids (Canvas cloud shares one issuer)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.platform: PlatformInfo | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        raise NotImplementedError("registrations are looked up by issuer and client id")

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        # None means "not registered": pylti1p3 checks for it, its type hint does not say so.
        platform = self._platform(iss, client_id)
        return None if platform is None else registration_for(platform)

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        raise NotImplementedError("deployments are looked up by issuer and client id")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        platform = self._platform(iss, client_id)
        if platform is None:
            return None
        if deployment_id in platform.deployment_ids:
            return LtiDeployment().set_deployment_id(deployment_id)
        if platform.auto_register_deployments and deployment_id:
            # Runs after the signature check: the platform itself vouches for this deployment.
            row = self.session.get(Platform, platform.id)
            assert row is not None
            service.add_deployment(self.session, platform=row, deployment_id=deployment_id)
            return LtiDeployment().set_deployment_id(deployment_id)
        return None

    def _platform(self, iss: str, client_id: str | None) -> PlatformInfo | None:
        if not client_id:
            return None
        if self.platform is not None and (self.platform.issuer, self.platform.client_id) == (
            iss,
            client_id,
        ):
            return self.platform
        self.platform = cache.lookup(self.session, issuer=iss, client_id=client_id)
        return self.platform
