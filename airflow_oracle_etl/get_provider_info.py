"""Provider metadata for Airflow's ProvidersManager, read from ``provider.yaml``.

Airflow's own providers generate this module from their ``provider.yaml`` at release time; we
read the file at call time instead, so the YAML stays the only place the metadata is written.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import yaml

from airflow_oracle_etl import __version__


def get_provider_info() -> dict[str, Any]:
    """Return the provider's metadata with the installed version added."""
    text = files("airflow_oracle_etl").joinpath("provider.yaml").read_text(encoding="utf-8")
    info: dict[str, Any] = yaml.safe_load(text)
    info["versions"] = [__version__]
    return info
