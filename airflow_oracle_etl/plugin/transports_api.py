"""``/transports``: list, read, create and delete transport files, and start a job.

A transport's id is its DAG id, so each route depends on a permission of that DAG (:mod:`.auth`),
which FastAPI checks before the route looks at the folder or the request body: a caller
without the right gets 403 whether or not the transport exists or the body is valid.
``POST /transports`` is the one route that reads the body first, for the id it names (see
:func:`_dag_id_in_body`). Response bodies are the models of :mod:`.schemas`.

=====================================  ==========================================================
``GET /transports``                    valid transports the caller may read (DAG ``GET``), and
                                       the files that do not load with their problems (a broken
                                       file has no DAG to check, and this list is where people
                                       find out why their transport has no DAG; Airflow 3.3
                                       shows no import error); 403 to a caller who may read no
                                       DAG at all
``GET /transports/{id}``               one transport; 404 if no file defines it
``POST /transports``                   DAG ``POST``; body = the file's fields as JSON; 422 with
                                       every problem as ``{"loc": ["body", "tables", 0, ...]}``,
                                       409 if the id is taken (by a transport, a file named
                                       after it, or an active DAG of any other file); 201
                                       writes ``{id}.yaml``. The DAG appears at the
                                       dag-processor's next parse (``dag_registered`` tells).
``DELETE /transports/{id}``            DAG ``DELETE``; 409 while a job is queued or running;
                                       removes the file only (Airflow keeps the DAG's history and
                                       marks it stale at the next parse); also removes a broken
                                       ``{id}.yaml``, which would otherwise block the id
``POST /transports/{id}/execute``      DAG run ``POST``; body ``{"tables": [...],
                                       "full_refresh": bool}`` (optional) becomes the run conf;
                                       409 until Airflow has registered the DAG. A paused DAG
                                       still gets the run (as in Airflow's own trigger API): it
                                       waits queued until the DAG is unpaused, and the response
                                       says ``dag_paused: true``.
=====================================  ==========================================================
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from airflow.api.common.trigger_dag import trigger_dag
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.exceptions import DagNotFound
from airflow.models.dag import DagModel
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState
from airflow.utils.types import DagRunTriggeredByType
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from sqlalchemy import select

from airflow_oracle_etl.plugin import transport_files
from airflow_oracle_etl.plugin.auth import (
    DagAccessEntity,
    permitted_dag_ids,
    requires_any_dag,
    requires_dag,
    requires_dag_of,
)
from airflow_oracle_etl.plugin.schemas import (
    CreatedTransport,
    FileProblem,
    InvalidTransportFile,
    JobLinks,
    StartedJob,
    TransportInfo,
    TransportList,
    error_responses,
)
from airflow_oracle_etl.plugin.settings import transports_folder
from airflow_oracle_etl.transports.errors import TransportError
from airflow_oracle_etl.transports.loading import MAX_FILE_BYTES
from airflow_oracle_etl.transports.model import Transport
from airflow_oracle_etl.transports.run_conf import RunConfError, parse_run_conf

router = APIRouter(prefix="/transports", tags=["transports"])

#: 422 ``type`` of a problem found by the transport loader
TRANSPORT_INVALID = "transport_invalid"
#: 422 ``type`` of a bad ``execute`` body
CONF_INVALID = "conf_invalid"
_ACTIVE_RUN_STATES = (DagRunState.QUEUED, DagRunState.RUNNING)
_SHOWN_RUN_IDS = 5
#: the body is read raw (so a caller without the right gets 403, never a 422 about the body),
#: hence its schema is declared for the docs here
_JSON_OBJECT_BODY: dict[str, Any] = {
    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}
}


async def _raw_body(request: Request) -> bytes:
    """The request body unparsed: parsing it is the route's job, after authorization (which,
    for ``POST /transports``, reads no more of it than the id it names)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _dag_id_in_body(body: RawBody) -> str | None:
    """The DAG ``POST /transports`` authorizes: the ``id`` of the transport in the body.

    This reads the body before authorization, as nothing else names the DAG, and only for
    that id: a body that is no JSON object with a text ``id`` (or is above the loader's file
    size) asks for creating DAGs in general, and its problems are the route's to answer
    (422, 413) once the caller is allowed."""
    data = _json_or_none(body)
    body_id = data.get("id") if isinstance(data, dict) else None
    return body_id if isinstance(body_id, str) and body_id else None


