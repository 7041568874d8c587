"""The plugin's response bodies as pydantic models, so ``/oracle-etl/openapi.json`` describes them.

The routes build these from the same dictionaries they always answered with (a transport as
:func:`~.transport_files.describe` gives it, a job as :mod:`.job_status` computes it), so a
model is a contract on that JSON, not a second source of it: a field the code does not
produce has no place here, and a unit test compares both.

:func:`error_responses` documents the errors of a route: ``{"detail": "why"}``, as
:class:`~fastapi.HTTPException` answers, and for a bad request body the list of problems
shaped like FastAPI's own validation errors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import status
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CreatedTransport",
    "Error",
    "FileProblem",
    "Health",
    "InvalidTransportFile",
    "Job",
    "JobLinks",
    "JobList",
    "JobPage",
    "JobSummary",
    "JobTable",
    "JobTablesByState",
    "JobTotals",
    "RequestProblem",
    "RequestProblems",
    "StartedJob",
    "TableIncremental",
    "TransportDestination",
    "TransportFetch",
    "TransportInfo",
    "TransportList",
    "TransportPacking",
    "TransportParts",
    "TransportSelector",
    "TransportTable",
    "error_responses",
]

#: a moment as Python's ``isoformat()`` writes it (``+00:00``, not ``Z``): kept as text, so
#: the JSON stays what Airflow's stored time gives, to the microsecond
IsoTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class _Response(BaseModel):
    """Read-only answers: nothing validates a client's input against these."""

    model_config = ConfigDict(frozen=True)


# -- transports --------------------------------------------------------------------------------


class TableIncremental(_Response):
    """The watermark as the plan resolves it, so a client sees the exact column the job
    compares (a configured ``updated_at`` shows as ``UPDATED_AT``)."""

    column: str
    initial: str | int | None


class TransportTable(_Response):
    """A table with every default resolved: what the job will do, not what the file omits."""

    table: str = Field(description="OWNER.NAME or NAME, as the job's task labels show it")
    owner: str | None = Field(description="None: the Oracle connection's default schema")
    name: str
    columns: list[str] | None = Field(description="None: every column, in table order")
    where: str | None
    partitions: int
    partition_strategy: str
    partition_by: str | None
    incremental: TableIncremental | None
    trim_char: bool
    omit_nulls: bool
    checkpoint: bool


class TransportSelector(_Response):
    """A schema selector as the file writes it: its tables are known only when a job is
    planned (the job manifest lists what each selector resolved to)."""

    model_config = ConfigDict(frozen=True, validate_by_alias=True, serialize_by_alias=True)

    # ``schema`` would shadow a BaseModel attribute; the JSON field is ``schema``
    schema_: str = Field(alias="schema", description="The owner whose tables are matched")
    include: list[str] = Field(description="Glob patterns on table names, as written")
    exclude: list[str] = Field(description="Patterns of names left out; exclude wins")
    include_views: bool
    trim_char: bool
    omit_nulls: bool
    checkpoint: bool


class TransportPacking(_Response):
    """How the plan assigns tables to extract tasks."""

    enabled: bool
    groups: int | None = Field(description="None: as many groups as parallel_tables")
    reads_at_once: int = Field(
        description="tables a task of several reads at the same time, each on its own session"
    )


class TransportDestination(_Response):
    """Where the files go; a connection id only, as a transport holds no secrets."""

    bucket: str
    prefix: str
    gcp_conn_id: str


class TransportFetch(_Response):
    """Cursor tuning, left None where the Oracle connection's extra decides."""

    arraysize: int | None
    prefetchrows: int | None
    batch_rows: int


class TransportParts(_Response):
    """Part file limits in bytes, whatever unit the file wrote them in."""

    max_rows: int
    max_bytes: int
    chunk_size: int
    compression_level: int


class TransportInfo(_Response):
    """A transport as its file defines it, and whether Airflow has its DAG yet: the file is
    written at once, the DAG appears only at the DAG processor's next parse."""

    id: str = Field(description="The transport's id, which is its DAG id")
    display_name: str
    file: str = Field(description="The file's name in the transports folder (not its path)")
    name: str | None
    description: str
    tables: list[TransportTable | TransportSelector] = Field(
        description="In file order: tables named one by one, and schema selectors"
    )
    schedule: str | None
    destination: TransportDestination
    oracle_conn_id: str
    parallel_tables: int
    packing: TransportPacking
    fetch: TransportFetch
    parts: TransportParts
    retries: int
    retry_delay_seconds: float
    tags: list[str]
    owner: str
    consistent_snapshot: bool
    start_date: dt.date
    progress_interval_seconds: float
    dag_registered: bool = Field(description="Airflow has an active DAG of this id")
    dag_paused: bool | None = Field(description="None while Airflow has no DAG of this id")


class CreatedTransport(TransportInfo):
    """A new transport: says why ``dag_registered`` is still false."""

    note: str


class FileProblem(_Response):
    """One problem of a file, with the field path people write in the YAML."""

    field: str = Field(description="tables[0].partitions; empty for the whole file")
    reason: str


class InvalidTransportFile(_Response):
    """A file that does not load: it has no DAG, so this is where its author finds out why."""

    file: str
    problems: list[FileProblem]


class TransportList(_Response):
    """Valid transports and broken files side by side, so a broken file is never silent."""

    transports: list[TransportInfo]
    invalid: list[InvalidTransportFile]


