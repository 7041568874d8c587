"""Authorization of the plugin's routes with Airflow's own auth manager, as FastAPI dependencies.

Authentication is Airflow's: :data:`~airflow.api_fastapi.core_api.security.GetUserDep`
accepts the REST API's JWT (``Authorization: Bearer``) or the UI's session cookie, and answers
401 without either. Authorization maps each route to a DAG permission of the transport's DAG
(a transport's id is its DAG id), so the roles people already have in Airflow apply: a viewer
may read transports and jobs, while creating, deleting and executing need the rights to edit
the DAG or to create its runs.

A route states its permission in its signature, with a dependency made here::

    user: Annotated[BaseUser, Depends(requires_dag("DELETE"))]

FastAPI solves a route's dependencies before it calls the route, so the route's body never
runs for a caller without the right: 401 first (the dependency depends on ``GetUserDep``), then
403, whether or not the transport exists or the request body is valid. The DAG comes from the
path (:func:`requires_dag`), from no DAG in particular (:func:`requires_any_dag`), or from a
dependency of the route's own (:func:`requires_dag_of`), for the routes that must read
something to know their DAG (the body's ``id``, a run's DAG): such a dependency reads only what
names the DAG, and says so.
"""

# no ``from __future__ import annotations``: FastAPI reads the signatures of the dependencies
# made below, whose annotations name the factories' arguments, so they must be objects already

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import (
    DagAccessEntity,
    DagDetails,
)
from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import Depends, HTTPException, Request, status

__all__ = [
    "DagAccessEntity",
    "DagIdSource",
    "permitted_dag_ids",
    "require_dag_access",
    "requires_any_dag",
    "requires_dag",
    "requires_dag_of",
]

#: a FastAPI dependency giving the DAG id to authorize (None: DAGs in general)
DagIdSource = Callable[..., str | None] | Callable[..., Awaitable[str | None]]


def requires_dag(
    method: ResourceMethod,
    entity: DagAccessEntity | None = None,
    *,
    path_param: str = "transport_id",
) -> Callable[[BaseUser, str | None], BaseUser]:
    """A dependency giving the caller once they may ``method`` the DAG (or its ``entity``) that
    the path parameter ``path_param`` names; 403 otherwise.

    Nothing but the path is read before the answer: a caller without the right gets 403
    whether or not the DAG (or a transport of that id) exists."""

    def dag_id_in_path(request: Request) -> str:
        return str(request.path_params[path_param])

    return requires_dag_of(dag_id_in_path, method, entity)


def requires_any_dag(
    method: ResourceMethod, entity: DagAccessEntity | None = None
) -> Callable[[BaseUser], BaseUser]:
    """A dependency giving the caller once they may ``method`` DAGs in general (or their
    ``entity``): for routes about no DAG in particular (lists, health); 403 otherwise."""

    def authorize(user: GetUserDep) -> BaseUser:
        require_dag_access(user, None, method, entity)
        return user

    return authorize


def requires_dag_of(
    source: DagIdSource, method: ResourceMethod, entity: DagAccessEntity | None = None
) -> Callable[[BaseUser, str | None], BaseUser]:
    """A dependency giving the caller once they may ``method`` the DAG (or its ``entity``) that
    the dependency ``source`` names (None: DAGs in general); 403 otherwise.

    ``source`` runs after authentication (a caller without a login gets 401 before it reads
    anything) and before the route. A source that must read something to know the DAG (the
    request body, Airflow's database) reads only what names the DAG, and its refusals (such
    as 404 for a run id no DAG has) then come before 403: there is no DAG to ask about."""

    def authorize(user: GetUserDep, dag_id: Annotated[str | None, Depends(source)]) -> BaseUser:
        require_dag_access(user, dag_id, method, entity)
        return user

    return authorize


def require_dag_access(
    user: BaseUser,
    dag_id: str | None,
    method: ResourceMethod,
    access_entity: DagAccessEntity | None = None,
) -> None:
    """Raise 403 unless ``user`` may ``method`` the DAG ``dag_id`` (or its ``access_entity``).

    ``dag_id`` None asks about DAGs in general (creating a transport whose DAG does not
    exist yet is authorized like creating any DAG). Routes use the dependencies above; this
    is their check, for a dependency that needs more than one."""
    allowed = get_auth_manager().is_authorized_dag(
        method=method,
        access_entity=access_entity,
        details=DagDetails(id=dag_id) if dag_id else None,
        user=user,
    )
    if not allowed:
        what = f"DAG {dag_id!r}" if dag_id else "DAGs"
        entity = f" ({access_entity.name.lower()})" if access_entity else ""
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"Forbidden: {method} on {what}{entity} is not allowed"
        )


def permitted_dag_ids(user: BaseUser, dag_ids: Iterable[str], method: ResourceMethod) -> set[str]:
    """The subset of ``dag_ids`` that ``user`` may ``method`` (lists show only these)."""
    return get_auth_manager().filter_authorized_dag_ids(
        dag_ids=set(dag_ids), user=user, method=method
    )
