"""Where the plugin finds things: the transports folder and the SSE cadence.

Both come from Airflow's configuration, so a deployment sets them like any other option
(``airflow.cfg`` or ``AIRFLOW__ORACLE_ETL__...`` variables):

- ``[oracle_etl] transports_folder``: the folder the loader DAG file reads (default
  ``{dags_folder}/transports``, where ``dags/transports.py`` looks);
- ``[oracle_etl] events_interval_seconds``: how often the event stream looks for changes
  (default 1).
"""

from __future__ import annotations

from pathlib import Path

from airflow.configuration import conf

SECTION = "oracle_etl"
DEFAULT_EVENTS_INTERVAL_S = 1.0


def transports_folder() -> Path:
    """The folder of transport YAML files that the loader DAG file turns into DAGs."""
    configured = conf.get(SECTION, "transports_folder", fallback=None)
    if configured:
        return Path(configured).expanduser()
    return Path(conf.get("core", "dags_folder")).expanduser() / "transports"


def events_interval_s() -> float:
    """Seconds between two looks at a job's state in the event stream."""
    return conf.getfloat(SECTION, "events_interval_seconds", fallback=DEFAULT_EVENTS_INTERVAL_S)
