"""Assigning students to places: pure functions, no database, no Flask.

Two algorithms, chosen by what the employers said:

* **Stable matching with capacities** (Gale-Shapley, student-proposing deferred acceptance,
  the hospitals/residents form) when at least one place has an employer's ranking. A place
  an employer ranked accepts only the students it listed, in that order; any other place
  prefers better fit, then the lottery. The result is stable and student-optimal: no
  student and place would both rather be matched to each other.
* **Minimum-cost assignment** when only fit scores exist: every seat is a column, every
  student a row, and SciPy's sparse Hungarian-type solver (LAPJVsp,
  ``min_weight_full_bipartite_matching``) finds the assignment with the least total cost:
  the rank a student gave the place (1 for a first choice), plus a little for weaker fit.
  Being left without a place costs far more than any placement, so nobody is left out
  while a place they may take is open.

Either way, students who ranked nothing (and students none of whose ranked places could
take them) are then placed by fit into seats still open, and flagged ``by_fit`` so they can
be told. Ties are broken by a lottery drawn from ``seed`` (recorded with the assignment):
the same input and seed always give the same assignment.

Hard rules, checked for every pair before either algorithm runs (``allowed``): a place
never receives more students than its open seats; a student is never placed outside the
place's date window (it must not have ended, and must overlap the weeks the student is
available); the place's weekly hours never exceed what the student has left.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

STABLE = "stable"
MIN_COST = "min_cost"
UNPLACED_COST = 1000.0
FIT_COST = 20.0  # a place the student did not rank costs more than any ranked one
FIT_WEIGHT = 0.5


@dataclass(frozen=True)
class Place:
    """One project in a choice set, with the seats still open to this matching."""

    id: int
    seats: int
    hours_per_week: float = 0.0
    starts: date | None = None
    ends: date | None = None


@dataclass(frozen=True)
class Chooser:
    """One student: the places they ranked (best first) and how well each place fits."""

    id: int
    ranks: tuple[int, ...] = ()
    fit: Mapping[int, float] = field(default_factory=dict)
    hours_free: float | None = None
    """Hours a week the student has left after their active projects; None: not stated."""
    available_from: date | None = None
    available_until: date | None = None


@dataclass(frozen=True)
class Outcome:
    student_id: int
    place_id: int | None
    rank: int | None
    """1 for the student's first choice; None when unranked or unplaced."""
    by_fit: bool


@dataclass(frozen=True)
class Matching:
    method: str
    seed: int
    outcomes: dict[int, Outcome]

    def placed(self, place_id: int) -> list[int]:
        return sorted(o.student_id for o in self.outcomes.values() if o.place_id == place_id)


def allowed(student: Chooser, place: Place, *, today: date) -> bool:
    """The hard rules for one pair: date window and weekly hours."""
    if place.seats <= 0:
        return False
    if place.ends is not None and place.ends < today:
        return False
    if student.available_from and place.ends and place.ends < student.available_from:
        return False
    if student.available_until and place.starts and place.starts > student.available_until:
        return False
    return student.hours_free is None or place.hours_per_week <= student.hours_free + 1e-9


def lottery(student_ids: Iterable[int], seed: int) -> dict[int, int]:
    """Each student's lottery number (0 wins every tie), drawn from the seed."""
    order = sorted(set(student_ids))
    random.Random(seed).shuffle(order)
    return {sid: n for n, sid in enumerate(order)}


def assign(
    students: Sequence[Chooser],
    places: Sequence[Place],
    *,
    seed: int,
    today: date,
    employer_ranks: Mapping[int, Sequence[int]] | None = None,
) -> Matching:
    """Assign each student to at most one place (see the module's docstring for the rules)."""
    by_id = {p.id: p for p in places}
    draw = lottery((s.id for s in students), seed)
    ranked = {
        s.id: tuple(p for p in dict.fromkeys(s.ranks) if p in by_id and allowed(s, by_id[p], today=today))
        for s in students
    }
    if employer_ranks:
        method = STABLE
        chosen = _deferred_acceptance(students, by_id, ranked, draw, employer_ranks)
    else:
        method = MIN_COST
        chosen = _min_cost(students, by_id, ranked, draw, seed)
    outcomes: dict[int, Outcome] = {}
    for s in students:
        place_id = chosen.get(s.id)
        rank = s.ranks.index(place_id) + 1 if place_id is not None and place_id in s.ranks else None
        outcomes[s.id] = Outcome(s.id, place_id, rank, by_fit=False)
    _fill_by_fit(students, by_id, outcomes, draw, employer_ranks or {}, today=today)
    return Matching(method=method, seed=seed, outcomes=outcomes)


# -- stable matching ---------------------------------------------------------------------


