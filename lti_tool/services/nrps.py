"""NRPS 2.0 memberships: grading's Roster port over the platform connector.

https://www.imsglobal.org/spec/lti-nrps/v2p0. Course memberships, or a resource link's with
``rlid``, always with an explicit ``limit`` (Moodle has no default page size, pitfall 19),
following ``Link: rel="next"`` exactly as sent (Canvas cursors are case-sensitive) until there
is no next link: a short page is not the last page. Role URIs are read here: the members
handed to grading carry their course roles by short name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from config import egress, runtime
from config.store import KeyValueStore
from grading.placements.roster import RosterUnavailable
from grading.ports import Member
from lti_tool.launch.roles import context_role_names
from lti_tool.services.ags_lineitems import with_query
from lti_tool.services.connector import ServiceError, connector_for

SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MT_MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
PAGE_SIZE = 100


def first_page_url(url: str, *, resource_link_id: str | None = None, limit: int = PAGE_SIZE) -> str:
    params = {"limit": str(limit)}
    if resource_link_id:
        params["rlid"] = resource_link_id
    return with_query(url, **params)


def member_from_json(body: Any) -> Member | None:
    if not isinstance(body, dict) or not body.get("user_id"):
        return None
    roles = body.get("roles")

    def text(name: str) -> str:
        value = body.get(name)
        return value if isinstance(value, str) else ""

    return Member(
        user_id=str(body["user_id"]),
        roles=context_role_names(str(r) for r in roles) if isinstance(roles, list) else (),
        status=text("status") or "Active",
        name=text("name"),
        given_name=text("given_name"),
        family_name=text("family_name"),
        email=text("email"),
    )


class NrpsRoster:
    """The Roster port: every member of a course (or of one resource link), page by page."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        store: KeyValueStore,
        *,
        http: egress.EgressSession | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._session_factory = session_factory
        self._store = store
        self._http = http or egress.http_session(runtime.current().settings)
        self._page_size = page_size

    def members(
        self, *, platform_id: int, memberships_url: str, resource_link_id: str | None = None
    ) -> Iterator[Member]:
        try:
            with self._session_factory() as session:
                connector = connector_for(
                    session, self._store, platform_id=platform_id, http=self._http
                )
            url = first_page_url(
                memberships_url, resource_link_id=resource_link_id, limit=self._page_size
            )
            for page in connector.pages(url, [SCOPE_NRPS], accept=MT_MEMBERSHIPS):
                body = page.body if isinstance(page.body, dict) else {}
                for raw in body.get("members") or []:
                    member = member_from_json(raw)
                    if member is not None:
                        yield member
        except ServiceError as error:
            raise RosterUnavailable(f"The LMS did not give the roster: {error}") from None
