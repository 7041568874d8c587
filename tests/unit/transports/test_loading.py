"""Reading files: YAML errors with positions, whole-file problems, and directories of files."""

from __future__ import annotations

from pathlib import Path

import pytest

from airflow_oracle_etl.transports import (
    TransportError,
    load_transport,
    load_transports,
    parse_transport,
    transport_from_data,
)
from airflow_oracle_etl.transports.loading import MAX_FILE_BYTES, MAX_VALUES
from tests.unit.transports.support import SOURCE, error_lines, transport_yaml

VALID = "id: {id}\ndestination: {{bucket: my-bucket}}\ntables: [SALES_ORDER]\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "id: t\ntables: [A\n",
            "line 3, column 1: invalid YAML: expected ',' or ']', but got '<stream end>' (while "
            "parsing a flow sequence started at line 2, column 9)",
        ),
        (
            "id: t\n  tables: [A]\n",
            "line 2, column 9: invalid YAML: mapping values are not allowed here",
        ),
        (
            "id: t\ndestination:\n\tbucket: b\n",
            "line 3, column 1: invalid YAML: found character '\\t' that cannot start any token "
            "(while scanning for the next token)",
        ),
        (
            'id: "t\n',
            "line 2, column 1: invalid YAML: found unexpected end of stream (while scanning a "
            "quoted scalar started at line 1, column 5)",
        ),
        (
            "id: t\ntables: [A]\nid: u\n",
            "line 3, column 1: invalid YAML: duplicate key 'id' (first at line 1, column 1)",
        ),
        (
            "id: t\ntables:\n  - table: A\n    partitions: 2\n    partitions: 3\n",
            "line 5, column 5: invalid YAML: duplicate key 'partitions' (first at line 4, "
            "column 5)",
        ),
        (
            "id: t\nstart_date: 2024-13-01\n",
            "line 2, column 13: invalid YAML: '2024-13-01' is not a valid date: month must be "
            "in 1..12",
        ),
        (
            "id: t\nx: !!python/object/apply:os.system [echo hi]\n",
            "line 2, column 4: invalid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
    ],
)
def test_yaml_errors_name_file_line_and_column(text: str, message: str) -> None:
    assert error_lines(text) == [f"{SOURCE}: {message}"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty; expected a mapping of transport fields"),
        ("# only a comment\n", "the file is empty; expected a mapping of transport fields"),
        ("- id: t\n", "expected a mapping of transport fields, got a list"),
        ("just text\n", "expected a mapping of transport fields, got text ('just text')"),
    ],
)
def test_a_file_that_is_no_mapping(text: str, message: str) -> None:
    assert error_lines(text) == [f"{SOURCE}: {message}"]


def test_merge_keys_may_override_what_they_merge() -> None:
    text = (
        "id: t\ndestination: {bucket: my-bucket}\ndefaults: &big {partitions: 4, trim_char: true}\n"
    )
    # `defaults` is not a field: anchors live in the tables themselves instead
    assert error_lines(text + "tables: [A]\n")[0].startswith(f"{SOURCE}: defaults: unknown field")
    text = (
        "id: t\ndestination: {bucket: my-bucket}\ntables:\n"
        "  - &big {table: A, partitions: 4, trim_char: true}\n"
        "  - {<<: *big, table: B, partitions: 2}\n"
    )
    first, second = parse_transport(text).tables_normalized()
    assert (second.name, second.partitions, second.trim_char) == ("B", 2, True)
    assert (first.name, first.partitions) == ("A", 4)


