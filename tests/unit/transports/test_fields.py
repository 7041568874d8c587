"""Each field's rules, with the exact message: file, field path, reason."""

from __future__ import annotations

import pytest

from tests.unit.transports.support import (
    SOURCE,
    error_lines,
    load,
    only_error,
    transport_yaml,
    with_table,
)

IDENT_REASON = (
    "is not a valid Oracle identifier: an unquoted name must start with a letter and contain "
    "only letters, digits, '_', '$' and '#' (at most 128 characters)"
)
PRESETS = "@once, @continuous, @hourly, @daily, @weekly, @monthly, @quarterly, @yearly"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # id
        (
            transport_yaml(id="Daily-Sales"),
            "id: must be 1 to 200 characters of lowercase letters, digits and '_' (it becomes "
            "part of the DAG id), got 'Daily-Sales'",
        ),
        (
            transport_yaml(id=""),
            "id: must be 1 to 200 characters of lowercase letters, digits and '_' (it becomes "
            "part of the DAG id), got ''",
        ),
        (
            transport_yaml(id="a" * 201),
            "id: must be 1 to 200 characters of lowercase letters, digits and '_' (it becomes "
            f"part of the DAG id), got {'a' * 80!r}... (201 chars)",
        ),
        (transport_yaml(id=5), "id: expected text, got an integer (5)"),
        # name, description, owner
        (transport_yaml(name="  "), "name: must not be empty"),
        (transport_yaml(description=["x"]), "description: expected text, got a list"),
        (transport_yaml(owner=""), "owner: must not be empty"),
        # tables
        (transport_yaml(tables=[]), "tables: must list at least one table or schema selector"),
        (transport_yaml(tables="SALES_ORDER"), "tables: expected a list, got text ('SALES_ORDER')"),
        (
            transport_yaml(tables=["A", 7]),
            "tables[1]: expected text or a mapping, got an integer (7)",
        ),
        (
            transport_yaml(tables=[{"partitions": 2}]),
            "tables[0].table: is required (or schema: for a whole schema)",
        ),
        # per-table options
        (with_table(partitions=0), "tables[0].partitions: must be between 1 and 1024, got 0"),
        (with_table(partitions=1025), "tables[0].partitions: must be between 1 and 1024, got 1025"),
        (
            with_table(partitions=1.5),
            "tables[0].partitions: expected an integer, got a number (1.5)",
        ),
        (with_table(partitions="2"), "tables[0].partitions: expected an integer, got text ('2')"),
        (
            with_table(partition_strategy="hsah"),
            "tables[0].partition_strategy: must be one of hash, rowid, column, got 'hsah'; "
            "did you mean 'hash'?",
        ),
        (
            with_table(partition_strategy="range"),
            "tables[0].partition_strategy: must be one of hash, rowid, column, got 'range'",
        ),
        (
            with_table(partitions=4, partition_strategy="column"),
            "tables[0].partition_by: is required by partition_strategy 'column' (the column "
            "whose value ranges split the table)",
        ),
        (
            with_table(partitions=4, partition_strategy="rowid", partition_by="ID"),
            "tables[0].partition_by: must be left out with partition_strategy 'rowid' (it splits "
            "by ROWID ranges)",
        ),
        (
            with_table(columns=[]),
            "tables[0].columns: must list at least one column (leave it out to extract all)",
        ),
        (
            with_table(columns=["ID", "AMOUNT", "id"]),
            "tables[0].columns[2]: column 'id' is listed twice (first as columns[0])",
        ),
        (with_table(columns="ID"), "tables[0].columns: expected a list or null, got text ('ID')"),
        (
            with_table(where=""),
            "tables[0].where: must not be empty (leave it out to read every row)",
        ),
        (
            with_table(where="STATUS = 'OPEN'; DELETE FROM X"),
            "tables[0].where: contains ';'; it must be one predicate, not statements",
        ),
        (
            with_table(trim_char="yes please"),
            "tables[0].trim_char: expected true or false, got text ('yes please')",
        ),
        (
            with_table(omit_nulls=1),
            "tables[0].omit_nulls: expected true or false, got an integer (1)",
        ),
        (
            with_table(incremental={"initial": 5}),
            "tables[0].incremental.column: is required",
        ),
        (
            with_table(incremental={"column": "UPDATED_AT", "initial": "yesterday"}),
            "tables[0].incremental.initial: must be a number, or a date or timestamp written "
            "YYYY-MM-DD[ HH:MM:SS[.fraction]][Z], got 'yesterday'",
        ),
        (
            with_table(incremental={"column": "UPDATED_AT", "initial": 1.5}),
            "tables[0].incremental.initial: expected an integer, text or null, got a number (1.5)",
        ),
        (
            with_table(incremental="UPDATED_AT"),
            "tables[0].incremental: expected a mapping or null, got text ('UPDATED_AT')",
        ),
        # schedule
        (
            transport_yaml(schedule="@dialy"),
            f"schedule: unknown preset '@dialy' (known: {PRESETS}); did you mean '@daily'?",
        ),
        (
            transport_yaml(schedule="0 3 * *"),
            "schedule: must be a cron expression of 5 fields (minute hour day-of-month month "
            f"day-of-week), a preset ({PRESETS}) or null, got '0 3 * *'",
        ),
        (
            transport_yaml(schedule="61 3 * * *"),
            "schedule: is not a valid cron expression: [61 3 * * *] is not acceptable, out of "
            "range",
        ),
        (transport_yaml(schedule=3), "schedule: expected text or null, got an integer (3)"),
        # destination
        (transport_yaml(destination={"prefix": "x"}), "destination.bucket: is required"),
        (transport_yaml(destination=None), "destination: expected a mapping, got null"),
        (
            transport_yaml(destination={"bucket": "my-bucket", "prefix": "a//b"}),
            "destination.prefix: must not have an empty, '.' or '..' segment, got 'a//b'",
        ),
        (
            transport_yaml(destination={"bucket": "my-bucket", "prefix": "a/../b"}),
            "destination.prefix: must not have an empty, '.' or '..' segment, got 'a/../b'",
        ),
        (
            transport_yaml(destination={"bucket": "my-bucket", "prefix": "a\nb"}),
            "destination.prefix: must not contain control characters, got 'a\\nb'",
        ),
        (
            transport_yaml(destination={"bucket": "my-bucket", "gcp_conn_id": "a b"}),
            "destination.gcp_conn_id: must be an Airflow connection id (1 to 250 letters, "
            "digits and _-.:/\\#!()), got 'a b'",
        ),
        # connections
        (
            transport_yaml(oracle_conn_id=""),
            "oracle_conn_id: must be an Airflow connection id (1 to 250 letters, digits and "
            "_-.:/\\#!()), got ''",
        ),
        # parallelism, retries
        (transport_yaml(parallel_tables=0), "parallel_tables: must be between 1 and 64, got 0"),
        (transport_yaml(parallel_tables=65), "parallel_tables: must be between 1 and 64, got 65"),
        (
            transport_yaml(packing={"reads_at_once": 0}),
            "packing.reads_at_once: must be between 1 and 16, got 0",
        ),
        (
            transport_yaml(packing={"reads_at_once": 17}),
            "packing.reads_at_once: must be between 1 and 16, got 17",
        ),
        (
            transport_yaml(packing={"reads_at_once": "four"}),
            "packing.reads_at_once: expected an integer, got text ('four')",
        ),
        (transport_yaml(retries=-1), "retries: must be between 0 and 100, got -1"),
        (transport_yaml(retries=101), "retries: must be between 0 and 100, got 101"),
        (
            transport_yaml(retry_delay_seconds=0),
            "retry_delay_seconds: must be more than 0 and at most 86400, got 0",
        ),
        (
            transport_yaml(retry_delay_seconds="1s"),
            "retry_delay_seconds: expected a number, got text ('1s')",
        ),
        (
            transport_yaml(progress_interval_seconds=0.1),
            "progress_interval_seconds: must be between 0.5 and 300.0, got 0.1",
        ),
        # fetch
        (
            transport_yaml(fetch={"arraysize": 0}),
            "fetch.arraysize: must be between 1 and 1000000, got 0",
        ),
        (
            transport_yaml(fetch={"prefetchrows": 2_000_000}),
            "fetch.prefetchrows: must be between 1 and 1000000, got 2000000",
        ),
        (
            transport_yaml(fetch={"batch_rows": -5}),
            "fetch.batch_rows: must be between 1 and 1000000, got -5",
        ),
        # parts
        (
            transport_yaml(parts={"max_rows": 0}),
            "parts.max_rows: must be between 1 and 1000000000000, got 0",
        ),
        (
            transport_yaml(parts={"max_bytes": "4GiB"}),
            "parts.max_bytes: must be between 1 and 3221225472, got 4294967296",
        ),
        (
            transport_yaml(parts={"max_bytes": "lots"}),
            "parts.max_bytes: expected a size in bytes: an integer, or an integer with a unit "
            "(B, KB, MB, GB, KiB, MiB, GiB) such as '256MiB', got 'lots'",
        ),
        (
            transport_yaml(parts={"chunk_size": 1_000_000}),
            "parts.chunk_size: must be a multiple of 256 KiB (262144) between 262144 and "
            "1073741824, got 1000000",
        ),
        (
            transport_yaml(parts={"chunk_size": "2GiB"}),
            "parts.chunk_size: must be a multiple of 256 KiB (262144) between 262144 and "
            "1073741824, got 2147483648",
        ),
        # tags, flags, dates
        (transport_yaml(tags="demo"), "tags: expected a list, got text ('demo')"),
        (transport_yaml(tags=["a", ""]), "tags[1]: must be 1 to 100 characters, got ''"),
        (transport_yaml(tags=["a", "b", "a"]), "tags[2]: repeats tag 'a' (tags[0])"),
        (
            transport_yaml(consistent_snapshot="no"),
            "consistent_snapshot: expected true or false, got text ('no')",
        ),
        (
            transport_yaml(start_date="01/02/2024"),
            "start_date: expected a date (YYYY-MM-DD), got text ('01/02/2024')",
        ),
    ],
)
def test_a_wrong_value_is_reported_with_file_path_and_reason(text: str, message: str) -> None:
    assert only_error(text) == message


