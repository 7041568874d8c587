"""``oracle-etl-transports check``: validate transport files before the DAG processor sees them.

Airflow 3.3 records import errors per Python DAG file, and every transport is built by the one
loader file in ``dags/``; a broken YAML file therefore registers no DAG and is reported in the
DAG processor's log (and by the ``/oracle-etl/transports`` endpoint), not as an import error of
its own. This command gives the same verdict where it is cheapest to act on it: in a
pre-commit hook or a CI step, before the file is deployed::

    oracle-etl-transports check dags/transports
    oracle-etl-transports check dags/transports/daily_sales.yaml

It loads each file exactly as the DAG file does (including building the DAG, so Airflow's own
refusals show up too), prints ``ok FILE -> DAG_ID`` followed by what the transport exports, or
every problem as ``FILE: FIELD: REASON``, and exits 1 when any file is broken, 2 when a path
does not exist::

    ok dags/transports/sales.yaml -> sales
      table DEMO.CUSTOMER
      selector tables[1] (schema SALES, include ORDER*, exclude *_TMP)

The check needs no database, so a selector is shown as written (folded to exact names): the
tables it takes are known only when a job is planned.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from airflow_oracle_etl.transports.errors import TransportError
from airflow_oracle_etl.transports.loading import load_transport
from airflow_oracle_etl.transports.model import SchemaSelector, Transport

__all__ = ["check_paths", "contents", "main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def check_paths(paths: Sequence[Path], out: TextIO) -> int:
    """Check every transport file named or found directly in a named folder; the exit status."""
    from airflow_oracle_etl.transports.factory import load_transport_dags_by_file  # Airflow

    status = EXIT_OK
    for path in paths:
        if not path.exists():
            print(f"{path}: no such file or directory", file=out)
            return EXIT_USAGE
        folder = path if path.is_dir() else path.parent
        dags, errors = load_transport_dags_by_file(folder)
        for file in sorted({*dags, *errors}):
            if not path.is_dir() and file.resolve() != path.resolve():
                continue
            if file in errors:
                print(str(errors[file]), file=out)
                status = EXIT_INVALID
            else:
                print(f"ok {file} -> {dags[file].dag_id}", file=out)
                for line in contents(load_transport(file)):
                    print(f"  {line}", file=out)
    return status


def contents(transport: Transport) -> list[str]:
    """What ``transport`` exports, in file order: ``table OWNER.NAME`` for each table named,
    ``selector tables[I] (schema ..., include ...)`` for each schema selector."""
    tables = iter(transport.tables_normalized())
    selectors = iter(transport.selectors())
    return [
        f"selector {next(selectors).describe()}"
        if isinstance(entry, SchemaSelector)
        else f"table {next(tables).label}"
        for entry in transport.tables
    ]


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="oracle-etl-transports", description="Validate airflow-oracle-etl transport files."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate transport files or folders of them")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    try:
        return check_paths(args.paths, out)
    except TransportError as error:  # defensive: load_transport_dags confines errors per file
        print(str(error), file=out)
        return EXIT_INVALID


if __name__ == "__main__":
    raise SystemExit(main())
