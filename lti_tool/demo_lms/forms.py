"""Tiny HTML for the browser legs of the protocol: auto-submitting forms and redirects."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Launching…</title></head>
<body>
{body}
</body></html>
"""

_FORM = """<form id="lti" method="{method}" action="{action}">
{fields}
<noscript><button type="submit">Continue</button></noscript>
</form>
<script>document.getElementById("lti").submit();</script>"""


def auto_submit(action: str, fields: Mapping[str, str], *, method: str = "POST") -> str:
    """A page whose form submits itself: the usual LTI way to move a browser along."""
    inputs = "\n".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )
    form = _FORM.format(method=escape(method.lower()), action=escape(action), fields=inputs)
    return _PAGE.format(body=form)


def redirect_page(url: str) -> str:
    """A page that sends the browser to url (a GET that keeps its query string)."""
    body = (
        f'<p><a id="next" href="{escape(url)}">Continue</a></p>\n'
        '<script>location.replace(document.getElementById("next").href);</script>'
    )
    return _PAGE.format(body=body)
