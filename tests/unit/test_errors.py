"""The error tree: every error the provider raises on purpose is an OracleEtlError, either
permanent (Airflow fails the task without its retries) or transient (Airflow retries it)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from airflow.sdk.exceptions import AirflowFailException

import airflow_oracle_etl
from airflow_oracle_etl.errors import (
    AccessError,
    ConfigurationError,
    OracleEtlError,
    PermanentError,
    TransientError,
)


def _provider_error_classes() -> list[type[BaseException]]:
    """Every exception class defined in the provider's modules (the plugin's need Airflow's
    api-server app; they define no errors)."""
    for module in pkgutil.walk_packages(airflow_oracle_etl.__path__, "airflow_oracle_etl."):
        if not module.name.startswith("airflow_oracle_etl.plugin"):
            importlib.import_module(module.name)
    found: list[type[BaseException]] = []
    pending: list[type[BaseException]] = [Exception]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            ours = sub.__module__.startswith("airflow_oracle_etl")
            if ours and not issubclass(sub, Warning) and sub not in found:
                found.append(sub)
    return found


def test_every_provider_error_is_permanent_or_transient_under_one_root() -> None:
    classes = _provider_error_classes()
    names = {cls.__name__ for cls in classes}
    # the errors each layer raises are all found (a spot check that the walk works)
    assert {"TableNotFoundError", "BucketNotFoundError", "RunConfError", "EncodingError"} <= names

    # control flow inside a module (private names, the writer's threads), never raised out
    internal = {"StageStopped"}
    roots = {PermanentError, TransientError, OracleEtlError}
    families = {cls for cls in classes if cls.__name__.endswith(("ExtractError", "WriterError"))}
    for cls in classes:
        if cls.__name__ in internal or cls.__name__.startswith("_"):
            continue
        assert issubclass(cls, OracleEtlError), cls
        if cls in roots or cls in families:
            continue
        assert issubclass(cls, PermanentError) != issubclass(cls, TransientError), cls


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("InvalidIdentifierError", ConfigurationError),
        ("IncrementalError", ConfigurationError),
        ("PartitioningError", ConfigurationError),
        ("TransportError", ConfigurationError),
        ("FetchSettingError", ConfigurationError),
        ("TableNotFoundError", AccessError),
        ("SnapshotPrivilegeError", AccessError),
        ("LogonRefusedError", AccessError),
        ("BucketAccessError", AccessError),
        ("OracleUnreachableError", TransientError),
        ("ConnectionLostError", TransientError),
        ("SnapshotTooOldError", TransientError),
        ("ExtractCancelledError", TransientError),
        ("UploadVerificationError", TransientError),
    ],
)
def test_each_error_has_the_kind_its_cause_calls_for(name: str, kind: type) -> None:
    (cls,) = [cls for cls in _provider_error_classes() if cls.__name__ == name]
    assert issubclass(cls, kind)
    # what Airflow's task runner looks at: permanent errors skip the remaining retries
    assert issubclass(cls, AirflowFailException) == issubclass(cls, PermanentError)


def test_configuration_errors_stay_value_errors() -> None:
    # callers that caught ValueError for bad input keep working
    assert issubclass(ConfigurationError, ValueError)
