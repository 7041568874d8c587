"""The transports folder as the REST API handles it, on a temporary folder: listing valid and
broken files, creating a file that round-trips and never replaces one, deleting by id, and
the JSON shapes (a transport, a problem's ``loc``)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_oracle_etl.plugin import transport_files
from airflow_oracle_etl.transports import TransportError, load_transport


def _data(transport_id: str = "t1", **fields: Any) -> dict[str, Any]:
    """A valid transport as a client would POST it (JSON-shaped)."""
    return {
        "id": transport_id,
        "tables": ["CUSTOMER"],
        "destination": {"bucket": "my-bucket"},
        **fields,
    }


def _create(folder: Path, data: dict[str, Any], header: str = "") -> Any:
    transport = transport_files.validate_new(folder, data)
    return transport_files.write_transport_file(folder, transport, data, header)


def test_lists_valid_transports_and_broken_files_with_their_problems(tmp_path: Path) -> None:
    _create(tmp_path, _data("good"))
    (tmp_path / "broken.yaml").write_text(
        "id: broken\ntables: [{table: CUSTOMER, partitions: 0}]\ndestination: {bucket: b-1}\n"
    )
    (tmp_path / "syntax.yml").write_text("id: [unclosed\n")
    (tmp_path / ".hidden.yaml").write_text("not: a transport\n")
    (tmp_path / "notes.txt").write_text("ignored\n")

    listing = transport_files.list_folder(tmp_path)

    assert [t.id for t in listing.transports] == ["good"]
    assert listing.find("good") is not None and listing.find("broken") is None
    problems = {f.path.name: f.problems for f in listing.invalid}
    assert set(problems) == {"broken.yaml", "syntax.yml"}
    assert [p.field for p in problems["broken.yaml"]] == ["tables[0].partitions"]
    assert "between 1 and" in problems["broken.yaml"][0].reason
    assert problems["syntax.yml"][0].field == ""
    assert "invalid YAML" in problems["syntax.yml"][0].reason


def test_a_missing_folder_lists_nothing(tmp_path: Path) -> None:
    listing = transport_files.list_folder(tmp_path / "absent")
    assert listing.transports == [] and listing.invalid == []


def test_a_created_file_reads_back_as_the_same_transport_with_keys_in_model_order(
    tmp_path: Path,
) -> None:
    data = {
        "tables": [{"partitions": 2, "table": "DEMO.CUSTOMER"}],
        "destination": {"prefix": "x", "bucket": "my-bucket"},
        "parts": {"max_bytes": "64MiB"},
        "id": "ordered",
        "name": "Ordered",
    }
    written = _create(tmp_path, data, header="written by a test\nsecond line")

    path = tmp_path / "ordered.yaml"
    assert written.source == str(path)
    assert load_transport(path) == written
    text = path.read_text()
    assert text.startswith("# written by a test\n# second line\nid: ordered\nname: Ordered\n")
    loaded = yaml.safe_load(text)
    assert list(loaded) == ["id", "name", "tables", "destination", "parts"]
    assert list(loaded["destination"]) == ["bucket", "prefix"]
    assert list(loaded["tables"][0]) == ["table", "partitions"]
    assert written.parts.max_bytes == 64 * 2**20
    assert [p.name for p in tmp_path.iterdir()] == ["ordered.yaml"]  # no staging file left


@pytest.mark.parametrize("existing", ["taken.yaml", "taken.yml"])
def test_creating_never_replaces_a_file_of_that_id_even_a_broken_one(
    tmp_path: Path, existing: str
) -> None:
    (tmp_path / existing).write_text("broken: [\n")
    assert transport_files.claimed_files(tmp_path, "taken") == [tmp_path / existing]
    transport = transport_files.validate_new(tmp_path, _data("taken"))

    with pytest.raises(FileExistsError, match=existing):
        transport_files.write_transport_file(tmp_path, transport, _data("taken"))

    assert (tmp_path / existing).read_text() == "broken: [\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]


def test_of_two_concurrent_creations_of_one_id_exactly_one_wins(tmp_path: Path) -> None:
    transport = transport_files.validate_new(tmp_path, _data("race"))
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def create() -> None:
        barrier.wait()
        try:
            transport_files.write_transport_file(tmp_path, transport, _data("race"))
            outcomes.append("created")
        except FileExistsError:
            outcomes.append("exists")

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] + ["exists"] * 7
    assert [p.name for p in tmp_path.iterdir()] == ["race.yaml"]


def test_validation_reports_every_problem_and_refuses_secrets(tmp_path: Path) -> None:
    data = _data("bad", password="hunter2", tables=[{"table": "CUSTOMER", "partitions": 0}])
    with pytest.raises(TransportError) as caught:
        transport_files.validate_new(tmp_path, data)
    problems = dict(caught.value.problems)
    assert set(problems) == {"password", "tables[0].partitions"}
    assert "no secrets" in problems["password"]
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("bad_id", ["../escape", "UPPER", None, 7])
def test_an_unsafe_id_is_a_problem_and_never_part_of_a_path(tmp_path: Path, bad_id: Any) -> None:
    with pytest.raises(TransportError) as caught:
        transport_files.validate_new(tmp_path, _data(bad_id))
    assert "id" in caught.value.fields
    assert caught.value.file == str(tmp_path / "new transport")
    assert transport_files.claimed_files(tmp_path, str(bad_id)) == []


def test_delete_removes_the_transport_file_or_a_broken_file_named_after_the_id(
    tmp_path: Path,
) -> None:
    _create(tmp_path, _data("keep"))
    (tmp_path / "other_name.yaml").write_text(yaml.safe_dump(_data("by_content")))
    (tmp_path / "broken.yml").write_text("id: broken\n")

    assert transport_files.delete_transport(tmp_path, "by_content") == tmp_path / "other_name.yaml"
    assert transport_files.delete_transport(tmp_path, "broken") == tmp_path / "broken.yml"
    with pytest.raises(FileNotFoundError):
        transport_files.delete_transport(tmp_path, "by_content")
    assert [p.name for p in tmp_path.iterdir()] == ["keep.yaml"]


def test_describe_gives_every_field_with_tables_normalized(tmp_path: Path) -> None:
    data = _data(
        "shown",
        tables=["demo.customer", {"table": "SALES_ORDER", "incremental": {"column": "updated_at"}}],
        tags=["a"],
    )
    described = transport_files.describe(_create(tmp_path, data))

    assert described["id"] == "shown" and described["display_name"] == "shown"
    assert described["file"] == "shown.yaml"
    destination = {"bucket": "my-bucket", "prefix": "", "gcp_conn_id": "google_cloud_default"}
    assert described["destination"] == destination
    assert described["start_date"] == "2024-01-01"
    assert described["tags"] == ["a"] and described["schedule"] is None
    first, second = described["tables"]
    assert (first["table"], first["owner"], first["name"]) == ("DEMO.CUSTOMER", "DEMO", "CUSTOMER")
    assert first["partition_strategy"] == "hash" and first["incremental"] is None
    assert second["incremental"] == {"column": "UPDATED_AT", "initial": None}
    assert "source" not in described


@pytest.mark.parametrize(
    ("field", "loc"),
    [
        ("", []),
        ("id", ["id"]),
        ("tables[2].partitions", ["tables", 2, "partitions"]),
        ("tables[0]", ["tables", 0]),
        ("destination.bucket", ["destination", "bucket"]),
    ],
)
def test_problem_loc_splits_field_paths(field: str, loc: list[str | int]) -> None:
    assert transport_files.problem_loc(field) == loc
