"""503 pages for outages of the database, the store or the broker.

Registered for the errors those services raise, so the generic 500 handler (and its
traceback per request) is left for bugs. The page is meant for a person inside the LMS
iframe: the service is briefly unavailable, nothing was half-saved, try again shortly.
"""

from __future__ import annotations

from flask import Flask, render_template

from config.outage import OUTAGE_ERRORS, RETRY_AFTER_SECONDS, outages, unavailable_part


def register_unavailable_pages(app: Flask) -> None:
    for error_class in OUTAGE_ERRORS:
        app.register_error_handler(error_class, _service_unavailable)


def _service_unavailable(error: Exception) -> tuple[str, int, dict[str, str]]:
    outages.failed(unavailable_part(error) or "service", error)
    try:
        page = _page()
    except Exception:  # a page part that needs the missing service: say it in plain text
        page = "Microbridge is briefly unavailable. Nothing you sent was half-saved. Try again shortly."
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


def _page() -> str:
    return render_template(
        "error.html.jinja2",
        title="Microbridge is briefly unavailable",
        message="Part of Microbridge is not answering just now, so this page could not be "
        "opened. Nothing you sent was half-saved.",
        hint=f"Wait about {RETRY_AFTER_SECONDS} seconds, then reload this page or send your form "
        "again. If it keeps happening, tell your administrator.",
        reference="",
    )