def test_the_message_puts_the_file_first() -> None:
    assert error_lines(with_table(partitions=0)) == [
        f"{SOURCE}: tables[0].partitions: must be between 1 and 1024, got 0"
    ]


def test_problems_of_one_file_are_reported_together_in_file_order() -> None:
    text = transport_yaml(
        id="Bad Id",
        tables=["A", {"table": "B"}, {"table": "C", "partitions": 0}],
        schedule="@sometimes",
        parallel_tables=100,
        tags=["x", "x"],
    )
    assert error_lines(text) == [
        f"{SOURCE}: id: must be 1 to 200 characters of lowercase letters, digits and '_' (it "
        "becomes part of the DAG id), got 'Bad Id'",
        f"{SOURCE}: tables[2].partitions: must be between 1 and 1024, got 0",
        f"{SOURCE}: schedule: unknown preset '@sometimes' (known: {PRESETS})",
        f"{SOURCE}: parallel_tables: must be between 1 and 64, got 100",
        f"{SOURCE}: tags[1]: repeats tag 'x' (tags[0])",
    ]


def test_a_type_error_comes_after_the_unknown_fields_and_stops_other_checks() -> None:
    text = transport_yaml(parallel_tables="four", colour="blue", retries=-1)
    assert error_lines(text) == [
        f"{SOURCE}: colour: unknown field (known: consistent_snapshot, description, destination, "
        "fetch, id, name, oracle_conn_id, owner, packing, parallel_tables, parts, "
        "progress_interval_seconds, retries, retry_delay_seconds, schedule, start_date, tables, "
        "tags)",
        f"{SOURCE}: parallel_tables: expected an integer, got text ('four')",
    ]


