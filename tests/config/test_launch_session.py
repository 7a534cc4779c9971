from __future__ import annotations

import dataclasses

import pytest

from config import launch_session
from config.web import LaunchIdentity

SECRET = "a-secret-for-tests-only"
IDENTITY = LaunchIdentity(
    session_id="s1", person_id=7, platform_id=2, deployment_id="1:abc", course_id=None,
    institution_id=3, roles=frozenset({"Instructor", "Learner"}), launch_id="L1",
    message_type="LtiResourceLinkRequest",
)


def test_a_token_gives_back_the_identity_it_was_issued_for() -> None:
    token = launch_session.issue(SECRET, IDENTITY)
    assert launch_session.read(SECRET, token, max_age=60) == IDENTITY


def test_a_token_is_safe_in_a_url() -> None:
    token = launch_session.issue(SECRET, IDENTITY)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def test_an_old_token_is_refused() -> None:
    token = launch_session.issue(SECRET, IDENTITY, now=1_000_000)
    assert launch_session.read(SECRET, token, max_age=3600, now=1_000_000 + 3599) == IDENTITY
    assert launch_session.read(SECRET, token, max_age=3600, now=1_000_000 + 3601) is None


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = launch_session.issue("another-secret", IDENTITY)
    assert launch_session.read(SECRET, token, max_age=60) is None


@pytest.mark.parametrize("damage", ["body", "mac", "swap"])
def test_a_changed_token_is_refused(damage: str) -> None:
    token = launch_session.issue(SECRET, IDENTITY)
    body, mac = token.split(".")
    other = dataclasses.replace(IDENTITY, person_id=8)
    other_body = launch_session.issue(SECRET, other).split(".")[0]
    changed = {
        "body": other_body + "." + mac,
        "mac": body + "." + mac[:-1] + ("A" if mac[-1] != "A" else "B"),
        "swap": mac + "." + body,
    }[damage]
    assert launch_session.read(SECRET, changed, max_age=60) is None


@pytest.mark.parametrize("garbage", ["", ".", "abc", "a.b.c", "é.ü", "e30." + "x" * 43])
def test_garbage_is_refused_quietly(garbage: str) -> None:
    assert launch_session.read(SECRET, garbage, max_age=60) is None
