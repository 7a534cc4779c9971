"""The Celery entry point: ``celery -A microbridge.lti_tool.worker worker``.

Builds the same runtime as the web app (settings, engine, store) once per worker process.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from microbridge.config import runtime
from microbridge.config.celery_app import configure_celery
from microbridge.config.runtime import build_runtime
from microbridge.config.settings import load_settings

settings = load_settings()
runtime.install(build_runtime(settings))
celery_app = configure_celery(settings)
import microbridge.lti_tool.models_index  # noqa: E402,F401  (every model known to the mapper)
from microbridge.lti_tool.ports import install_services  # noqa: E402

install_services(runtime.current())


@worker_process_init.connect
def _fresh_connections(**_kwargs: object) -> None:
    # A forked worker must not share the parent's database connections.
    runtime.current().engine.dispose(close=False)
