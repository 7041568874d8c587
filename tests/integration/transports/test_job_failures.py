"""Jobs that must fail, and say why: a table missing from Oracle, run conf naming a table the
transport does not have, rows written that differ from rows read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from airflow.sdk.exceptions import AirflowFailException

from airflow_oracle_etl.transports import load_transport
from airflow_oracle_etl.transports.finalize import check_row_counts
from airflow_oracle_etl.transports.run_conf import RunConfError, parse_run_conf

from ..operators.conftest import DagResult

MISSING = """
tables:
  - CUSTOMER
  - NO_SUCH_TABLE
"""


def test_a_missing_table_fails_the_job_naming_it(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = run_transport(write_transport(f"missing_{os.getpid()}", MISSING))

    assert result.state == "failed"
    assert result.tasks[("plan", -1)][0] == "failed"
    assert not any(task == "extract" and state == "success" for (task, _), (state, _) in
                   result.tasks.items())  # fmt: skip
    output = capfd.readouterr()
    log = output.out + output.err
    assert "TransportPlanError" in log
    assert "NO_SUCH_TABLE" in log
    assert "1 of 2 table(s) cannot be extracted" in log


def test_run_conf_naming_an_unknown_table_fails_the_job(
    write_transport: Callable[..., Path],
    run_transport: Callable[..., DagResult],
    capfd: pytest.CaptureFixture[str],
) -> None:
    path = write_transport(f"unknown_conf_{os.getpid()}")
    result = run_transport(path, {"tables": ["CUSTOMER", "ORDERS"]})

    assert result.state == "failed"
    assert result.tasks[("plan", -1)][0] == "failed"
    output = capfd.readouterr()
    assert "names table(s) not in this transport: ORDERS" in output.out + output.err


def test_conf_table_names_match_with_or_without_owner(write_transport: Callable[..., Path]) -> None:
    tables = load_transport(write_transport(f"names_{os.getpid()}")).tables_normalized()

    def select(names: object, among: list = tables) -> tuple:
        return parse_run_conf({"tables": names}, among, transport="t").tables

    chosen = select(["demo.sales_order", '"CUSTOMER"'])
    assert [t.name for t in chosen] == ["SALES_ORDER", "CUSTOMER"]
    assert parse_run_conf(None, tables, transport="t").tables == tuple(tables)
    with pytest.raises(RunConfError, match=r"a list of table names"):
        select("CUSTOMER")
    # a table configured with its owner is not selected by a name with another owner
    owned = [msgspec.structs.replace(t, owner="DEMO") for t in tables if t.name == "CUSTOMER"]
    assert select(["DEMO.CUSTOMER", "customer"], owned) == tuple(owned)
    with pytest.raises(RunConfError, match=r"not in this transport: OTHER.CUSTOMER"):
        select(["CUSTOMER", "OTHER.CUSTOMER"], owned)


def test_run_conf_problems_are_reported_together_and_fail_without_retries(
    write_transport: Callable[..., Path],
) -> None:
    tables = load_transport(write_transport(f"conf_{os.getpid()}")).tables_normalized()

    with pytest.raises(RunConfError) as raised:
        parse_run_conf({"tables": [], "full_refresh": "yes", "limit": 3}, tables, transport="t")

    assert [p.field for p in raised.value.problems] == ["limit", "tables", "full_refresh"]
    assert "name at least one table" in str(raised.value)
    assert isinstance(raised.value, AirflowFailException)  # a retry would get the same conf


def test_rows_written_must_equal_rows_read() -> None:
    assert check_row_counts({"DEMO.CUSTOMER": (10, 10)}) == {}
    refused = check_row_counts({"DEMO.CUSTOMER": (10, 10), "DEMO.SALES_ORDER": (99, 100)})
    assert refused == {
        "DEMO.SALES_ORDER": "99 rows written to GCS, 100 rows read from Oracle",
    }
