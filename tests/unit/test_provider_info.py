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


def test_airflow_loads_the_plugin_from_the_provider() -> None:
    from airflow import plugins_manager

    assert "plugins" not in get_provider_info()  # the entry point registers it, once
    assert plugins_manager.get_import_errors() == {}
    apps, _ = plugins_manager.get_fastapi_plugins()
    assert [app["url_prefix"] for app in apps if app["name"] == "Oracle ETL"] == ["/oracle-etl"]
    plugins = {plugin["name"]: plugin for plugin in plugins_manager.get_plugin_info()}
    views = plugins["oracle_etl"]["external_views"]
    assert [(view["destination"], view["href"]) for view in views] == [
        ("dag_run", "/oracle-etl/ui/jobs/{DAG_ID}/{RUN_ID}")
    ]
