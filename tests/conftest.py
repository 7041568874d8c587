"""Fixtures shared by the whole suite: one emulator process per test session."""

pytest_plugins = ["airflow_oracle_etl.testing.oracle.pytest_plugin"]
