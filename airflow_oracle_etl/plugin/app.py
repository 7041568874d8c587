"""The plugin's FastAPI application, mounted by Airflow's API server under ``/oracle-etl``.

Every route depends on Airflow's authentication (:mod:`.auth`); the routers live in one module
each: transports (:mod:`.transports_api`), jobs and their event stream (:mod:`.jobs_api`), and
the job view page (:mod:`.job_view`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import FastAPI

from airflow_oracle_etl.plugin import job_view, jobs_api, transports_api
from airflow_oracle_etl.plugin.auth import require_dag_access
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

    @app.get("/health", tags=["health"])
    def health(user: GetUserDep) -> dict[str, object]:
        """The plugin is mounted and its transports folder exists (to a caller who may read
        DAGs: the answer names a server path)."""
        require_dag_access(user, None, "GET")
        folder = transports_folder()
        return {
            "status": "ok" if folder.is_dir() else "degraded",
            "version": app.version,
            "transports_folder": str(folder),
            "transports_folder_exists": folder.is_dir(),
        }

    return app
