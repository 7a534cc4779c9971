"""Fill grading's ports with their LTI implementations, in web processes and workers alike.

grading never imports lti_tool: it reaches the LMS (AGS scores, NRPS rosters) and the
launch data through these registrations, made once per process at start-up.
"""

from __future__ import annotations

from config.database import transaction
from config.runtime import Runtime


def install_services(rt: Runtime) -> None:
    from grading.launches import set_launch_reader
    from grading.passback.gateway import set_gradebook, set_roster
    from lti_tool.keys.service import ensure_signing_key
    from lti_tool.launch.service import launch_data
    from lti_tool.services.ags_scores import AgsScores
    from lti_tool.services.nrps import NrpsRoster

    # The signing key exists before anything signs: a key made inside a request that later
    # rolls back would leave platforms a kid they cannot find.
    with transaction(rt.session_factory) as session:
        ensure_signing_key(session)
    set_gradebook(AgsScores(rt.session_factory, rt.store))
    set_roster(NrpsRoster(rt.session_factory, rt.store))
    set_launch_reader(lambda launch_id: launch_data(rt.store, launch_id))
