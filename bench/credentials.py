"""Issue and sign 10,000 Open Badges 3.0 credentials, then verify them: CPU per credential.

Targets (issue 15): issue+sign < 2 ms, verify < 1 ms each. Issue = build the
OpenBadgeCredential from its facts and sign it as a VC-JWT (RS256, 2048-bit key); verify =
check the RS256 signature and the claims against the credential inside (what
``grading.credentials.service.verify`` does after finding the key; the status lookup is one
indexed row read, left out here). No database, no network: CPU only, median of 3 runs.

    .venv/bin/python bench/credentials.py [--count 10000] [--runs 3]

Prints each run's issue+sign and verify CPU per credential, then their medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code first

from config.database import utcnow
from grading.credentials import achievement, keys
from grading.credentials.achievement import Facts, Recipient, Skill
from grading.credentials.jose import Signer
from grading.credentials.service import Verification, _check_claims

BASE = "https://microbridge.example.edu"


def facts(n: int) -> Facts:
    return Facts(
        uuid=str(uuid.uuid4()), subject_uuid=str(uuid.uuid4()), base_url=BASE, institution_id=1,
        institution_name="Demo University", placement_id=7, project_title="Market sizing",
        project_summary="Size the café market in three cities.", employer_name="Acme Analytics",
        discipline="business",
        skills=[Skill("Market research", f"{BASE}/credentials/issuers/1/skills/market-research"),
                Skill("Survey design", f"{BASE}/credentials/issuers/1/skills/survey-design")],
        grade_percent=Decimal("80"), verified_hours=Decimal("22"), credits=Decimal("2"),
        valid_from=utcnow(), started_on=date(2026, 9, 1), ended_on=date(2026, 11, 30),
        recipient=Recipient(email=f"student{n}@example.edu", salt="a1b2c3d4"),
        status_index=n)


def run(count: int, signer: Signer) -> tuple[float, float]:
    started = time.process_time()
    tokens = [signer.vc_jwt(achievement.credential(facts(n))) for n in range(count)]
    issued = time.process_time() - started
    public = keys.public_key(signer.key.public_jwk)
    started = time.process_time()
    for token in tokens:
        claims = jwt.decode(token, public, algorithms=["RS256"],
                            options={"require": ["iss", "jti", "nbf", "sub", "vc"]})
        found = Verification(signature=True)
        _check_claims(found, claims, claims["vc"], BASE)
        assert found.issuer and found.in_force and not found.problems, found.problems
    verified = time.process_time() - started
    return issued / count * 1000, verified / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    signer = Signer(keys._new_key(), BASE)
    results = [run(args.count, signer) for _ in range(args.runs)]
    for i, (issue_ms, verify_ms) in enumerate(results, 1):
        print(f"run {i}: issue+sign {issue_ms:.3f} ms, verify {verify_ms:.3f} ms per credential")
    issue_ms = statistics.median(r[0] for r in results)
    verify_ms = statistics.median(r[1] for r in results)
    print(f"median of {args.runs} x {args.count}: issue+sign {issue_ms:.3f} ms "
          f"(target < 2), verify {verify_ms:.3f} ms (target < 1) CPU per credential")


if __name__ == "__main__":
    main()
