"""``python -m airflow_oracle_etl.testing.oracle``: the same as ``oracle-emulator``."""

from airflow_oracle_etl.testing.oracle.cli import main

raise SystemExit(main())
