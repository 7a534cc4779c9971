"""Every form control on the catalog's pages has a label, errors are tied to their fields,
and nothing relies on inline style or script (the CSP forbids both)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from catalog.curation.models import CuratorAccount
from catalog.employers.models import EmployerMember
from catalog.institutions.models import Institution

from .conftest import form_data, new_project, post, publish, sign_in_as


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.open_labels = 0
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if "style" in a or any(name.startswith("on") for name in a):
            self.inline.append(tag)
        if (tag == "script" and not a.get("src")) or tag == "style":
            self.inline.append(tag)  # inline code; an external script is allowed by the CSP
        if tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append({**a, "_wrapped": "yes" if self.open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def check(html: str) -> None:
    parser = _Controls()
    parser.feed(html)
    assert parser.inline == []
    for control in parser.controls:
        labelled = control["_wrapped"] or control.get("id") in parser.label_for
        assert labelled, control
        for ref in (control.get("aria-describedby") or "").split():
            assert ref in parser.ids, (control, ref)


@pytest.fixture
def pages(client: FlaskClient, db: Session, member: EmployerMember, institution: Institution,
          curator_account: CuratorAccount, launch: Any) -> list[str]:
    project = publish(db, new_project(db, member), member, institution)
    texts = [client.get("/employer/sign-in").text, client.get("/employer/sign-up").text,
             post(client, "/employer/sign-up", {"email": "bad"}).text,
             client.get("/curator/sign-in").text]
    sign_in_as(client, "employer", member.id)
    texts += [client.get("/employer/").text, client.get("/employer/projects/new").text,
              post(client, "/employer/projects/new", form_data(title="", pay_amount="x")).text,
              client.get(f"/employer/projects/{project.id}").text,
              client.get(f"/employer/projects/{project.id}/edit").text,
              client.get("/employer/team").text]
    sign_in_as(client, "curator", curator_account.id)
    texts += [client.get("/curation/").text, client.get(f"/curation/projects/{project.id}").text,
              client.get("/curation/catalog").text, client.get("/curation/curators").text]
    launch(institution_id=institution.id)
    texts += [client.get("/catalog/?q=churn&hours_min=x").text,
              client.get(f"/catalog/projects/{project.live.id}").text,  # type: ignore[union-attr]
              client.get("/catalog/recommend/?skills=SQL").text]
    return texts


def test_controls_are_labelled_and_nothing_is_inline(pages: list[str]) -> None:
    assert len(pages) == 17
    for html in pages:
        check(html)
