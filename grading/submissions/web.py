"""Web helpers for submitted work that more than one part's views use: the link the LMS shows
for an attempt, streaming a stored file, and the upload limits in force."""

from __future__ import annotations

from flask import send_file, url_for
from werkzeug.wrappers.response import Response

from config import runtime
from grading import runtime as grading_runtime
from grading.submissions.service import Limits


def limits() -> Limits:
    return Limits.from_settings(runtime.current().settings)


def review_link(submission_id: int) -> str:
    """Where the work (and later its review) is seen in the tool: the link the LMS shows."""
    return runtime.current().settings.base_url + url_for("submissions.show", submission_id=submission_id)


def send_stored(sha256: str, *, media_type: str, filename: str) -> Response:
    """Stream a stored file as a download: never rendered inline, never sniffed."""
    # Text of any kind goes out as plain text: an uploaded .html must never run as a page.
    # (Werkzeug adds "; charset=utf-8" to any text/ type itself: name the type alone.)
    served = "text/plain" if media_type.startswith("text/") else media_type
    response = send_file(grading_runtime.current().files.open(sha256), mimetype=served, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
