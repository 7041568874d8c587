"""SQL text of the extract query, built from validated identifiers only.

Identifiers come from :class:`~airflow_oracle_etl.metadata.TableMetadata` (exact dictionary
names) and are always emitted quoted. The ``where`` predicate is different by design: it is
SQL written by the DAG author (trusted, like the ``sql`` of any SQL operator), pasted inside
parentheses, and may use bind variables whose values travel as parameters. Nothing read from a
connection, a table name setting or a row is ever pasted as SQL.
"""

from __future__ import annotations

from airflow_oracle_etl.identifiers import qualified_name
from airflow_oracle_etl.metadata import TableMetadata

__all__ = [
    "AS_OF_SCN_BIND",
    "CURRENT_SCHEMA_SQL",
    "CURRENT_SCN_SQL",
    "build_select",
    "wrap_query",
]

#: name of the bind variable ``build_select(..., as_of_scn=True)`` leaves for the SCN
AS_OF_SCN_BIND = "as_of_scn"
CURRENT_SCN_SQL = "SELECT CURRENT_SCN FROM V$DATABASE"
CURRENT_SCHEMA_SQL = "SELECT SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM DUAL"


def build_select(
    metadata: TableMetadata,
    select_list: str,
    *,
    where: str | None = None,
    as_of_scn: bool = False,
    order_by: str | None = None,
) -> str:
    """``SELECT <select_list> FROM "OWNER"."TABLE" [AS OF SCN :as_of_scn] [WHERE (<where>)]
    [ORDER BY <order_by>]``.

    The predicate sits on lines of its own, so a trailing ``-- comment`` in it stays harmless.

    :param metadata: the table, as introspected (its owner and name are exact names).
    :param select_list: the column expressions, e.g. from the encoding plan; built from quoted
        identifiers, not from user text.
    :param where: a predicate written by the DAG author (SQL by design; bind variables
        allowed, their values passed as parameters when executing).
    :param as_of_scn: read the table as of the SCN bound as ``:as_of_scn``; bind it by name
        (so any other parameters must be named too: Oracle does not mix the two styles).
    :param order_by: quoted column names (a primary key, for a restartable read); never
        user text.
    """
    if not select_list.strip():
        raise ValueError(f"empty select list for {metadata.qualified_name}")
    parts = [f"SELECT {select_list}", f"FROM {qualified_name(metadata.owner, metadata.name)}"]
    if as_of_scn:
        parts.append(f"AS OF SCN :{AS_OF_SCN_BIND}")
    if where is not None and where.strip():
        parts.append(f"WHERE (\n{where}\n)")
    if order_by:
        parts.append(f"ORDER BY {order_by}")
    return " ".join(parts)


def wrap_query(sql: str, select_list: str) -> str:
    """``SELECT <select_list> FROM (<sql>)``: per-type expressions over a user's query.

    The user's query is SQL by design (DAG-author text); its columns are referenced in the
    select list by their quoted exact names, as :meth:`describe_query` reports them. The
    query sits on lines of its own so that a trailing ``-- comment`` cannot swallow the
    closing parenthesis.
    """
    if not select_list.strip():
        raise ValueError("empty select list")
    return f"SELECT {select_list} FROM (\n{sql}\n)"
