"""Object names: the layout, run-id sanitising, and parsing part names back."""

from __future__ import annotations

import re

import pytest

from airflow_oracle_etl.gcs.naming import (
    MAX_SEGMENT_CHARS,
    PartName,
    TableLayout,
    job_manifest_name,
    normalize_prefix,
    parse_part_name,
    partition_of_parts_prefix,
    safe_segment,
    sanitize_run_id,
)

SAFE = re.compile(r"^[A-Za-z0-9._-]+$")
RUN_ID = "manual__2024-05-01T10:00:00+00:00"


def layout(prefix: str = "landing/oracle") -> TableLayout:
    return TableLayout(prefix, "sales", "SALES_ORDER", "scheduled__2024-05-01T00:00:00")


def test_layout_names() -> None:
    names = layout()
    run = "landing/oracle/sales/SALES_ORDER/run_id=scheduled__2024-05-01T00-00-00-"
    assert names.run_prefix.startswith(run)
    assert names.run_prefix.endswith("/")
    assert names.part_name(0, 0, 1) == f"{names.run_prefix}part-0000-00000-a1.jsonl.gz"
    assert names.part_name(12, 345, 3) == f"{names.run_prefix}part-0012-00345-a3.jsonl.gz"
    assert names.manifest_name() == f"{names.run_prefix}_manifest.json"
    assert names.manifest_name(7) == f"{names.run_prefix}_manifest.p0007.json"
    assert names.schema_name == f"{names.run_prefix}_schema.bigquery.json"
    assert names.parts_prefix(12) == f"{names.run_prefix}part-0012-"
    assert names.part_name(12, 0, 1).startswith(names.parts_prefix(12))
    assert names.job_manifest_name.startswith("landing/oracle/sales/_jobs/scheduled__2024")
    assert names.job_manifest_name.endswith(".json")


def test_names_are_deterministic() -> None:
    assert layout().part_name(1, 2, 3) == layout().part_name(1, 2, 3)
    assert sanitize_run_id(RUN_ID) == sanitize_run_id(RUN_ID)


def test_empty_and_slashed_prefixes() -> None:
    assert layout("").part_name(0, 0, 1).startswith("sales/SALES_ORDER/run_id=")
    assert layout("/a/b/").run_prefix.startswith("a/b/sales/")
    assert job_manifest_name("", "t", "r1") == "t/_jobs/r1.json"


@pytest.mark.parametrize("prefix", ["a//b", "a/../b", "./a", "a/\nb", "a/\x7fb"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="prefix"):
        normalize_prefix(prefix)


def test_airflow_run_ids_become_safe_segments() -> None:
    for run_id in (
        RUN_ID,
        "scheduled__2024-05-01T00:00:00+00:00",
        "backfill__2024-05-01T00:00:00.123456+02:00",
        "asset_triggered__2024-05-01T00:00:00+00:00_AbCdEf12",
        "my run/with slash?and#hash",
        "dag_run: ünïcödé",
    ):
        segment = sanitize_run_id(run_id)
        assert SAFE.match(segment), segment
        assert len(segment) <= MAX_SEGMENT_CHARS


def test_readable_and_distinct() -> None:
    segment = sanitize_run_id(RUN_ID)
    assert segment.startswith("manual__2024-05-01T10-00-00-00-00-")
    # a run id that differs only in an escaped character still gets its own segment
    assert sanitize_run_id("a:b") != sanitize_run_id("a-b")
    assert sanitize_run_id("a:b") != sanitize_run_id("a+b")
    assert sanitize_run_id("a-b") == "a-b"  # safe ids are left alone


def test_safe_segment_edge_cases() -> None:
    assert safe_segment("SALES_ORDER") == "SALES_ORDER"
    assert safe_segment("DEMO.SALES") == "DEMO.SALES"
    assert SAFE.match(safe_segment("Mixed Case"))
    assert safe_segment("Mixed Case").startswith("Mixed-Case-")
    for reserved in (".", "..", "_jobs", "_manifest.json"):
        escaped = safe_segment(reserved)
        assert escaped not in {".", ".."}
        assert not escaped.startswith("_")
    long = "X" * 500
    assert len(safe_segment(long)) <= MAX_SEGMENT_CHARS
    assert safe_segment(long) != safe_segment(long + "Y")
    with pytest.raises(ValueError):
        safe_segment("")


def test_partition_of_parts_prefix() -> None:
    assert partition_of_parts_prefix(layout().parts_prefix(12)) == 12
    assert partition_of_parts_prefix(layout().parts_prefix()) == 0
    assert partition_of_parts_prefix(layout().run_prefix) is None
    assert partition_of_parts_prefix(layout().part_name(1, 0, 1)) is None


def test_parse_part_name_round_trips() -> None:
    names = layout()
    assert parse_part_name(names.part_name(3, 42, 7)) == PartName(3, 42, 7)
    assert parse_part_name("part-0000-00000-a1.jsonl.gz") == PartName(0, 0, 1)
    for other in (
        names.manifest_name(),
        names.manifest_name(3),
        names.schema_name,
        "x/part-0000-00000.jsonl.gz",
        "x/part-0000-00000-a0.jsonl.gz",
        "x/part-0000-00000-a1.jsonl.gz.tmp",
        "x/part-00-00000-a1.jsonl.gz",
    ):
        assert parse_part_name(other) is None, other


@pytest.mark.parametrize(
    ("partition", "part", "attempt"), [(-1, 0, 1), (10_000, 0, 1), (0, 100_000, 1), (0, 0, 0)]
)
def test_out_of_range_numbers(partition: int, part: int, attempt: int) -> None:
    with pytest.raises(ValueError):
        layout().part_name(partition, part, attempt)
