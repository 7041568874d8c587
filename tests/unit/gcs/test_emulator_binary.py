"""Finding the bundled fake-gcs-server binary, and refusing machines it cannot run on."""

from __future__ import annotations

import os
import platform

import pytest

from oracle_etl_stack.gcs import emulator_binary


def test_bundled_binary_is_found() -> None:
    binary = emulator_binary()
    assert binary.name == "fake-gcs-server-linux-amd64"
    assert os.access(binary, os.X_OK)


def test_unsupported_machine_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "machine", lambda: "aarch64")
    with pytest.raises(RuntimeError, match=r"linux-amd64.*aarch64"):
        emulator_binary()
