"""The credit-approved event: what other parts (credentials) hear when credit is approved.

``subscribe`` a listener once, at import time of the module that owns it (the composition
root imports that module). ``credit_approved`` calls every listener inside the approving
transaction, after the approval is flushed: a listener flushes (never commits), and if it
raises, the approval is rolled back with it, so nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class CreditApproved:
    """One student's credit for one placement was approved (finally: no step follows)."""

    credit_record_id: int
    placement_id: int
    person_id: int
    institution_id: int | None
    credits: Decimal
    verified_hours: Decimal
    grade_percent: Decimal
    approved_at: datetime
    approver_label: str
    step_id: int
    """The ``CreditStep`` that approved it: an idempotency key for listeners."""


@dataclass(frozen=True)
class CreditReopened:
    """An approved credit was reopened (its verified hours changed): it is approved no more."""

    credit_record_id: int
    placement_id: int
    person_id: int
    step_id: int
    reason: str


CreditApprovedListener = Callable[[Session, CreditApproved], None]
CreditReopenedListener = Callable[[Session, CreditReopened], None]
_approved: list[CreditApprovedListener] = []
_reopened: list[CreditReopenedListener] = []


def subscribe(listener: CreditApprovedListener) -> CreditApprovedListener:
    """Call ``listener`` on every approval from now on (usable as a decorator)."""
    if listener not in _approved:
        _approved.append(listener)
    return listener


def unsubscribe(listener: CreditApprovedListener) -> None:
    if listener in _approved:
        _approved.remove(listener)


def subscribe_reopened(listener: CreditReopenedListener) -> CreditReopenedListener:
    """Call ``listener`` whenever an approved credit is reopened (usable as a decorator)."""
    if listener not in _reopened:
        _reopened.append(listener)
    return listener


def unsubscribe_reopened(listener: CreditReopenedListener) -> None:
    if listener in _reopened:
        _reopened.remove(listener)


def credit_approved(session: Session, event: CreditApproved) -> None:
    """Tell every listener; called by grading.credit.approval only."""
    for listener in list(_approved):
        listener(session, event)


def credit_reopened(session: Session, event: CreditReopened) -> None:
    """Tell every listener; called by grading.credit.approval only."""
    for listener in list(_reopened):
        listener(session, event)
