"""``oracle-etl-transports check``: the verdict the DAG file would reach, before deploying."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import yaml

from airflow_oracle_etl.transports.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main

VALID = {"id": "good_one", "tables": ["SALES_ORDER"], "destination": {"bucket": "my-bucket"}}


def _write(folder: Path, name: str, data: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _check(*paths: Path) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["check", *map(str, paths)], out=out)
    return status, out.getvalue()


def test_a_folder_of_valid_files_passes(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", VALID)
    status, out = _check(tmp_path)
    assert status == EXIT_OK
    assert out == f"ok {good} -> good_one\n  table SALES_ORDER\n"


def test_a_broken_file_fails_naming_file_and_field_while_others_pass(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", VALID)
    bad = _write(tmp_path, "bad.yaml", {**VALID, "id": "bad_one", "parallel_tables": 0})
    status, out = _check(tmp_path)
    assert status == EXIT_INVALID
    lines = out.splitlines()
    assert f"ok {good} -> good_one" in lines
    assert any(line.startswith(f"{bad}: parallel_tables: ") for line in lines), lines


def test_one_file_is_checked_alone(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", VALID)
    _write(tmp_path, "bad.yaml", "id: [unclosed\n")
    assert _check(good) == (EXIT_OK, f"ok {good} -> good_one\n  table SALES_ORDER\n")
    status, out = _check(tmp_path / "bad.yaml")
    assert status == EXIT_INVALID
    assert out.startswith(f"{tmp_path / 'bad.yaml'}: ")
    assert "good_one" not in out


def test_selectors_are_listed_as_written_with_the_explicit_tables_in_file_order(
    tmp_path: Path,
) -> None:
    tables = [
        "DEMO.CUSTOMER",
        {"schema": "sales", "include": ["order*", "cust?"], "exclude": ["*_TMP"]},
        {"table": "SALES.ORDER_LINE", "partitions": 4},
        {"schema": "HR", "include_views": True},
    ]
    good = _write(tmp_path, "good.yaml", {**VALID, "tables": tables})
    status, out = _check(good)
    assert status == EXIT_OK, out
    assert out.splitlines() == [
        f"ok {good} -> good_one",
        "  table DEMO.CUSTOMER",
        "  selector tables[1] (schema SALES, include ORDER* CUST?, exclude *_TMP)",
        "  table SALES.ORDER_LINE",
        "  selector tables[3] (schema HR, include *, include_views)",
    ]


def test_bad_selectors_are_reported_all_at_once_naming_each_field(tmp_path: Path) -> None:
    tables = [
        {"schema": "SALES", "include": ["ORDER-*", "OK*"], "exclude": ["[A"]},
        "T",
        {"schema": "two words", "include": []},
    ]
    bad = _write(tmp_path, "bad.yaml", {**VALID, "tables": tables})
    status, out = _check(bad)
    assert status == EXIT_INVALID
    fields = [line.removeprefix(f"{bad}: ").split(": ")[0] for line in out.splitlines()]
    assert fields == [
        "tables[0].include[0]",
        "tables[0].exclude[0]",
        "tables[2].schema",
        "tables[2].include",
    ]
    assert "'-' cannot be part of an unquoted name" in out


def test_a_duplicate_id_is_reported_against_the_later_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", VALID)
    later = _write(tmp_path, "b.yaml", VALID)
    status, out = _check(tmp_path)
    assert status == EXIT_INVALID
    assert f"{later}: id: 'good_one' is already the id of" in out


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    status, out = _check(tmp_path / "nowhere")
    assert status == EXIT_USAGE
    assert "no such file or directory" in out


def test_the_console_script_runs_the_repository_transports() -> None:
    transports = Path(__file__).resolve().parents[3] / "dags" / "transports"
    script = Path(sys.executable).with_name("oracle-etl-transports")
    result = subprocess.run([script, "check", transports], capture_output=True, text=True)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "-> daily_sales" in result.stdout
