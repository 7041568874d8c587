"""Authorization of the plugin's routes with Airflow's own auth manager.

Authentication is Airflow's: :data:`~airflow.api_fastapi.core_api.security.GetUserDep`
accepts the REST API's JWT (``Authorization: Bearer``) or the UI's session cookie, and answers
401 without either. Authorization maps each route to a DAG permission of the transport's DAG
(a transport's id is its DAG id), so the roles people already have in Airflow apply: a viewer
may read transports and jobs, while creating, deleting and executing need the rights to edit
the DAG or to create its runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import (
    DagAccessEntity,
    DagDetails,
)
from fastapi import HTTPException, status

__all__ = ["DagAccessEntity", "permitted_dag_ids", "require_dag_access"]


def require_dag_access(
    user: BaseUser,
    dag_id: str | None,
    method: ResourceMethod,
    access_entity: DagAccessEntity | None = None,
) -> None:
    """Raise 403 unless ``user`` may ``method`` the DAG ``dag_id`` (or its ``access_entity``).

    ``dag_id`` None asks about DAGs in general (creating a transport whose DAG does not
    exist yet is authorized like creating any DAG)."""
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
