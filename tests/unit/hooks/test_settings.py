from __future__ import annotations

import json
from typing import Any

import pytest
from airflow.sdk.definitions.connection import Connection

from airflow_oracle_etl.hooks.errors import FetchSettingError
from airflow_oracle_etl.hooks.settings import (
    DEFAULT_FETCH_ROWS,
    FetchSettings,
    connection_owner,
    fetch_settings,
    schema_is_service_name,
    with_schema_as_service_name,
)


def _connection(*, schema: str | None = None, host: str | None = "db", **extra: Any) -> Connection:
    return Connection(
        conn_id="ora",
        conn_type="oracle",
        host=host,
        port=1521,
        schema=schema,
        login="scott",
        password="tiger-secret",
        extra=json.dumps(extra),
    )


def test_defaults_are_ten_thousand_rows() -> None:
    assert fetch_settings({}, "ora") == FetchSettings(DEFAULT_FETCH_ROWS, DEFAULT_FETCH_ROWS)
    assert DEFAULT_FETCH_ROWS == 10_000


def test_extras_override_defaults_and_arguments_override_extras() -> None:
    extras = {"arraysize": 5000, "prefetchrows": "2000"}
    assert fetch_settings(extras, "ora") == FetchSettings(5000, 2000)
    assert fetch_settings(extras, "ora", arraysize=700) == FetchSettings(700, 2000)


@pytest.mark.parametrize("value", [0, -5, "abc", "1.5", 2.5, True, [100], ""])
def test_bad_extra_names_the_extra_and_the_connection(value: object) -> None:
    with pytest.raises(FetchSettingError) as caught:
        fetch_settings({"prefetchrows": value}, "ora_prod")
    message = str(caught.value)
    assert message.startswith("extra 'prefetchrows' of connection 'ora_prod' must be a positive")
    assert repr(value) in message
    assert isinstance(caught.value, ValueError)


def test_bad_argument_names_the_argument() -> None:
    with pytest.raises(FetchSettingError, match=r"^arraysize must be a positive integer, got 0"):
        fetch_settings({}, "ora", arraysize=0)


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        (_connection(schema="FREEPDB1"), True),
        (_connection(schema="FREEPDB1", host=None), True),
        (_connection(schema="DEMO", service_name="FREEPDB1"), False),
        (_connection(schema="DEMO", sid="ORCL"), False),
        (_connection(schema="DEMO", host=None, dsn="db:1521/FREEPDB1"), False),
        # with a host, OracleHook builds the DSN from host and schema and ignores "dsn"
        (_connection(schema="FREEPDB1", dsn="db:1521/OTHER"), True),
        (_connection(schema=None), False),
    ],
)
def test_schema_is_service_name_follows_oracle_hook(connection: Connection, expected: bool) -> None:
    assert schema_is_service_name(connection) is expected


def test_schema_moves_into_service_name_and_the_rest_stays() -> None:
    original = _connection(schema="FREEPDB1", wallet_location="/w")
    moved = with_schema_as_service_name(original)
    assert moved.schema is None
    assert moved.extra_dejson == {"service_name": "FREEPDB1", "wallet_location": "/w"}
    assert (moved.host, moved.port, moved.login, moved.password) == (
        "db",
        1521,
        "scott",
        "tiger-secret",
    )
    assert original.schema == "FREEPDB1"


def test_owner_comes_from_schema_only_when_it_is_not_the_service() -> None:
    assert connection_owner(_connection(schema="demo", service_name="FREEPDB1")) == "DEMO"
    assert connection_owner(_connection(schema='"Mixed"', service_name="X")) == "Mixed"
    assert connection_owner(_connection(schema="FREEPDB1")) is None
    assert connection_owner(_connection(schema=None, service_name="X")) is None
