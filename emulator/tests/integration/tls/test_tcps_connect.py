"""Connecting over TCPS with the thin driver: ADB-shaped wallets (mutual TLS), one-way TLS,
Easy Connect Plus, both TLS versions, Oracle's TLS renegotiation and SNI, asyncio and
pools; then the TNS/TTC conversation is the TCP one (fetches of many packets, cancel)."""

from __future__ import annotations

import asyncio
import ssl
import threading
from pathlib import Path

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.wallets import TestPki, write_wallet
from tests.integration.tls.conftest import (
    SERVER_DN,
    USER,
    USER_ONLY_ARGS,
    WALLET_PASSWORD,
    LogWatch,
    TcpsEmulator,
)

pytestmark = pytest.mark.timeout(60)

#: 8 * 10^12 row combinations: runs until cancelled
SLOW = (
    "SELECT COUNT(*) FROM BENCH_ROWS a, BENCH_ROWS b, BENCH_ROWS c"
    " WHERE MOD(a.ID + b.ID + c.ID, 7) = 3"
)
CLIENT_SUBJECT = "client certificate CN=adb-wallet-client,O=Oracle Emulator"


def _user_and_schema(connection: oracledb.Connection) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT USER, SYS_CONTEXT('USERENV', 'SERVICE_NAME') FROM DUAL")
        return cursor.fetchone()


@pytest.mark.parametrize("alias", ["demo_high", "demo_medium", "demo_low"])
def test_adb_wallet_alias_over_mutual_tls(mtls: TcpsEmulator, alias: str) -> None:
    watch = LogWatch(mtls.process)
    wallet = str(mtls.wallet.directory)
    with oracledb.connect(
        **USER,
        dsn=alias,
        config_dir=wallet,
        wallet_location=wallet,
        wallet_password=WALLET_PASSWORD,
    ) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"
    logged = watch.wait_for("opened: user DEMO")
    assert CLIENT_SUBJECT in logged
    assert "over TCPS" in logged


def test_unencrypted_wallet_needs_no_password(mtls: TcpsEmulator) -> None:
    wallet = str(mtls.unencrypted.directory)
    with oracledb.connect(
        **USER, dsn="demo_high", config_dir=wallet, wallet_location=wallet
    ) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"


def test_one_way_tls_with_a_full_descriptor_and_the_server_dn(oneway: TcpsEmulator) -> None:
    watch = LogWatch(oneway.process)
    descriptor = (
        f"(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=127.0.0.1)(PORT={oneway.port}))"
        "(CONNECT_DATA=(SERVICE_NAME=FREEPDB1))"
        f'(SECURITY=(SSL_SERVER_DN_MATCH=YES)(SSL_SERVER_CERT_DN="{SERVER_DN}")'
        f"(MY_WALLET_DIRECTORY={oneway.truststore.directory})))"
    )
    with oracledb.connect(**USER, dsn=descriptor) as connection:
        assert _user_and_schema(connection) == ("DEMO", "FREEPDB1")
    logged = watch.wait_for("opened: user DEMO")
    assert "client certificate" not in logged


def test_one_way_tls_matching_the_host_name_against_the_certificate(
    oneway: TcpsEmulator,
) -> None:
    # without a DN to expect, the driver matches the host with the certificate's DNS names
    with oracledb.connect(
        **USER,
        host="localhost",
        port=oneway.port,
        service_name="FREEPDB1",
        protocol="tcps",
        ssl_server_dn_match=True,
        wallet_location=str(oneway.truststore.directory),
    ) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"


def test_easy_connect_plus_with_dn_and_wallet(mtls: TcpsEmulator) -> None:
    dsn = (
        f'tcps://127.0.0.1:{mtls.port}/FREEPDB1?ssl_server_cert_dn="{SERVER_DN}"'
        f"&wallet_location={mtls.unencrypted.directory}"
    )
    with oracledb.connect(**USER, dsn=dsn) as connection:
        assert _user_and_schema(connection) == ("DEMO", "FREEPDB1")


def test_easy_connect_plus_with_an_encrypted_wallet(mtls: TcpsEmulator) -> None:
    dsn = (
        f"tcps://localhost:{mtls.port}/demo_low.adb.oraclecloud.com"
        f"?wallet_location={mtls.wallet.directory}"
    )
    with oracledb.connect(**USER, dsn=dsn, wallet_password=WALLET_PASSWORD) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"