#: the caller, once allowed the route's DAG permission (403 before the route runs)
MayList = Annotated[BaseUser, Depends(requires_any_dag("GET"))]
MayRead = Annotated[BaseUser, Depends(requires_dag("GET"))]
MayCreate = Annotated[BaseUser, Depends(requires_dag_of(_dag_id_in_body, "POST"))]
MayDelete = Annotated[BaseUser, Depends(requires_dag("DELETE"))]
MayExecute = Annotated[BaseUser, Depends(requires_dag("POST", DagAccessEntity.RUN))]

_NO_TRANSPORT = (
    "No valid transport of this id (the message names a file of its name that does not load)"
)


@dataclass(frozen=True)
class DagState:
    """What Airflow's database says about a transport's DAG."""

    registered: bool
    paused: bool | None
    fileloc: str | None = None


# -- routes ------------------------------------------------------------------------------------


@router.get("", responses=error_responses({403: "The caller may read no DAG"}))
def list_transports(user: MayList) -> TransportList:
    """The valid transports the caller may read, and every file that does not load."""
    listing = transport_files.list_folder(transports_folder())
    readable = permitted_dag_ids(user, (t.id for t in listing.transports), "GET")
    shown = [t for t in listing.transports if t.id in readable]
    dags = _dag_states([t.id for t in shown])
    return TransportList(
        transports=[_representation(t, dags.get(t.id)) for t in shown],
        invalid=[
            InvalidTransportFile(
                file=file.path.name,
                problems=[FileProblem(field=p.field, reason=p.reason) for p in file.problems],
            )
            for file in listing.invalid
        ],
    )


@router.get(
    "/{transport_id}",
    responses=error_responses({403: "The caller may not read the DAG", 404: _NO_TRANSPORT}),
)
def get_transport(transport_id: str, user: MayRead) -> TransportInfo:
    """One transport; 404 names a file with its id that does not load."""
    transport = _find(transport_id)
    return _representation(transport, _dag_states([transport_id]).get(transport_id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_JSON_OBJECT_BODY,
    responses=error_responses(
        {
            403: "The caller may not create the DAG of the body's id (or DAGs, without one)",
            409: "The id is taken: by a transport, a file named after it, or an active DAG",
            413: "The body is larger than a transport file may be",
            422: "The body is no valid transport: every problem, each with its field path",
            503: "The transports folder does not exist",
        }
    ),
)
def create_transport(
    user: MayCreate, body: RawBody, request: Request, response: Response
) -> CreatedTransport:
    """Validate the transport in the body and write it as ``{id}.yaml``."""
    data = _json_object(body)
    folder = transports_folder()
    if not folder.is_dir():
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"the transports folder {str(folder)!r} does not exist; create it beside the "
            "loader DAG file (or set [oracle_etl] transports_folder)",
        )
    try:
        transport = transport_files.validate_new(folder, data)
    except TransportError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [_problem_detail(p.field, p.reason, TRANSPORT_INVALID) for p in error.problems],
        ) from None
    _refuse_taken_id(folder, transport.id)
    header = (
        f"Transport {transport.id}: written through POST /oracle-etl/transports by "
        f"{user.get_name()} at {_utc_now():%Y-%m-%dT%H:%M:%SZ}."
    )
    try:
        written = transport_files.write_transport_file(folder, transport, data, header)
    except FileExistsError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, _taken(transport.id, str(error))) from None
    response.headers["Location"] = f"{_root(request)}/transports/{transport.id}"
    dag = _dag_states([transport.id]).get(transport.id)
    return CreatedTransport(
        **_representation(written, dag).model_dump(),
        note="Airflow registers the DAG at the DAG processor's next parse of the transports "
        "folder's loader file; until then dag_registered is false and execute answers 409.",
    )


