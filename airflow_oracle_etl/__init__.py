"""Apache Airflow provider: stream Oracle tables into Google Cloud Storage as gzipped JSON Lines."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