@pytest.mark.parametrize(
    ("version", "logged"),
    [(ssl.TLSVersion.TLSv1_2, "TLSv1.2 ECDHE-"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3 TLS_")],
)
def test_tls_1_2_and_1_3_are_accepted(
    oneway: TcpsEmulator, version: ssl.TLSVersion, logged: str
) -> None:
    watch = LogWatch(oneway.process)
    with oracledb.connect(
        **USER,
        dsn=f"tcps://localhost:{oneway.port}/FREEPDB1",
        wallet_location=str(oneway.truststore.directory),
        ssl_version=version,
    ) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"
    assert logged in watch.wait_for("opened: user DEMO")


def test_tls_renegotiation_after_connect(renegotiating: TcpsEmulator) -> None:
    watch = LogWatch(renegotiating.process)
    wallet = str(renegotiating.truststore.directory)
    with oracledb.connect(
        **USER, dsn="demo_medium", config_dir=wallet, wallet_location=wallet
    ) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"
    logged = watch.wait_for("opened: user DEMO")
    assert logged.count("TLS renegotiated") == 1


def test_sni_spares_the_second_handshake(renegotiating: TcpsEmulator) -> None:
    watch = LogWatch(renegotiating.process)
    dsn = (
        f"tcps://localhost:{renegotiating.port}/demo_high.adb.oraclecloud.com"
        f"?wallet_location={renegotiating.truststore.directory}&use_sni=on"
    )
    with oracledb.connect(**USER, dsn=dsn) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"
    logged = watch.wait_for("opened: user DEMO")
    assert "SNI names service demo_high.adb.oraclecloud.com: no TLS renegotiation" in logged
    assert "TLS renegotiated" not in logged


def test_asyncio_over_tls_with_renegotiation(renegotiating: TcpsEmulator) -> None:
    async def main() -> tuple[str, ...]:
        connection = await oracledb.connect_async(
            **USER,
            dsn=f"tcps://localhost:{renegotiating.port}/FREEPDB1",
            wallet_location=str(renegotiating.truststore.directory),
        )
        try:
            return await connection.fetchone("SELECT USER FROM DUAL")
        finally:
            await connection.close()

    assert asyncio.run(main()) == ("DEMO",)


def test_pool_over_mutual_tls(mtls: TcpsEmulator) -> None:
    wallet = str(mtls.wallet.directory)
    pool = oracledb.create_pool(
        **USER,
        dsn="demo_high",
        config_dir=wallet,
        wallet_location=wallet,
        wallet_password=WALLET_PASSWORD,
        min=2,
        max=3,
    )
    try:
        with pool.acquire() as first, pool.acquire() as second:
            assert _user_and_schema(first)[0] == _user_and_schema(second)[0] == "DEMO"
    finally:
        pool.close(force=True)


def test_a_fetch_of_many_packets_equals_the_tcp_one(mtls: TcpsEmulator) -> None:
    query = "SELECT * FROM BENCH_ROWS ORDER BY ID"
    with oracledb.connect(**USER, dsn=mtls.process.dsn) as tcp:
        over_tcp = tcp.cursor().execute(query).fetchall()
    wallet = str(mtls.unencrypted.directory)
    with oracledb.connect(
        **USER, dsn="demo_high", config_dir=wallet, wallet_location=wallet
    ) as tcps:
        cursor = tcps.cursor()
        cursor.arraysize = cursor.prefetchrows = 5_000
        over_tcps = cursor.execute(query).fetchall()
    assert len(over_tcps) == 20_000
    assert over_tcps == over_tcp


def test_cancel_over_tcps_and_the_session_lives_on(mtls: TcpsEmulator) -> None:
    wallet = str(mtls.unencrypted.directory)
    with oracledb.connect(
        **USER, dsn="demo_high", config_dir=wallet, wallet_location=wallet
    ) as connection:
        timer = threading.Timer(1.0, connection.cancel)  # an in-band break: no OOB over TLS
        timer.start()
        with connection.cursor() as cursor, pytest.raises(oracledb.DatabaseError) as failure:
            cursor.execute(SLOW)
        timer.join()
        assert failure.value.args[0].code == 1013
        with connection.cursor() as cursor:
            assert cursor.execute("SELECT 42 FROM DUAL").fetchone() == (42,)


def test_tcp_listener_still_serves_beside_tcps(mtls: TcpsEmulator) -> None:
    with oracledb.connect(**USER, dsn=mtls.process.dsn) as connection:
        assert _user_and_schema(connection)[0] == "DEMO"


def test_eight_concurrent_tcps_sessions_fetching(mtls: TcpsEmulator) -> None:
    wallet = str(mtls.unencrypted.directory)
    counts: list[int] = []
    failures: list[BaseException] = []

    def fetch(offset: int) -> None:
        try:
            with oracledb.connect(
                **USER, dsn="demo_medium", config_dir=wallet, wallet_location=wallet
            ) as connection:
                cursor = connection.cursor()
                cursor.arraysize = 500
                cursor.execute(
                    "SELECT ID, NAME FROM BENCH_ROWS WHERE ID > :low AND ID <= :low + 2000",
                    low=offset * 2000,
                )
                counts.append(len(cursor.fetchall()))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=fetch, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures
    assert counts == [2000] * 8


def test_listener_down_takes_tcps_down_too(pki: TestPki, tmp_path: Path) -> None:
    with EmulatorProcess(args=USER_ONLY_ARGS, tls=pki.server_tls(mutual=False)) as emulator:
        dsn = f'{emulator.tcps_dsn}?ssl_server_cert_dn="{SERVER_DN}"&retry_count=0'
        truststore = write_wallet(
            tmp_path, ca=pki.ca, client=None, db="demo", host="127.0.0.1", port=emulator.tcps_port
        )
        params = {**USER, "dsn": dsn, "wallet_location": str(truststore.directory)}
        emulator.faults.listener_down()
        with pytest.raises(oracledb.OperationalError) as failure:
            oracledb.connect(**params)
        assert "Connection refused" in str(failure.value)
        emulator.faults.listener_up()
        with oracledb.connect(**params) as connection:
            assert _user_and_schema(connection)[0] == "DEMO"
