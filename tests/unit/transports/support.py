"""Building transport files for the tests: a valid base, changed one field at a time."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from airflow_oracle_etl.transports import Transport, TransportError, parse_transport

SOURCE = "dags/transports/t.yaml"

BASE: dict[str, Any] = {
    "id": "t",
    "tables": ["SALES_ORDER"],
    "destination": {"bucket": "my-bucket"},
}


def transport_yaml(**fields: Any) -> str:
    """The base transport with ``fields`` replaced (``None`` values are kept as null)."""
    data = copy.deepcopy(BASE)
    data.update(fields)
    return yaml.safe_dump(data, sort_keys=False)


def with_table(**options: Any) -> str:
    """The base transport whose only table is a mapping with ``options``."""
    return transport_yaml(tables=[{"table": "SALES_ORDER", **options}])


def load(text: str) -> Transport:
    return parse_transport(text, source=SOURCE)


def error_lines(text: str) -> list[str]:
    """The lines of the TransportError that ``text`` must raise."""
    with pytest.raises(TransportError) as caught:
        parse_transport(text, source=SOURCE)
    assert caught.value.file == SOURCE
    return str(caught.value).splitlines()


def only_error(text: str) -> str:
    """The single message line ``text`` must raise, without the file prefix."""
    lines = error_lines(text)
    assert len(lines) == 1, lines
    prefix = f"{SOURCE}: "
    assert lines[0].startswith(prefix)
    return lines[0][len(prefix) :]
