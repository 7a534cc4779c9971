"""Render the evidence packet of a full placement as a PDF: wall time per packet.

Target (issue 15): under 1 s. A full placement here: 6 rubric criteria with level texts, long
employer feedback, 8 endorsed skills, 5 approval steps, a consent statement; the packet's data
is built in memory (the database reads are a handful of indexed rows), then the Jinja template,
the QR code and WeasyPrint run as in production. The first render (font loading) is reported
apart; then the median of the runs, wall and CPU.

    .venv/bin/python bench/packet.py [--runs 10]

Prints the first render's wall time and size, then the median wall and CPU per packet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code first

from grading.credentials import pdf

LOREM = ("The team sized the market in three cities, interviewed eleven café owners and "
         "presented a clear recommendation with its assumptions stated. ") * 12


def document() -> dict[str, object]:
    return {
        "schema_version": "1.0", "generated_at": "2026-12-06T12:00:00+00:00",
        "institution": "Demo University", "course": "BUS 310 Field Project",
        "student": {"name": "Ada Lovelace", "email": "ada@example.edu", "sis_id": "S1234567"},
        "project": {"title": "Market sizing for a café chain", "summary": "Size the market.",
                    "discipline": "business", "start_date": "2026-09-01",
                    "end_date": "2026-11-30"},
        "employer": "Acme Analytics",
        "hours": {"logged": 46.5, "verified": 45.0, "verified_by": "Grace (Acme Analytics)",
                  "verified_at": "2026-11-30T10:00:00+00:00", "note": "Travel day excluded."},
        "grade": {"score": 88.0, "maximum": 100.0, "released_at": "2026-12-01T09:00:00+00:00"},
        "rubric": [{"criterion": f"Criterion {i}", "description": "What good looks like. " * 3,
                    "points": 4, "max_points": 5, "level": "Proficient",
                    "level_text": "Meets the standard with minor gaps. " * 3} for i in range(6)],
        "employer_feedback": LOREM,
        "endorsed_skills": ["Market research", "Survey design", "SQL", "Presentation",
                            "Data cleaning", "Interviewing", "Spreadsheet modelling",
                            "Stakeholder communication"],
        "credit": {"state": "approved", "credits": 3.0, "verified_hours": 45.0,
                   "grade_percent": 88.0, "approved_at": "2026-12-02T09:00:00+00:00",
                   "approver": "registrar@example.edu (credit office)"},
        "approvals": [{"action": a, "by": "Someone (role)", "at": "2026-12-02T09:00:00+00:00",
                       "note": "Checked."} for a in ("recommended", "returned", "recommended",
                                                     "approved", "approved")],
        "consent": {"in_force": True, "statement": LOREM[:600],
                    "given_at": "2026-09-02T09:00:00+00:00", "note": "Under this consent."},
        "credential": "0b7c0d6e-1f35-4a59-8d55-3f7f1a0a9d10",
        "verification_url": "https://microbridge.example.edu/credentials/verify/"
                            "0b7c0d6e-1f35-4a59-8d55-3f7f1a0a9d10",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    templates = Path(__file__).resolve().parents[1] / "templates"
    app = Flask("bench", template_folder=str(templates))
    made = document()
    with app.app_context():
        started = time.perf_counter()
        first = pdf.pdf(made)
        print(f"first packet (fonts load): {time.perf_counter() - started:.3f} s, {len(first)} bytes")
        times, cpu = [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf.pdf(made)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    print(f"median of {args.runs}: {statistics.median(times):.3f} s wall, "
          f"{statistics.median(cpu):.3f} s CPU per packet (target < 1 s); "
          f"wall min {min(times):.3f}, max {max(times):.3f} (the CPU figure is the one a busy "
          f"machine does not inflate)")


if __name__ == "__main__":
    main()
