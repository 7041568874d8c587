"""Reading transport files: YAML -> checked mapping -> typed :class:`~.model.Transport`.

Steps, each turning its failures into :class:`~.errors.TransportError` problems:

1. read the file (at most :data:`MAX_FILE_BYTES`) and parse it with PyYAML's safe loader,
   extended only to refuse duplicate keys (plain ``safe_load`` keeps the last one silently);
   a syntax error names its line and column;
2. walk the data against the model: unknown fields are reported, all of them, each with a
   "did you mean" when close to a known one (and a reminder that secrets belong in
   connections when the name looks like one), and then dropped; YAML dates become ISO text;
3. ``msgspec.convert`` checks the types (stopping at the first wrong one; a ``tables:``
   entry is converted on its own, to a table or a schema selector by the key it holds, so
   each entry reports its first wrong type);
4. :func:`~.checks.transport_problems` applies every other rule, collecting all problems.

Problems of steps 2-4 are reported together.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from functools import cache
from os import PathLike
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from airflow_oracle_etl.transports.checks import did_you_mean, transport_problems
from airflow_oracle_etl.transports.errors import Problem, TransportError
from airflow_oracle_etl.transports.model import (
    BYTES_UNIT,
    SchemaSelector,
    TableOptions,
    Transport,
    parse_byte_size,
)

__all__ = [
    "MAX_FILE_BYTES",
    "TRANSPORT_SUFFIXES",
    "decode_transport",
    "entry_type",
    "is_table_entry",
    "load_transport",
    "load_transports",
    "member_type",
    "parse_transport",
    "struct_info",
    "transport_from_data",
    "transport_type_info",
]

log = logging.getLogger(__name__)

TRANSPORT_SUFFIXES = (".yaml", ".yml")
#: a transport is a page of configuration; anything bigger is a mistake
MAX_FILE_BYTES = 1024 * 1024
#: values in one file after YAML aliases are expanded (guards against alias bombs)
MAX_VALUES = 100_000
#: fields of the model that a file may not set
_NOT_FROM_FILE = frozenset({"source"})
#: field names that suggest a credential: never a transport field
_SECRET_LIKE = re.compile(r"pass|pwd|secret|token|credential|private|key", re.IGNORECASE)
_MSGSPEC_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_MSGSPEC_EXPECTED = re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$")
_MSGSPEC_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`$")
_MSGSPEC_BAD_DATE = "Invalid RFC3339 encoded date"
_PATH_TOKEN = re.compile(r"\.?(?P<key>[^.\[\]]+)|\[(?P<index>\d+)\]")
#: marks the ``tables:`` items in the model the loader walks (see :func:`entry_type`)
TABLE_ENTRY = "table_entry"
#: fields of a schema selector that no table entry has
_SELECTOR_ONLY = frozenset(SchemaSelector.__struct_fields__) - set(TableOptions.__struct_fields__)
_TYPE_WORDS = {
    "str": "text",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
    "date": "a date (YYYY-MM-DD)",
}


def load_transport(path: str | PathLike[str]) -> Transport:
    """The validated transport in ``path``; TransportError naming the file if it is not one."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _file_error(file, f"the file is {size} bytes; at most {MAX_FILE_BYTES}")
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise _file_error(file, f"cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise _file_error(file, f"the file is not UTF-8 text: {error.reason}") from None
    return parse_transport(text, source=str(path))


def parse_transport(text: str, *, source: str = "<string>") -> Transport:
    """The validated transport in YAML ``text``; ``source`` names it in errors."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        raise _file_error(source, _yaml_reason(error)) from None
    except RecursionError:
        raise _file_error(source, "invalid YAML: nested too deeply") from None
    return transport_from_data(data, source=source)


def transport_from_data(data: object, *, source: str = "<data>") -> Transport:
    """The validated transport in already-parsed data (YAML or JSON shaped)."""
    if data is None:
        raise _file_error(source, "the file is empty; expected a mapping of transport fields")
    if not isinstance(data, dict):
        raise _file_error(
            source, f"expected a mapping of transport fields, got {_type_words(data)}"
        )
    walk = _Walk()
    try:
        prepared = walk.mapping(data, transport_type_info(), "")
    except _TooManyValues:
        raise _file_error(source, f"the file holds more than {MAX_VALUES} values") from None
    problems = walk.problems
    try:
        written = msgspec.convert(prepared, _TransportFile)
    except msgspec.ValidationError as error:
        raise TransportError(source, [*problems, _type_problem(error, prepared)]) from None
    transport, entry_problems = _with_table_entries(written)
    if entry_problems:
        raise TransportError(source, [*problems, *entry_problems])
    problems.extend(transport_problems(transport))
    if problems:
        raise TransportError(source, problems)
    return msgspec.structs.replace(transport, source=source)


def decode_transport(encoded: bytes | str) -> Transport:
    """A transport from the JSON ``msgspec.json.encode`` made of a validated one (as it
    travels through XCom or a REST call), ``source`` included; the rules are not run again.

    ``msgspec.json.decode(..., type=Transport)`` cannot do it: msgspec decodes a union of
    several structs only by a tag field, and a ``tables:`` entry has none.

    :raises msgspec.ValidationError: JSON that is no transport.
    """
    written = msgspec.json.decode(encoded, type=_TransportFile)
    transport, problems = _with_table_entries(written)
    if problems:
        raise msgspec.ValidationError("; ".join(str(problem) for problem in problems))
    return transport


def load_transports(
    directory: str | PathLike[str],
) -> tuple[list[Transport], dict[Path, TransportError]]:
    """Every transport file directly in ``directory`` (``*.yaml``, ``*.yml``; hidden files
    skipped), in file-name order: the valid ones, and the error of each invalid file.

    Ids are unique across files: a file reusing an id taken by an earlier file (by name) is
    invalid, so adding a file can never change which DAG an existing id refers to.

    :raises FileNotFoundError: ``directory`` does not exist (a misconfiguration, not a file
        problem).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"transport directory {str(folder)!r} does not exist")
    transports: list[Transport] = []
    errors: dict[Path, TransportError] = {}
    owners: dict[str, Path] = {}
    for file in _transport_files(folder):
        try:
            transport = _load_isolated(file)
        except TransportError as error:
            errors[file] = error
            continue
        if transport.id in owners:
            reason = f"{transport.id!r} is already the id of {owners[transport.id]}"
            errors[file] = TransportError(file, [Problem("id", reason)])
            continue
        owners[transport.id] = file
        transports.append(transport)
    return transports, errors


