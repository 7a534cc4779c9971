"""Paging with `Link: <...>; rel="next"` in each flavour's style.

Canvas cursors are opaque, case-sensitive bookmarks (`page=bookmark:WzEwXQ`, base64 of a JSON
list); a tool that lowercases the next URL gets a 400. Moodle uses `limit` and `from`, and has
no default limit.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from urllib.parse import urlencode

from .errors import PlatformError

if TYPE_CHECKING:
    from .platform import Platform

T = TypeVar("T")
_PAGING = ("page", "limit", "from", "per_page")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the Link header that leads on."""

    items: list[T]
    link: str | None


def paginate(
    platform: Platform,
    items: Sequence[T],
    args: Mapping[str, str],
    url: str,
    *,
    short_pages: bool = False,
) -> Page[T]:
    """Cut `items` at the requested page; `url` has no query string."""
    offset = _offset(platform, args)
    limit = _limit(platform, args)
    if limit is None:
        return Page(list(items[offset:]), None)
    take = max(1, limit // 2) if short_pages and limit > 1 else limit
    page = list(items[offset : offset + take])
    more = offset + take < len(items)
    return Page(page, _link(platform, url, args, offset, offset + take, limit) if more else None)


def _limit(platform: Platform, args: Mapping[str, str]) -> int | None:
    raw = args.get("limit") or args.get("per_page")
    if raw is None:
        return platform.default_page_size
    try:
        limit = int(raw)
    except ValueError as error:
        raise PlatformError(400, {"errors": [{"message": "limit must be a number"}]}) from error
    if limit < 1:
        raise PlatformError(400, {"errors": [{"message": "limit must be positive"}]})
    return min(limit, platform.max_page_size) if platform.max_page_size else limit


def _offset(platform: Platform, args: Mapping[str, str]) -> int:
    if not platform.is_canvas:
        try:
            return max(0, int(args.get("from", "0")))
        except ValueError as error:
            raise PlatformError(400, "from must be a number") from error
    page = args.get("page", "first")
    return 0 if page == "first" else decode_bookmark(page)


def encode_bookmark(offset: int) -> str:
    """A Canvas-style bookmark; always mixed case (base64 of '[' starts with 'W')."""
    raw = json.dumps([offset], separators=(",", ":")).encode()
    return "bookmark:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_bookmark(page: str) -> int:
    """Read a bookmark; anything else (say, a lowercased one) is a 400."""
    prefix, _, token = page.partition(":")
    try:
        if prefix != "bookmark":
            raise ValueError(page)
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], int)):
            raise ValueError(page)
        return int(value[0])
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise PlatformError(400, {"errors": [{"message": f"invalid page: {page}"}]}) from error


def _link(
    platform: Platform, url: str, args: Mapping[str, str], offset: int, next_offset: int, limit: int
) -> str:
    kept = {key: value for key, value in args.items() if key not in _PAGING}

    def page_url(**paging: str) -> str:
        # Canvas writes bookmarks with a bare colon: page=bookmark:WzEwXQ
        return url + "?" + urlencode({**kept, **paging}, safe=":")

    if not platform.is_canvas:
        return f'<{page_url(limit=str(limit), **{"from": str(next_offset)})}>; rel="next"'
    current = "first" if offset == 0 else encode_bookmark(offset)
    links = [
        (page_url(page=current, limit=str(limit)), "current"),
        (page_url(page=encode_bookmark(next_offset), limit=str(limit)), "next"),
        (page_url(page="first", limit=str(limit)), "first"),
    ]
    return ",".join(f'<{target}>; rel="{rel}"' for target, rel in links)
