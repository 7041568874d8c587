"""Jobs over REST: the runs of transport DAGs, one job per table, and its live event stream.

- ``GET /jobs?transport=ID&limit=N``: the newest runs of the transports the caller may read;
- ``GET /jobs/{run_id}?transport=ID&offset=0&limit=100&state=failed``: one job, a page of
  its tables (state, rows, bytes, rate, ETA), with totals over all of them;
- ``GET /jobs/{run_id}/events?transport=ID``: the same, live, as Server-Sent Events
  (:mod:`.events`): the totals, and each table when it changes.

A job may hold thousands of tables (a whole schema), so its answer is a page of them, in plan
order, optionally only those in some states; reading a job costs the same few queries whatever
the page (:mod:`.job_records`).

A job is a DAG run of a transport: a valid transport file of the transports folder whose id
is the DAG id. A run id is unique per DAG only, so ``transport`` picks the DAG when several
transports have a run of that id (409 without it). Reads run in a thread: the API server's
event loop serves every other request of Airflow too (FastAPI runs the routes' plain ``def``
dependencies in its thread pool).

Authorization is a dependency of each route (:mod:`.auth`): DAG run ``GET`` on the job's
transport. With ``transport`` the DAG is known, and 403 comes before anything is read; without
it, a run id names no DAG, so the runs of that id are looked up first (:func:`_find_job`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from airflow_oracle_etl.plugin.auth import (
    DagAccessEntity,
    permitted_dag_ids,
    require_dag_access,
    requires_any_dag,
    requires_dag_of,
)
from airflow_oracle_etl.plugin.events import end_event_id, job_events
from airflow_oracle_etl.plugin.job_records import JobReader, find_runs, list_runs
from airflow_oracle_etl.plugin.job_status import JobView, RunRecord, job_view, page
from airflow_oracle_etl.plugin.schemas import Job, JobList, JobSummary, TableState, error_responses
from airflow_oracle_etl.plugin.settings import events_interval_s, transports_folder
from airflow_oracle_etl.transports.loading import load_transports

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/jobs", tags=["jobs"])

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
#: tables in one answer of ``GET /jobs/{run_id}``, unless asked otherwise, and at most
DEFAULT_TABLE_LIMIT = 100
MAX_TABLE_LIMIT = 1000
#: bounds of the ``interval`` query parameter of the event stream (seconds)
MIN_INTERVAL_S = 0.2
MAX_INTERVAL_S = 10.0
EVENT_STREAM = "text/event-stream"
EVENT_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

_TRANSPORT_HELP = (
    "The transport (DAG id) of the run; needed only when several transports have a run of this id."
)
TransportParam = Annotated[str | None, Query(description=_TRANSPORT_HELP)]
ListTransportParam = Annotated[str | None, Query(description="Only this transport's jobs.")]


def transport_ids() -> set[str]:
    """Ids of the valid transports (a missing folder holds none)."""
    try:
        transports, _errors = load_transports(transports_folder())
    except FileNotFoundError:
        return set()
    return {transport.id for transport in transports}


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, what)


# -- authorization -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _JobLookup:
    """The DAG a job route authorizes, and the run when finding the DAG meant finding it."""

    dag_id: str
    run: RunRecord | None = None


def _find_job(user: GetUserDep, run_id: str, transport: TransportParam = None) -> _JobLookup:
    """The DAG of the job ``run_id``, to authorize.

    With ``transport`` that is the DAG, and nothing is read: a caller without the right gets
    403 whether or not the transport or its run exists. Without it, the runs of that id are
    read first, as a run id alone names no DAG: 404 when no transport has one, 409 when
    several that the caller may read do, and the caller's one readable run (else any run of
    that id, which then answers 403)."""
    if transport is not None:
        return _JobLookup(transport)
    runs = find_runs(run_id, transport_ids())
    if not runs:
        raise _not_found(f"no job {run_id!r}")
    readable = permitted_dag_ids(user, {run.dag_id for run in runs}, "GET")
    candidates = [run for run in runs if run.dag_id in readable] or runs[:1]
    if len(candidates) > 1:
        names = ", ".join(sorted(run.dag_id for run in candidates))
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"transports {names} each have a job {run_id!r}: add ?transport=ID",
        )
    return _JobLookup(candidates[0].dag_id, candidates[0])


def _job_dag_id(lookup: Annotated[_JobLookup, Depends(_find_job)]) -> str:
    return lookup.dag_id


#: the caller, once they may read the runs of the job's DAG (403 before the route runs)
MayReadJob = Annotated[BaseUser, Depends(requires_dag_of(_job_dag_id, "GET", DagAccessEntity.RUN))]


def _authorized_run(
    _user: MayReadJob, lookup: Annotated[_JobLookup, Depends(_find_job)], run_id: str
) -> RunRecord:
    """The run ``run_id`` of a transport the caller may read: 404 if there is none (after
    403: this depends on the authorization)."""
    if lookup.run is not None:
        return lookup.run
    transport = lookup.dag_id
    if transport not in transport_ids():
        raise _not_found(f"no transport {transport!r}")
    runs = find_runs(run_id, [transport])
    if not runs:
        raise _not_found(f"no job {run_id!r} of transport {transport!r}")
    return runs[0]


#: the job's run, read once the caller may read it
AuthorizedRun = Annotated[RunRecord, Depends(_authorized_run)]


def _may_list_jobs(
    user: Annotated[BaseUser, Depends(requires_any_dag("GET", DagAccessEntity.RUN))],
    transport: ListTransportParam = None,
) -> BaseUser:
    """The caller, once they may read DAG runs in general and, with ``transport``, that DAG's
    runs too: both checks before the list route reads anything."""
    if transport is not None:
        require_dag_access(user, transport, "GET", DagAccessEntity.RUN)
    return user


# -- routes ------------------------------------------------------------------------------------


def _read_job(reader: JobReader) -> JobView | None:
    records = reader.read()
    return None if records is None else job_view(records)


def _run_summary(run: RunRecord) -> JobSummary:
    return JobSummary(
        job_id=run.run_id,
        transport=run.dag_id,
        state=run.state,
        queued_at=None if run.queued_at is None else run.queued_at.isoformat(),
        start_date=None if run.start_date is None else run.start_date.isoformat(),
        end_date=None if run.end_date is None else run.end_date.isoformat(),
        run_type=run.run_type,
        conf=dict(run.conf or {}),
    )


_JOB_ERRORS = error_responses(
    {
        403: "The caller may not read the runs of the job's transport",
        404: "No such transport, or no job of this id",
        409: "Several transports have a job of this id: add ?transport=ID",
    }
)


@router.get(
    "",
    responses=error_responses(
        {403: "The caller may read no DAG runs, or not those of ?transport", 404: "No transport"}
    ),
)
def list_jobs(
    user: Annotated[BaseUser, Depends(_may_list_jobs)],
    transport: ListTransportParam = None,
    limit: Annotated[int, Query(ge=1, description=f"At most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
) -> JobList:
    """The newest jobs of the transports the caller may read, newest first (403 to a caller
    who may read no DAG at all)."""
    ids = transport_ids()
    if transport is not None:
        if transport not in ids:
            raise _not_found(f"no transport {transport!r}")
        readable = {transport}
    else:
        readable = permitted_dag_ids(user, ids, "GET")
    runs = list_runs(readable, min(limit, MAX_LIMIT))
    return JobList(jobs=[_run_summary(run) for run in runs])


@router.get("/{run_id}", responses=_JOB_ERRORS)
def get_job(
    run_id: str,
    run: AuthorizedRun,
    offset: Annotated[int, Query(ge=0, description="Tables to skip (in plan order).")] = 0,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_TABLE_LIMIT,
            description=f"Tables in the answer, at most {MAX_TABLE_LIMIT}.",
        ),
    ] = DEFAULT_TABLE_LIMIT,
    state: Annotated[
        list[TableState] | None,
        Query(description="Only tables in this state (repeat for several)."),
    ] = None,
) -> Job:
    """One job: the run, totals over all its tables, and a page of its tables with their
    state, rows, bytes, rows/s and ETA (``page.matching``: how many the filter keeps)."""
    job = _read_job(JobReader(run.dag_id, run.run_id))
    if job is None:
        raise _not_found(f"no job {run_id!r}")
    return Job.model_validate(page(job, offset=offset, limit=limit, states=state or ()))


def _event_id(text: str | None) -> int | None:
    """A ``Last-Event-ID`` as sent back by a client: one of our ids, else ignored."""
    if text is None or not text.strip().isdigit():
        return None
    return int(text.strip())


@router.get(
    "/{run_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {EVENT_STREAM: {"schema": {"type": "string"}}},
            "description": "The job's events: `job` (the job without its tables, with totals "
            "over all of them) when the run's state or totals change, `table` (a table with "
            "`job_id` and `transport`) when it changes, and last `end` (the final job "
            "without its tables: each table's final state came before it).",
        },
        204: {"description": "The job has ended and the client has seen its end event."},
        **_JOB_ERRORS,
    },
)
async def job_event_stream(
    run_id: str,
    request: Request,
    run: AuthorizedRun,
    interval: Annotated[
        float | None, Query(description="Seconds between looks (0.2 to 10).")
    ] = None,
    last_event_id: Annotated[
        str | None, Query(description="Last-Event-ID for clients that cannot set headers.")
    ] = None,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> Response:
    """The job as Server-Sent Events: ``job``, ``table`` and finally ``end`` events."""
    reader = JobReader(run.dag_id, run.run_id)

    async def read() -> JobView | None:
        return await anyio.to_thread.run_sync(_read_job, reader)

    first = await read()
    if first is None:
        raise _not_found(f"no job {run_id!r}")
    resume = _event_id(last_event_id_header)
    if resume is None:
        resume = _event_id(last_event_id)
    if first.final and resume is not None and resume >= end_event_id(first):
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    seconds = events_interval_s() if interval is None else interval
    events = job_events(
        read,
        interval_s=min(max(seconds, MIN_INTERVAL_S), MAX_INTERVAL_S),
        last_event_id=resume,
        first=first,
        is_disconnected=request.is_disconnected,
    )
    return StreamingResponse(events, media_type=EVENT_STREAM, headers=EVENT_STREAM_HEADERS)
