"""Tell the driver what a statement changed in its session: the current schema and the edition.

After ``ALTER SESSION SET CURRENT_SCHEMA`` or ``SET EDITION``, Oracle returns the new value
as a keyword/value pair in the call's return parameters (the PARAMETER message, read by the
driver's ``_process_return_parameters``), which is how python-oracledb's
``connection.current_schema`` and ``connection.edition`` follow statements the application
ran. Values are sent only when they differ from what the client last learnt, so a session
that never changes them reports nothing (``connection.current_schema`` stays None, as on
Oracle).
"""

from __future__ import annotations

from collections.abc import Sequence

from oracle_emulator.api import Session
from oracle_emulator.protocol.buffer import WriteBuffer
from oracle_emulator.protocol.constants import MessageType

#: ``TNS_KEYWORD_NUM_*`` of the thin driver
KEYWORD_CURRENT_SCHEMA = 168
KEYWORD_EDITION = 172


def session_keywords(session: Session | None) -> dict[int, str]:
    """The values a client can learn of ``session`` (none for a session without them)."""
    schema = getattr(session, "schema", None)
    context = getattr(session, "context", None)
    edition = getattr(context, "edition", None)
    found = {KEYWORD_CURRENT_SCHEMA: schema, KEYWORD_EDITION: edition}
    return {keyword: value for keyword, value in found.items() if isinstance(value, str)}


def changed_keywords(session: Session | None, known: dict[int, str]) -> list[tuple[int, str]]:
    """What changed since ``known`` (which is brought up to date)."""
    current = session_keywords(session)
    changes = [(k, v) for k, v in current.items() if known.get(k) != v]
    known.update(current)
    return changes


def return_parameters(
    keywords: Sequence[tuple[int, str]], row_counts: Sequence[int] | None = None
) -> bytes:
    """The PARAMETER message: keyword/value pairs, then the per-row DML counts when the
    client asked for them (``cursor.getarraydmlrowcounts()``)."""
    out = WriteBuffer()
    out.write_uint8(MessageType.PARAMETER)
    out.write_ub2(0)  # al8o4l entries
    out.write_ub2(0)  # al8txl bytes
    out.write_ub2(len(keywords))
    for keyword, text in keywords:
        data = text.encode()
        out.write_ub2(len(data))
        if data:
            out.write_bytes_with_length(data)
        out.write_ub2(0)  # binary value
        out.write_ub2(keyword)
    out.write_ub2(0)  # registration information
    if row_counts is not None:
        out.write_ub4(len(row_counts))
        for count in row_counts:
            out.write_ub8(count)
    return out.getvalue()
