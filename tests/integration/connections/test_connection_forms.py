"""Every form of Oracle connection the provider's users bring, end to end through the
operator (real Airflow task runner, the thin driver, TCPS emulators): each exports the demo
table exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from google.cloud import storage

from oracle_emulator.process import EmulatorProcess

from ..operators.conftest import DagResult, extract_dag, read_jsonl_parts
from .conftest import CUSTOMERS, SERVER_DN, WALLET_PASSWORD, TcpsDatabase


def _exports_the_customers(run_dag: Callable[[str], DagResult], bucket: storage.Bucket) -> None:
    result = run_dag(extract_dag(bucket.name, table="CUSTOMER", retries=0))
    assert result.state == "success", result.tasks
    summary = result.xcom("extract")
    rows = read_jsonl_parts(bucket, summary["objects"])
    assert sorted(row["CUSTOMER_ID"] for row in rows) == list(range(1, CUSTOMERS + 1))


def test_host_port_and_service_name_over_tcp(
    mtls: TcpsDatabase, use_connection: Callable[..., str], run_dag, gcs_bucket
) -> None:
    process = mtls.process
    use_connection(
        host=process.host, port=process.port, extra={"service_name": process.service_name}
    )
    _exports_the_customers(run_dag, gcs_bucket)


@pytest.mark.parametrize("where", ["extra", "TNS_ADMIN"])
def test_a_tns_alias_from_a_tnsnames_ora(
    where: str,
    mtls: TcpsDatabase,
    use_connection: Callable[..., str],
    run_dag,
    gcs_bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process: EmulatorProcess = mtls.process
    (tmp_path / "tnsnames.ora").write_text(
        "# a plain TCP alias, as on-premises databases have them\n"
        "sales_tcp =\n  (DESCRIPTION =\n"
        f"    (ADDRESS = (PROTOCOL = TCP)(HOST = {process.host})(PORT = {process.port}))\n"
        f"    (CONNECT_DATA = (SERVICE_NAME = {process.service_name})))\n"
    )
    if where == "extra":
        use_connection(extra={"dsn": "sales_tcp", "config_dir": str(tmp_path)})
    else:
        monkeypatch.setenv("TNS_ADMIN", str(tmp_path))
        use_connection(host="sales_tcp", extra={})  # the alias in the UI's host field
    _exports_the_customers(run_dag, gcs_bucket)


@pytest.mark.parametrize("wallet", ["encrypted", "unencrypted"])
def test_autonomous_database_with_its_wallet_over_mutual_tls(
    wallet: str, mtls: TcpsDatabase, use_connection: Callable[..., str], run_dag, gcs_bucket
) -> None:
    if wallet == "encrypted":
        # the wallet folder as unzipped: tnsnames.ora and ewallet.pem together
        extra = {"dsn": "demo_high", "config_dir": str(mtls.wallet.directory),
                 "wallet_password": WALLET_PASSWORD}  # fmt: skip
    else:
        extra = {"dsn": "demo_low", "config_dir": str(mtls.unencrypted.directory),
                 "wallet_location": str(mtls.unencrypted.directory)}  # fmt: skip
    use_connection(extra=extra)
    _exports_the_customers(run_dag, gcs_bucket)


def test_one_way_tls_with_a_full_descriptor_and_no_wallet(
    oneway: TcpsDatabase,
    trust_test_ca: Path,
    use_connection: Callable[..., str],
    run_dag,
    gcs_bucket,
) -> None:
    use_connection(extra={"dsn": oneway.descriptor()})
    _exports_the_customers(run_dag, gcs_bucket)


def test_easy_connect_plus_over_tcps(
    oneway: TcpsDatabase,
    trust_test_ca: Path,
    use_connection: Callable[..., str],
    run_dag,
    gcs_bucket,
) -> None:
    process = oneway.process
    dsn = (
        f"tcps://{process.host}:{process.tcps_port}/{process.service_name}"
        f'?ssl_server_cert_dn="{SERVER_DN}"&retry_count=0'
    )
    use_connection(extra={"dsn": dsn})
    _exports_the_customers(run_dag, gcs_bucket)
