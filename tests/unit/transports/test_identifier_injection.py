"""Names reach SQL text: anything that is not an Oracle identifier is refused at load time,
with the field path, before any connection is made."""

from __future__ import annotations

import pytest

from tests.unit.transports.support import load, only_error, transport_yaml, with_table

HOSTILE = [
    'SALES_ORDER"; DROP TABLE X; --',
    "SALES_ORDER; DROP TABLE X",
    "SALES_ORDER--",
    "SALES_ORDER /* x */",
    "A) UNION SELECT * FROM DBA_USERS (",
    "SYS.USER$@remote_db",
    "A B",
    " SALES_ORDER",
    "SALES_ORDER\n",
    "",
]
UNQUOTED_REASON = (
    "an unquoted name must start with a letter and contain only letters, digits, '_', '$' and "
    "'#' (at most 128 characters)"
)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_table_names_are_refused(name: str) -> None:
    message = only_error(transport_yaml(tables=["CUSTOMER", name]))
    assert message.startswith("tables[1]: table ")
    assert "is not a valid Oracle identifier" in message


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_table_names_in_a_mapping_are_refused_at_their_key(name: str) -> None:
    message = only_error(transport_yaml(tables=[{"table": name}]))
    assert message.startswith("tables[0].table: table ")
    assert "is not a valid Oracle identifier" in message


def test_a_quote_inside_a_quoted_name_is_refused_not_escaped() -> None:
    assert only_error(transport_yaml(tables=['"A""B"'])) == (
        'tables[0]: table \'"A""B"\' is not a valid Oracle identifier: a name cannot contain '
        "a double quote"
    )


def test_too_many_dots_are_refused() -> None:
    assert only_error(transport_yaml(tables=["A.B.C"])) == (
        "tables[0]: table 'A.B.C' is not a valid Oracle identifier: expected TABLE or OWNER.TABLE"
    )


def test_a_reserved_word_must_be_quoted() -> None:
    assert only_error(transport_yaml(tables=["TABLE"])) == (
        "tables[0]: table 'TABLE' is not a valid Oracle identifier: TABLE is an Oracle reserved "
        "word; write it quoted, in exact case"
    )


def test_hostile_column_names_are_refused_with_their_index() -> None:
    message = only_error(with_table(columns=["ID", 'AMOUNT" FROM X --']))
    assert message == (
        "tables[0].columns[1]: column 'AMOUNT\" FROM X --' is not a valid Oracle identifier: "
        f"{UNQUOTED_REASON}"
    )


def test_hostile_partition_by_is_refused() -> None:
    message = only_error(with_table(partitions=2, partition_by="ID) OR (1=1"))
    assert message == (
        "tables[0].partition_by: partition_by column 'ID) OR (1=1' is not a valid Oracle "
        f"identifier: {UNQUOTED_REASON}"
    )


def test_hostile_incremental_column_is_refused() -> None:
    message = only_error(with_table(incremental={"column": "U; DELETE FROM X"}))
    assert message == (
        "tables[0].incremental.column: column 'U; DELETE FROM X' is not a valid Oracle "
        f"identifier: {UNQUOTED_REASON}"
    )


def test_quoted_names_keep_odd_characters_as_names() -> None:
    text = transport_yaml(
        tables=[
            {
                "table": '"my.schema"."Order Lines; x"',
                "columns": ['"Line -- No"', "amount"],
                "partitions": 2,
                "partition_by": '"Line -- No"',
            }
        ]
    )
    table = load(text).tables_normalized()[0]
    assert (table.owner, table.name) == ("my.schema", "Order Lines; x")
    assert table.columns == ("Line -- No", "AMOUNT")
    assert table.partition_by == "Line -- No"
    assert table.table_text == '"my.schema"."Order Lines; x"'
