"""An Oracle Database stand-in that the unmodified python-oracledb thin driver talks to.

A TNS/TTC server (``protocol/``), over TCP and TCPS (``tls/``), in front of a SQL engine
that runs Oracle SQL on DuckDB (``sql/``); ``wallets/`` makes test certificates and wallets
shaped like Autonomous Database's. It is a test double, not Oracle: it implements the subset
of Oracle's SQL and protocol that the provider and its tests use, and its speed says nothing
about Oracle's.
"""