@pytest.mark.parametrize("value", ["yes", "no", "on", "off", "true"])
def test_unquoted_yaml_booleans_as_table_names_get_a_hint(value: str) -> None:
    text = f"id: t\ndestination: {{bucket: my-bucket}}\ntables: [A, {value}]\n"
    read_as = "true" if value in {"yes", "on", "true"} else "false"
    assert only_error(text) == (
        f"tables[1]: expected text or a mapping, got a boolean ({read_as}); "
        "YAML reads unquoted yes/no/on/off/true/false as booleans: quote the value"
    )


@pytest.mark.parametrize(
    "schedule", [None, "@once", "@continuous", "@hourly", "@daily", "@yearly", "30 2 * * 1-5"]
)
def test_accepted_schedules(schedule: str | None) -> None:
    assert load(transport_yaml(schedule=schedule)).schedule == schedule


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (1048576, 1048576),
        ("256MiB", 256 * 1024**2),
        ("16 MB", 16_000_000),
        ("1gib", 1024**3),
        ("512", 512),
        ("3KiB", 3072),
    ],
)
def test_byte_sizes_take_units(text: object, size: int) -> None:
    parts = load(transport_yaml(parts={"max_bytes": text})).parts
    assert parts.max_bytes == size
    assert isinstance(parts.max_bytes, int)