class _TransportFile(Transport, frozen=True, kw_only=True):
    """The transport as msgspec first reads it: ``tables:`` entries stay text or mappings.

    msgspec decodes a union of several structs only by a tag field, which a file should not
    need to carry; so each mapping is converted by :func:`_with_table_entries`, to the struct
    :func:`entry_type` picks by its keys.
    """

    # narrower than the parent's on purpose: this struct only ever reads a file
    tables: tuple[  # type: ignore[assignment]
        Annotated[str | dict[str, Any], msgspec.Meta(extra={TABLE_ENTRY: True})], ...
    ]


def entry_type(entry: dict[Any, Any]) -> type[TableOptions] | type[SchemaSelector]:
    """The struct a ``tables:`` mapping is: a table when it names a ``table:``, a schema
    selector when it names a ``schema:`` or has only a selector's fields (whose missing
    ``schema:`` is then reported), else a table (whose missing ``table:`` is reported)."""
    if "table" in entry:
        return TableOptions
    if "schema" in entry or _SELECTOR_ONLY.intersection(entry):
        return SchemaSelector
    return TableOptions


def _with_table_entries(written: _TransportFile) -> tuple[Transport, list[Problem]]:
    """The transport with each ``tables:`` mapping converted to its struct, and the type
    problem of each mapping that does not convert (its first one)."""
    converted: list[str | TableOptions | SchemaSelector] = []
    problems: list[Problem] = []
    for index, entry in enumerate(written.tables):
        if isinstance(entry, str):
            converted.append(entry)
            continue
        try:
            converted.append(msgspec.convert(entry, entry_type(entry)))
        except msgspec.ValidationError as error:
            problem = _type_problem(error, entry)
            field = f"tables[{index}]" + (f".{problem.field}" if problem.field else "")
            problems.append(Problem(field, _entry_reason(entry, problem)))
    fields = {name: getattr(written, name) for name in Transport.__struct_fields__}
    return Transport(**{**fields, "tables": tuple(converted)}), problems


