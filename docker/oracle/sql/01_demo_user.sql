-- The demo schema's owner in FREEPDB1, with what the provider needs to read it: SELECT on
-- V$DATABASE for the job's SCN (the owner may read its own tables AS OF SCN).
-- "demo" is a DEMO PASSWORD: change it (and ORACLE_CONN) anywhere that matters.
ALTER SESSION SET CONTAINER = FREEPDB1;

CREATE USER DEMO IDENTIFIED BY "demo"
    DEFAULT TABLESPACE USERS
    QUOTA UNLIMITED ON USERS;
GRANT CREATE SESSION, CREATE TABLE TO DEMO;
GRANT SELECT ON SYS.V_$DATABASE TO DEMO;
