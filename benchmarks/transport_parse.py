"""Transports at scale without running them: how long the DAG processor takes over a DAG file
of many transport files, and how long the plan task takes over a transport of 2,000 tables
(issue 17).

``parse``: a dags folder as ``make run`` deploys it (a copy of ``dags/transports.py`` with
``--transports`` files beside it in ``transports/``, each of ``--tables-per-transport``
explicit tables, one of them partitioned and one incremental: the listing is what a DAG's
size grows with, as a selector is resolved at plan time, not at parse time). Each sample is a
fresh process doing what Airflow's DAG processor does with one file (``airflow.dag_processing.
processor._parse_file``): a ``BundleDagBag`` of the file (the import that
``[core] dagbag_import_timeout`` bounds, 30 s by default) and ``DagSerialization.to_dict`` of
every DAG it holds (inside ``[dag_processor] dag_file_processor_timeout``, 50 s by default),
after importing Airflow's own modules untimed (the processor's parent has them imported before
it forks), then the bag once more in the same process (the provider's modules imported: the
transports' own cost). Baseline in the same run: the same for a file of one transport. A
task process parses its DAG file too before it runs, so the bag time is also what every task
of these transports pays at start.

``plan``: an emulator holding ``--plan-tables`` tables (``CREATE TABLE ... AS SELECT`` from
BENCH_ROWS through the driver, with their primary keys; time printed), a transport listing
them all (and one with a schema selector matching them, when the model knows selectors), and
the transport DAG's own ``plan`` task executed in this process against the emulator and
fake-gcs-server, as its task would run it; baseline in the same run: a one-table transport.

    .venv/bin/python benchmarks/transport_parse.py                      # both, 3 repeats
    .venv/bin/python benchmarks/transport_parse.py --only parse --transports 50 \\
        --tables-per-transport 40
    .venv/bin/python benchmarks/transport_parse.py --only plan --plan-tables 2000

Emulator figures on a small machine: the dictionary queries are answered by the emulator
(DuckDB behind the wire protocol), not by Oracle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LOADER_DAG = REPO / "dags" / "transports.py"
OUT = HERE / "out"
OWNER = "DEMO"
BUCKET = "plan"
#: Airflow's defaults: [core] dagbag_import_timeout, [dag_processor] dag_file_processor_timeout
IMPORT_TIMEOUT_S = 30.0
FILE_PROCESSOR_TIMEOUT_S = 50.0
CHILD_TIMEOUT_S = 600.0
RESULT_MARK = "PARSE-RESULT "


# --- pure helpers (unit tested) -------------------------------------------------------------


def parse_transport_yaml(transport_id: str, tables: int) -> str:
    """A transport file of ``tables`` explicit tables: the first partitioned, the second
    incremental, the rest plain."""
    lines = [
        f"id: {transport_id}",
        f"name: Parse benchmark {transport_id}",
        "schedule: '@daily'",
        "oracle_conn_id: oracle_demo",
        "destination: {gcp_conn_id: gcs_demo, bucket: parse-bench, prefix: exports}",
        "parallel_tables: 4",
        "tables:",
    ]
    for index in range(tables):
        name = f"{OWNER}.{transport_id.upper()}_T{index:04d}"
        if index == 0:
            lines.append(f"  - {{table: {name}, partitions: 4}}")
        elif index == 1:
            lines.append(f"  - {{table: {name}, incremental: {{column: UPDATED_AT}}}}")
        else:
            lines.append(f"  - {name}")
    return "\n".join(lines) + "\n"


def write_dags_folder(folder: Path, transports: int, tables: int) -> Path:
    """``folder`` with the loader file and ``transports`` transport files; the loader's path."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "transports").mkdir(parents=True)
    loader = folder / LOADER_DAG.name
    shutil.copy(LOADER_DAG, loader)
    for number in range(transports):
        transport_id = f"parse_{number:03d}"
        (folder / "transports" / f"{transport_id}.yaml").write_text(
            parse_transport_yaml(transport_id, tables)
        )
    return loader


def plan_table_names(tables: int) -> list[str]:
    return [f"P{tables:04d}_{index:04d}" for index in range(tables)]


def plan_table_sql(tables: int, rows_per_table: int) -> list[str]:
    """The plan benchmark's tables: ``rows_per_table`` rows of BENCH_ROWS each, with a key."""
    statements = []
    for name in plan_table_names(tables):
        statements.append(
            f"CREATE TABLE {name} AS SELECT * FROM BENCH_ROWS WHERE ID <= {rows_per_table}"
        )
        statements.append(f"ALTER TABLE {name} ADD CONSTRAINT {name}_PK PRIMARY KEY (ID)")
    return statements