# -- jobs --------------------------------------------------------------------------------------


class JobLinks(_Response):
    """Where to follow a job just started, so a client need not build URLs."""

    job: str
    events: str
    airflow: str = Field(description="The run's page in Airflow's UI")


class StartedJob(_Response):
    """The run ``execute`` created, and the conf it was given (the request body as sent)."""

    job_id: str = Field(description="The DAG run's id")
    transport: str
    state: str
    conf: dict[str, Any]
    dag_paused: bool
    links: JobLinks
    note: str | None = Field(
        default=None,
        exclude_if=lambda note: note is None,
        description="Only for a paused DAG: the job waits queued until it is unpaused",
    )


class JobSummary(_Response):
    """A run in a list: the run alone, as reading every table's progress for a whole list
    would cost a query per run."""

    job_id: str
    transport: str
    state: str | None
    queued_at: IsoTime | None
    start_date: IsoTime | None
    end_date: IsoTime | None
    run_type: str | None
    conf: dict[str, Any]


class JobList(_Response):
    """Newest first, limited: a transport on a schedule gathers runs without end."""

    jobs: list[JobSummary]


TableState = Literal["pending", "running", "success", "failed", "skipped"]


class JobTablesByState(_Response):
    """How many tables are in each state."""

    pending: int
    running: int
    success: int
    failed: int
    skipped: int


class JobTotals(_Response):
    """The sums over every table of the job (not only the page's), so a client need not add
    them up, nor read every page to show the job's progress."""

    rows: int
    bytes: int
    rows_per_second: float
    tables: int = Field(description="The job's tables")
    tables_by_state: JobTablesByState
    progress: float | None = Field(
        description="The share of the work done, 0 to 1: each table weighs its planned bytes "
        "(each weighs one when the plan estimated not every table); None without tables"
    )


class JobTable(_Response):
    """One table of a job, all its partitions added up: people follow tables, not tasks."""

    table: str
    state: TableState
    rows: int
    bytes: int
    rows_per_second: float
    eta_seconds: float | None = Field(
        description="None without a row estimate or a rate, or past the estimate"
    )
    estimated_rows: int | None = Field(description="Oracle's statistics: an estimate")
    estimated_bytes: int | None = Field(
        description="The plan's estimate of the table's bytes, by which it packs tables"
    )
    partitions: int
    partitions_done: int
    phase: str | None
    error: str | None = Field(description="Why its failed reads failed (type: message)")


class JobPage(_Response):
    """Which tables an answer holds: ``limit`` from ``offset`` among the ``matching`` ones
    (those of the ``state`` filter, else all)."""

    offset: int
    limit: int
    matching: int


class JobHeader(_Response):
    """A job without its tables, as the event stream's ``job`` and ``end`` events give it
    (no route answers it alone, so the OpenAPI document shows it inside :class:`Job`)."""

    job_id: str
    transport: str
    state: str | None
    run_type: str | None
    queued_at: IsoTime | None
    start_date: IsoTime | None
    end_date: IsoTime | None
    conf: dict[str, Any]
    totals: JobTotals


class Job(JobHeader):
    """A job as ``GET /jobs/{run_id}`` gives it: a page of its tables, in plan order."""

    page: JobPage
    event_id: int = Field(
        description="The id of the job's last change: the event stream opened with "
        "?last_event_id= this value sends only what changed since (and the job event)"
    )
    tables: list[JobTable] = Field(description="Empty until the plan task has mapped its tables")


# -- health ------------------------------------------------------------------------------------


class Health(_Response):
    """Enough to tell a plugin that runs without its transports folder from one that works."""

    status: Literal["ok", "degraded"]
    version: str
    transports_folder: str
    transports_folder_exists: bool


# -- errors ------------------------------------------------------------------------------------


class Error(_Response):
    """What an HTTPException answers, Airflow's own 401 included: one message, for people."""

    detail: str


class RequestProblem(_Response):
    """Shaped like FastAPI's own validation errors, so one client parses both."""

    loc: list[str | int] = Field(description='["body", "tables", 0, "partitions"]')
    msg: str
    type: str


class RequestProblems(_Response):
    """Every problem of a body at once, so a client fixes them in one round."""

    detail: list[RequestProblem]


JSON = "application/json"
#: why Airflow's authentication refuses a request: the same on every route
UNAUTHENTICATED = "No valid token or session cookie"


def error_responses(
    errors: Mapping[int, str], *, route_media_type: str = JSON
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route: 401 from Airflow's authentication, and ``errors`` (status:
    when it happens) with :class:`RequestProblems` for 422 and :class:`Error` otherwise.

    Errors are JSON whatever the route answers. FastAPI files an error's ``model`` under the
    route's own media type, so a route that answers something else (``route_media_type``, an
    HTML page) gets the schema written out under ``application/json`` instead."""
    documented = {status.HTTP_401_UNAUTHORIZED: UNAUTHENTICATED, **errors}
    responses: dict[int | str, dict[str, Any]] = {}
    for code, description in sorted(documented.items()):
        model = RequestProblems if code == status.HTTP_422_UNPROCESSABLE_CONTENT else Error
        if route_media_type == JSON:
            responses[code] = {"model": model, "description": description}
        else:
            schema = model.model_json_schema()
            responses[code] = {"description": description, "content": {JSON: {"schema": schema}}}
    return responses
