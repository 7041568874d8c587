"""DAG runs with Airflow's OpenLineage listener on, its events written to a file.

OpenLineage's configuration is read once per process (``conf`` caches it, the plugin decides
at import whether to register its listener), so each run is a child process of its own:
the same Airflow home, database and connections as the rest of the session, plus
``[openlineage] transport`` set to a file. Events are emitted as in production (the listener
forks per event), and read back as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.operators.conftest import (  # noqa: F401 (fixtures, by name)
    GCP_CONN_ID,
    ORACLE_CONN_ID,
    DagResult,
    airflow_connections,
    airflow_db,
)

#: the OpenLineage namespace of the test runs' jobs
JOB_NAMESPACE = "oracle-etl-tests"

_CHILD = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location(sys.argv[1], sys.argv[2])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
dag_run = module.dag.test()
print("DAG_RUN " + json.dumps({"run_id": dag_run.run_id, "state": str(dag_run.state)}))
"""


class LineageRun:
    """One DAG run in a child process: its outcome and the OpenLineage events it emitted."""

    def __init__(self, result: DagResult, events: list[dict[str, Any]]) -> None:
        self.result = result
        self.events = events

    def task_events(self, task_id: str, event_type: str) -> list[dict[str, Any]]:
        """The events of ``task_id``'s task instances (every map index) of one type."""
        return [
            event
            for event in self.events
            if event.get("eventType") == event_type and event["job"]["name"].endswith(f".{task_id}")
        ]


class _DagRun:
    def __init__(self, run_id: str, state: str) -> None:
        self.run_id = run_id
        self.state = state


@pytest.fixture
def run_with_lineage(
    airflow_db: Path,  # noqa: F811 (the imported fixtures)
    airflow_connections: None,  # noqa: F811
    tmp_path: Path,
) -> Iterator[Callable[[str, str], LineageRun]]:
    """``run(dag_id, source)``: write the DAG file, run it with ``dag.test()`` in a child
    process with OpenLineage on, and return its outcome and events."""
    dags = Path(os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    written: list[Path] = []

    def run(dag_id: str, source: str) -> LineageRun:
        path = dags / f"{dag_id}.py"
        path.write_text(textwrap.dedent(source))
        written.append(path)
        events_file = tmp_path / f"{dag_id}.events.jsonl"
        env = os.environ.copy()
        env["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        )
        env["AIRFLOW__OPENLINEAGE__NAMESPACE"] = JOB_NAMESPACE
        env.pop("AIRFLOW__OPENLINEAGE__DISABLED", None)
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, dag_id, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("DAG_RUN ")]
        assert done.returncode == 0 and lines, done.stdout[-4000:] + done.stderr[-4000:]
        outcome = json.loads(lines[-1].removeprefix("DAG_RUN "))
        result = DagResult(dag_id, _DagRun(outcome["run_id"], outcome["state"]))
        events = []
        if events_file.exists():
            events = [json.loads(line) for line in events_file.read_text().splitlines() if line]
        return LineageRun(result, events)

    yield run
    for path in written:
        path.unlink(missing_ok=True)
