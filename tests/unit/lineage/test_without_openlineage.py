"""Without the ``openlineage`` extra: the operator modules import, reads are still recorded,
and every lineage method returns None. A child process blocks the packages with a meta path
finder, as if they were not installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

CHILD = textwrap.dedent(
    """
    import importlib.abc
    import json
    import sys

    BLOCKED = ("openlineage", "airflow.providers.openlineage")

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if any(name == root or name.startswith(root + ".") for root in BLOCKED):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    # the path finder, minus the packages' metadata: Airflow's provider discovery would
    # otherwise find the provider's entry point and import it
    class WithoutTheirDistributions(importlib.abc.MetaPathFinder):

        def __init__(self, finder):
            self.finder = finder

        def find_spec(self, name, path=None, target=None):
            return self.finder.find_spec(name, path, target)

        def invalidate_caches(self):
            self.finder.invalidate_caches()

        def find_distributions(self, *args, **kwargs):
            for dist in self.finder.find_distributions(*args, **kwargs):
                name = (dist.metadata["Name"] or "").lower().replace("_", "-")
                if not name.startswith(("openlineage-", "apache-airflow-providers-openlineage")):
                    yield dist

    import importlib_metadata  # noqa: F401 (adds its own finder of distributions, wrapped too)

    if sys.argv[1] == "without":
        sys.meta_path[:] = [
            WithoutTheirDistributions(finder) if hasattr(finder, "find_distributions") else finder
            for finder in sys.meta_path
        ]
        sys.meta_path.insert(0, NotInstalled())

    from airflow_oracle_etl.lineage import openlineage as lineage
    from airflow_oracle_etl.lineage.exports import committed_record
    from airflow_oracle_etl.operators.oracle_to_gcs import OracleToGCSJsonlOperator
    from airflow_oracle_etl.transports.extract import TransportExtractOperator
    from tests.unit.lineage.records import layout, summary, table_plan

    record = committed_record(table_plan(), layout(), summary())
    alone = OracleToGCSJsonlOperator(task_id="alone", bucket="b", table="DEMO.SALES_ORDER")
    alone._lineage_reads = [record]
    packed = TransportExtractOperator(
        task_id="packed",
        reads=[{"table": '"DEMO"."SALES_ORDER"', "label": "DEMO.SALES_ORDER"}],
        transport="daily",
        bucket="b",
    )
    packed._lineage_reads = {0: record}
    results = {}
    for operator in (alone, packed):
        results[operator.task_id] = [
            repr(operator.get_openlineage_facets_on_start()),
            repr(operator.get_openlineage_facets_on_complete(None)),
            repr(operator.get_openlineage_facets_on_failure(None)),
        ]
    loaded = sorted(
        name for name in sys.modules if any(name.startswith(root) for root in BLOCKED)
    )
    print("RESULT " + json.dumps({
        "results": results,
        "available": lineage.openlineage_available(),
        "loaded": loaded,
        "recorded": record.rows,
    }))
    """
)


def _child(mode: str) -> dict[str, Any]:
    env = os.environ.copy()
    # a connection the lineage could name: with the extra, the complete methods build lineage
    env["AIRFLOW_CONN_ORACLE_DEFAULT"] = json.dumps(
        {"conn_type": "oracle", "host": "db.example", "port": 1521, "login": "u",
         "password": "p", "extra": {"service_name": "ORCLPDB1"}}
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stderr[-4000:]
    outcome: dict[str, Any] = json.loads(lines[-1].removeprefix("RESULT "))
    return outcome


def test_without_the_extra_operators_import_and_lineage_methods_return_none() -> None:
    outcome = _child("without")

    assert outcome["available"] is False
    assert outcome["results"] == {"alone": ["None"] * 3, "packed": ["None"] * 3}
    assert outcome["loaded"] == []
    assert outcome["recorded"] == 1200


def test_with_the_extra_the_same_child_builds_the_lineage_of_the_recorded_read() -> None:
    """The check above can fail: with the packages importable, the answers differ."""
    outcome = _child("with")

    assert outcome["available"] is True
    for task_id in ("alone", "packed"):
        start, complete, failure = outcome["results"][task_id]
        assert start == "None"  # outside a task there is no run to name the output by
        assert complete.startswith("OperatorLineage(") and "ORCLPDB1.DEMO.SALES_ORDER" in complete
        assert failure == complete
