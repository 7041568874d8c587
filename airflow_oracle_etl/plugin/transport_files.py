"""The transports folder as the REST API sees it: list, find, create and delete YAML files.

Nothing here knows about HTTP or Airflow's database, so every rule is testable on a temporary
folder. The folder is read with the loader the DAG file uses
(:func:`~airflow_oracle_etl.transports.loading.load_transports`), so the API and the
dag-processor always agree on which files are valid transports and why the others are not.

A new file is written so the dag-processor never sees half of it and two requests can never
both create it: the YAML goes to a hidden temporary file in the same folder (the loader skips
names starting with ``.``), is read back with the loader to prove it round-trips to the same
transport, and is then hard-linked to ``{id}.yaml`` -- ``os.link`` fails when the name exists,
where a rename would silently replace it.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import yaml

from airflow_oracle_etl.transports.errors import Problem
from airflow_oracle_etl.transports.loading import (
    TRANSPORT_SUFFIXES,
    entry_type,
    is_table_entry,
    load_transport,
    load_transports,
    member_type,
    struct_info,
    transport_from_data,
    transport_type_info,
)
from airflow_oracle_etl.transports.model import SchemaSelector, TableConfig, Transport

__all__ = [
    "InvalidFile",
    "Listing",
    "claimed_files",
    "delete_transport",
    "describe",
    "file_of",
    "list_folder",
    "ordered",
    "problem_loc",
    "validate_new",
    "write_transport_file",
]

#: an id that is safe as a file name (the loader's own rule for ids, checked again after)
_SAFE_ID = re.compile(r"[a-z0-9_]{1,200}")
_LOC_TOKEN = re.compile(r"\[(?P<index>\d+)\]|(?P<key>[^.\[\]]+)")


@dataclass(frozen=True)
class InvalidFile:
    """A file in the folder that is no transport, and every problem the loader found."""

    path: Path
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Listing:
    """The folder's valid transports (file-name order) and its invalid files."""

    transports: list[Transport]
    invalid: list[InvalidFile]

    def find(self, transport_id: str) -> Transport | None:
        """The valid transport with this id (ids are unique across the folder's files)."""
        return next((t for t in self.transports if t.id == transport_id), None)


def list_folder(folder: Path) -> Listing:
    """Every transport file in ``folder``; a folder that does not exist lists nothing (the
    health route reports it)."""
    try:
        transports, errors = load_transports(folder)
    except FileNotFoundError:
        return Listing([], [])
    invalid = [InvalidFile(path, error.problems) for path, error in sorted(errors.items())]
    return Listing(transports, invalid)


def claimed_files(folder: Path, transport_id: str) -> list[Path]:
    """``{id}.yaml`` and ``{id}.yml`` where they exist, valid or not: the names a new
    transport with this id would take or be confused with."""
    if not _SAFE_ID.fullmatch(transport_id):
        return []
    candidates = (folder / f"{transport_id}{suffix}" for suffix in TRANSPORT_SUFFIXES)
    return [path for path in candidates if path.exists()]


def validate_new(folder: Path, data: object) -> Transport:
    """The transport ``data`` describes (the fields of a transport file, JSON-shaped).

    :raises TransportError: with every problem found, as for a file.
    """
    transport_id = data.get("id") if isinstance(data, dict) else None
    safe = isinstance(transport_id, str) and _SAFE_ID.fullmatch(transport_id)
    name = f"{transport_id}.yaml" if safe else "new transport"  # no path from an unsafe id
    return transport_from_data(data, source=str(folder / name))


