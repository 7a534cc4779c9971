"""Web helpers for submitted work that more than one part's views use: the link the LMS shows
for an attempt, streaming a stored file, and the upload limits in force."""

from __future__ import annotations

from typing import Any

from flask import send_file, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
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


FIELDS_READ_LIMIT = 512 * 1024
"""Enough for the form's text fields (50,000 characters of text, ten links, the tokens)."""


def fields_before_files(environ: dict[str, Any], content_type: str,
                        limit: int = FIELDS_READ_LIMIT) -> MultiDict[str, str]:
    """The plain fields of a multipart body that was refused as too large, read up to the first
    file: browsers send fields in the form's order, and the submission form puts its files last.
    Reads at most ``limit`` bytes; whatever cannot be read is simply not returned."""
    fields: MultiDict[str, str] = MultiDict()
    boundary = parse_options_header(content_type)[1].get("boundary")
    stream = environ.get("wsgi.input")
    if not boundary or stream is None:
        return fields
    decoder = MultipartDecoder(boundary.encode("latin-1"), max_form_memory_size=limit)
    name: str | None = None
    value = bytearray()
    read = 0
    try:
        while read < limit:
            chunk = stream.read(min(64 * 1024, limit - read))
            if not chunk:
                break
            read += len(chunk)
            decoder.receive_data(chunk)
            event = decoder.next_event()
            while not isinstance(event, NeedData):
                if isinstance(event, File | Epilogue):
                    return fields
                if isinstance(event, Field):
                    name, value = event.name, bytearray()
                elif isinstance(event, Data) and name is not None:
                    value += event.data
                    if not event.more_data:
                        fields.add(name, value.decode("utf-8", "replace"))
                        name = None
                event = decoder.next_event()
    except ValueError:  # a malformed body: keep what was read cleanly
        pass
    return fields
