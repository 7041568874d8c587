"""Any SDU a client may choose, 512 bytes to 2 MiB, is agreed to and kept to: the client's
requests longer than the SDU (the data-types negotiation at 2 KB and below, wide binds) are
read across their packets, and nothing the emulator sends is longer than the SDU."""

from __future__ import annotations

from collections.abc import Callable

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess
from tests.integration.sdu_workload import (
    SDUS,
    check_wide_binds_and_lobs,
    check_wide_fetch,
    packet_size_relay,
)

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("sdu", SDUS)
def test_the_clients_sdu_is_agreed(
    oracle_connect: Callable[..., oracledb.Connection], sdu: int
) -> None:
    connection = oracle_connect(sdu=sdu)
    assert connection.sdu == sdu
    with connection.cursor() as cursor:
        assert cursor.execute("SELECT USER FROM DUAL").fetchone() == ("DEMO",)


@pytest.mark.parametrize("sdu", SDUS)
def test_rows_wider_than_the_sdu_are_fetched(
    oracle_connect: Callable[..., oracledb.Connection], sdu: int
) -> None:
    check_wide_fetch(oracle_connect(sdu=sdu))


@pytest.mark.parametrize("sdu", SDUS)
def test_binds_and_lobs_wider_than_the_sdu(
    oracle_connect: Callable[..., oracledb.Connection], sdu: int
) -> None:
    check_wide_binds_and_lobs(oracle_connect(sdu=sdu))


@pytest.mark.parametrize("sdu", [512, 2048, 8192])
def test_no_packet_from_the_emulator_exceeds_the_sdu(
    oracle_emulator: EmulatorProcess, sdu: int
) -> None:
    with packet_size_relay(oracle_emulator.host, oracle_emulator.port) as relay:
        dsn = f"127.0.0.1:{relay.port}/{oracle_emulator.service_name}"
        with oracledb.connect(user="demo", password="demo", dsn=dsn, sdu=sdu) as connection:
            check_wide_fetch(connection)
            check_wide_binds_and_lobs(connection)
    # the fetch alone is 600 KB: hundreds of packets, many of them as long as allowed
    assert len(relay.server_packets) > 100
    assert max(relay.server_packets) == sdu
