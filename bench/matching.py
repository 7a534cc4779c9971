"""Matching benchmark: 10,000 students, 1,000 projects, 5 ranks each.

Runs ``catalog.matching.algorithm.assign`` (the minimum-cost assignment: fit scores only, no
employer ranks; ``--stable`` runs the stable matching with every project ranking by fit
instead) on generated data: project popularity is skewed (a few projects are everyone's
favourite, as in real choice sets), capacities are 6 to 16 seats at the default sizes,
scaled with students per project otherwise (about 10 % more seats than students), hours and
date windows vary and 5 % of students rank nothing. It prints the time and peak memory of
each run (targets: under 5 s and under 500 MB) and the share of students who got their 1st,
2nd and 3rd choice, next to a random assignment of the same students to the same seats
(random serial order, a random open place each, same hard rules), and next to first come,
first served (random order, each takes their best open ranked place).

    .venv/bin/python bench/matching.py [--students 10000] [--projects 1000] [--ranks 5]
                                       [--runs 3] [--seed 7] [--stable]
    .venv/bin/python bench/matching.py --students 200 --projects 20 --runs 1   # a smoke run

No database, no Redis: the algorithm is a plain function.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.matching.algorithm import Chooser, Matching, Place, allowed, assign

TODAY = date(2027, 1, 11)


def generate(n_students: int, n_projects: int, n_ranks: int, seed: int) -> tuple[list[Chooser], list[Place]]:
    rng = random.Random(seed)
    places = []
    for pid in range(1, n_projects + 1):
        starts = TODAY + timedelta(weeks=rng.randint(0, 6))
        places.append(Place(
            # 6 to 16 seats per 10 students a project: about 10 % more seats than students at
            # any --students/--projects (the defaults give exactly 6 to 16)
            id=pid, seats=rng.randint(6, 16) * n_students // (10 * n_projects) or 1,
            hours_per_week=rng.choice([3.0, 4.0, 5.0, 6.0, 8.0]),
            starts=starts, ends=starts + timedelta(weeks=rng.randint(4, 10)),
        ))
    weights = [1.0 / (i + 10) for i in range(n_projects)]  # skewed popularity
    ids = [p.id for p in places]
    students = []
    for sid in range(1, n_students + 1):
        ranks: list[int] = []
        if rng.random() >= 0.05:
            while len(ranks) < n_ranks:
                pid = rng.choices(ids, weights)[0]
                if pid not in ranks:
                    ranks.append(pid)
        fit = {pid: rng.random() for pid in ranks + rng.sample(ids, 5)}
        students.append(Chooser(
            id=sid, ranks=tuple(ranks), fit=fit, hours_free=rng.choice([4.0, 6.0, 8.0, 10.0, None]),
            available_from=TODAY, available_until=TODAY + timedelta(weeks=20),
        ))
    return students, places


def random_assignment(students: list[Chooser], places: list[Place], seed: int) -> dict[int, int | None]:
    rng = random.Random(seed)
    left = {p.id: p.seats for p in places}
    by_id = {p.id: p for p in places}
    order = students[:]
    rng.shuffle(order)
    got: dict[int, int | None] = {}
    open_ids = [p.id for p in places]
    for s in order:
        pid = None
        for _ in range(50):  # a random open place the student may take
            if not open_ids:
                break
            candidate = rng.choice(open_ids)
            if left[candidate] > 0 and allowed(s, by_id[candidate], today=TODAY):
                pid = candidate
                break
        if pid is not None:
            left[pid] -= 1
            if left[pid] == 0:
                open_ids.remove(pid)
        got[s.id] = pid
    return got


def serial_dictatorship(students: list[Chooser], places: list[Place], seed: int) -> dict[int, int | None]:
    """First come, first served: in a random order, each student takes their best open ranked place."""
    rng = random.Random(seed)
    left = {p.id: p.seats for p in places}
    by_id = {p.id: p for p in places}
    order = students[:]
    rng.shuffle(order)
    got: dict[int, int | None] = {}
    for s in order:
        got[s.id] = next((pid for pid in s.ranks
                          if left[pid] > 0 and allowed(s, by_id[pid], today=TODAY)), None)
        if got[s.id] is not None:
            left[got[s.id]] -= 1  # type: ignore[index]
    return got


def shares(students: list[Chooser], got: dict[int, int | None]) -> list[float]:
    """Of the students who ranked: the share who got their 1st, 2nd, 3rd, and any ranked choice."""
    ranked = [s for s in students if s.ranks]
    counts = [0, 0, 0, 0]
    for s in ranked:
        pid = got.get(s.id)
        if pid in s.ranks:
            counts[3] += 1
            if s.ranks.index(pid) < 3:
                counts[s.ranks.index(pid)] += 1
    return [100.0 * c / len(ranked) for c in counts]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--projects", type=int, default=1_000)
    parser.add_argument("--ranks", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stable", action="store_true", help="employers rank (by fit): stable matching")
    args = parser.parse_args()
    students, places = generate(args.students, args.projects, args.ranks, args.seed)
    employer_ranks = None
    if args.stable:
        fit = {s.id: s.fit for s in students}
        employer_ranks = {
            p.id: sorted((sid for sid in fit if p.id in fit[sid]), key=lambda sid, pid=p.id: -fit[sid][pid])
            for p in places
        }
    print(f"{len(students)} students, {len(places)} projects, {sum(p.seats for p in places)} seats, "
          f"{args.ranks} ranks each ({sum(1 for s in students if not s.ranks)} rank nothing)")
    times, cpu = [], []
    result: Matching | None = None
    for run in range(args.runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = assign(students, places, seed=args.seed + run, today=TODAY, employer_ranks=employer_ranks)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        print(f"run {run + 1}: {result.method} in {times[-1]:.2f} s ({cpu[-1]:.2f} s CPU)")
    assert result is not None
    # Memory on a separate run: tracing allocations slows Python down several times.
    tracemalloc.start()
    assign(students, places, seed=args.seed, today=TODAY, employer_ranks=employer_ranks)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median {statistics.median(times):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
          f"(the machine is shared: CPU time is the steadier figure); peak Python allocations "
          f"{peak:.0f} MB; process max RSS {rss:.0f} MB (with the generated data, NumPy and SciPy)")
    got = {sid: o.place_id for sid, o in result.outcomes.items()}
    matched = shares(students, got)
    baseline = shares(students, random_assignment(students, places, args.seed))
    serial = shares(students, serial_dictatorship(students, places, args.seed))
    placed = sum(1 for pid in got.values() if pid is not None)
    by_fit = sum(1 for o in result.outcomes.values() if o.by_fit)
    print(f"placed {placed} of {len(students)} ({by_fit} by fit)")
    print("share of ranking students who got their   1st     2nd     3rd   any ranked choice")
    rows = ((f"matching ({result.method})", matched), ("random assignment", baseline),
            ("first come, first served (random order)", serial))
    for label, row in rows:
        print(f"  {label:38} " + " ".join(f"{share:5.1f} %" for share in row))


if __name__ == "__main__":
    main()