def _entry_reason(entry: dict[str, Any], problem: Problem) -> str:
    """A missing ``table:`` may be a selector without its ``schema:``: say both."""
    if problem.field == "table" and "table" not in entry:
        return "is required (or schema: for a whole schema)"
    return problem.reason


def _transport_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in TRANSPORT_SUFFIXES and not path.name.startswith(".") and path.is_file()
    )


def _load_isolated(file: Path) -> Transport:
    """:func:`load_transport`, with a bug in validation confined to this file's error."""
    try:
        return load_transport(file)
    except TransportError:
        raise
    except Exception as error:
        log.exception("Unexpected error while loading transport %s", file)
        raise _file_error(
            file, f"unexpected {type(error).__name__} while loading: {error}"
        ) from error


def _file_error(file: str | PathLike[str], reason: str) -> TransportError:
    return TransportError(file, [Problem("", reason)])


# -- YAML ----------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key that appears twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` merges; its keys may be overridden on purpose
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                continue  # unhashable; the base class reports it
            if key in seen:
                first = seen[key]
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first.line + 1}, "
                    f"column {first.column + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> dt.date | dt.datetime:
        """PyYAML raises a bare ValueError for ``2024-13-01``; give it its position."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date: {error}", node.start_mark
            ) from None


_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _UniqueKeyLoader.construct_yaml_timestamp
)


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    context_mark = getattr(error, "context_mark", None)
    if context and context_mark is not None and context_mark != mark:
        context += f" started at {_position(context_mark)}"
    detail = f"{problem} ({context})" if context else problem
    if mark is None:
        return f"invalid YAML: {detail}"
    return f"{_position(mark)}: invalid YAML: {detail}"


def _position(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


# -- walking the data against the model --------------------------------------------------------


class _TooManyValues(Exception):
    pass


class _Walk:
    """Drops (and reports) unknown fields and turns YAML dates into text, following the model."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.values = 0

    def value(self, value: object, info: msgspec.inspect.Type | None, path: str) -> object:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooManyValues
        if isinstance(info, msgspec.inspect.Metadata):
            if (info.extra or {}).get("unit") == BYTES_UNIT:
                return parse_byte_size(value)
            if is_table_entry(info) and isinstance(value, dict):
                return self.mapping(value, self.table_entry(value, path), path)
            info = info.type
        if isinstance(value, dt.datetime):
            return _datetime_text(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict):
            struct = member_type(info, msgspec.inspect.StructType)
            if struct is not None:
                return self.mapping(value, struct, path)
            return {key: self.value(item, None, _join(path, key)) for key, item in value.items()}
        if isinstance(value, list):
            items = member_type(info, msgspec.inspect.VarTupleType)
            item_info = None if items is None else items.item_type
            return [self.value(item, item_info, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    def table_entry(self, value: dict[Any, Any], path: str) -> msgspec.inspect.StructType:
        """The model of a ``tables:`` mapping; one with both ``table:`` and ``schema:`` is
        reported here, and walked as a table (so ``schema`` is then dropped)."""
        if "table" in value and "schema" in value:
            self.problems.append(
                Problem(
                    _join(path, "schema"),
                    "an entry names one table (table:) or a whole schema (schema:), not both; "
                    "to set a matched table's options, list it as an entry of its own",
                )
            )
        return struct_info(entry_type(value))

    def mapping(
        self, data: dict[Any, Any], struct: msgspec.inspect.StructType, path: str
    ) -> dict[str, object]:
        fields = {f.encode_name: f for f in struct.fields if f.encode_name not in _NOT_FROM_FILE}
        prepared: dict[str, object] = {}
        for key, item in data.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                if not (key == "schema" and "table" in data and struct.cls is TableOptions):
                    self.problems.append(Problem(_join(path, key), _unknown_reason(key, fields)))
                continue
            try:
                prepared[key] = self.value(item, field.type, _join(path, key))
            except ValueError as error:  # a value the walk converts (a size) and cannot
                self.problems.append(Problem(_join(path, key), str(error)))
        return prepared


def _unknown_reason(key: object, fields: Iterable[str]) -> str:
    if not isinstance(key, str):
        return f"field names are text, got {_type_words(key)}"
    if _SECRET_LIKE.search(key):
        return (
            "unknown field; a transport holds no secrets: keep credentials in an Airflow "
            "connection and name it with oracle_conn_id or destination.gcp_conn_id"
        )
    known = sorted(fields)
    hint = did_you_mean(key, known)
    return f"unknown field{hint}" if hint else f"unknown field (known: {', '.join(known)})"


def member_type(info: msgspec.inspect.Type | None, kind: type) -> Any:
    """``info`` if it is a ``kind``, or its ``kind`` member if it is a union."""
    if isinstance(info, kind):
        return info
    if isinstance(info, msgspec.inspect.UnionType):
        return next((t for t in info.types if isinstance(t, kind)), None)
    return None


def is_table_entry(info: msgspec.inspect.Type | None) -> bool:
    """Whether ``info`` describes a ``tables:`` item (see :func:`entry_type`)."""
    return isinstance(info, msgspec.inspect.Metadata) and bool((info.extra or {}).get(TABLE_ENTRY))


@cache
def struct_info(cls: type[msgspec.Struct]) -> msgspec.inspect.StructType:
    """A struct as msgspec describes it."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return info


def transport_type_info() -> msgspec.inspect.StructType:
    """The transport file's model as msgspec describes it (walked to check and to order
    fields); its ``tables:`` items are marked (:func:`is_table_entry`): pick the struct of
    each with :func:`entry_type`."""
    return struct_info(_TransportFile)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _datetime_text(value: dt.datetime) -> str:
    """A YAML timestamp as the text a watermark takes: UTC with ``Z`` when it has a zone."""
    if value.tzinfo is None:
        return value.isoformat(sep=" ")
    utc = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return f"{utc.isoformat(sep=' ')}Z"


# -- msgspec's errors in our words -------------------------------------------------------------


def _type_problem(error: msgspec.ValidationError, data: object) -> Problem:
    match = _MSGSPEC_AT.match(str(error))
    assert match is not None  # the pattern matches any text
    message, path = match["message"], (match["path"] or "").lstrip(".")
    missing = _MSGSPEC_MISSING.match(message)
    if missing:
        return Problem(_join(path, missing["field"]), "is required")
    if message == _MSGSPEC_BAD_DATE:
        return Problem(
            path, f"expected a date (YYYY-MM-DD), got {_type_words(_value_at(data, path))}"
        )
    expected = _MSGSPEC_EXPECTED.match(message)
    if expected is None:
        return Problem(path, message[:1].lower() + message[1:])
    value = _value_at(data, path)
    reason = f"expected {_words(expected['expected'])}, got {_type_words(value)}"
    if isinstance(value, bool) and "str" in expected["expected"]:
        reason += "; YAML reads unquoted yes/no/on/off/true/false as booleans: quote the value"
    return Problem(path, reason)


def _words(types: str) -> str:
    """``int | str | null`` -> ``an integer, text or null``."""
    words = [_TYPE_WORDS.get(name, name) for name in types.split(" | ")]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _type_words(value: object) -> str:
    """``text ('abc')``, ``an integer (5)``, ``a list``: what the file holds, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float | str):
        kind = {int: "an integer", float: "a number", str: "text"}[type(value)]
        shown = repr(value) if len(repr(value)) <= 80 else f"{repr(value)[:80]}..."
        return f"{kind} ({shown})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _value_at(data: object, path: str) -> object:
    """The value at a msgspec path in the converted data (None if it cannot be followed)."""
    for token in _PATH_TOKEN.finditer(path):
        if token["index"] is not None and isinstance(data, list):
            index = int(token["index"])
            data = data[index] if index < len(data) else None
        elif token["key"] is not None and isinstance(data, dict):
            data = data.get(token["key"])
        else:
            return None
    return data
