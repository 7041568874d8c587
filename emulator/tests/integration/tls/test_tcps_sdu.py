"""Over TCPS the SDU the client chooses holds as over TCP: the TLS records carry the same
TNS packets, split and reassembled the same way."""

from __future__ import annotations

import oracledb
import pytest

from tests.integration.sdu_workload import check_wide_binds_and_lobs, check_wide_fetch
from tests.integration.tls.conftest import USER, TcpsEmulator

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("sdu", [512, 2048, 65_535, 2 * 1024 * 1024])
def test_any_sdu_over_tls(oneway: TcpsEmulator, sdu: int) -> None:
    with oracledb.connect(
        **USER,
        dsn=f"tcps://localhost:{oneway.port}/FREEPDB1",
        wallet_location=str(oneway.truststore.directory),
        sdu=sdu,
    ) as connection:
        assert connection.sdu == sdu
        check_wide_fetch(connection)
        check_wide_binds_and_lobs(connection)


def test_small_sdu_after_tls_renegotiation(renegotiating: TcpsEmulator) -> None:
    with oracledb.connect(
        **USER,
        dsn=f"tcps://localhost:{renegotiating.port}/FREEPDB1",
        wallet_location=str(renegotiating.truststore.directory),
        sdu=512,
    ) as connection:
        assert connection.sdu == 512
        check_wide_binds_and_lobs(connection)
