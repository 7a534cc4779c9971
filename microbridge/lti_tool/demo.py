"""``microbridge demo``: the tool and the demo LMS on two origins, seeded, in one process.

The tool listens on http://127.0.0.1:<tool_port> and the LMS on http://localhost:<lms_port>:
two different sites, so the tool runs in a cross-site iframe exactly as it does in Canvas.
The demo LMS talks to the tool only through LTI.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from microbridge.config.database import transaction
from microbridge.config.migrate import upgrade
from microbridge.config.runtime import Runtime
from microbridge.config.settings import load_settings

log = logging.getLogger(__name__)
INSTITUTION = "Demo University"


def run_demo(*, tool_port: int, lms_port: int) -> None:
    from microbridge.demo_lms import persistence
    from microbridge.demo_lms.app import create_platform_app
    from microbridge.demo_lms.demo import demo_platform
    from microbridge.lti_tool.app import create_app

    tool_url = f"http://127.0.0.1:{tool_port}"
    lms_root = f"http://localhost:{lms_port}"
    settings = load_settings(base_url=tool_url)
    upgrade(settings.database_url)
    app = create_app(settings)
    rt: Runtime = app.extensions["microbridge"]

    apps: dict[str, Any] = {}
    platforms = {}
    for flavour in ("canvas", "moodle"):
        platform = demo_platform(flavour, f"{lms_root}/{flavour}")
        platform.suggested_tool_url = tool_url
        state = Path(settings.instance_path) / f"demo-lms-{flavour}.json"
        if state.exists():
            persistence.load(platform, str(state))
        platform.state_file = str(state)
        platforms[flavour] = platform
        apps[f"/{flavour}"] = create_platform_app(platform)

    with transaction(rt.session_factory) as session:
        _seed(session, platforms["canvas"], tool_url)
    persistence.save(platforms["canvas"], platforms["canvas"].state_file or "")
    with transaction(rt.session_factory) as session:
        from datetime import timedelta

        from microbridge.lti_tool.registration.service import create_link

        moodle_link = create_link(
            session, base_url=tool_url, valid_for=timedelta(days=7), note="demo Moodle",
            institution_name=INSTITUTION,
        )

    lms = make_server("localhost", lms_port, DispatcherMiddleware(_lms_index(), apps), threaded=True)
    threading.Thread(target=lms.serve_forever, daemon=True).start()
    print(
        f"\nMicrobridge demo is running.\n\n  Open {lms_root}/canvas/\n\n"
        f"The demo LMS (Canvas-like at /canvas, Moodle-like at /moodle) frames the tool at "
        f"{tool_url}.\nTo try dynamic registration, open {lms_root}/moodle/admin and register "
        f"with this single-use link:\n  {moodle_link}\n"
        f"Employer sign-in emails land in {tool_url}/outbox.\nPress Ctrl+C to stop.\n",
        flush=True,
    )
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tool = make_server("127.0.0.1", tool_port, app, threaded=True)
    with contextlib.suppress(KeyboardInterrupt):
        tool.serve_forever()


def _seed(session: Session, canvas: Any, tool_url: str) -> None:
    """Register the tool with the demo Canvas (and it with the tool) and seed the catalog once."""
    from microbridge.catalog.institutions.service import get_or_create
    from microbridge.lti_tool.keys.service import ensure_signing_key
    from microbridge.lti_tool.registry import service as registry

    ensure_signing_key(session)
    institution = get_or_create(session, name=INSTITUTION)
    if not canvas.state.tools:
        canvas.register_tool(
            login_url=tool_url + "/lti/login",
            redirect_uris=[tool_url + "/lti/launch"],
            jwks_url=tool_url + "/.well-known/jwks.json",
            target_link_uri=tool_url + "/lti/launch",
        )
    tool = next(iter(canvas.state.tools.values()))
    if registry.find_platform(session, issuer=canvas.issuer, client_id=tool.client_id) is None:
        registry.add_platform(
            session, issuer=canvas.issuer, client_id=tool.client_id,
            auth_login_url=canvas.auth_url, token_url=canvas.token_url, jwks_url=canvas.jwks_url,
            flavour="canvas", name="Demo Canvas", deployment_ids=list(tool.deployment_ids),
            institution_id=institution.id,
        )
    _seed_catalog(session, institution.id)


def _seed_catalog(session: Session, institution_id: int) -> None:
    try:
        from microbridge.catalog.demo_data import seed_demo_catalog
    except ImportError:  # the catalog's demo data is optional
        return
    from microbridge.catalog.institutions.models import Institution

    institution = session.get(Institution, institution_id)
    assert institution is not None
    seed_demo_catalog(session, institution)


def _lms_index() -> Flask:
    index = Flask("demo_lms_index")

    @index.get("/")
    def home() -> str:
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo LMS</title>'
            '</head><body><main><h1>Demo LMS</h1><ul><li><a href="/canvas/">Canvas-like course'
            '</a></li><li><a href="/moodle/">Moodle-like course</a></li></ul></main></body></html>'
        )

    return index
