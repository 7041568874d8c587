"""The side-by-side benchmark's cases, one module each.

Child-process cases, each a module with ``prepare(spec) -> work``: ``prepare`` imports what
the case needs and builds its objects, outside the timing (a worker has them imported before
a task starts); ``work()`` moves the rows and returns how many, measured by
:func:`harness.measure` in a fresh process started by ``side_by_side.py --child``:

- :mod:`.fetch_only`: python-oracledb's fetchmany loop, arraysize 10,000: the ceiling;
- :mod:`.our_operator`: ``OracleToGCSJsonlOperator``, one task, checkpointed as in a task
  (read in primary-key order); :mod:`.our_operator_unordered`: the same with
  ``checkpoint=False``, to show what the order costs;
- :mod:`.google_operator`: apache-airflow-providers-google's ``OracleToGCSOperator``;
- :mod:`.dlt_source`: dlt's ``sql_database`` source (pyarrow backend) into a filesystem
  destination on the GCS emulator.

:mod:`.transport_parallel` is driven from the parent instead: its work runs in a real Airflow
stack's task processes, which the parent observes.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import asdict
from typing import Any

from .harness import CaseSpec, Unsupported, measure, result_line

CHILD_CASES = (
    "fetch_only",
    "our_operator",
    "our_operator_unordered",
    "google_operator",
    "dlt_source",
)
PARENT_CASES = ("transport_parallel",)
#: the order cases alternate in (each repeat starts one further along)
ALL_CASES = (
    "fetch_only",
    "our_operator",
    "our_operator_unordered",
    "transport_parallel",
    "google_operator",
    "dlt_source",
)


def run_child(case: str, spec_json: str) -> int:
    """The body of a case's child process: run, measure, print the result line; the exit
    code is 0 also for an unsupported case (that is a finding, not a failure)."""
    if case not in CHILD_CASES:
        raise SystemExit(f"unknown child case {case!r}")
    spec = CaseSpec.from_json(spec_json)
    module = importlib.import_module(f".{case}", __package__)
    payload: dict[str, Any]
    try:
        work = module.prepare(spec)
        payload = asdict(measure(work))
    except Unsupported as verdict:
        payload = {"unsupported": str(verdict)}
    except Exception as error:  # reported in the table, the run goes on with other cases
        traceback.print_exc(file=sys.stderr)
        payload = {"error": f"{type(error).__name__}: {error}"[:500]}
    print(result_line(payload), flush=True)
    return 0 if "error" not in payload else 1
