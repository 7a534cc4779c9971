"""Load a placement's roster in the background the first time its instructor opens it, so the
learner table lists the whole course without anyone pressing "Refresh the roster"."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from config import outbox, runtime
from config.celery_app import celery_app
from grading import runtime as grading_runtime
from grading.placements import roster
from grading.placements.models import Placement

log = logging.getLogger(__name__)


@celery_app.task(
    name="microbridge.grading.placements.load_roster", acks_late=True, ignore_result=True,
    autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5,
)
def load_roster(*, placement_id: int) -> str:
    """Safe to run twice: a roster loaded meanwhile is left as it is."""
    rt = runtime.current()
    with rt.session_factory() as session:
        placement = session.get(Placement, placement_id)
        if placement is None or not roster.needs_first_load(placement):
            return "skipped"
        try:
            roster.sync(session, placement=placement, roster=grading_runtime.current().roster)
            outcome = "loaded"
        except roster.RosterUnavailable:
            outcome = "failed"  # the reason is kept on the placement and shown on its page
        session.commit()
        return outcome


def enqueue(placement_id: int) -> bool:
    try:
        load_roster.delay(placement_id=placement_id)
    except Exception:  # the instructor can still load it by hand from the page
        log.warning("could not queue the roster of placement %s", placement_id, exc_info=True)
        return False
    return True


outbox.register(roster.FIRST_LOAD_CHANNEL, enqueue)
