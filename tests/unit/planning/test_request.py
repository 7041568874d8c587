"""What a read is asked for is checked once, with errors that name the argument."""

from __future__ import annotations

import warnings

import pytest
from airflow.exceptions import AirflowProviderDeprecationWarning

from airflow_oracle_etl.errors import ConfigurationError
from airflow_oracle_etl.operators.oracle_to_gcs import (
    DEPRECATED_ARGUMENTS,
    OracleToGCSJsonlOperator,
)
from airflow_oracle_etl.options import FetchOptions, GcsOptions, PartsOptions, convert_options
from airflow_oracle_etl.planning import ReadRequest, parse_scn


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), (0, 0), (42, 42), ("42", 42), (" 7 ", 7)]
)
def test_an_scn_is_a_whole_number_or_none(value: object, expected: int | None) -> None:
    assert parse_scn(value) == expected


@pytest.mark.parametrize("value", [1.5, True, "1e6", "-3", -3, "12a", [1]])
def test_anything_else_is_refused_naming_the_argument(value: object) -> None:
    with pytest.raises(ConfigurationError, match=r"snapshot_scn must be a whole number"):
        parse_scn(value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "exactly one of table= or sql="),
        ({"table": "T", "sql": "SELECT 1 FROM DUAL"}, "exactly one of table= or sql="),
        ({"sql": "SELECT 1 FROM DUAL"}, "sql= needs name="),
        ({"table": "T", "columns": "ID"}, "columns must be a list of names"),
        ({"table": "T", "parameters": ["x"]}, "parameters must be a mapping"),
        ({"table": "T", "parameters": {"ck_0": 1}}, "prefix 'ck_'"),
    ],
)
def test_a_bad_request_is_refused_before_any_sql(arguments: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ReadRequest(**arguments)


def test_a_request_defaults_its_partition_strategy_from_partition_by() -> None:
    assert ReadRequest(table="T", partition_by="K").partition_strategy == "column"
    assert ReadRequest(table="T").partition_strategy == "hash"
    assert ReadRequest(table="T", parameters={"ck_0": 1}, checkpoint=False).binds == {"ck_0": 1}


def test_option_records_name_the_field_at_fault() -> None:
    assert convert_options(None, FetchOptions, argument="fetch") == FetchOptions()
    assert convert_options({"max_rows": 5}, PartsOptions, argument="parts").max_rows == 5
    with pytest.raises(ConfigurationError, match=r"parts: .*max_rowz|max_rowz.*parts"):
        convert_options({"max_rowz": 5}, PartsOptions, argument="parts")
    with pytest.raises(ConfigurationError, match=r"gcs\.retry_deadline"):
        convert_options({"retry_deadline": "soon"}, GcsOptions, argument="gcs")


@pytest.mark.parametrize(("old", "new"), sorted(DEPRECATED_ARGUMENTS.items()))
def test_each_flat_argument_of_earlier_releases_still_works_and_names_its_replacement(
    old: str, new: tuple[str, str]
) -> None:
    group, field = new
    value = 512 * 1024 if field == "chunk_size" else 3
    with pytest.warns(AirflowProviderDeprecationWarning, match=rf"use {group}=\{{'{field}'"):
        operator = OracleToGCSJsonlOperator(task_id="t", bucket="b", table="T", **{old: value})
    assert getattr(getattr(operator.settings, group), field) == value


def test_a_flat_argument_and_its_record_field_together_are_refused() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AirflowProviderDeprecationWarning)
        with pytest.raises(ConfigurationError, match=r"batch_rows= and fetch\['batch_rows'\]"):
            OracleToGCSJsonlOperator(
                task_id="t", bucket="b", table="T", batch_rows=5, fetch={"batch_rows": 6}
            )
