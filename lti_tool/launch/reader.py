"""grading's launch reader: the facts of a launch, read from the message kept at launch."""

from __future__ import annotations

from typing import Any

from config.store import KeyValueStore
from grading.ports import LaunchFacts
from lti_tool.launch import claims
from lti_tool.launch.service import launch_data


class StoredLaunches:
    """The LaunchReader port over the launch data the launch kept in the store."""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    def facts(self, launch_id: str) -> LaunchFacts | None:
        body = launch_data(self._store, launch_id)
        return None if body is None else launch_facts(body)


def launch_facts(body: dict[str, Any]) -> LaunchFacts:
    return LaunchFacts(
        resource_link_id=_member(body.get(claims.RESOURCE_LINK), "id"),
        for_user_sub=_member(body.get(claims.FOR_USER), "user_id"),
    )


def _member(claim: Any, name: str) -> str | None:
    if isinstance(claim, dict) and claim.get(name):
        return str(claim[name])
    return None
