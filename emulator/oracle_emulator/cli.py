"""``oracle-emulator``: run the Oracle stand-in as a server process.

Used by ``make run``, the test fixtures and the benchmarks, so that the emulator's CPU time is
its own process's and never mixed with the client's being measured.
"""

from __future__ import annotations

import argparse
import logging
import signal
import ssl
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from oracle_emulator.api import OracleError
from oracle_emulator.control import FaultControlServer
from oracle_emulator.demo_data import DEMO_SCHEMA, DemoSizes, load_demo
from oracle_emulator.server import EmulatorServer
from oracle_emulator.sql import grammar_gate
from oracle_emulator.sql.engine import EmulatorDatabase
from oracle_emulator.sql.nls import LANGUAGES, TERRITORIES, NlsSettings
from oracle_emulator.tls import TlsFiles, certificate_subject, server_context

log = logging.getLogger("oracle-emulator")


def _user(text: str) -> tuple[str, str]:
    name, sep, password = text.partition("/")
    if not sep or not name or not password:
        raise argparse.ArgumentTypeError(f"--user wants NAME/PASSWORD, got {text!r}")
    return name.upper(), password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oracle-emulator",
        description="An Oracle Database stand-in for python-oracledb (thin mode), on DuckDB.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=1521, help="port; 0 picks a free one")
    parser.add_argument("--service-name", default="FREEPDB1")
    parser.add_argument(
        "--service-alias",
        action="append",
        default=[],
        metavar="NAME",
        help="another service name clients may connect to (repeatable), e.g. an Autonomous "
        "Database's demo_high.adb.oraclecloud.com",
    )
    parser.add_argument(
        "--user",
        type=_user,
        action="append",
        default=[],
        metavar="NAME/PASSWORD",
        help="a user (and schema) to create, granted SELECT on SYS.V_$DATABASE; repeatable "
        "(SYSTEM/manager always exists)",
    )
    parser.add_argument(
        "--sql",
        type=Path,
        action="append",
        default=[],
        metavar="FILE[:SCHEMA]",
        help="an Oracle SQL script to run at start, in SCHEMA (default: the first --user)",
    )
    parser.add_argument("--demo", action="store_true", help="load the demo schema DEMO/demo")
    parser.add_argument("--bench-rows", type=int, default=DemoSizes.bench_rows)
    parser.add_argument("--orders", type=int, default=DemoSizes.orders)
    parser.add_argument("--customers", type=int, default=DemoSizes.customers)
    parser.add_argument("--seed", type=int, default=DemoSizes.seed)
    parser.add_argument(
        "--warm", action="store_true", help="encode the demo tables' rows before listening"
    )
    parser.add_argument("--database", type=Path, help="a DuckDB file instead of memory")
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="write the bound port here once listening (for scripts that start the emulator)",
    )
    parser.add_argument(
        "--control-port",
        type=int,
        help="serve the fault switches over HTTP on this loopback port (0 picks a free one); "
        "off by default",
    )
    parser.add_argument(
        "--control-file",
        type=Path,
        help="write the bound control port here (before the --ready-file is written)",
    )
    _add_nls_arguments(parser)
    parser.add_argument(
        "--no-grammar-check",
        action="store_true",
        help="do not parse statements with the Oracle grammar before running them (the gate "
        "is on by default: without it the emulator accepts SQL that Oracle refuses)",
    )
    _add_tls_arguments(parser)
    parser.add_argument("--log-level", default="INFO")
    return parser


def _add_nls_arguments(parser: argparse.ArgumentParser) -> None:
    nls = parser.add_argument_group(
        "NLS", "the database's defaults, which sessions start from (NLS_DATABASE_PARAMETERS)"
    )
    nls.add_argument(
        "--nls-territory",
        default="AMERICA",
        type=str.upper,
        choices=sorted(TERRITORIES),
        help="decimal character, date formats, currency, first day of the week",
    )
    nls.add_argument(
        "--nls-language",
        default="AMERICAN",
        type=str.upper,
        choices=sorted(LANGUAGES),
        help="month and day names, and the default NLS_SORT",
    )
    nls.add_argument(
        "--time-zone",
        default="+00:00",
        help="the server's time zone ('+hh:mi' or a region such as Europe/Berlin): "
        "DBTIMEZONE, SYSDATE's clock, and a session's zone until the client sets its own",
    )


def nls_defaults(args: argparse.Namespace) -> NlsSettings:
    """The database's NLS settings from the command line; a bad time zone names the option."""
    try:
        return NlsSettings.defaults(args.nls_territory, args.nls_language, args.time_zone)
    except OracleError as exc:
        raise SystemExit(f"oracle-emulator: --time-zone {args.time_zone!r}: {exc}") from None


