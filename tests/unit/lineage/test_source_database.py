"""How the Oracle database of a task is named: Airflow's OracleHook's names, from the Airflow
connection (read from the environment, as a worker reads it), whatever form it takes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_oracle_etl.hooks.oracle_extract import OracleExtractHook
from airflow_oracle_etl.lineage.openlineage import SourceDatabase, dsn_address, source_database

PASSWORD = "s3cret-Lineage"


def _hook(monkeypatch: pytest.MonkeyPatch, conn_id: str, **connection: Any) -> OracleExtractHook:
    fields = {"conn_type": "oracle", "login": "etl_user", "password": PASSWORD} | connection
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))
    return OracleExtractHook(oracle_conn_id=conn_id)


def test_host_port_and_service_name_are_oraclehooks_namespace_and_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = _hook(
        monkeypatch,
        "lineage_plain",
        host="db.example",
        port=1531,
        schema="APP",
        extra={"service_name": "ORCLPDB1"},
    )

    database = source_database(hook)

    assert database == SourceDatabase(
        namespace="oracle://db.example:1531", database="ORCLPDB1", default_owner="APP"
    )
    assert PASSWORD not in repr(database) and "etl_user" not in repr(database)


def test_a_schema_naming_the_service_is_the_database_and_no_default_owner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook = _hook(monkeypatch, "lineage_schema", host="db.example", schema="FREEPDB1")

    assert source_database(hook) == SourceDatabase(
        namespace="oracle://db.example:1521", database="FREEPDB1", default_owner=None
    )


def test_a_tns_alias_is_named_by_the_host_port_and_service_of_its_descriptor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "tnsnames.ora").write_text(
        "sales_high = (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=sales.example)(PORT=1522))"
        "(CONNECT_DATA=(SERVICE_NAME=SALESPDB)))\n"
    )
    hook = _hook(
        monkeypatch,
        "lineage_alias",
        extra={"dsn": "sales_high", "config_dir": str(tmp_path)},
    )

    assert source_database(hook) == SourceDatabase(
        namespace="oracle://sales.example:1522", database="SALESPDB"
    )


def test_dsn_addresses_of_descriptors_and_easy_connect_strings() -> None:
    assert dsn_address(
        "(DESCRIPTION=(RETRY_COUNT=3)(ADDRESS=(PROTOCOL=TCPS)(HOST=adb.example.com)(PORT=1522))"
        "(CONNECT_DATA=(SERVICE_NAME=abc_high.adb.example.com)))"
    ) == ("adb.example.com", 1522, "abc_high.adb.example.com")
    assert dsn_address(
        "(DESCRIPTION=(ADDRESS_LIST=(ADDRESS=(PROTOCOL=TCP)(HOST = h1)(PORT = 1521))"
        "(ADDRESS=(HOST=h2)(PORT=1)))(CONNECT_DATA=(SID=X)))"
    ) == ("h1", 1521, "X")
    assert dsn_address("tcps://db.example:2484/ORCL?ssl_server_cert_dn=x") == (
        "db.example",
        2484,
        "ORCL",
    )
    assert dsn_address("db.example/ORCL") == ("db.example", None, "ORCL")
    assert dsn_address("(DESCRIPTION=(CONNECT_DATA=(SERVICE_NAME=X)))") is None
    assert dsn_address("not a dsn at all") is None
