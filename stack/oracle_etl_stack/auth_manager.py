"""An auth manager for tests: Airflow's SimpleAuthManager, plus users who may see no DAG.

SimpleAuthManager's roles all read every DAG, so a route's "not allowed to read this DAG"
branch (403) cannot be reached with it. Here a user named ``outsider`` (any role) is refused
every DAG permission, while everything else is SimpleAuthManager's own: its login, tokens and
roles. The test stack (:mod:`.airflow_stack`) configures it with the users admin, viewer and
outsider. Not for production: real deployments use their own auth manager, whose per-DAG
decisions the plugin asks the same way.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.base_auth_manager import ResourceMethod
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager
from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

#: users refused every DAG permission
NO_DAG_ACCESS_USERS = frozenset({"outsider"})


class NoDagAccessSimpleAuthManager(SimpleAuthManager):
    """SimpleAuthManager whose :data:`NO_DAG_ACCESS_USERS` may not read or change any DAG."""

    def is_authorized_dag(
        self,
        *,
        method: ResourceMethod,
        user: SimpleAuthManagerUser,
        access_entity: DagAccessEntity | None = None,
        details: DagDetails | None = None,
    ) -> bool:
        if user.get_name() in NO_DAG_ACCESS_USERS:
            return False
        return super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
