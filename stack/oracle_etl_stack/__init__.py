"""The local stack for the tests, the demo and the benchmarks: launchers of Airflow (with
LocalExecutor or CeleryExecutor over PostgreSQL and Redis), fake-gcs-server and a fault
proxy in front of it, and the pytest fixtures over them.

Test support only: installed editable by ``make install``, never published, and imported by
nothing the provider ships.
"""
