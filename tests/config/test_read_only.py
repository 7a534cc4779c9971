from __future__ import annotations

import pytest
from flask import Flask, g

from config.database import ReadOnlySessionError
from config.web import db, read_only
from lti_tool.registry.models import Platform


def test_a_read_only_view_reads_but_cannot_write(app: Flask) -> None:
    @read_only
    def view() -> int:
        session = db()
        count = session.query(Platform).count()
        session.add(Platform(
            issuer="https://lms.example", client_id="c1", auth_login_url="https://lms.example/a",
            token_url="https://lms.example/t", jwks_url="https://lms.example/j", flavour="canvas",
        ))
        session.flush()
        return count

    with app.test_request_context("/"):
        with pytest.raises(ReadOnlySessionError):
            view()
        assert g._db_read_only
