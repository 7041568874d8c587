from __future__ import annotations

import importlib
import importlib.metadata

from airflow_oracle_etl import __version__
from airflow_oracle_etl.get_provider_info import get_provider_info


def test_entry_point_is_registered() -> None:
    entry_points = importlib.metadata.entry_points(group="apache_airflow_provider")
    ours = [ep for ep in entry_points if ep.value.startswith("airflow_oracle_etl.")]
    assert len(ours) == 1
    assert ours[0].load()()["package-name"] == "airflow-oracle-etl"


def test_provider_info_names_importable_modules() -> None:
    info = get_provider_info()
    assert info["versions"] == [__version__]
    modules = [m for key in ("hooks", "operators") for e in info[key] for m in e["python-modules"]]
    modules += [entry["python-module"] for entry in info["transfers"]]
    assert "airflow_oracle_etl.operators.oracle_to_gcs" in modules
    for module in modules:
        importlib.import_module(module)


def test_airflow_providers_manager_sees_the_provider() -> None:
    from airflow.providers_manager import ProvidersManager

    providers = ProvidersManager().providers
    assert "airflow-oracle-etl" in providers
    assert providers["airflow-oracle-etl"].version == __version__
