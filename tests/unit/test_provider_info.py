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


def test_provider_info_carries_version_and_importable_modules() -> None:
    info = get_provider_info()
    assert info["versions"] == [__version__]
    for section in ("hooks", "operators", "transfers"):
        for entry in info.get(section, []):
            for module in entry.get("python-modules", [entry.get("python-module")]):
                importlib.import_module(module)
