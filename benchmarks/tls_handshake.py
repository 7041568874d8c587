"""Connect-and-first-query time over TCP and TCPS (one-way and mutual TLS), against the
emulator, with the TCP baseline measured in the same run.

Each sample is one new python-oracledb thin connection, logon and ``SELECT 1 FROM DUAL``
(the close is not timed). Cases alternate within the run (the machine's speed varies
between quiet and busy periods: compare within a run), and each case's median and 90th
percentile are printed. Two emulators serve: one asking for client certificates (mutual
TLS, the wallet's encrypted key), one asking for none and asking for Oracle's second TLS
handshake after CONNECT, which a client sending SNI (``use_sni``) is spared. Unless given an
``ssl_context``, the driver makes a new default context (loading the system's CA store) for
every connection; one case passes a context made once, to show that share.

    .venv/bin/python benchmarks/tls_handshake.py --connections 50

These are emulator figures, not Oracle figures.
"""

from __future__ import annotations

import argparse
import json
import ssl
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import oracledb

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.wallets import make_pki, service_names, write_wallet

USER = "DEMO"
PASSWORD = "demo"
WALLET_PASSWORD = "Welcome1#Bench"
QUERY = "SELECT 1 FROM DUAL"
BASELINE = "TCP"
PERCENTILE = 0.9


@dataclass
class Sample:
    case: str
    seconds: float


Params = dict[str, Any]


def connect_and_query(params: Params) -> float:
    """Seconds from connect() to the first query's row; the close is not timed."""
    started = time.perf_counter()
    connection = oracledb.connect(user=USER, password=PASSWORD, **params)
    with connection.cursor() as cursor:
        cursor.execute(QUERY).fetchone()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def build_cases(
    tcp_dsn: str, mutual_wallet: Path, oneway_port: int, truststore: Path
) -> dict[str, Params]:
    """Connect parameters per case, the TCP baseline first."""
    oneway = f"tcps://localhost:{oneway_port}/FREEPDB1?wallet_location={truststore}"
    wallet = str(mutual_wallet)
    mutual: Params = {
        "dsn": "demo_high",
        "config_dir": wallet,
        "wallet_location": wallet,
        "wallet_password": WALLET_PASSWORD,
    }
    return {
        BASELINE: {"dsn": tcp_dsn},
        "TCPS one-way, TLS 1.3 (SNI: one handshake)": {"dsn": oneway + "&use_sni=on"},
        "TCPS one-way, TLS 1.3 + renegotiation": {"dsn": oneway},
        "TCPS mutual, TLS 1.3 (ADB wallet)": mutual,
        "TCPS mutual, TLS 1.2 (ADB wallet)": mutual | {"ssl_version": ssl.TLSVersion.TLSv1_2},
        # the driver builds ssl.create_default_context() (the system's CAs) per connection
        # unless given a context: this case shows that share of the cost
        "TCPS mutual, TLS 1.3, ssl_context reused": mutual
        | {"ssl_context": ssl.create_default_context()},
    }


def run(connections: int, cases: dict[str, Params]) -> list[Sample]:
    for params in cases.values():  # warm-up: imports, first SSL context, server threads
        connect_and_query(params)
    samples = []
    for _ in range(connections):
        for case, params in cases.items():
            samples.append(Sample(case, connect_and_query(params)))
    return samples


def summarize(samples: list[Sample], cases: list[str]) -> dict[str, dict[str, float]]:
    medians = {}
    for case in cases:
        seconds = sorted(s.seconds for s in samples if s.case == case)
        medians[case] = {
            "median_ms": statistics.median(seconds) * 1e3,
            "p90_ms": seconds[min(len(seconds) - 1, int(len(seconds) * PERCENTILE))] * 1e3,
        }
    baseline = medians[BASELINE]["median_ms"]
    for figures in medians.values():
        figures["vs_tcp"] = figures["median_ms"] / baseline
    return medians


def print_table(medians: dict[str, dict[str, float]], connections: int) -> None:
    print(f"{connections} connections per case, connect + logon + first query, alternating")
    print(f"{'case':<48}{'median ms':>11}{'p90 ms':>9}{'vs TCP':>9}")
    for case, figures in medians.items():
        print(
            f"{case:<48}{figures['median_ms']:>11.2f}{figures['p90_ms']:>9.2f}"
            f"{figures['vs_tcp']:>8.2f}x"
        )


def with_emulators(body: Callable[[dict[str, Params]], None]) -> None:
    """Start the two emulators with fresh certificates and wallets, then run ``body``."""
    with tempfile.TemporaryDirectory(prefix="tls-bench-") as temp:
        root = Path(temp)
        pki = make_pki(root / "pki")
        args = ["--user", f"{USER}/{PASSWORD}"]
        aliases = list(service_names("demo").values())
        mutual = EmulatorProcess(
            args=args, tls=pki.server_tls(), service_aliases=aliases, control=False
        )
        oneway = EmulatorProcess(
            args=args, tls=pki.server_tls(mutual=False), tls_renegotiate=True, control=False
        )
        with mutual, oneway:
            wallets = {
                name: write_wallet(
                    root / name,
                    ca=pki.ca,
                    client=client,
                    db="demo",
                    host="localhost",
                    port=mutual.tcps_port,
                    wallet_password=WALLET_PASSWORD if client else None,
                )
                for name, client in (("wallet", pki.client), ("truststore", None))
            }
            body(
                build_cases(
                    mutual.dsn,
                    wallets["wallet"].directory,
                    oneway.tcps_port,
                    wallets["truststore"].directory,
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=50, help="samples per case")
    parser.add_argument("--json", help="write the samples and medians here")
    args = parser.parse_args()

    def measure(cases: dict[str, Params]) -> None:
        samples = run(args.connections, cases)
        medians = summarize(samples, list(cases))
        print_table(medians, args.connections)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump(
                    {"samples": [asdict(s) for s in samples], "medians": medians}, out, indent=1
                )

    with_emulators(measure)


if __name__ == "__main__":
    main()
