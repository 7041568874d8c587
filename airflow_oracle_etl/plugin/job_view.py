"""The job view: the "Table progress" tab of a DAG run page in Airflow's UI.

Airflow's UI shows the plugin's external view in an iframe at ``/ui/jobs/{dag_id}/{run_id}``.
The page is static HTML with a script that reads the job from :mod:`.jobs_api` and follows its
event stream; it needs no build step and loads nothing from outside the API server.

The page and its two assets go through authenticated routes like the rest of the plugin
(rather than a public ``StaticFiles`` mount): inside Airflow's UI the browser sends the
session cookie with every same-origin request, so this costs the user nothing and keeps
anonymous callers out. The page's route depends on the right to read the run's DAG runs
(:mod:`.auth`); the assets are the same for every DAG, so a login is all they need.
"""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path
from typing import Annotated

from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from airflow_oracle_etl.plugin.auth import DagAccessEntity, requires_dag
from airflow_oracle_etl.plugin.schemas import error_responses

STATIC_DIR = Path(__file__).with_name("static")
PAGE = "job_view.html"
PAGE_MEDIA_TYPE = "text/html"
#: the only files the asset route serves, with their media types
ASSETS = {
    "job_view.js": "text/javascript; charset=utf-8",
    "job_view.css": "text/css; charset=utf-8",
}
#: what the page may do: talk to its own origin only, be framed only by Airflow's UI
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}

router = APIRouter(prefix="/ui", tags=["ui"])

#: the caller, once they may read the runs of the path's DAG
MayReadRuns = Annotated[
    BaseUser, Depends(requires_dag("GET", DagAccessEntity.RUN, path_param="dag_id"))
]


@cache
def _static_text(name: str) -> str:
    """A file of ``static/``, read once per process (they ship with the package)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def render_page(*, base: str, dag_id: str, run_id: str) -> str:
    """The page for one run. ``base`` is where the plugin is mounted (``/oracle-etl`` behind
    any base path of Airflow's); every value is HTML-escaped, as ids come from the URL."""
    values = {"__BASE__": base, "__DAG_ID__": dag_id, "__RUN_ID__": run_id}
    page = _static_text(PAGE)
    for marker, value in values.items():
        page = page.replace(marker, html.escape(value, quote=True))
    return page


@router.get(
    "/jobs/{dag_id}/{run_id}",
    response_class=HTMLResponse,
    responses={
        200: {
            "content": {PAGE_MEDIA_TYPE: {"schema": {"type": "string"}}},
            "description": "The page (framed by Airflow's UI on the run's page)",
        },
        **error_responses(
            {403: "The caller may not read the DAG's runs"}, route_media_type=PAGE_MEDIA_TYPE
        ),
    },
)
def job_view(dag_id: str, run_id: str, request: Request, user: MayReadRuns) -> HTMLResponse:
    """The live table progress of run ``run_id`` of DAG ``dag_id``: readable by whoever may
    read the DAG's runs (a viewer too). A run that is not a transport job still gets the page,
    which says so: the tab shows on every DAG run page."""
    base = str(request.scope.get("root_path", "")).rstrip("/")
    return HTMLResponse(
        render_page(base=base, dag_id=dag_id, run_id=run_id),
        headers=SECURITY_HEADERS | {"Content-Security-Policy": CONTENT_SECURITY_POLICY},
    )


@router.get(
    "/static/{name}",
    response_class=Response,
    responses={
        200: {
            "content": {
                media_type: {"schema": {"type": "string"}} for media_type in ASSETS.values()
            },
            "description": "The asset: the page's script or its style sheet",
        },
        **error_responses({404: "No asset of this name"}),
    },
)
def job_view_asset(name: str, user: GetUserDep) -> Response:
    """The page's script and style sheet (nothing else of the package is reachable)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No asset {name!r}")
    return Response(_static_text(name), media_type=media_type, headers=SECURITY_HEADERS)
