"""A baked badge: an SVG image carrying the signed credential (OB 3.0 section 5.3.2, "SVG":
an ``openbadges:credential`` element holding the VC-JWT in its ``verify`` attribute)."""

from __future__ import annotations

from html import escape


def baked_svg(*, jwt: str, title: str, issuer_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" width="256" height="256" '
        f'role="img" aria-label="{escape(title)}">'
        f'<openbadges:credential verify="{escape(jwt)}"></openbadges:credential>'
        '<circle cx="128" cy="128" r="120" fill="#1d3c6e"/>'
        '<text x="128" y="118" font-size="18" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{escape(title[:28])}</text>'
        '<text x="128" y="148" font-size="13" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{escape(issuer_name[:36])}</text>'
        '</svg>\n')
