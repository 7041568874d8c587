"""``OracleEtlPlugin``: what Airflow loads (named in ``provider.yaml`` under ``plugins``)."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from airflow_oracle_etl.plugin.app import URL_PREFIX, create_app

JOB_VIEW_ROUTE = "oracle-etl-progress"


class OracleEtlPlugin(AirflowPlugin):
    """The REST API under ``/oracle-etl`` and a "Table progress" tab on every DAG run page
    (the tab says so when the run is not a transport job)."""

    name = "oracle_etl"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Oracle ETL"}]
    external_views = [
        {
            "name": "Table progress",
            "href": URL_PREFIX + "/ui/jobs/{DAG_ID}/{RUN_ID}",
            "destination": "dag_run",
            "url_route": JOB_VIEW_ROUTE,
        }
    ]
