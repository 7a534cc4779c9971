"""Employer Markdown to safe HTML.

Two locks, either enough on its own: markdown-it renders with raw HTML turned off (so typed
tags come out as text) and refuses ``javascript:``-style links; nh3 then keeps only a short
list of tags and attributes, http(s)/mailto links, and no style or event attributes. Headings
are moved down two levels so a brief never competes with the page's own headings.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "s", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_SOURCE = 20_000


def _demote_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1])
            token.tag = f"h{min(level + 2, 6)}"


def _image_as_text(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    # Pictures from elsewhere would track readers (and CSP blocks them): show the alt text.
    return str(escape(tokens[idx].content))


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable(["table", "strikethrough"])
_md.core.ruler.push("demote_headings", _demote_headings)
_md.add_render_rule("image", _image_as_text)


def render(source: str) -> Markup:
    """Render employer Markdown to HTML that is safe to put in any page."""
    html = _md.render(source[:MAX_SOURCE])
    return Markup(clean(html))  # noqa: S704 (cleaned by nh3 just above)


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )


def plain_text(source: str, limit: int = 300) -> str:
    """The words of a Markdown text without its markup, for summaries and previews."""
    text = html_lib.unescape(nh3.clean(_md.render(source[:MAX_SOURCE]), tags=set()))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
