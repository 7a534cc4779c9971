"""Reading back the text fields of a submission refused as too large (before its files)."""

from __future__ import annotations

import io

from werkzeug.test import EnvironBuilder

from grading.submissions.web import fields_before_files


def _body(*parts: tuple[str, str | bytes, str | None]) -> tuple[dict[str, object], str]:
    data = {name: (io.BytesIO(value), filename) if filename else value for name, value, filename in parts}
    builder = EnvironBuilder(method="POST", data=data)
    environ = builder.get_environ()
    return environ, str(environ["CONTENT_TYPE"])


def test_the_fields_before_the_first_file_are_read_back() -> None:
    environ, content_type = _body(("text", "Café survey ✓", None), ("links", "https://a.example", None),
                                  ("files", b"%PDF-" + b"0" * 200_000, "big.pdf"))
    fields = fields_before_files(environ, content_type)
    assert fields.to_dict() == {"text": "Café survey ✓", "links": "https://a.example"}


def test_no_more_than_the_limit_is_read() -> None:
    environ, content_type = _body(("text", "x" * 5000, None), ("links", "https://a.example", None))
    stream = environ["wsgi.input"]
    fields = fields_before_files(environ, content_type, limit=1000)
    assert "links" not in fields and stream.tell() <= 1000  # type: ignore[attr-defined]


def test_a_body_that_is_not_multipart_gives_nothing() -> None:
    environ = EnvironBuilder(method="POST", data=b"junk", content_type="text/plain").get_environ()
    assert not fields_before_files(environ, "text/plain")
    multipart = "multipart/form-data; boundary=b"
    environ = EnvironBuilder(method="POST", data=b"--b\r\nnonsense", content_type=multipart).get_environ()
    assert not fields_before_files(environ, multipart)
