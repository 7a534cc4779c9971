"""L11: an id beyond the database's bigint range is a missing page (404), never a 500.

Every route with an integer in its path is tried, as someone allowed to use it, with the
largest bigint and the first number past it.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from catalog.curation import service as curation
from catalog.institutions.service import get_or_create
from tests.work.harness import School

from .portal import operator_login, page_token, sign_in_by_link

BIGINT_MAX = 2**63 - 1


def test_ids_past_bigint_are_not_found_on_every_route(app: Flask, db: Session,
                                                      canvas_course: School) -> None:
    instructor = canvas_course.instructor()
    institution = get_or_create(db, name="Demo University")
    curator = curation.create_account(db, institution_id=institution.id,
                                      email="cura@demo.example", name="Cura")
    db.commit()
    employer = sign_in_by_link(app, db, "employer", canvas_course.placed.employer.member.email)
    browsers = {
        "/employer/": (employer.client, {}, page_token(employer.client, "/employer/team")),
        "/curation/": (sign_in_by_link(app, db, "curator", curator.email).client, {}, ""),
        "/admin/": (operator_login(app), {}, ""),
    }
    launch = (instructor.client, {"lt": instructor.token}, instructor.csrf())
    rules = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(rules) > 20
    failures = []
    for rule in rules:
        client, query, token = next(
            (b for prefix, b in browsers.items() if rule.rule.startswith(prefix)), launch
        )
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        for number, expected in ((BIGINT_MAX + 1, {404}), (2**64 + 7, {404}),
                                 (BIGINT_MAX, {400, 403, 404})):
            path = re.sub(r"<int:[^>]+>", str(number), rule.rule)
            response = client.open(path, method=method, query_string=query,
                                   data={"csrf_token": token} if method == "POST" else None)
            if response.status_code not in expected:
                failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
