"""What a job committed and what it did not: the finalize and report tasks' rules, on plain
values."""

from __future__ import annotations

import json

import pytest

from airflow_oracle_etl.transports.extract import read_label
from airflow_oracle_etl.transports.finalize import (
    expected_tables,
    failure_message,
    sort_outcomes,
)
from airflow_oracle_etl.transports.report import tables_not_committed


def _read(label: str, index: int = 0, count: int = 1) -> dict[str, object]:
    return {"label": label, "partition": {"index": index, "count": count}}


PLANNED = [
    {"reads": [_read("DEMO.A"), _read("DEMO.B"), _read("DEMO.C")]},
    {"reads": [_read("DEMO.BIG", 0, 2)]},
    {"reads": [_read("DEMO.BIG", 1, 2)]},
]


def test_expected_tables_come_from_every_task_with_their_partitions() -> None:
    assert expected_tables(PLANNED) == {"DEMO.A": 1, "DEMO.B": 1, "DEMO.C": 1, "DEMO.BIG": 2}


def test_a_table_is_complete_only_with_every_partition_committed() -> None:
    committed = {
        "DEMO.A": [{"table": "DEMO.A", "partition": 0}],
        "DEMO.C": [{"table": "DEMO.C", "partition": 0}],
        "DEMO.BIG": [{"table": "DEMO.BIG", "partition": 0}],
    }
    failures = [{"table": "DEMO.B", "error": "DatabaseError: ORA-01722: invalid number"}]
    outcome = sort_outcomes(expected_tables(PLANNED), committed, failures)
    assert list(outcome.complete) == ["DEMO.A", "DEMO.C"]
    assert outcome.failed == {
        "DEMO.B": ["DatabaseError: ORA-01722: invalid number"],
        "DEMO.BIG": ["1 of 2 read(s) not committed: their extract task did not finish"],
    }


def test_the_failure_message_names_each_table_and_the_rerun_conf() -> None:
    message = failure_message({"DEMO.B": ["boom"], "DEMO.BIG": ["gone", "again"]}, planned=4)
    assert message.startswith("2 of 4 table(s) were not committed")
    assert "DEMO.B: boom" in message
    assert "DEMO.BIG: gone; again" in message
    conf = message.rsplit("run conf ", 1)[1]
    assert json.loads(conf) == {"tables": ["DEMO.B", "DEMO.BIG"]}


def test_a_read_is_labelled_with_its_partition() -> None:
    assert read_label(_read("DEMO.A")) == "DEMO.A"
    assert read_label(_read("DEMO.BIG", 1, 4)) == "DEMO.BIG p2/4"
    assert read_label({"table": '"DEMO"."X"', "partition": None}) == '"DEMO"."X"'


def test_report_reads_the_failed_tables_finalize_returned() -> None:
    result = {"job_manifest": "x", "planned": 4, "failed": {"DEMO.B": ["boom"]}}
    assert tables_not_committed(result, finalize_task_id="finalize") == ({"DEMO.B": ["boom"]}, 4)
    everything = {"planned": 3, "failed": {}}
    assert tables_not_committed(everything, finalize_task_id="finalize") == ({}, 3)


@pytest.mark.parametrize("result", [None, {"planned": 2}, {"failed": ["DEMO.B"]}])
def test_report_refuses_a_result_finalize_does_not_return(result: object) -> None:
    with pytest.raises(RuntimeError, match=r"task 'commit_all' returned no 'failed' tables"):
        tables_not_committed(result, finalize_task_id="commit_all")