def write_transport_file(
    folder: Path, transport: Transport, data: dict[str, Any], header: str = ""
) -> Transport:
    """Write ``data`` (validated as ``transport``) to ``folder/{id}.yaml``; the transport as
    the loader reads it back from there.

    ``header`` becomes comment lines at the top of the file (who wrote it, and when).

    :raises FileExistsError: ``{id}.yaml`` or ``{id}.yml`` already exists.
    """
    target = folder / f"{transport.id}.yaml"
    if existing := claimed_files(folder, transport.id):
        raise FileExistsError(f"{existing[0].name} already exists")
    text = _comment(header) + yaml.safe_dump(
        ordered(data), sort_keys=False, allow_unicode=True, default_flow_style=False
    )
    staging = folder / f".{transport.id}.{secrets.token_hex(4)}.tmp"
    try:
        with staging.open("x", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        written = load_transport(staging)
        if _without_source(written) != _without_source(transport):
            raise RuntimeError(f"{target.name} would not read back as the validated transport")
        os.link(staging, target)  # FileExistsError if a request made it meanwhile
    finally:
        staging.unlink(missing_ok=True)
    return msgspec.structs.replace(written, source=str(target))


def file_of(folder: Path, listing: Listing, transport_id: str) -> Path | None:
    """The file defining transport ``transport_id``: the valid transport's file, else a file
    named ``{id}.yaml``/``{id}.yml`` that does not load (so a broken file can be removed
    through the API too); None if there is neither."""
    transport = listing.find(transport_id)
    if transport is not None:
        return Path(transport.source)
    claimed = claimed_files(folder, transport_id)
    return claimed[0] if claimed else None


def delete_transport(folder: Path, transport_id: str) -> Path:
    """Remove the file of transport ``transport_id`` (see :func:`file_of`); its path.

    :raises FileNotFoundError: no such transport (or it was removed meanwhile).
    """
    path = file_of(folder, list_folder(folder), transport_id)
    if path is None:
        raise FileNotFoundError(f"no transport {transport_id!r} in {folder}")
    path.unlink()
    return path


def describe(transport: Transport) -> dict[str, Any]:
    """A transport for JSON: every field of the file, plus its display name and file name
    (not the server's path). Tables are in file order: one named table with its defaults
    resolved and names exact; a schema selector as written (its tables are known only when
    a job is planned)."""
    fields = _json(transport)
    del fields["source"], fields["id"]
    explicit = iter(transport.tables_normalized())
    fields["tables"] = [
        _json(entry) if isinstance(entry, SchemaSelector) else _table_json(next(explicit))
        for entry in transport.tables
    ]
    return {
        "id": transport.id,
        "display_name": transport.display_name,
        "file": Path(transport.source).name,
        **fields,
    }


def _table_json(table: TableConfig) -> dict[str, Any]:
    return {"table": table.label, **_json(table)}


def problem_loc(field: str) -> list[str | int]:
    """A problem's field path as the parts of a FastAPI ``loc``: ``tables[2].partitions`` ->
    ``["tables", 2, "partitions"]``; the whole document (``""``) -> ``[]``."""
    return [
        int(token["index"]) if token["index"] is not None else token["key"]
        for token in _LOC_TOKEN.finditer(field)
    ]


def ordered(data: object) -> object:
    """``data`` with every mapping's keys in the model's field order (``id`` first, then as
    :class:`~airflow_oracle_etl.transports.model.Transport` declares them), so files written
    by the API read the same way whatever order a client sent."""
    return _ordered(data, transport_type_info())


def _ordered(value: object, info: msgspec.inspect.Type | None) -> object:
    if is_table_entry(info) and isinstance(value, dict):
        info = struct_info(entry_type(value))
    if isinstance(info, msgspec.inspect.Metadata):
        info = info.type
    if isinstance(value, dict):
        struct = member_type(info, msgspec.inspect.StructType)
        if struct is None:
            return value
        types = {f.encode_name: f.type for f in struct.fields}
        rank = {name: index for index, name in enumerate(types)}
        keys = sorted(value, key=lambda key: rank.get(key, len(rank)))
        return {key: _ordered(value[key], types.get(key)) for key in keys}
    if isinstance(value, list):
        items = member_type(info, msgspec.inspect.VarTupleType)
        return [_ordered(item, None if items is None else items.item_type) for item in value]
    return value


def _json(struct: msgspec.Struct) -> dict[str, Any]:
    """``struct`` as JSON types (lists, not tuples; dates as ISO text)."""
    return dict(msgspec.json.decode(msgspec.json.encode(struct)))


def _without_source(transport: Transport) -> Transport:
    return msgspec.structs.replace(transport, source="")


def _comment(header: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