@pytest.mark.parametrize(
    "initial",
    [5, "12.50", "-1e3", "2024-01-01", "2024-01-01 08:00:00", "2024-01-01T08:00:00.123456789Z"],
)
def test_incremental_initial_takes_numbers_and_datetimes(initial: object) -> None:
    table = load(with_table(incremental={"column": "UPDATED_AT", "initial": initial}))
    assert table.tables_normalized()[0].incremental.initial == initial  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("yaml_value", "text"),
    [
        ("2024-03-01", "2024-03-01"),
        ("2024-03-01 08:30:00", "2024-03-01 08:30:00"),
        ("2024-03-01 08:30:00.25", "2024-03-01 08:30:00.250000"),
        ("2024-03-01T10:30:00+02:00", "2024-03-01 08:30:00Z"),
    ],
)
def test_unquoted_yaml_dates_become_watermark_text(yaml_value: str, text: str) -> None:
    source = (
        "id: t\ndestination: {bucket: my-bucket}\ntables:\n  - table: A\n    incremental:\n"
        f"      column: U\n      initial: {yaml_value}\n"
    )
    incremental = load(source).tables_normalized()[0].incremental
    assert incremental is not None
    assert incremental.initial == text


def test_start_date_reads_yaml_dates_and_iso_text() -> None:
    import datetime as dt

    assert load(
        "id: t\ndestination: {bucket: b-1}\ntables: [A]\nstart_date: 2025-02-03\n"
    ).start_date == dt.date(2025, 2, 3)
    assert load(transport_yaml(start_date="2025-02-03")).start_date == dt.date(2025, 2, 3)


def test_a_size_problem_is_collected_with_the_other_problems() -> None:
    assert error_lines(transport_yaml(parts={"max_bytes": "1.5GiB"}, retries=-1)) == [
        f"{SOURCE}: parts.max_bytes: expected a size in bytes: an integer, or an integer with a "
        "unit (B, KB, MB, GB, KiB, MiB, GiB) such as '256MiB', got '1.5GiB'",
        f"{SOURCE}: retries: must be between 0 and 100, got -1",
    ]
