"""The registry of platforms and deployments: looked up by (issuer, client_id)."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from config.database import first_row
from config.web import UserFacingError
from grading.people.models import Course
from lti_tool.registry import version as _version  # noqa: F401  (after-commit: forget, replace)
from lti_tool.registry.models import Deployment, Flavour, Platform


class RegistryError(UserFacingError):
    pass


def find_platform(session: Session, *, issuer: str, client_id: str) -> Platform | None:
    return session.scalar(
        select(Platform).where(
            Platform.issuer == issuer, Platform.client_id == client_id, Platform.active.is_(True)
        )
    )


def is_active(connection: Connection, *, platform_id: int) -> bool:
    """Read from the database, not the cache: another process may have just switched it off.

    One statement on the driver's cursor over an autocommit connection: every login asks,
    and in a session it cost BEGIN and ROLLBACK round trips around it besides."""
    found = first_row(connection, _ACTIVE, {"platform_id": platform_id})
    return found is not None and bool(found[0])


_ACTIVE = select(Platform.active).where(Platform.id == bindparam("platform_id"))


def platforms_for_issuer(session: Session, *, issuer: str) -> list[Platform]:
    return list(
        session.scalars(
            select(Platform).where(Platform.issuer == issuer, Platform.active.is_(True))
        )
    )


def find_deployment(session: Session, *, platform_id: int, deployment_id: str) -> Deployment | None:
    return session.scalar(
        select(Deployment).where(
            Deployment.platform_id == platform_id, Deployment.deployment_id == deployment_id
        )
    )


def _check_url(name: str, value: str) -> str:
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise RegistryError(f"The {name} must be an http(s) URL, not {value!r}.")
    return value


def add_platform(
    session: Session,
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    flavour: str = Flavour.OTHER.value,
    name: str = "",
    deployment_ids: list[str] | None = None,
    institution_id: int | None = None,
    token_audience: str = "",
) -> Platform:
    if not issuer.strip() or not client_id.strip():
        raise RegistryError("A platform needs an issuer and a client id.")
    if flavour not in {f.value for f in Flavour}:
        raise RegistryError(f"The flavour must be canvas, moodle or other, not {flavour!r}.")
    if find_platform(session, issuer=issuer, client_id=client_id) is not None:
        raise RegistryError(
            f"A platform with issuer {issuer} and client id {client_id} is already registered."
        )
    platform = Platform(
        issuer=issuer.strip(),
        client_id=client_id.strip(),
        auth_login_url=_check_url("OIDC authorization URL", auth_login_url),
        token_url=_check_url("token URL", token_url),
        jwks_url=_check_url("JWKS URL", jwks_url),
        flavour=flavour,
        name=name.strip(),
        institution_id=institution_id,
        token_audience=token_audience.strip(),
    )
    session.add(platform)
    session.flush()
    for deployment_id in deployment_ids or []:
        add_deployment(session, platform=platform, deployment_id=deployment_id)
    return platform


def add_deployment(session: Session, *, platform: Platform, deployment_id: str) -> Deployment:
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise RegistryError("A deployment id cannot be empty.")
    existing = find_deployment(session, platform_id=platform.id, deployment_id=deployment_id)
    if existing is not None:
        return existing
    deployment = Deployment(platform=platform, deployment_id=deployment_id)
    session.add(deployment)
    session.flush()
    return deployment


def list_platforms(session: Session) -> list[Platform]:
    return list(session.scalars(select(Platform).order_by(Platform.id)))


def remove_platform(session: Session, *, platform_id: int) -> Platform:
    platform = session.get(Platform, platform_id)
    if platform is None:
        raise RegistryError(f"There is no platform with id {platform_id}.", status=404)
    # Courses cascade to students' work and grades: never delete those with a registration.
    has_courses = session.scalar(
        select(func.count()).select_from(Course).where(Course.platform_id == platform_id)
    )
    if has_courses:
        raise RegistryError(
            f"Platform {platform_id} has {has_courses} course(s) with students' work in "
            "Microbridge; removing it would delete them. Deactivate it on the admin page "
            "instead, which stops its launches and keeps the records.",
            status=409,
        )
    session.delete(platform)
    session.flush()
    return platform
