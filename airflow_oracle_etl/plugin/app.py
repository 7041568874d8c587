"""The plugin's FastAPI application, mounted by Airflow's API server under ``/oracle-etl``.

Every route depends on Airflow's authentication, and all but the job view's static assets on
an authorization (:mod:`.auth`); JSON bodies are the models of :mod:`.schemas`. The routers live
in one module each: transports (:mod:`.transports_api`), jobs and their event stream
(:mod:`.jobs_api`), and the job view page (:mod:`.job_view`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from fastapi import Depends, FastAPI

from airflow_oracle_etl.plugin import job_view, jobs_api, transports_api
from airflow_oracle_etl.plugin.auth import requires_any_dag
from airflow_oracle_etl.plugin.schemas import Health, error_responses
from airflow_oracle_etl.plugin.settings import transports_folder

URL_PREFIX = "/oracle-etl"


def _version() -> str:
    try:
        return version("airflow-oracle-etl")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def create_app() -> FastAPI:
    """A new application with every route of the plugin."""
    app = FastAPI(
        title="airflow-oracle-etl",
        version=_version(),
        description="Transports, jobs and live progress of airflow-oracle-etl, inside Airflow.",
    )
    app.include_router(transports_api.router)
    app.include_router(jobs_api.router)
    app.include_router(job_view.router)

    @app.get(
        "/health",
        tags=["health"],
        responses=error_responses({403: "The caller may read no DAG"}),
    )
    def health(user: Annotated[BaseUser, Depends(requires_any_dag("GET"))]) -> Health:
        """The plugin is mounted and its transports folder exists (to a caller who may read
        DAGs: the answer names a server path)."""
        folder = transports_folder()
        exists = folder.is_dir()
        return Health(
            status="ok" if exists else "degraded",
            version=app.version,
            transports_folder=str(folder),
            transports_folder_exists=exists,
        )

    return app
