"""The Celery entry point: ``celery -A lti_tool.worker worker``.

Builds the same runtime as the web app (settings, engine, store) once per worker process.
"""

from __future__ import annotations

from celery.signals import worker_process_init

from config import runtime
from config.celery_app import configure_celery
from config.logs import install_log_hygiene
from config.runtime import build_runtime
from config.settings import load_settings

install_log_hygiene()
settings = load_settings()
runtime.install(build_runtime(settings))
celery_app = configure_celery(settings)
import lti_tool.models_index  # noqa: E402,F401  (every model known to the mapper)
from lti_tool.ports import install_services  # noqa: E402

install_services(runtime.current())


@worker_process_init.connect
def _fresh_connections(**_kwargs: object) -> None:
    # A forked worker must not share the parent's database connections.
    runtime.current().engine.dispose(close=False)
