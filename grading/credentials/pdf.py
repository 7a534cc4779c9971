"""The evidence packet as a PDF: the Jinja template rendered by WeasyPrint, with the
verification URL as a QR code (segno, as inline SVG). WeasyPrint may fetch nothing from the
network (a packet is built from our own data only): the fetcher refuses every URL but data:."""

from __future__ import annotations

from typing import Any

import segno
from flask import render_template


def qr_svg(url: str) -> str:
    """The URL as a QR code, a data: URI for an ``<img>``."""
    made: str = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return made


def html(document: dict[str, Any]) -> str:
    return render_template("grading/credentials/packet.html.jinja2", p=document,
                           qr=qr_svg(document["verification_url"]))


def pdf(document: dict[str, Any]) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    only_data = URLFetcher(allowed_protocols=["data"])
    made: bytes = HTML(string=html(document), url_fetcher=only_data).write_pdf()
    return made