def plan_transport_yaml(
    transport_id: str, names: Sequence[str], selector: bool, unpacked: bool = False
) -> str:
    """A transport over ``names`` (``plan_table_names``) listed one by one, or as one schema
    selector (their common prefix, ``P2000_``, and ``*``); packed unless ``unpacked``."""
    packing = "packing: {enabled: false}\n" if unpacked else ""
    head = (
        f"id: {transport_id}\nschedule: null\noracle_conn_id: oracle_demo\n"
        f"destination: {{gcp_conn_id: gcs_demo, bucket: {BUCKET}, prefix: plan}}\n"
        f"parallel_tables: 4\n{packing}tables:\n"
    )
    if selector:
        prefix = names[0].split("_")[0]
        return head + f"  - {{schema: {OWNER}, include: ['{prefix}_*']}}\n"
    return head + "".join(f"  - {OWNER}.{name}\n" for name in names)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- parse ----------------------------------------------------------------------------------


def parse_child(loader: str) -> dict[str, Any]:
    """In a fresh process: the DAG processor's work on one file, timed."""
    started = time.perf_counter()
    from airflow.dag_processing.dagbag import BundleDagBag
    from airflow.serialization.serialized_objects import DagSerialization

    airflow_import_s = time.perf_counter() - started
    path = Path(loader)
    started = time.perf_counter()
    bag = BundleDagBag(
        dag_folder=str(path), bundle_path=path.parent, bundle_name="dags-folder",
        load_op_links=False,
    )  # fmt: skip
    bag_s = time.perf_counter() - started
    started = time.perf_counter()
    serialized = [DagSerialization.to_dict(dag) for dag in bag.dags.values()]
    serialize_s = time.perf_counter() - started
    # the file again in the same process: the provider's modules are imported now, so this is
    # the transports' own cost (reading the YAML files, building the DAGs)
    started = time.perf_counter()
    BundleDagBag(
        dag_folder=str(path), bundle_path=path.parent, bundle_name="dags-folder",
        load_op_links=False,
    )  # fmt: skip
    again_s = time.perf_counter() - started
    return {
        "airflow_import_s": airflow_import_s,
        "bag_s": bag_s,
        "bag_again_s": again_s,
        "stats_s": sum(stat.duration.total_seconds() for stat in bag.dagbag_stats),
        "serialize_s": serialize_s,
        "dags": len(bag.dags),
        "tasks": sum(len(dag.tasks) for dag in bag.dags.values()),
        "serialized_bytes": sum(len(json.dumps(data)) for data in serialized),
        "import_errors": len(bag.import_errors),
    }


def run_parse_child(loader: Path, home: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env |= {"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(loader.parent),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--parse-child", str(loader)],
        capture_output=True, text=True, env=env, timeout=CHILD_TIMEOUT_S, check=False,
    )  # fmt: skip
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return dict(json.loads(line[len(RESULT_MARK) :]))
    raise RuntimeError(f"the parse child failed ({done.returncode}):\n{done.stderr[-3000:]}")


