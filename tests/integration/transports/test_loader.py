"""The DAG file ``dags/transports.py`` parsed by Airflow's own DagBag: one DAG per valid
transport file, a broken file reported without stopping the others."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from airflow_oracle_etl.transports import load_transport
from airflow_oracle_etl.transports.factory import build_dag
from airflow_oracle_etl.transports.model import RETRY_BACKOFF_MULTIPLIER

LOADER = Path(__file__).resolve().parents[3] / "dags" / "transports.py"
BROKEN = "id: broken\ntables: [CUSTOMER]\ndestination: {bucket: b}\nparallel_tables: 0\n"


def test_the_loader_builds_valid_transports_and_reports_a_broken_one(
    tmp_path: Path,
    write_transport: Callable[..., Path],
    airflow_db: Path,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    dags = tmp_path / "dags"
    (dags / "transports").mkdir(parents=True)
    shutil.copy(LOADER, dags / "transports.py")
    for transport_id in ("first", "second"):
        shutil.copy(write_transport(transport_id), dags / "transports")
    (dags / "transports" / "broken.yaml").write_text(BROKEN)

    bag = DagBag(dag_folder=dags, safe_mode=False)

    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == ["first", "second"]
    warnings = "\n".join(w for ws in bag.captured_warnings.values() for w in ws)
    assert "TransportFileWarning" in warnings
    broken = dags / "transports" / "broken.yaml"
    assert f"{broken}:0: airflow_oracle_etl.transports.factory.TransportFileWarning" in warnings
    assert "broken.yaml: parallel_tables: must be between 1 and 64, got 0" in warnings
    extract = bag.get_dag("first").get_task("extract")
    assert extract.map_index_template is not None


def test_the_dag_carries_the_transport_settings(write_transport: Callable[..., Path]) -> None:
    transport = load_transport(write_transport("settings"))
    dag = build_dag(transport)

    assert dag.dag_id == "settings"
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.tags == {"test"}
    assert dag.start_date == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    tasks = [task.task_id for task in dag.topological_sort()]
    assert tasks == ["plan", "extract", "finalize", "report"]
    extract = dag.get_task("extract")
    assert extract.max_active_tis_per_dagrun == transport.parallel_tables == 2
    for task in dag.tasks:
        assert task.retries == 0
        assert task.retry_exponential_backoff == RETRY_BACKOFF_MULTIPLIER
        assert task.retry_delay == dt.timedelta(seconds=1)
    assert "DEMO" not in dag.doc_md  # the file names no owner
    assert "`SALES_LINE_ITEM` | 2 partitions (hash)" in dag.doc_md
    assert "Small tables share extract tasks (up to 2 groups" in dag.doc_md
    assert dag.get_task("finalize").trigger_rule == "all_done_min_one_success"
    assert [outlet.name for outlet in dag.get_task("finalize").outlets] == ["oracle_etl:settings"]
    assert dag.get_task("report").trigger_rule == "all_success"
    assert "through the asset alias `oracle_etl:settings`" in dag.doc_md


def test_the_dag_documents_its_selectors_and_packing(write_transport: Callable[..., Path]) -> None:
    tables = """
    tables:
      - CUSTOMER
      - schema: demo
        include: [SALES*]
        exclude: ["*_TMP"]
    packing: {enabled: false}
    """
    dag = build_dag(load_transport(write_transport("documented", tables)))

    assert "| tables[1] (schema DEMO, include SALES*, exclude *_TMP) | every matching" in (
        dag.doc_md
    )
    assert "Each table has an extract task of its own (packing is disabled)." in dag.doc_md
    plan = dag.get_task("plan")
    assert json.loads(json.dumps(plan.selectors)) == [
        {"index": 1, "selector": {"schema": "demo", "include": ["SALES*"], "exclude": ["*_TMP"],
                                  "include_views": False, "trim_char": False,
                                  "omit_nulls": False, "checkpoint": True}},
    ]  # fmt: skip
    assert plan.packing == {"enabled": False, "groups": None, "reads_at_once": 4}
    # a task of its own reads one table: its reads_at_once is 1 whatever packing says
    assert dag.get_task("extract").partial_kwargs["reads_at_once"] == 1


def test_the_shipped_demo_transport_loads(airflow_db: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=LOADER, safe_mode=False)

    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    dag = bag.get_dag("daily_sales")
    assert dag is not None and dag.dag_display_name == "Daily Sales Export"
    assert dag.get_task("extract").max_active_tis_per_dagrun == 4


def test_a_dag_file_of_fifty_transports_loads_every_one(
    tmp_path: Path, write_transport: Callable[..., Path], airflow_db: Path
) -> None:
    """Fifty transports (explicit tables and schema selectors) in one DAG file: each is a DAG,
    none needs the database to be built (selectors resolve when a job is planned). Its parse
    time is measured by benchmarks/transport_parse.py."""
    from airflow.dag_processing.dagbag import DagBag

    dags = tmp_path / "dags"
    (dags / "transports").mkdir(parents=True)
    shutil.copy(LOADER, dags / "transports.py")
    selector = """
    tables:
      - schema: DEMO
        include: [SALES*]
      - CUSTOMER
    """
    for number in range(50):
        tables = (
            selector
            if number % 2
            else """
    tables:
      - table: SALES_LINE_ITEM
        partitions: 4
      - SALES_ORDER
    """
        )
        shutil.copy(write_transport(f"fleet_{number:02}", tables), dags / "transports")

    bag = DagBag(dag_folder=dags, safe_mode=False)

    assert bag.import_errors == {}
    assert bag.captured_warnings == {}
    assert sorted(bag.dag_ids) == [f"fleet_{number:02}" for number in range(50)]
    assert all(len(bag.get_dag(i).tasks) == 4 for i in bag.dag_ids)  # plan to report
