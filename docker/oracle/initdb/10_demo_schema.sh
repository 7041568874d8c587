#!/bin/bash
# Loads the demo schema into FREEPDB1 at the database's first start (gvenzl/oracle-free runs
# /container-entrypoint-initdb.d once): the user DEMO/demo (a demo password), the tables from
# the emulator's demo_schema.sql (the DDL the Oracle emulator runs for the tests), then
# generated rows. The last step leaves a marker the compose healthcheck waits for, so Airflow
# never sees a half-loaded schema.
set -euo pipefail

SQL_DIR=/opt/oracle-etl/sql
MARKER=/opt/oracle/oradata/oracle-etl-demo.loaded
# the scripts hold UTF-8 literals (NVARCHAR2 demo values)
export NLS_LANG=AMERICAN_AMERICA.AL32UTF8

run_as_demo() {
  # SYSDBA in the PDB with DEMO as the current schema: the objects are DEMO's
  sqlplus -s / as sysdba <<SQL
WHENEVER SQLERROR EXIT SQL.SQLCODE
WHENEVER OSERROR EXIT FAILURE
SET DEFINE OFF
SET FEEDBACK OFF
ALTER SESSION SET CONTAINER = FREEPDB1;
ALTER SESSION SET CURRENT_SCHEMA = DEMO;
@$1
EXIT
SQL
}

sqlplus -s / as sysdba <<SQL
WHENEVER SQLERROR EXIT SQL.SQLCODE
@${SQL_DIR}/01_demo_user.sql
EXIT
SQL
run_as_demo /opt/oracle-etl/demo_schema.sql
run_as_demo "${SQL_DIR}/02_demo_data.sql"
touch "${MARKER}"
echo "oracle-etl: demo schema DEMO loaded"
