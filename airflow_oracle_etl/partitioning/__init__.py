"""Split one table into disjoint partitions that together cover it, for parallel reads.

::

    specs = plan_partitions(hook, metadata, count=4, strategy="column", column="ORDER_DATE",
                            scn=scn, where=where, parameters=parameters)
    # each mapped task reads
    #   SELECT ... FROM "OWNER"."TABLE" AS OF SCN :as_of_scn
    #   WHERE (<where>) AND (<spec.predicate>)        -- binds: parameters | spec.binds
    #
    # partition 0: ("ORDER_DATE" < TO_DATE(:p_hi, 'SYYYY-MM-DD HH24:MI:SS')
    #               OR "ORDER_DATE" IS NULL)

Strategies: ``column`` (ranges of a numeric or date column at the data's quantiles),
``hash`` (``ORA_HASH`` buckets of a column or of ROWID) and ``rowid`` (ROWID ranges). Every
row is in exactly one partition at the SCN the plan was made at, NULL and skewed keys included.

Modules: ``spec`` (the record and the error), ``keys`` (options checked against the table,
and how boundary values travel as text), ``predicates`` (pure SQL text), ``planner``.
"""

from airflow_oracle_etl.partitioning.planner import plan_partitions
from airflow_oracle_etl.partitioning.spec import (
    BIND_PREFIX,
    MAX_PARTITIONS,
    STRATEGIES,
    STRATEGY_COLUMN,
    STRATEGY_HASH,
    STRATEGY_ROWID,
    PartitioningError,
    PartitionSpec,
)

__all__ = [
    "BIND_PREFIX",
    "MAX_PARTITIONS",
    "STRATEGIES",
    "STRATEGY_COLUMN",
    "STRATEGY_HASH",
    "STRATEGY_ROWID",
    "PartitionSpec",
    "PartitioningError",
    "plan_partitions",
]
