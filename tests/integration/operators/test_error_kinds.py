"""Which failures Airflow retries, through its real task runner (``dag.test()``): errors no
retry can fix fail the task at its first try however many retries it has; transient ones are
retried (``tests/integration/faults/test_oracle_faults.py`` also shows a dropped connection
retried into exact output)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.cloud import storage

from .conftest import Code, DagResult, extract_dag

FAILS_ONCE_TRANSIENTLY = """
    from airflow_oracle_etl.extraction import TableExtraction
    from airflow_oracle_etl.hooks.errors import ConnectionLostError

    class LosesItsConnectionOnce(TableExtraction):
        def run(self, plan, **kwargs):
            if kwargs["try_number"] == 1:
                raise ConnectionLostError(plan.label, "oracle_test", 0, "DPY-4011 (simulated)")
            return super().run(plan, **kwargs)

    class TransientOnce(OracleToGCSJsonlOperator):
        extraction_class = LosesItsConnectionOnce
"""


@pytest.mark.parametrize(
    ("arguments", "error", "culprit"),
    [
        # configuration: a column the table lacks
        (
            {"table": "CUSTOMER", "columns": ["NO_SUCH_COLUMN"]},
            "ConfigurationError",
            "NO_SUCH_COLUMN",
        ),
        # configuration: an SCN that is no number
        ({"table": "CUSTOMER", "snapshot_scn": "yesterday"}, "ConfigurationError", "snapshot_scn"),
        # access: a table the user cannot see
        ({"table": "NO_SUCH_TABLE"}, "TableNotFoundError", "NO_SUCH_TABLE"),
        # access: a bucket that does not exist
        (
            {"table": "CUSTOMER", "bucket": "no-such-bucket-for-kinds"},
            "BucketNotFoundError",
            "no-such-bucket-for-kinds",
        ),
    ],
    ids=["unknown-column", "bad-scn", "missing-table", "missing-bucket"],
)
def test_errors_no_retry_can_fix_fail_at_the_first_try(
    arguments: dict,
    error: str,
    culprit: str,
    run_dag: Callable[[str], DagResult],
    gcs_bucket: storage.Bucket,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bucket = arguments.pop("bucket", gcs_bucket.name)
    result = run_dag(
        extract_dag(bucket, retries=3, retry_delay=Code("dt.timedelta(0)"), **arguments)
    )

    assert result.state == "failed"
    assert result.tasks[("extract", -1)] == ("failed", 1)  # three retries left, none used
    log = "".join(capfd.readouterr())
    assert error in log and culprit in log
    assert not [blob.name for blob in gcs_bucket.list_blobs()]  # nothing written


def test_a_transient_error_is_retried(
    run_dag: Callable[[str], DagResult], gcs_bucket: storage.Bucket
) -> None:
    result = run_dag(
        extract_dag(
            gcs_bucket.name,
            operator="TransientOnce",
            preamble=FAILS_ONCE_TRANSIENTLY,
            table="CUSTOMER",
            retries=1,
            retry_delay=Code("dt.timedelta(0)"),
        )
    )

    assert result.state == "success"
    assert result.tasks[("extract", -1)] == ("success", 2)
    assert result.xcom("extract")["rows"] > 0
