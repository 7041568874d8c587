"""What a DAG file that builds transports imports: every parse pays it, the DAG processor's
included, so the Google provider's hook (and its async stack) waits for a task to run."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("airflow.providers.google.cloud.hooks.gcs", "aiohttp", "gcloud.aio.storage")


def test_building_transport_dags_leaves_the_gcs_hook_unimported() -> None:
    script = (
        "import sys\n"
        "import airflow_oracle_etl.transports.factory\n"
        f"print([name for name in {HEAVY!r} if name in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