def test_an_alias_bomb_is_refused() -> None:
    lines = ["id: t", "destination: {bucket: my-bucket}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    lines.append("tables: *a6")
    assert error_lines("\n".join(lines) + "\n") == [
        f"{SOURCE}: the file holds more than {MAX_VALUES} values"
    ]


def test_transport_from_data_validates_like_a_file() -> None:
    with pytest.raises(TransportError) as caught:
        transport_from_data({"id": "t", "tables": ["A"], "destination": {"bucket": "ab"}})
    assert str(caught.value) == (
        "<data>: destination.bucket: a bucket name has 3 to 63 characters (up to 222 with "
        "dots), got 2: 'ab'"
    )
    assert caught.value.fields == ("destination.bucket",)


def test_load_transport_names_the_file_as_given(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", transport_yaml(parallel_tables=0))
    with pytest.raises(TransportError) as caught:
        load_transport(path)
    assert str(caught.value) == f"{path}: parallel_tables: must be between 1 and 64, got 0"
    assert caught.value.file == str(path)


def test_load_transport_records_its_source(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml", VALID.format(id="ok"))
    assert load_transport(path).source == str(path)


def test_unreadable_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(TransportError, match=r"missing\.yaml: cannot read the file: No such file"):
        load_transport(missing)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: \xff\xfe\n")
    with pytest.raises(TransportError) as caught:
        load_transport(binary)
    assert str(caught.value) == f"{binary}: the file is not UTF-8 text: invalid start byte"
    huge = tmp_path / "huge.yaml"
    huge.write_text("#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(TransportError) as caught:
        load_transport(huge)
    assert str(caught.value) == (
        f"{huge}: the file is {MAX_FILE_BYTES + 1} bytes; at most {MAX_FILE_BYTES}"
    )


def test_load_transports_sorts_files_and_keeps_errors_per_file(tmp_path: Path) -> None:
    write(tmp_path, "c.yaml", VALID.format(id="gamma"))
    write(tmp_path, "a.yml", VALID.format(id="alpha"))
    write(tmp_path, "b.yaml", "id: beta\ntables: [A\n")
    write(tmp_path, "d.yaml", transport_yaml(id="delta", retries=-1))
    write(tmp_path, ".hidden.yaml", "not: [valid")
    write(tmp_path, "notes.txt", "not a transport")
    (tmp_path / "sub.yaml").mkdir()
    transports, errors = load_transports(tmp_path)
    assert [t.id for t in transports] == ["alpha", "gamma"]
    assert [t.source for t in transports] == [str(tmp_path / "a.yml"), str(tmp_path / "c.yaml")]
    assert list(errors) == [tmp_path / "b.yaml", tmp_path / "d.yaml"]
    assert str(errors[tmp_path / "b.yaml"]).startswith(f"{tmp_path / 'b.yaml'}: line 3, column 1:")
    assert str(errors[tmp_path / "d.yaml"]) == (
        f"{tmp_path / 'd.yaml'}: retries: must be between 0 and 100, got -1"
    )


def test_a_duplicate_id_is_an_error_of_the_later_file(tmp_path: Path) -> None:
    first = write(tmp_path, "a_first.yaml", VALID.format(id="sales"))
    write(tmp_path, "b_other.yaml", VALID.format(id="other"))
    second = write(tmp_path, "c_second.yaml", VALID.format(id="sales"))
    transports, errors = load_transports(tmp_path)
    assert [(t.id, t.source) for t in transports] == [
        ("sales", str(first)),
        ("other", str(tmp_path / "b_other.yaml")),
    ]
    assert list(errors) == [second]
    assert str(errors[second]) == f"{second}: id: 'sales' is already the id of {first}"
    assert errors[second].fields == ("id",)


def test_an_invalid_file_does_not_claim_its_id(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", transport_yaml(id="sales", retries=-1))
    write(tmp_path, "b.yaml", VALID.format(id="sales"))
    transports, errors = load_transports(tmp_path)
    assert [t.source for t in transports] == [str(tmp_path / "b.yaml")]
    assert list(errors) == [tmp_path / "a.yaml"]


def test_an_empty_directory_and_a_missing_one(tmp_path: Path) -> None:
    assert load_transports(tmp_path) == ([], {})
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_transports(tmp_path / "nowhere")


def test_an_unexpected_failure_stays_with_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow_oracle_etl.transports import loading

    real = loading.transport_problems

    def flaky(transport):  # type: ignore[no-untyped-def]
        if transport.id == "broken":
            raise RuntimeError("boom")
        return real(transport)

    monkeypatch.setattr(loading, "transport_problems", flaky)
    write(tmp_path, "a.yaml", VALID.format(id="broken"))
    write(tmp_path, "b.yaml", VALID.format(id="fine"))
    transports, errors = load_transports(tmp_path)
    assert [t.id for t in transports] == ["fine"]
    assert str(errors[tmp_path / "a.yaml"]) == (
        f"{tmp_path / 'a.yaml'}: unexpected RuntimeError while loading: boom"
    )