def bench_parse(args: argparse.Namespace) -> str:
    work = OUT / "parse"
    home = work / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    folders = {
        f"{args.transports} transports": write_dags_folder(
            work / "many", args.transports, args.tables_per_transport
        ),
        "1 transport": write_dags_folder(work / "one", 1, args.tables_per_transport),
    }
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in folders}
    for repeat in range(args.repeats):
        names = list(folders)
        for name in names[repeat % 2 :] + names[: repeat % 2]:  # alternate the first
            sample = run_parse_child(folders[name], home)
            if sample["import_errors"]:
                raise RuntimeError(f"{name}: {sample['import_errors']} import errors")
            samples[name].append(sample)
            print(f"  {name}: bag {sample['bag_s']:.2f} s, serialize {sample['serialize_s']:.2f} "
                  f"s", file=sys.stderr)  # fmt: skip
    lines = [
        f"DAG file parse, {args.tables_per_transport} tables per transport, medians of "
        f"{args.repeats} fresh processes (Airflow's modules imported first, untimed: "
        f"{median([s['airflow_import_s'] for v in samples.values() for s in v]):.2f} s)",
        "",
        "| DAG file | DAGs | tasks | bag (import) s | of dagbag_import_timeout 30 s | "
        "serialize s | bag + serialize of dag_file_processor_timeout 50 s | serialized MB | "
        "bag again (provider imported) s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, found in samples.items():
        bag = median([s["bag_s"] for s in found])
        serialize = median([s["serialize_s"] for s in found])
        lines.append(
            f"| {name} | {found[0]['dags']} | {found[0]['tasks']} | {bag:.2f} | "
            f"{bag / IMPORT_TIMEOUT_S:.0%} | {serialize:.2f} | "
            f"{(bag + serialize) / FILE_PROCESSOR_TIMEOUT_S:.0%} | "
            f"{found[0]['serialized_bytes'] / 1e6:.2f} | "
            f"{median([s['bag_again_s'] for s in found]):.2f} |"
        )
    return "\n".join(lines)


# --- plan -----------------------------------------------------------------------------------


def selectors_known() -> bool:
    """Whether this build's transport model knows schema selectors."""
    from airflow_oracle_etl.transports import parse_transport
    from airflow_oracle_etl.transports.errors import TransportError

    try:
        parse_transport(plan_transport_yaml("probe", ["T1", "T2"], True), source="probe.yaml")
    except TransportError:
        return False
    return True


class _TaskInstance:
    """What the plan task asks of its task instance: its try and an XCom to push to."""

    try_number = 1
    map_index = -1

    def __init__(self) -> None:
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def time_plan(text: str, run_id: str) -> tuple[float, list[Mapping[str, Any]]]:
    """Execute the ``plan`` task of the transport in ``text``; seconds and its output."""
    from cases.our_operator import MemoryStateStore  # beside this script

    from airflow_oracle_etl.transports import parse_transport
    from airflow_oracle_etl.transports.factory import build_dag

    dag = build_dag(parse_transport(text, source="plan.yaml"))
    plan = dag.get_task("plan")
    dag_run = SimpleNamespace(conf={}, run_id=run_id, dag_id=dag.dag_id)
    context = {"run_id": run_id, "dag_run": dag_run, "ti": _TaskInstance(),
               "task_state_store": MemoryStateStore(), "dag": dag, "task": plan}  # fmt: skip
    started = time.perf_counter()
    output = plan.execute(context)  # type: ignore[arg-type]
    return time.perf_counter() - started, list(output)


def _reads(output: Sequence[Mapping[str, Any]]) -> int:
    return sum(len(item["reads"]) if "reads" in item else 1 for item in output)


def bench_plan(args: argparse.Namespace) -> str:
    import oracledb

    from oracle_emulator.process import EmulatorProcess
    from oracle_etl_stack.airflow_stack import connections_env
    from oracle_etl_stack.gcs import GcsEmulator

    tables = args.plan_tables
    emulator_args = ["--demo", "--bench-rows", str(max(1_000, args.rows_per_table)),
                     "--orders", "100", "--customers", "100", "--warm"]  # fmt: skip
    with EmulatorProcess(args=emulator_args) as oracle, GcsEmulator() as gcs:
        env = connections_env(oracle_host=oracle.host, oracle_port=oracle.port,
                              service_name=oracle.service_name, gcs_url=gcs.url)  # fmt: skip
        os.environ.update(env)
        gcs.client().create_bucket(BUCKET)
        started = time.perf_counter()
        with oracledb.connect(user="demo", password="demo", dsn=oracle.dsn) as connection:
            cursor = connection.cursor()
            for statement in plan_table_sql(tables, args.rows_per_table):
                cursor.execute(statement)
            connection.commit()
        made_s = time.perf_counter() - started
        print(f"  {tables} tables made in {made_s:.1f} s", file=sys.stderr)
        names = plan_table_names(tables)
        cases = {
            "1 table": plan_transport_yaml("plan_one", names[:1], False),
            f"{tables} tables listed": plan_transport_yaml("plan_listed", names, False),
        }
        if selectors_known():
            cases[f"{tables} tables, one selector"] = plan_transport_yaml("plan_sel", names, True)
            cases[f"{tables} tables listed, unpacked"] = plan_transport_yaml(
                "plan_unpacked", names, False, unpacked=True
            )
        time_plan(cases["1 table"], "plan_warmup")  # the first connect pays for imports
        samples: dict[str, list[float]] = {name: [] for name in cases}
        reads: dict[str, int] = {}
        tasks: dict[str, int] = {}
        for repeat in range(args.repeats):
            order = list(cases)
            shift = repeat % len(order)
            for name in order[shift:] + order[:shift]:
                seconds, output = time_plan(cases[name], f"plan_{repeat}_{time.time_ns()}")
                samples[name].append(seconds)
                reads[name], tasks[name] = _reads(output), len(output)
                print(f"  plan {name}: {seconds:.2f} s, {len(output)} tasks", file=sys.stderr)
    lines = [
        f"Plan task of a transport, executed in process against the emulator, medians of "
        f"{args.repeats} (tables of {args.rows_per_table:,} rows, made in {made_s:.1f} s "
        "through the driver)",
        "",
        "| transport | reads | extract tasks | plan s | ms per table |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, found in samples.items():
        seconds = median(found)
        count = 1 if name == "1 table" else tables
        lines.append(
            f"| {name} | {reads[name]} | {tasks[name]} | {seconds:.2f} | "
            f"{seconds / count * 1000:.1f} |"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["parse", "plan"], help="one of the two benchmarks")
    parser.add_argument("--transports", type=int, default=50)
    parser.add_argument("--tables-per-transport", type=int, default=40)
    parser.add_argument("--plan-tables", type=int, default=2_000)
    parser.add_argument("--rows-per-table", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parse-child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.parse_child:
        print(RESULT_MARK + json.dumps(parse_child(args.parse_child)))
        return 0
    # this process imports Airflow (the plan case): its configuration lives here, not in ~
    home = OUT / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["AIRFLOW_HOME"] = str(home)
    what = [args.only] if args.only else ["parse", "plan"]
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}\n")  # fmt: skip
    if "parse" in what:
        print(bench_parse(args) + "\n", flush=True)
    if "plan" in what:
        logging.disable(logging.INFO)  # the plan logs a line per table
        print(bench_plan(args), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