def _add_tls_arguments(parser: argparse.ArgumentParser) -> None:
    tls = parser.add_argument_group("TCPS", "a TLS listener beside the TCP one (TLS 1.2, 1.3)")
    tls.add_argument(
        "--tcps-port", type=int, help="listen for TCPS on this port too; 0 picks a free one"
    )
    tls.add_argument("--tls-cert", type=Path, help="the server certificate (PEM, chain after)")
    tls.add_argument("--tls-key", type=Path, help="its private key (PEM, unencrypted)")
    tls.add_argument(
        "--tls-ca",
        type=Path,
        help="require client certificates signed by this CA (mutual TLS); without it, one-way TLS",
    )
    tls.add_argument(
        "--tls-renegotiate",
        action="store_true",
        help="answer the first CONNECT with RESEND/TLS_RENEG: the client handshakes a second "
        "time, as with an Oracle listener handing over to a server process (not with SNI)",
    )
    tls.add_argument(
        "--tcps-port-file",
        type=Path,
        help="write the bound TCPS port here (before the --ready-file is written)",
    )


def tls_context(args: argparse.Namespace) -> ssl.SSLContext | None:
    """The TCPS listener's context from the options, or None without ``--tcps-port``."""
    files = (args.tls_cert, args.tls_key, args.tls_ca)
    if args.tcps_port is None:
        if any(files) or args.tls_renegotiate:
            raise SystemExit("oracle-emulator: the --tls-* options need --tcps-port")
        return None
    if args.tls_cert is None or args.tls_key is None:
        raise SystemExit("oracle-emulator: --tcps-port needs --tls-cert and --tls-key")
    try:
        return server_context(TlsFiles(args.tls_cert, args.tls_key, args.tls_ca))
    except ValueError as exc:
        raise SystemExit(f"oracle-emulator: {exc}") from exc


def _load_scripts(database: EmulatorDatabase, scripts: Sequence[Path], default: str) -> None:
    for script in scripts:
        path_text, _, schema = str(script).partition(":")
        path = Path(path_text)
        if not path.is_file():
            raise SystemExit(f"oracle-emulator: --sql file not found: {path}")
        database.execute_script(path.read_text(encoding="utf-8"), schema=(schema or default))
        log.info("loaded %s into %s", path, schema or default)


def prepare_database(args: argparse.Namespace) -> EmulatorDatabase:
    users = {"SYSTEM": "manager", **dict(args.user)}
    database = EmulatorDatabase(
        service_name=args.service_name,
        users=users,
        path=str(args.database) if args.database else None,
        nls=nls_defaults(args),
    )
    if args.demo:
        started = time.monotonic()
        sizes = DemoSizes(
            customers=args.customers,
            orders=args.orders,
            bench_rows=args.bench_rows,
            seed=args.seed,
        )
        load_demo(database, sizes)
        if args.warm:
            for table in ("BENCH_ROWS", "SALES_ORDER", "SALES_LINE_ITEM"):
                database.warm(f"{DEMO_SCHEMA}.{table}")
        log.info("demo data ready in %.1f s", time.monotonic() - started)
    default_schema = args.user[0][0] if args.user else "SYSTEM"
    _load_scripts(database, args.sql, default_schema)
    return database


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    tls = tls_context(args)
    start_grammar_gate(args)
    database = prepare_database(args)
    server = EmulatorServer(
        database,
        host=args.host,
        port=args.port,
        services=args.service_alias,
        tls=tls,
        tcps_port=args.tcps_port or 0,
        tls_renegotiate=args.tls_renegotiate,
    )
    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        log.info("signal %d received: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    server.start()
    log.info(
        "listening on %s:%d, service %s (dsn %s:%d/%s)",
        args.host,
        server.port,
        args.service_name,
        args.host,
        server.port,
        args.service_name,
    )
    if server.tcps_port is not None:
        _log_tcps(args, server.tcps_port)
        if args.tcps_port_file:
            args.tcps_port_file.write_text(str(server.tcps_port), encoding="utf-8")
    control = None
    if args.control_port is not None:
        control = FaultControlServer(server.faults, "127.0.0.1", args.control_port).start()
        if args.control_file:
            args.control_file.write_text(str(control.port), encoding="utf-8")
    if args.ready_file:
        args.ready_file.write_text(str(server.port), encoding="utf-8")
    stop.wait()
    if control is not None:
        control.stop()
    server.stop()
    database.close()
    grammar_gate.shutdown()
    log.info("stopped")
    return 0


def start_grammar_gate(args: argparse.Namespace) -> None:
    """Start the grammar gate's parser now, so that it loads while the database is set up;
    refuse to start without it unless ``--no-grammar-check`` says so."""
    if args.no_grammar_check:
        grammar_gate.disable()
        log.warning(
            "GRAMMAR CHECK OFF (--no-grammar-check): statements are NOT parsed with Oracle's "
            "grammar; SQL that Oracle refuses may run here"
        )
        return
    try:
        grammar_gate.shared_gate()
    except grammar_gate.GrammarUnavailable as exc:
        raise SystemExit(f"oracle-emulator: {exc}") from exc


def _log_tcps(args: argparse.Namespace, port: int) -> None:
    clients = (
        f"client certificates required, signed by {certificate_subject(args.tls_ca)}"
        if args.tls_ca
        else "no client certificate asked for"
    )
    log.info(
        "TCPS listening on %s:%d (dsn tcps://%s:%d/%s), certificate %s, %s%s",
        args.host,
        port,
        args.host,
        port,
        args.service_name,
        certificate_subject(args.tls_cert),
        clients,
        ", TLS renegotiation after CONNECT" if args.tls_renegotiate else "",
    )


if __name__ == "__main__":
    raise SystemExit(main())
