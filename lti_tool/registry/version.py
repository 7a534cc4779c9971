"""The registry's version: a random token in the store that every change to a registration
replaces, after its commit.

A login must not start for a platform switched off a moment ago in another process, and the
per-process cache (cache.py) may be 30 s behind. Asking the database on every login cost a
round trip of its own; instead a process remembers the version under which it last read the
platform as active, and the login stores its state only while the version is still that one
(``KeyValueStore.put_while``: on Redis, the one command the login makes anyway). When the
version has moved, or the store has lost it, the login reads the database again.

Every change committed through a session (the admin page, the CLI, dynamic registration,
an UPDATE run on a session) replaces the version, whichever view or command made it. A change
made by hand in psql is seen when the cache's entries expire (``cache.TTL``).
"""

from __future__ import annotations

import logging
import secrets
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from config import runtime
from config.store import KeyValueStore
from lti_tool.registry import cache
from lti_tool.registry.models import Deployment, Platform

log = logging.getLogger(__name__)

KEY = "lti-registry:version"
TTL = 86400
"""An expired version only costs each process one database read, like a change."""

_CHANGED = "microbridge.registry.changed"


def current(store: KeyValueStore) -> str:
    """The version now, made when the store has none. Read it before the database: a change
    committed after the read replaces it, so what was read can never pass for newer."""
    store.add(KEY, secrets.token_urlsafe(12), TTL)
    return store.get(KEY) or ""


def replace(store: KeyValueStore) -> None:
    store.put(KEY, secrets.token_urlsafe(12), TTL)


@event.listens_for(Session, "after_flush")
def _note_registry_changes(session: Session, flush_context: UOWTransaction) -> None:
    # In after_flush, new, dirty and deleted still list what this flush wrote.
    changed = chain(session.new, session.dirty, session.deleted)
    if any(isinstance(row, Platform | Deployment) for row in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_registry_statements(state: ORMExecuteState) -> None:
    # An UPDATE or DELETE of registrations run through a session changes rows no flush sees.
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in (Platform, Deployment):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _replace_after_commit(session: Session) -> None:
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    cache.forget()
    try:
        rt = runtime.current()
    except RuntimeError:  # a session used outside any app or bound runtime: no store to tell
        return
    try:
        replace(rt.store)
    except Exception as error:  # the commit stands; logins see it when the cache entries expire
        # One line, no trace: the store's outage is reported where requests meet it.
        log.warning("could not replace the registry version (%s); other processes see this "
                    "change within %s s", type(error).__name__, int(cache.TTL))


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(_CHANGED, None)
