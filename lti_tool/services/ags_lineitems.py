"""AGS 2.0 line items: find, create and update a placement's gradebook column.

https://www.imsglobal.org/spec/lti-ags/v2p0#line-item-service. Built on PlatformConnector:
tokens from the shared cache, PUT for updates (pylti1p3 has none), ``Link: rel="next"`` paging
with cursors kept as sent, and Moodle's line item URLs, whose ``?type_id=`` query string must
stay at the end when filters or path segments are added (LTI-NOTES pitfall 13).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lti_tool.services.connector import PlatformConnector

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MT_LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MT_LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
PAGE_SIZE = 100
_SCOPES = [SCOPE_LINEITEM]


@dataclass(frozen=True)
class LineItem:
    """A line item as the platform describes it (``raw`` keeps fields we do not model)."""

    url: str
    label: str
    score_maximum: float
    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None
    end_date_time: str | None = None
    raw: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, body: Any) -> LineItem | None:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            return None
        try:
            maximum = float(body.get("scoreMaximum", 0))
        except (TypeError, ValueError):
            maximum = 0.0
        return cls(
            url=body["id"],
            label=str(body.get("label", "")),
            score_maximum=maximum,
            resource_link_id=_opt(body.get("resourceLinkId")),
            resource_id=_opt(body.get("resourceId")),
            tag=_opt(body.get("tag")),
            end_date_time=_opt(body.get("endDateTime")),
            raw=dict(body),
        )


def _opt(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def with_query(url: str, **params: str) -> str:
    """Add query parameters, keeping the ones the URL already has (Moodle's type_id)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def line_items(
    connector: PlatformConnector, lineitems_url: str, **filters: str
) -> Iterator[LineItem]:
    """Every line item of the container matching the filters, across all pages.

    Filters (``resource_link_id``, ``resource_id``, ``tag``) are sent to the platform and
    checked again here: a platform that ignores one still gives the right answer.
    """
    url = with_query(lineitems_url, **filters, limit=str(PAGE_SIZE))
    wanted = {
        "resource_link_id": filters.get("resource_link_id"),
        "resource_id": filters.get("resource_id"),
        "tag": filters.get("tag"),
    }
    for page in connector.pages(url, _SCOPES, accept=MT_LINEITEMS):
        for body in page.body if isinstance(page.body, list) else []:
            item = LineItem.from_json(body)
            if item is not None and all(
                value is None or getattr(item, name) == value for name, value in wanted.items()
            ):
                yield item


def find(
    connector: PlatformConnector,
    lineitems_url: str,
    *,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
) -> LineItem | None:
    """The line item bound to a resource link, else the one with our resourceId."""
    if resource_link_id:
        for item in line_items(connector, lineitems_url, resource_link_id=resource_link_id):
            return item
    if resource_id:
        for item in line_items(connector, lineitems_url, resource_id=resource_id):
            return item
    return None


def get(connector: PlatformConnector, url: str) -> LineItem | None:
    response = connector.request("GET", url, _SCOPES, accept=MT_LINEITEM)
    return LineItem.from_json(response.body)


def create(
    connector: PlatformConnector,
    lineitems_url: str,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str | None = None,
    resource_id: str | None = None,
    tag: str | None = None,
    end_date_time: datetime | None = None,
) -> LineItem:
    """POST a new line item; bound to the resource link when one is given."""
    body: dict[str, Any] = {"label": label, "scoreMaximum": score_maximum}
    optional = {
        "resourceLinkId": resource_link_id,
        "resourceId": resource_id,
        "tag": tag,
        "endDateTime": iso(end_date_time) if end_date_time else None,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    response = connector.request(
        "POST", lineitems_url, _SCOPES, body=body, content_type=MT_LINEITEM, accept=MT_LINEITEM
    )
    created = LineItem.from_json(response.body)
    if created is None:
        raise ValueError(f"the platform's answer to creating a line item has no id: {response.body!r}")
    return created


def update(
    connector: PlatformConnector,
    url: str,
    *,
    label: str | None = None,
    score_maximum: float | None = None,
    end_date_time: datetime | None = None,
) -> LineItem:
    """PUT the line item back with a new label, maximum or end date.

    AGS PUT replaces the resource, so the current line item is read first and every field
    it had (resourceLinkId, resourceId, tag, extensions) is sent back unchanged.
    """
    current = connector.request("GET", url, _SCOPES, accept=MT_LINEITEM).body
    body: dict[str, Any] = dict(current) if isinstance(current, dict) else {}
    if label is not None:
        body["label"] = label
    if score_maximum is not None:
        body["scoreMaximum"] = score_maximum
    if end_date_time is not None:
        body["endDateTime"] = iso(end_date_time)
    body["id"] = body.get("id", url)
    response = connector.request(
        "PUT", url, _SCOPES, body=body, content_type=MT_LINEITEM, accept=MT_LINEITEM
    )
    updated = LineItem.from_json(response.body) or LineItem.from_json(body)
    assert updated is not None
    return updated
