"""Save and load a platform's data as JSON, so the demo LMS survives a restart."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .keys import KeySet, SigningKey
from .model import (
    Course,
    DeepLinkOutcome,
    Enrolment,
    LineItem,
    ResourceLink,
    Result,
    ScorePost,
    ToolRegistration,
    User,
)

if TYPE_CHECKING:
    from .platform import Platform

_DATE = "$datetime"


def save(platform: Platform, path: str) -> None:
    """Write the platform's lasting data to path atomically."""
    with platform.lock:
        state = platform.state
        data = {
            "keys": [
                {"kid": k.kid, "pem": k.private_pem(), "created": k.created} for k in platform.keys.keys
            ],
            "users": [asdict(x) for x in state.users.values()],
            "courses": [asdict(x) for x in state.courses.values()],
            "tools": [asdict(x) for x in state.tools.values()],
            "links": [asdict(x) for x in state.links.values()],
            "line_items": [asdict(x) for x in state.line_items.values()],
            "results": [asdict(x) for x in state.results.values()],
            "score_log": [asdict(x) for x in state.score_log],
            "deep_link_outcomes": [asdict(x) for x in state.deep_link_outcomes],
            "counters": state.counters,
        }
        text = json.dumps(data, default=_encode)
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, target)


def load(platform: Platform, path: str) -> None:
    """Replace the platform's data with what save() wrote."""
    data = json.loads(Path(path).read_text(encoding="utf-8"), object_hook=_decode)
    with platform.lock:
        platform.keys = KeySet([SigningKey.from_pem(k["kid"], k["pem"], k["created"]) for k in data["keys"]])
        state = platform.state
        state.users = {u["user_id"]: User(**u) for u in data["users"]}
        state.courses = {c["id"]: _course(c) for c in data["courses"]}
        state.tools = {t["client_id"]: ToolRegistration(**t) for t in data["tools"]}
        state.links = {x["id"]: ResourceLink(**x) for x in data["links"]}
        state.line_items = {x["id"]: LineItem(**x) for x in data["line_items"]}
        state.results = {
            state.result_key(r["line_item_id"], r["user_id"]): Result(**r) for r in data["results"]
        }
        state.score_log = [ScorePost(**x) for x in data["score_log"]]
        state.deep_link_outcomes = [DeepLinkOutcome(**x) for x in data["deep_link_outcomes"]]
        state.counters = dict(data["counters"])


def _course(data: dict[str, Any]) -> Course:
    members = {uid: Enrolment(**e) for uid, e in data.pop("members").items()}
    return Course(**data, members=members)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATE: value.isoformat()}
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    if set(value) == {_DATE}:
        return datetime.fromisoformat(value[_DATE])
    return value
