"""Run every check of ``microbridge check`` in order; none of them writes anything."""

from __future__ import annotations

from config.database import make_engine
from config.settings import Settings
from lti_tool.check import messaging, probes
from lti_tool.check.findings import Finding, Level, fail, ok


def run_checks(settings: Settings, *, send_test_to: str = "") -> list[Finding]:
    """Every finding, in the order an operator fixes them."""
    engine = make_engine(settings.database_url, pool=False)
    try:
        findings = [ok("settings", f"valid; instance folder {settings.instance_path}"),
                    probes.base_url(settings), probes.secret_key(settings)]
        reached = probes.database(engine, settings)
        findings.append(reached)
        if reached.level is Level.FAIL:
            findings += [fail(subject, "not checked: the database does not answer", "see database above")
                         for subject in ("migrations", "clock", "signing keys")]
        else:
            migrated = probes.migrations(engine, settings)
            findings += [migrated, probes.clock_skew(engine)]
            findings.append(probes.signing_keys(engine) if migrated.level is Level.OK else fail(
                "signing keys", "not checked: the database is not migrated", "see migrations above"))
        redis_finding = messaging.redis_server(settings)
        findings.append(redis_finding)
        findings.append(messaging.mail_server(settings, send_test_to=send_test_to))
        findings.append(messaging.celery_workers(settings, redis_ok=redis_finding.level is Level.OK))
        findings.append(probes.disk_space(settings))
    finally:
        engine.dispose()
    return findings
