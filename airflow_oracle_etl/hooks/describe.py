"""Column records for a query's result, from the driver's describe information.

A ``sql=`` extract has no table to introspect; ``cursor.description`` (python-oracledb
``FetchInfo``) carries the same facts, and this module spells them the way ALL_TAB_COLUMNS
does (``VARCHAR2``, ``TIMESTAMP(6) WITH TIME ZONE``, ``INTERVAL DAY(2) TO SECOND(6)``) so the
encoders see one vocabulary whichever way a column was found.

The driver reports precision and scale only when one of them is non-zero; a NUMBER without
precision arrives as (0, -127), FLOAT(b) as (b, -127), TIMESTAMP(n) with scale n.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import oracledb

from airflow_oracle_etl.metadata import OracleColumn

__all__ = ["column_from_fetch_info", "columns_from_description"]

log = logging.getLogger(__name__)

#: scale the server reports for NUMBER without precision and for FLOAT(b)
FLOATING_SCALE = -127

_Spelling = Callable[[oracledb.FetchInfo], OracleColumn]


def columns_from_description(
    description: Sequence[oracledb.FetchInfo],
) -> tuple[OracleColumn, ...]:
    """All columns of a described query, in select-list order."""
    return tuple(column_from_fetch_info(info) for info in description)


def column_from_fetch_info(info: oracledb.FetchInfo) -> OracleColumn:
    """One described column, with Oracle's DATA_TYPE spelling."""
    spelling = _SPELLINGS.get(info.type_code)
    if spelling is not None:
        return spelling(info)
    type_name = info.type_code.name.removeprefix("DB_TYPE_")
    log.warning("Column %s has type %s, which the extract does not map", info.name, type_name)
    return _plain(type_name)(info)


def _plain(data_type: str) -> _Spelling:
    def spell(info: oracledb.FetchInfo) -> OracleColumn:
        return OracleColumn(name=info.name, data_type=data_type, nullable=info.null_ok)

    return spell


def _character(data_type: str) -> _Spelling:
    def spell(info: oracledb.FetchInfo) -> OracleColumn:
        return OracleColumn(
            name=info.name,
            data_type=data_type,
            char_length=info.display_size or 0,
            nullable=info.null_ok,
        )

    return spell


def _number(info: oracledb.FetchInfo) -> OracleColumn:
    precision = info.precision or None
    scale = info.scale
    if scale == FLOATING_SCALE:
        data_type = "FLOAT" if precision else "NUMBER"
        scale = None
    else:
        data_type = "NUMBER"
    return OracleColumn(
        name=info.name,
        data_type=data_type,
        precision=precision,
        scale=scale,
        nullable=info.null_ok,
    )


def _timestamp(suffix: str) -> _Spelling:
    def spell(info: oracledb.FetchInfo) -> OracleColumn:
        digits = info.scale or 0
        return OracleColumn(
            name=info.name,
            data_type=f"TIMESTAMP({digits}){suffix}",
            scale=digits,
            nullable=info.null_ok,
        )

    return spell


def _interval_day_to_second(info: oracledb.FetchInfo) -> OracleColumn:
    day_digits, second_digits = info.precision or 0, info.scale or 0
    return OracleColumn(
        name=info.name,
        data_type=f"INTERVAL DAY({day_digits}) TO SECOND({second_digits})",
        precision=day_digits,
        scale=second_digits,
        nullable=info.null_ok,
    )


def _interval_year_to_month(info: oracledb.FetchInfo) -> OracleColumn:
    year_digits = info.precision or 0
    return OracleColumn(
        name=info.name,
        data_type=f"INTERVAL YEAR({year_digits}) TO MONTH",
        precision=year_digits,
        scale=0,
        nullable=info.null_ok,
    )


_SPELLINGS: dict[oracledb.DbType, _Spelling] = {
    oracledb.DB_TYPE_NUMBER: _number,
    oracledb.DB_TYPE_BINARY_INTEGER: _plain("BINARY_INTEGER"),
    oracledb.DB_TYPE_BINARY_FLOAT: _plain("BINARY_FLOAT"),
    oracledb.DB_TYPE_BINARY_DOUBLE: _plain("BINARY_DOUBLE"),
    oracledb.DB_TYPE_VARCHAR: _character("VARCHAR2"),
    oracledb.DB_TYPE_CHAR: _character("CHAR"),
    oracledb.DB_TYPE_NVARCHAR: _character("NVARCHAR2"),
    oracledb.DB_TYPE_NCHAR: _character("NCHAR"),
    oracledb.DB_TYPE_LONG: _plain("LONG"),
    oracledb.DB_TYPE_LONG_NVARCHAR: _plain("LONG"),
    oracledb.DB_TYPE_RAW: _plain("RAW"),
    oracledb.DB_TYPE_LONG_RAW: _plain("LONG RAW"),
    oracledb.DB_TYPE_DATE: _plain("DATE"),
    oracledb.DB_TYPE_TIMESTAMP: _timestamp(""),
    oracledb.DB_TYPE_TIMESTAMP_TZ: _timestamp(" WITH TIME ZONE"),
    oracledb.DB_TYPE_TIMESTAMP_LTZ: _timestamp(" WITH LOCAL TIME ZONE"),
    oracledb.DB_TYPE_INTERVAL_DS: _interval_day_to_second,
    oracledb.DB_TYPE_INTERVAL_YM: _interval_year_to_month,
    oracledb.DB_TYPE_CLOB: _plain("CLOB"),
    oracledb.DB_TYPE_NCLOB: _plain("NCLOB"),
    oracledb.DB_TYPE_BLOB: _plain("BLOB"),
    oracledb.DB_TYPE_BFILE: _plain("BFILE"),
    oracledb.DB_TYPE_ROWID: _plain("ROWID"),
    oracledb.DB_TYPE_UROWID: _plain("UROWID"),
    oracledb.DB_TYPE_BOOLEAN: _plain("BOOLEAN"),
    oracledb.DB_TYPE_JSON: _plain("JSON"),
    oracledb.DB_TYPE_VECTOR: _plain("VECTOR"),
    oracledb.DB_TYPE_XMLTYPE: _plain("XMLTYPE"),
}
