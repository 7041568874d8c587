"""The benchmarks' pure helpers: the side-by-side benchmark's medians, ratios, targets, the
Markdown table, the child's result line, the datasets' SQL, and the local-disk-bytes
measurement (against the kernel's own counters: a file written and synced must show); the
scale benchmarks' tables, transport files, run figures and same-run ratios."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import datasets, transport_parse, transport_scale
from benchmarks.cases import report
from benchmarks.cases.harness import (
    CaseSpec,
    disk_write_bytes,
    measure,
    parse_result,
    proc_io,
    result_line,
)
from benchmarks.cases.transport_parallel import TaskSampler, span_seconds, transport_yaml
from benchmarks.side_by_side import rotated


def _sample(case: str, rows: int, seconds: float, **extra: object) -> dict[str, object]:
    return {
        "dataset": extra.pop("dataset", "bench_1m"),
        "case": case,
        "rows": rows,
        "seconds": seconds,
        "cpu_s": extra.pop("cpu_s", seconds),
        "peak_rss_mb": extra.pop("peak_rss_mb", 200.0),
        "disk_write_bytes": extra.pop("disk_write_bytes", 0),
        "uploaded_bytes": extra.pop("uploaded_bytes", 1_000),
        **extra,
    }


def test_summary_takes_medians_and_the_largest_peak_rss() -> None:
    samples = [
        _sample("our_operator", 1000, 1.0, peak_rss_mb=210.0),
        _sample("our_operator", 1000, 4.0, peak_rss_mb=250.0),
        _sample("our_operator", 1000, 2.0, peak_rss_mb=230.0),
    ]
    (summary,) = report.summarize(samples)
    assert summary.runs == 3
    assert summary.rows_per_s == 500.0  # rates 1000, 250, 500
    assert summary.cpu_us_per_row == 2000.0
    assert summary.peak_rss_mb == 250.0


def test_failed_runs_are_left_out_and_a_case_without_runs_says_why() -> None:
    samples = [
        _sample("our_operator", 1000, 1.0),
        {"dataset": "bench_1m", "case": "our_operator", "error": "boom"},
        {"dataset": "bench_1m", "case": "dlt_source", "unsupported": "no ALL_MVIEW_COMMENTS"},
    ]
    ours, dlt = report.summarize(samples)
    assert (ours.runs, ours.rows_per_s, ours.note) == (1, 1000.0, "1 run(s) failed")
    assert dlt.runs == 0 and dlt.note == "unsupported: no ALL_MVIEW_COMMENTS"
    assert "unsupported: no ALL_MVIEW_COMMENTS" in report.markdown_table([ours, dlt])


def test_ratios_are_of_same_run_medians_and_none_when_a_side_is_missing() -> None:
    summaries = report.summarize(
        [
            _sample("fetch_only", 1000, 1.0),
            _sample("our_operator", 1000, 1.25),
            _sample("google_operator", 1000, 20.0),
        ]
    )
    found = report.ratios(summaries)["bench_1m"]
    assert found["ours / fetch-only"] == pytest.approx(0.8)
    assert found["ours / OracleToGCSOperator"] == pytest.approx(16.0)
    assert found["ours / dlt"] is None
    assert report.ratio(summaries, "wide", "our_operator", "fetch_only") is None


def test_targets_judge_ratios_memory_and_disk() -> None:
    samples = [
        _sample("fetch_only", 1000, 1.0),
        _sample("our_operator", 1000, 2.0, peak_rss_mb=240.0),
        _sample("fetch_only", 10_000, 10.0, dataset="bench_10m"),
        _sample("our_operator", 10_000, 11.0, dataset="bench_10m", peak_rss_mb=290.0),
        _sample("our_operator", 500, 1.0, dataset="lob", disk_write_bytes=4096),
    ]
    found = {t.name: t for t in report.targets(report.summarize(samples))}
    assert found["bench_1m: ours / fetch-only"].met is False  # 0.5
    assert found["bench_10m: ours / fetch-only"].met is True  # 0.91
    assert found["bench_10m: ours / dlt"].met is None  # not measured
    assert found["bench_10m: our peak RSS MB"].met is True
    assert found["peak RSS 10M / 1M (flat)"].value == pytest.approx(290 / 240)
    assert found["peak RSS 10M / 1M (flat)"].met is False
    assert found["our local disk bytes (any dataset)"].value == 4096
    assert found["our local disk bytes (any dataset)"].met is False


def test_markdown_table_has_a_row_per_case_with_formatted_figures() -> None:
    summaries = report.summarize(
        [
            _sample(
                "fetch_only", 1_000_000, 2.0, cpu_s=1.5, uploaded_bytes=25_000_000,
                oracle_emulator_cpu_s=0.25,
            )
        ]
    )  # fmt: skip
    lines = report.markdown_table(summaries).splitlines()
    assert len(lines) == 3
    assert lines[2] == (
        "| bench_1m | (a) fetch only (driver, arraysize 10,000) | 1,000,000 | 500,000 | 1.50 "
        "| 200 | 0.0 | 25.0 | 0.25 | 1 |"
    )
    assert "| bench_1m | 0.80 |" in report.markdown_ratios({"bench_1m": {"ours / fetch-only": 0.8}})


def test_a_result_line_survives_other_output_on_stdout() -> None:
    stdout = f"dlt says hello\n{result_line({'rows': 3})}\nmore chatter\n"
    assert parse_result(stdout) == {"rows": 3}
    assert parse_result("Traceback ...\n") is None


def test_case_spec_round_trips_through_json() -> None:
    spec = CaseSpec(
        dataset="wide", table="WIDE_ROWS", owner="DEMO", rows=10, host="127.0.0.1", port=1521,
        service_name="FREEPDB1", user="demo", password="demo", bucket="b", prefix="p",
        gcs_url="http://127.0.0.1:1", run_id="r", work_dir="/tmp/w",
    )  # fmt: skip
    assert CaseSpec.from_json(spec.to_json()) == spec
    assert spec.dsn == "127.0.0.1:1521/FREEPDB1"


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/PID/io")
def test_disk_write_bytes_counts_a_file_written_to_local_disk(tmp_path: Path) -> None:
    size = 4 * 1024 * 1024

    def work() -> int:
        with open(tmp_path / "blob", "wb") as handle:
            handle.write(os.urandom(size))
            handle.flush()
            os.fsync(handle.fileno())
        return 7

    before = disk_write_bytes()
    measured = measure(work)
    assert measured.rows == 7
    assert measured.disk_write_bytes >= size
    assert disk_write_bytes() - before >= size
    assert proc_io()["write_bytes"] >= measured.disk_write_bytes
    assert measured.peak_rss_mb > 0 and measured.seconds >= 0


def test_cases_rotate_so_none_always_runs_first() -> None:
    cases = ["a", "b", "c"]
    assert [rotated(cases, r)[0] for r in range(4)] == ["a", "b", "c", "a"]
    assert sorted(rotated(cases, 2)) == cases


def test_datasets_scale_and_cap_the_copies() -> None:
    full = datasets.all_datasets()
    assert full["bench_10m"].rows == 10_000_000
    assert full["bench_10m"].copy_rows == datasets.COPY_ROWS_CAP
    assert full["wide"].copy_rows == full["wide"].rows == 200_000
    quick = datasets.all_datasets(scale=0.01, copy_share=0.5)
    assert quick["bench_1m"].rows == 10_000 and quick["bench_1m"].copy_rows == 5_000
    assert quick["lob"].copies == ("LOB_ROWS_1", "LOB_ROWS_2", "LOB_ROWS_3", "LOB_ROWS_4")


def test_the_wide_table_has_100_columns_of_mixed_types() -> None:
    create, insert = datasets.wide_table_sql()
    columns = datasets.wide_columns()
    assert len(columns) + 1 == 100  # and ID
    assert {oracle_type for _, oracle_type, _ in columns} == {t for t, _ in datasets.WIDE_KINDS}
    assert insert.count(",") >= 99 and "FROM BENCH_ROWS" in insert
    assert create.startswith("CREATE TABLE WIDE_ROWS (") and "C99 VARCHAR2(10)," in create


def test_the_transport_file_lists_four_tables_in_parallel() -> None:
    text = transport_yaml("side_by_side_x", "bench", ["DEMO.T_1", "DEMO.T_2"])
    assert "parallel_tables: 4\n" in text and "  - DEMO.T_2\n" in text
    assert "oracle_conn_id: bench_oracle" in text


def test_span_runs_from_the_first_start_to_the_last_end() -> None:
    tis = [
        {"start_date": "2026-01-01T00:00:01Z", "end_date": "2026-01-01T00:00:05Z"},
        {"start_date": "2026-01-01T00:00:02.5Z", "end_date": "2026-01-01T00:00:09Z"},
    ]
    assert span_seconds(tis) == 8.0


def test_the_sampler_finds_a_task_process_by_its_title() -> None:
    """A task process starts with its executor worker's title (it is forked from it) and then
    sets its own, ``airflow worker -- <ti id>``: the sampler must know it by the latter."""
    script = (
        "import sys, time, setproctitle\n"
        "setproctitle.setproctitle('airflow worker -- LocalExecutor: extract')\n"
        "print('forked', flush=True); sys.stdin.readline()\n"
        "setproctitle.setproctitle('airflow worker -- ti-1234')\n"
        "print('started', flush=True); time.sleep(30)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline() == b"forked\n"
        sampler = TaskSampler()
        sampler.sample()
        assert child.pid not in sampler.seen  # an executor worker is not a task
        child.stdin.write(b"go\n")
        child.stdin.flush()
        assert child.stdout.readline() == b"started\n"
        sampler.sample()
        (task,) = sampler.for_tasks({"ti-1234"})
        assert task.hwm_mb > 1
    finally:
        child.kill()
        child.wait()


def test_a_childs_peak_rss_is_its_own_not_its_parents() -> None:
    # the parent holds 300 MB when it starts the child; Linux carries ru_maxrss over fork and
    # exec, the child's own high-water mark is what the benchmark must report
    parent = (
        "import subprocess, sys\n"
        "held = bytearray(300 * 2**20)\n"
        "for i in range(0, len(held), 4096): held[i] = 1\n"
        "child = 'from benchmarks.cases.harness import peak_rss_mb; print(peak_rss_mb())'\n"
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True, text=True,"
        " check=True).stdout)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", parent], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    child_peak = float(done.stdout.strip())
    assert 5 < child_peak < 150, child_peak


# --- transport_scale / transport_parse: the scale benchmarks' pure parts ----------------------


def test_rows_spread_evenly_over_the_tables_and_add_up() -> None:
    assert transport_scale.split_rows(80_000, 40) == [2_000] * 40
    assert transport_scale.split_rows(10, 4) == [3, 3, 2, 2]
    assert sum(transport_scale.split_rows(80_000, 400)) == 80_000
    with pytest.raises(ValueError, match="3 rows over 4 tables"):
        transport_scale.split_rows(3, 4)


def test_the_case_tables_cut_the_source_into_disjoint_consecutive_ranges() -> None:
    statements = transport_scale.table_sql(3, 10)
    creates = [sql for kind, sql in statements if kind == "create"]
    keys = [sql for kind, sql in statements if kind == "key"]
    assert creates == [
        "CREATE TABLE S0003_0000 AS SELECT * FROM BENCH_ROWS WHERE ID > 0 AND ID <= 4",
        "CREATE TABLE S0003_0001 AS SELECT * FROM BENCH_ROWS WHERE ID > 4 AND ID <= 7",
        "CREATE TABLE S0003_0002 AS SELECT * FROM BENCH_ROWS WHERE ID > 7 AND ID <= 10",
    ]
    assert keys[2] == "ALTER TABLE S0003_0002 ADD CONSTRAINT S0003_0002_PK PRIMARY KEY (ID)"


def test_the_scale_transport_files_load_and_say_unpacked_only_when_the_model_can() -> None:
    from airflow_oracle_etl.transports import parse_transport

    common = dict(bucket="scale", oracle_conn_id="o", gcp_conn_id="g", parallel_tables=4)
    unpacked = transport_scale.Case(40, "unpacked")
    today = transport_scale.transport_yaml(unpacked, packing_field=False, **common)
    transport = parse_transport(today, source="scale.yaml")
    assert transport.id == "scale_40_unpacked" and transport.parallel_tables == 4
    assert [t.label for t in transport.tables_normalized()][::39] == [
        "DEMO.S0040_0000",
        "DEMO.S0040_0039",
    ]
    assert "packing" not in today
    asked = transport_scale.transport_yaml(unpacked, packing_field=True, **common)
    assert not parse_transport(asked, source="scale.yaml").packing.enabled
    packed = transport_scale.Case(40, "packed")
    assert "packing" not in transport_scale.transport_yaml(packed, packing_field=True, **common)
    two = transport_scale.transport_yaml(packed, packing_field=True, reads_at_once=2, **common)
    assert parse_transport(two, source="scale.yaml").packing.reads_at_once == 2
    unpacked_two = transport_scale.transport_yaml(
        unpacked, packing_field=True, reads_at_once=2, **common
    )
    assert not parse_transport(unpacked_two, source="scale.yaml").packing.enabled


def test_run_figures_come_from_the_run_and_task_records() -> None:
    run = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:30Z"}
    tis = [
        {"task_id": "plan", "start_date": "2026-01-01T00:00:01Z",
         "end_date": "2026-01-01T00:00:03Z"},
        {"task_id": "extract", "start_date": "2026-01-01T00:00:05Z",
         "end_date": "2026-01-01T00:00:20Z"},
        {"task_id": "extract", "start_date": "2026-01-01T00:00:04Z",
         "end_date": "2026-01-01T00:00:25Z"},
        {"task_id": "finalize", "start_date": "2026-01-01T00:00:26Z",
         "end_date": "2026-01-01T00:00:29.5Z"},
    ]  # fmt: skip
    assert transport_scale.run_figures(run, tis) == {
        "wall_s": 30.0,
        "plan_s": 2.0,
        "extract_span_s": 21.0,
        "extract_tasks": 2,
        "extract_task_median_s": 18.0,
        "finalize_s": 3.5,
        "after_finalize_s": 0.5,
    }


def _scale_sample(tables: int, mode: str, wall: float, **extra: object) -> dict[str, object]:
    return {"dag_id": f"scale_{tables}_{mode}", "tables": tables, "mode": mode,
            "wall_s": wall, "extract_tasks": tables, **extra}  # fmt: skip


def test_scale_ratios_are_to_the_one_table_job_of_the_same_mode_and_judged() -> None:
    cases = [transport_scale.Case(n, m) for n in (1, 40, 400) for m in ("packed", "unpacked")]
    samples = [
        _scale_sample(1, "unpacked", 10.0),
        _scale_sample(1, "unpacked", 14.0),
        _scale_sample(1, "unpacked", 12.0),
        _scale_sample(40, "unpacked", 120.0),
        _scale_sample(40, "unpacked", 1.0, error="run ended failed"),
        _scale_sample(400, "unpacked", 600.0),
        _scale_sample(40, "packed", 14.0),
        _scale_sample(400, "packed", 30.0),
        {"dag_id": "scale_1_packed", "tables": 1, "mode": "packed", "unavailable": "no packing"},
    ]
    by_case = {(r.case.tables, r.case.mode): r for r in transport_scale.summarize(cases, samples)}
    assert by_case[(1, "unpacked")].wall_s == 12.0 and by_case[(1, "unpacked")].runs == 3
    assert by_case[(40, "unpacked")].runs == 1
    assert by_case[(40, "unpacked")].ratio == 10.0
    assert by_case[(40, "unpacked")].verdict == "not met"
    # no packed one-table run: the unpacked one is the baseline
    assert by_case[(40, "packed")].ratio == pytest.approx(14.0 / 12.0)
    assert by_case[(40, "packed")].verdict == "met"
    assert by_case[(400, "packed")].goal == 3.0 and by_case[(400, "packed")].verdict == "met"
    assert by_case[(40, "unpacked")].per_extra_table_ms == pytest.approx(1000 * 108.0 / 39)
    assert by_case[(1, "unpacked")].per_extra_table_ms is None
    assert by_case[(1, "packed")].runs == 0 and by_case[(1, "packed")].notes == ["no packing"]
    table = transport_scale.markdown(list(by_case.values()), 80_000)
    assert "| 40 | 2,000 | unpacked | 40 | 1 | 120.0 |" in table
    assert "| 10.00 | 2769 | <= 1.5x: not met |" in table
    assert "| 1 | 80,000 | packed | - | 0 | - |" in table and "no packing |" in table


def test_the_parse_benchmarks_transports_load_with_the_projects_loader(tmp_path: Path) -> None:
    from airflow_oracle_etl.transports.loading import load_transports

    loader = transport_parse.write_dags_folder(tmp_path / "dags", 3, 5)
    assert loader.read_text() == transport_parse.LOADER_DAG.read_text()
    transports, errors = load_transports(loader.parent / "transports")
    assert not errors
    assert sorted(t.id for t in transports) == ["parse_000", "parse_001", "parse_002"]
    tables = transports[0].tables_normalized()
    assert len(tables) == 5 and tables[0].partitions == 4
    assert tables[1].incremental is not None and tables[2].incremental is None


def test_the_plan_benchmarks_transport_lists_every_table_or_one_selector() -> None:
    from airflow_oracle_etl.transports import parse_transport

    names = transport_parse.plan_table_names(3)
    assert names == ["P0003_0000", "P0003_0001", "P0003_0002"]
    listed = parse_transport(transport_parse.plan_transport_yaml("p", names, False))
    assert [t.label for t in listed.tables_normalized()] == [f"DEMO.{n}" for n in names]
    selector = transport_parse.plan_transport_yaml("p", names, True)
    assert selector.endswith("tables:\n  - {schema: DEMO, include: ['P0003_*']}\n")
    resolved = parse_transport(selector).selectors()
    assert [s.describe() for s in resolved] == ["tables[0] (schema DEMO, include P0003_*)"]
    unpacked = parse_transport(transport_parse.plan_transport_yaml("p", names, False, True))
    assert not unpacked.packing.enabled and parse_transport(selector).packing.enabled
    assert transport_parse.plan_table_sql(1, 10) == [
        "CREATE TABLE P0001_0000 AS SELECT * FROM BENCH_ROWS WHERE ID <= 10",
        "ALTER TABLE P0001_0000 ADD CONSTRAINT P0001_0000_PK PRIMARY KEY (ID)",
    ]