@router.delete(
    "/{transport_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(
        {
            403: "The caller may not delete the DAG",
            404: "No file defines a transport of this id, valid or not",
            409: "A job of the transport is queued or running",
        }
    ),
)
def delete_transport(transport_id: str, user: MayDelete) -> Response:
    """Remove the transport's file (not its DAG's history); 409 while a job runs."""
    folder = transports_folder()
    listing = transport_files.list_folder(folder)
    if transport_files.file_of(folder, listing, transport_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _not_found(transport_id))
    if active := _active_run_ids(transport_id):
        shown = ", ".join(active[:_SHOWN_RUN_IDS]) + (", ..." if active[_SHOWN_RUN_IDS:] else "")
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"transport {transport_id!r} has {len(active)} queued or running job(s) "
            f"({shown}); wait for them to end, or mark them failed in Airflow, then delete it",
        )
    try:
        transport_files.delete_transport(folder, transport_id)
    except FileNotFoundError:  # removed by another request meanwhile
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no transport {transport_id!r}") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{transport_id}/execute",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_JSON_OBJECT_BODY,
    responses=error_responses(
        {
            400: "Airflow refuses the run (e.g. the DAG allows no manual runs)",
            403: "The caller may not create runs of the DAG",
            404: _NO_TRANSPORT,
            409: "Airflow has not registered the transport's DAG (yet, or any more)",
            413: "The body is larger than a transport file may be",
            422: "The body is no valid run conf: every problem, each with its field path",
        }
    ),
)
def execute_transport(
    transport_id: str, user: MayExecute, body: RawBody, request: Request, response: Response
) -> StartedJob:
    """Start a job: a DAG run of the transport's DAG, with the body as its run conf."""
    transport = _find(transport_id)
    conf = _run_conf(transport, body)
    dag = _dag_states([transport_id]).get(transport_id)
    if dag is None or not dag.registered:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Airflow has not registered the DAG of transport {transport_id!r} yet: the DAG "
            "processor parses the transports folder every few seconds; try again shortly",
        )
    run_id = f"job__{_utc_now():%Y%m%dT%H%M%SZ}_{secrets.token_hex(3)}"
    try:
        run = trigger_dag(
            transport_id,
            triggered_by=DagRunTriggeredByType.REST_API,
            run_id=run_id,
            conf=conf,
            triggering_user_name=user.get_name(),
        )
    except DagNotFound:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"Airflow has no DAG {transport_id!r} (any more)"
        ) from None
    except ValueError as error:  # Airflow refusing the run (e.g. manual runs not allowed)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from None
    links = _job_links(request, transport_id, run_id)
    response.headers["Location"] = links.job
    return StartedJob(
        job_id=run_id,
        transport=transport_id,
        state=str(run.state) if run is not None else DagRunState.QUEUED.value,
        conf=conf,
        dag_paused=bool(dag.paused),
        links=links,
        note="the DAG is paused: the job stays queued until it is unpaused" if dag.paused else None,
    )


# -- helpers -----------------------------------------------------------------------------------


def _find(transport_id: str) -> Transport:
    listing = transport_files.list_folder(transports_folder())
    transport = listing.find(transport_id)
    if transport is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _not_found(transport_id))
    return transport


def _not_found(transport_id: str) -> str:
    """Why there is no transport ``transport_id``; a file named after it that does not load
    is the usual reason, so name it."""
    broken = transport_files.claimed_files(transports_folder(), transport_id)
    if broken:
        return (
            f"no valid transport {transport_id!r}: {broken[0].name} does not load; "
            "GET /oracle-etl/transports lists its problems under 'invalid'"
        )
    return f"no transport {transport_id!r}: no file in the transports folder defines it"


def _representation(transport: Transport, dag: DagState | None) -> TransportInfo:
    return TransportInfo.model_validate(
        {
            **transport_files.describe(transport),
            "dag_registered": dag is not None and dag.registered,
            "dag_paused": None if dag is None else dag.paused,
        }
    )


