"""(a) The driver alone: python-oracledb thin, ``fetchmany`` with arraysize = prefetchrows =
10,000, rows dropped as they come. No extraction through the driver can beat this, so it is
the ceiling the other cases are measured against.

LOBs are fetched inline as ``str``/``bytes`` (``fetch_lobs = False``): a locator per value
and a round trip to read it would make the ceiling needlessly low.
"""

from __future__ import annotations

from collections.abc import Callable

from .harness import CaseSpec

ARRAYSIZE = 10_000


def prepare(spec: CaseSpec) -> Callable[[], int]:
    import oracledb

    oracledb.defaults.fetch_lobs = False

    def work() -> int:
        with oracledb.connect(user=spec.user, password=spec.password, dsn=spec.dsn) as connection:
            cursor = connection.cursor()
            cursor.arraysize = cursor.prefetchrows = ARRAYSIZE
            cursor.execute(f"SELECT * FROM {spec.owner}.{spec.table}")
            count = 0
            while batch := cursor.fetchmany():
                count += len(batch)
        return count

    return work
