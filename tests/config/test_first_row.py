from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, select, text

from config.database import first_row
from lti_tool.registry.models import Platform


def test_first_row_runs_a_statement_on_the_driver_of_either_database(app: Flask) -> None:
    engine = app.extensions["microbridge"].engine
    with engine.begin() as conn:
        conn.execute(Platform.__table__.insert().values(
            issuer="https://lms.example", client_id="c1", auth_login_url="https://lms.example/a",
            token_url="https://lms.example/t", jwks_url="https://lms.example/j", flavour="canvas",
        ))
    statement = select(Platform.client_id, Platform.flavour).where(
        Platform.issuer == bindparam("issuer"), Platform.client_id == bindparam("client_id")
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        found = first_row(conn, statement, {"client_id": "c1", "issuer": "https://lms.example"})
        missing = first_row(conn, statement, {"client_id": "c2", "issuer": "https://lms.example"})

    assert found == ("c1", "canvas")
    assert missing is None


def test_a_lost_connection_is_dropped_from_the_pool(app: Flask) -> None:
    engine = app.extensions["microbridge"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a PostgreSQL server to lose")
    statement = select(Platform.id).where(Platform.issuer == bindparam("issuer"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(engine.dialect.loaded_dbapi.OperationalError):
            first_row(conn, statement, {"issuer": "x"})
        assert conn.invalidated
