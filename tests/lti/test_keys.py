from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from config.database import utcnow
from lti_tool.keys import service
from lti_tool.keys.models import ToolKey


def test_the_jwks_publishes_a_key_that_verifies_what_the_tool_signs(
    client: FlaskClient, db: Session
) -> None:
    signing = service.signing_key(db)
    db.commit()
    token = jwt.encode({"hello": "world"}, signing.private_pem, algorithm="RS256",
                       headers={"kid": signing.kid})

    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert [k["kid"] for k in keys] == [signing.kid]
    assert "d" not in keys[0]  # never the private part
    public = jwt.PyJWK(keys[0]).key
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"hello": "world"}


def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_published(
    client: FlaskClient, db: Session
) -> None:
    old = service.signing_key(db)
    new = service.rotate(db, grace_hours=24)
    db.commit()

    assert service.signing_key(db).kid == new.kid != old.kid
    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert kids == [new.kid, old.kid]


def test_a_retired_key_leaves_the_jwks_after_its_grace_period(
    client: FlaskClient, db: Session
) -> None:
    old = service.signing_key(db)
    service.rotate(db, grace_hours=24)
    retired = db.query(ToolKey).filter_by(kid=old.kid).one()
    retired.publish_until = utcnow() - timedelta(seconds=1)
    db.commit()

    kids = [k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert old.kid not in kids and len(kids) == 1


def test_start_up_makes_the_signing_key_and_signing_only_reads_it(db: Session) -> None:
    # create_app made the key before any request: every signer finds it committed.
    assert len(db.scalars(select(ToolKey)).all()) == 1
    db.execute(delete(ToolKey))
    db.commit()
    with pytest.raises(service.NoSigningKey):
        service.signing_key(db)
    assert not db.new and db.scalars(select(ToolKey)).all() == []