def _refuse_taken_id(folder: Path, transport_id: str) -> None:
    """409 when the id belongs to a transport, a file named after it, or an active DAG."""
    listing = transport_files.list_folder(folder)
    if (existing := listing.find(transport_id)) is not None:
        where = f"the transport in {Path(existing.source).name}"
        raise HTTPException(status.HTTP_409_CONFLICT, _taken(transport_id, where))
    if claimed := transport_files.claimed_files(folder, transport_id):
        where = f"{claimed[0].name}, which does not load (fix or DELETE it)"
        raise HTTPException(status.HTTP_409_CONFLICT, _taken(transport_id, where))
    dag = _dag_states([transport_id]).get(transport_id)
    if dag is not None and dag.registered:
        # no transport file defines it, yet Airflow has an active DAG of that id: another DAG
        # file's, or a transport deleted moments ago that the next parse will mark stale
        where = (
            f"an active Airflow DAG defined in {Path(dag.fileloc or '?').name} (if that is a "
            "transport deleted moments ago, retry after the DAG processor's next parse)"
        )
        raise HTTPException(status.HTTP_409_CONFLICT, _taken(transport_id, where))


def _taken(transport_id: str, where: str) -> str:
    return f"the id {transport_id!r} is taken: {where}"


def _dag_states(dag_ids: list[str]) -> dict[str, DagState]:
    if not dag_ids:
        return {}
    query = select(DagModel.dag_id, DagModel.is_stale, DagModel.is_paused, DagModel.fileloc)
    with create_session(scoped=False) as session:
        rows = session.execute(query.where(DagModel.dag_id.in_(dag_ids))).all()
    return {
        dag_id: DagState(registered=not stale, paused=paused, fileloc=fileloc)
        for dag_id, stale, paused, fileloc in rows
    }


def _active_run_ids(dag_id: str) -> list[str]:
    query = select(DagRun.run_id).where(
        DagRun.dag_id == dag_id, DagRun.state.in_(_ACTIVE_RUN_STATES)
    )
    with create_session(scoped=False) as session:
        return list(session.scalars(query.order_by(DagRun.run_after)))


def _json_or_none(body: bytes) -> Any:
    """The body if it is JSON of a sensible size, else None (to find the id to authorize)."""
    if not body or len(body) > MAX_FILE_BYTES:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _json_object(body: bytes, *, required: bool = True) -> dict[str, Any]:
    """The body as a JSON object; 413 above the loader's file size, 422 if not an object."""
    if len(body) > MAX_FILE_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the body is {len(body)} bytes; a transport is at most {MAX_FILE_BYTES}",
        )
    if not body.strip() and not required:
        return {}
    try:
        data = json.loads(body)
    except ValueError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [_problem_detail("", f"invalid JSON: {error}", "json_invalid")],
        ) from None
    if not isinstance(data, dict):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [_problem_detail("", "expected a JSON object", "json_invalid")],
        )
    return data


def _run_conf(transport: Transport, body: bytes) -> dict[str, Any]:
    """The ``execute`` body as the run conf, checked by the plan task's own checker
    (:func:`~airflow_oracle_etl.transports.run_conf.parse_run_conf`), so a bad request fails
    here (422, every problem) instead of as a failed job."""
    data = _json_object(body, required=False)
    try:
        parse_run_conf(
            data,
            transport.tables_normalized(),
            transport=transport.id,
            selectors=transport.selectors(),
        )
    except RunConfError as error:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [_problem_detail(p.field, p.reason) for p in error.problems],
        ) from None
    return data


def _problem_detail(field: str, reason: str, kind: str = CONF_INVALID) -> dict[str, Any]:
    """One entry of a 422 ``detail``, shaped like FastAPI's own validation errors."""
    return {"loc": ["body", *transport_files.problem_loc(field)], "msg": reason, "type": kind}


def _root(request: Request) -> str:
    """Where the plugin's app is mounted (``/oracle-etl``), for links."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def _job_links(request: Request, transport_id: str, run_id: str) -> JobLinks:
    job = f"{_root(request)}/jobs/{run_id}"
    return JobLinks(
        job=f"{job}?transport={transport_id}",
        events=f"{job}/events?transport={transport_id}",
        airflow=f"/dags/{transport_id}/runs/{run_id}",
    )


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