def _deferred_acceptance(
    students: Sequence[Chooser],
    by_id: Mapping[int, Place],
    ranked: Mapping[int, tuple[int, ...]],
    draw: Mapping[int, int],
    employer_ranks: Mapping[int, Sequence[int]],
) -> dict[int, int]:
    fit = {s.id: s.fit for s in students}
    listed = {pid: {sid: n for n, sid in enumerate(order)} for pid, order in employer_ranks.items()}

    def priority(pid: int, sid: int) -> tuple[float, ...] | None:
        """Lower is better; None: the place will not take this student."""
        if pid in listed:
            n = listed[pid].get(sid)
            return None if n is None else (float(n), float(draw[sid]))
        return (-fit[sid].get(pid, 0.0), float(draw[sid]))

    held: dict[int, list[tuple[tuple[float, ...], int]]] = {pid: [] for pid in by_id}
    next_choice = dict.fromkeys(ranked, 0)
    free = sorted(ranked, key=lambda sid: draw[sid], reverse=True)
    while free:
        sid = free.pop()
        prefs = ranked[sid]
        while next_choice[sid] < len(prefs):
            pid = prefs[next_choice[sid]]
            next_choice[sid] += 1
            key = priority(pid, sid)
            if key is None:
                continue
            heap = held[pid]  # a max-heap on priority: the worst held student on top
            negated = (tuple(-k for k in key), sid)
            if len(heap) < by_id[pid].seats:
                heapq.heappush(heap, negated)
                break
            if heap and negated > heap[0]:
                bumped = heapq.heapreplace(heap, negated)[1]
                free.append(bumped)
                break
        # A student whose list ran out stays unmatched by their ranks.
    return {sid: pid for pid, heap in held.items() for _, sid in heap}


# -- minimum-cost assignment -------------------------------------------------------------


def _min_cost(
    students: Sequence[Chooser],
    by_id: Mapping[int, Place],
    ranked: Mapping[int, tuple[int, ...]],
    draw: Mapping[int, int],
    seed: int,
) -> dict[int, int]:
    """Least total cost over ranked pairs, seats as columns, one 'unplaced' column each."""
    movers = [s for s in students if ranked[s.id]]
    if not movers:
        return {}
    demand: dict[int, int] = {}
    for s in movers:
        for pid in ranked[s.id]:
            demand[pid] = demand.get(pid, 0) + 1
    first_column: dict[int, int] = {}
    column = 0
    for pid in sorted(demand):
        first_column[pid] = column
        column += min(by_id[pid].seats, demand[pid])
    seat_columns = column
    n = len(movers)
    pair_row: list[int] = []
    pair_place: list[int] = []
    pair_cost: list[float] = []
    for row, s in enumerate(movers):
        # The lottery breaks ties: an earlier number makes every real seat slightly cheaper.
        tie = 1e-3 * draw[s.id] / max(1, len(draw))
        for pid in ranked[s.id]:
            pair_row.append(row)
            pair_place.append(pid)
            pair_cost.append(s.ranks.index(pid) + 1 + FIT_WEIGHT * (1.0 - s.fit.get(pid, 0.0)) + tie)
    # Each (student, place) pair becomes one edge per seat of the place.
    width = np.array([min(by_id[pid].seats, demand[pid]) for pid in pair_place], dtype=np.int64)
    start = np.array([first_column[pid] for pid in pair_place], dtype=np.int64)
    edges = int(width.sum())
    group_start = np.repeat(np.cumsum(width) - width, width)
    seat_cols = np.repeat(start, width) + (np.arange(edges) - group_start)
    noise = np.random.default_rng(seed).random(len(pair_cost)) * 1e-6
    seat_costs = np.repeat(np.array(pair_cost) + noise, width)
    matrix = csr_matrix(
        (
            np.concatenate([seat_costs, np.full(n, UNPLACED_COST)]),
            (np.concatenate([np.repeat(np.array(pair_row, dtype=np.int64), width), np.arange(n)]),
             np.concatenate([seat_cols, seat_columns + np.arange(n)])),
        ),
        shape=(n, seat_columns + n),
    )
    _, matched = min_weight_full_bipartite_matching(matrix)
    owner = np.empty(seat_columns, dtype=np.int64)
    for pid, first in first_column.items():
        owner[first:first + min(by_id[pid].seats, demand[pid])] = pid
    return {
        movers[row].id: int(owner[col])
        for row, col in enumerate(matched.tolist()) if col < seat_columns
    }


# -- by fit, for students no ranked place could take ---------------------------------------


def _fill_by_fit(
    students: Sequence[Chooser],
    by_id: Mapping[int, Place],
    outcomes: dict[int, Outcome],
    draw: Mapping[int, int],
    employer_ranks: Mapping[int, Sequence[int]],
    *,
    today: date,
) -> None:
    """Seats left open go to unplaced students, best fit first, in lottery order."""
    left = {pid: p.seats for pid, p in by_id.items()}
    for o in outcomes.values():
        if o.place_id is not None:
            left[o.place_id] -= 1
    acceptable = {pid: set(order) for pid, order in employer_ranks.items()}
    waiting = sorted((s for s in students if outcomes[s.id].place_id is None), key=lambda s: draw[s.id])
    for s in waiting:
        pid = _best_open(s, by_id, left, acceptable, today=today)
        if pid is None:
            continue
        left[pid] -= 1
        outcomes[s.id] = Outcome(s.id, pid, None, by_fit=True)


def _best_open(
    student: Chooser,
    by_id: Mapping[int, Place],
    left: Mapping[int, int],
    acceptable: Mapping[int, set[int]],
    *,
    today: date,
) -> int | None:
    """The open place that fits the student best (then the emptiest), under the hard rules."""

    def takes(pid: int) -> bool:
        return (left[pid] > 0 and (pid not in acceptable or student.id in acceptable[pid])
                and allowed(student, by_id[pid], today=today))

    fitting = sorted((-f, -left[pid], pid) for pid, f in student.fit.items() if f > 0 and pid in by_id)
    for _, _, pid in fitting:
        if takes(pid):
            return pid
    rest = sorted((-n, pid) for pid, n in left.items() if n > 0)
    return next((pid for _, pid in rest if takes(pid)), None)
