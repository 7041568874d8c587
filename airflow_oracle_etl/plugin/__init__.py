"""The provider's Airflow plugin: transports and jobs over REST, live progress over Server-Sent
Events, and a job view on the DAG run page, all under ``/oracle-etl`` behind Airflow's login."""
