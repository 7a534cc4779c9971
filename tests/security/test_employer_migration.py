"""The 0009 migration releases addresses that old invitations bound to an organisation and
keeps only the verification that holds for every institution."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from config.migrate import upgrade


def test_old_bound_invitations_become_pending_and_curator_flags_are_cleared(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url, "0008")
    engine = create_engine(url)
    now = "2026-12-01 10:00:00.000000"
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO employer_org (id, name, slug, website, about, verified_at, "
            "verification_note, created_at) VALUES "
            f"(1, 'Harbor', 'harbor', 'harbor.example', '', '{now}', "
            "'Email domain harbor.example matches website harbor.example', '{now}'), "
            f"(2, 'Rival', 'rival', '', '', '{now}', 'Looks fine (cura@north.example)', '{now}')"))
        conn.execute(text(
            "INSERT INTO employer_member (id, employer_id, email, name, invited_by_id, "
            "joined_at, created_at) VALUES "
            f"(1, 1, 'ana@harbor.example', 'Ana', NULL, '{now}', '{now}'), "
            f"(2, 1, 'ceo@bigcorp.example', 'Victim', 1, NULL, '{now}'), "
            f"(3, 1, 'cy@harbor.example', 'Cy', 1, '{now}', '{now}')"))
    upgrade(url, "0009")
    with engine.connect() as conn:
        members = conn.execute(text(
            "SELECT email, role FROM employer_member ORDER BY id")).all()
        invitations = conn.execute(text(
            "SELECT employer_id, email, invited_by_id, accepted_at FROM employer_invitation"
        )).all()
        flags = conn.execute(text("SELECT id, verified_at IS NOT NULL FROM employer_org "
                                  "ORDER BY id")).all()
    assert members == [("ana@harbor.example", "owner"), ("cy@harbor.example", "member")]
    assert invitations == [(1, "ceo@bigcorp.example", 1, None)]
    assert flags == [(1, 1), (2, 0)]
    upgrade(url, "heads")
    engine.dispose()
