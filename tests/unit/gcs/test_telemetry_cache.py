"""The storage client's bucket-metadata cache is dropped unless its telemetry is on."""

from __future__ import annotations

import pytest
from google.cloud import storage

from airflow_oracle_etl.extraction.bucket import GCS_TELEMETRY_SWITCHES, without_telemetry_cache


@pytest.fixture
def no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GCS_TELEMETRY_SWITCHES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_telemetry")
def test_the_cache_is_dropped_when_telemetry_is_off() -> None:
    client = storage.Client.create_anonymous_client()
    assert client._bucket_metadata_cache is not None  # the library's default

    assert without_telemetry_cache(client) is client
    assert client._bucket_metadata_cache is None


@pytest.mark.usefixtures("no_telemetry")
@pytest.mark.parametrize("switch", GCS_TELEMETRY_SWITCHES)
@pytest.mark.parametrize("value", ["true", "1", " On "])
def test_the_cache_stays_when_telemetry_is_on(
    switch: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(switch, value)
    client = storage.Client.create_anonymous_client()

    assert without_telemetry_cache(client)._bucket_metadata_cache is not None


@pytest.mark.usefixtures("no_telemetry")
@pytest.mark.parametrize("value", ["false", "0", ""])
def test_a_switch_set_off_counts_as_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GCS_TELEMETRY_SWITCHES[0], value)
    client = storage.Client.create_anonymous_client()

    assert without_telemetry_cache(client)._bucket_metadata_cache is None
