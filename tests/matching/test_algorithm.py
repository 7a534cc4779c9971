"""The matching's promises, checked on generated inputs (hypothesis): capacity, date window,
weekly hours, stability where employers rank, no one left out while a place they ranked is
open, and the same assignment again under the recorded seed."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.matching.algorithm import MIN_COST, STABLE, Chooser, Matching, Place, allowed, assign, lottery

TODAY = date(2027, 2, 1)


World = tuple[list[Chooser], list[Place], dict[int, list[int]] | None]


@st.composite
def worlds(draw: st.DrawFn, *, employers: bool = False) -> World:
    n_places = draw(st.integers(0, 6))
    places = []
    for pid in range(1, n_places + 1):
        starts = TODAY + timedelta(days=draw(st.integers(-60, 30)))
        places.append(Place(
            id=pid, seats=draw(st.integers(0, 4)), hours_per_week=draw(st.sampled_from([2.0, 5.0, 8.0])),
            starts=starts, ends=starts + timedelta(days=draw(st.integers(7, 70))),
        ))
    ids = [p.id for p in places]
    students = []
    for sid in range(1, draw(st.integers(0, 14)) + 1):
        ranks = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))) if ids else []
        fit = {pid: draw(st.floats(0, 1)) for pid in ids}
        available_from = TODAY + timedelta(days=draw(st.integers(-10, 40)))
        students.append(Chooser(
            id=sid, ranks=tuple(ranks), fit=fit, hours_free=draw(st.sampled_from([None, 0.0, 4.0, 10.0])),
            available_from=available_from,
            available_until=available_from + timedelta(days=draw(st.integers(0, 90))),
        ))
    employer_ranks = None
    if employers and ids and students:
        employer_ranks = {
            pid: draw(st.permutations([s.id for s in students])).__getitem__(
                slice(0, draw(st.integers(0, len(students))))
            )
            for pid in draw(st.lists(st.sampled_from(ids), unique=True, min_size=1))
        }
    return students, places, employer_ranks


def check_hard_rules(students: list[Chooser], places: list[Place], result: Matching) -> None:
    by_id = {p.id: p for p in places}
    load = Counter(o.place_id for o in result.outcomes.values() if o.place_id is not None)
    for pid, n in load.items():
        assert n <= by_id[pid].seats, f"place {pid} over capacity"
    for s in students:
        o = result.outcomes[s.id]
        if o.place_id is not None:
            assert allowed(s, by_id[o.place_id], today=TODAY), "placed outside the window or the hours"
        if o.rank is not None:
            assert s.ranks[o.rank - 1] == o.place_id


@settings(max_examples=150, deadline=None)
@given(worlds(), st.integers(0, 2**31 - 1))
def test_min_cost_keeps_the_hard_rules_and_leaves_no_one_out_while_a_ranked_place_is_open(
    world: tuple[list[Chooser], list[Place], None], seed: int
) -> None:
    students, places, _ = world
    result = assign(students, places, seed=seed, today=TODAY)
    assert result.method == MIN_COST
    assert set(result.outcomes) == {s.id for s in students}
    check_hard_rules(students, places, result)
    load = Counter(o.place_id for o in result.outcomes.values())
    by_id = {p.id: p for p in places}
    for s in students:
        if result.outcomes[s.id].place_id is None:
            for pid in s.ranks:
                if allowed(s, by_id[pid], today=TODAY):
                    assert load[pid] >= by_id[pid].seats, "left out while a place they ranked is open"


@settings(max_examples=150, deadline=None)
@given(worlds(employers=True), st.integers(0, 2**31 - 1))
def test_stable_matching_has_no_blocking_pair(
    world: tuple[list[Chooser], list[Place], dict[int, list[int]] | None], seed: int
) -> None:
    students, places, employer_ranks = world
    result = assign(students, places, seed=seed, today=TODAY, employer_ranks=employer_ranks)
    check_hard_rules(students, places, result)
    if not employer_ranks:
        return
    assert result.method == STABLE
    by_id = {p.id: p for p in places}
    fit = {s.id: s.fit for s in students}
    draw = lottery(fit, seed)

    def place_prefers(pid: int, a: int, b: int) -> bool:
        """True if place pid would rather have student a than student b."""
        if pid in employer_ranks:
            order = employer_ranks[pid]
            return a in order and (b not in order or order.index(a) < order.index(b))
        return (-fit[a][pid], draw[a]) < (-fit[b][pid], draw[b])

    holders = {pid: [o.student_id for o in result.outcomes.values() if o.place_id == pid] for pid in by_id}
    for s in students:
        o = result.outcomes[s.id]
        # Places the student ranks above what they got (a by-fit place counts as unranked).
        better = s.ranks if o.rank is None else s.ranks[: o.rank - 1]
        for pid in better:
            if not allowed(s, by_id[pid], today=TODAY):
                continue
            if pid in employer_ranks and s.id not in employer_ranks[pid]:
                continue
            held = holders[pid]
            assert len(held) >= by_id[pid].seats, f"student {s.id} blocks with open place {pid}"
            assert not any(place_prefers(pid, s.id, t) for t in held), f"student {s.id} and place {pid} block"


@settings(max_examples=60, deadline=None)
@given(worlds(employers=True), st.integers(0, 2**31 - 1))
def test_the_recorded_seed_gives_the_same_assignment_again(
    world: tuple[list[Chooser], list[Place], dict[int, list[int]] | None], seed: int
) -> None:
    students, places, employer_ranks = world
    first = assign(students, places, seed=seed, today=TODAY, employer_ranks=employer_ranks)
    again = assign(list(reversed(students)), list(reversed(places)), seed=seed, today=TODAY,
                   employer_ranks=employer_ranks)
    assert first == again


def test_a_student_who_ranks_nothing_is_placed_by_fit() -> None:
    places = [Place(id=1, seats=1), Place(id=2, seats=1)]
    students = [Chooser(id=1, ranks=(1,)), Chooser(id=2, fit={1: 0.9, 2: 0.4})]
    result = assign(students, places, seed=1, today=TODAY)
    assert result.outcomes[1].place_id == 1 and result.outcomes[1].rank == 1
    assert result.outcomes[2].place_id == 2 and result.outcomes[2].by_fit


def test_capacity_zero_and_an_empty_set_place_nobody() -> None:
    students = [Chooser(id=1, ranks=(1,)), Chooser(id=2)]
    for places in ([Place(id=1, seats=0)], []):
        result = assign(students, places, seed=3, today=TODAY)
        assert all(o.place_id is None for o in result.outcomes.values())
    assert assign([], [Place(id=1, seats=2)], seed=3, today=TODAY).outcomes == {}


def test_min_cost_gives_more_first_choices_than_first_come_first_served() -> None:
    # Student 1 would take A first and would be fine with B; student 2 only wants A.
    places = [Place(id=1, seats=1), Place(id=2, seats=1)]
    students = [Chooser(id=1, ranks=(1, 2)), Chooser(id=2, ranks=(1,))]
    result = assign(students, places, seed=0, today=TODAY)
    assert {o.place_id for o in result.outcomes.values()} == {1, 2}
    assert result.outcomes[2].place_id == 1


def test_hours_and_window_are_never_broken_even_for_a_first_choice() -> None:
    ended = Place(id=1, seats=5, starts=TODAY - timedelta(days=40), ends=TODAY - timedelta(days=1))
    heavy = Place(id=2, seats=5, hours_per_week=12.0)
    light = Place(id=3, seats=5, hours_per_week=3.0)
    student = Chooser(id=1, ranks=(1, 2, 3), hours_free=6.0)
    outcome = assign([student], [ended, heavy, light], seed=0, today=TODAY).outcomes[1]
    assert outcome.place_id == 3 and outcome.rank == 3


def test_ties_go_to_the_lottery_and_another_seed_can_change_the_winner() -> None:
    places = [Place(id=1, seats=1)]
    students = [Chooser(id=i, ranks=(1,)) for i in range(1, 9)]
    winners = {assign(students, places, seed=seed, today=TODAY).placed(1)[0] for seed in range(30)}
    assert len(winners) > 1
