"""What the provider's wheel ships: the provider alone. The Oracle emulator is a distribution
of its own, the stack's launchers are test support, and every console script it declares
runs with the provider's own dependencies."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The provider's wheel, built from a copy of its sources (a build in the work tree
    would leave build/ and egg-info beside the editable install)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(
        REPO / "airflow_oracle_etl",
        source / "airflow_oracle_etl",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-w", str(out), str(source)],
        check=True,
    )  # fmt: skip
    (built,) = out.glob("airflow_oracle_etl-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_the_provider_and_nothing_of_the_test_support(
    wheel: zipfile.ZipFile,
) -> None:
    names = wheel.namelist()
    packages = {name.split("/")[0] for name in names if not name.endswith(".dist-info/")}
    packages = {p for p in packages if not p.endswith(".dist-info")}
    assert packages == {"airflow_oracle_etl"}
    assert not [n for n in names if "emulator" in n or "/testing/" in n or "stack" in n]
    assert "airflow_oracle_etl/provider.yaml" in names
    assert "airflow_oracle_etl/plugin/static/job_view.js" in names


def test_every_console_script_of_the_wheel_imports_with_the_provider_alone(
    wheel: zipfile.ZipFile,
) -> None:
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    parser.read_string(wheel.read(entry_points).decode())
    scripts = dict(parser["console_scripts"])
    assert set(scripts) == {"oracle-etl-transports"}
    for target in [*scripts.values(), *parser["apache_airflow_provider"].values()]:
        module, _, attribute = target.partition(":")
        # a fresh interpreter that cannot import the test support: only the provider's own
        # dependencies are at hand, as for a user without the testing extra
        code = (
            "import sys; sys.modules['oracle_emulator'] = None; "
            "sys.modules['oracle_etl_stack'] = None; "
            f"import {module} as m; assert callable(getattr(m, {attribute!r}))"
        )
        subprocess.run([sys.executable, "-c", code], check=True)


def test_the_testing_extra_brings_the_emulator(wheel: zipfile.ZipFile) -> None:
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]  # fmt: skip
    assert any("airflow-oracle-etl-emulator" in r and 'extra == "testing"' in r for r in requires)
    assert not any("duckdb" in r for r in requires)  # the emulator's engine is its own
