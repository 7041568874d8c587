"""Connecting to a database that may be briefly down: retry what can pass, never a refusal.

A listener restarting, a failover or a database still opening refuses connections for
seconds; failing the task (and, with 32 partitions, 32 tasks) for that wastes Airflow retries
that are minutes apart. So a connect that fails with one of the :func:`is_transient` errors is tried
again after an exponential, capped and jittered delay (jitter keeps many tasks that lost the
database together from all knocking again in the same instant), up to
``ConnectRetrySettings.retries`` times; then :class:`OracleUnreachableError` says what was
tried.

A refused logon (:data:`LOGON_REFUSED_CODES`: wrong password, account locked or expired) is
never retried: the answer cannot change, and every further attempt counts towards the
profile's FAILED_LOGIN_ATTEMPTS, so retrying is how an ETL job locks its own account. Nor is a
TLS handshake refused for a certificate, a wallet or a protocol mix-up (:mod:`.tls_failures`).
Every other error passes through unchanged on the first attempt.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

import oracledb

from airflow_oracle_etl.hooks.errors import (
    ExtractCancelledError,
    LogonRefusedError,
    OracleUnreachableError,
)
from airflow_oracle_etl.hooks.failures import error_code, error_text
from airflow_oracle_etl.hooks.settings import ConnectRetrySettings
from airflow_oracle_etl.hooks.tls_failures import tls_failure

__all__ = [
    "LOGON_REFUSED_CODES",
    "TRANSIENT_DRIVER_CODES",
    "TRANSIENT_ORA_CODES",
    "backoff_delay",
    "connect_with_retries",
    "is_transient",
]

log = logging.getLogger(__name__)

#: python-oracledb thin errors of a connect that may pass: cannot connect (refused, timed
#: out, unreachable: DPY-6005 wraps the socket error), listener refused the connection,
#: service or SID not (yet) registered (like ORA-12514/12505), connection closed mid-handshake
TRANSIENT_DRIVER_CODES = frozenset(
    {"DPY-6000", "DPY-6001", "DPY-6002", "DPY-6003", "DPY-6005", "DPY-4011"}
)
#: the same situations as Oracle reports them (thick mode, or through a connection manager)
TRANSIENT_ORA_CODES = frozenset(
    {
        1033,  # ORACLE initialization or shutdown in progress
        1034,  # ORACLE not available
        1089,  # immediate shutdown or close in progress
        1090,  # shutdown in progress
        3113,  # end-of-file on communication channel
        3135,  # connection lost contact
        12170,  # TNS: connect timeout occurred
        12505,  # TNS: listener does not currently know of SID
        12514,  # TNS: listener does not currently know of service
        12516,  # TNS: listener could not find available handler
        12518,  # TNS: listener could not hand off client connection
        12519,  # TNS: no appropriate service handler found
        12520,  # TNS: listener could not find available handler for requested server type
        12521,  # TNS: listener does not currently know of instance
        12526,  # TNS: listener: all appropriate instances are in restricted mode
        12527,  # TNS: listener: all instances are in restricted mode or blocking new connections
        12528,  # TNS: listener: all appropriate instances are blocking new connections
        12535,  # TNS: operation timed out
        12537,  # TNS: connection closed
        12541,  # TNS: no listener
        12543,  # TNS: destination host unreachable
        12547,  # TNS: lost contact
        12571,  # TNS: packet writer failure
    }
)
#: refused credentials: invalid username/password, account locked, password expired, no
#: CREATE SESSION, null password, no matching authentication protocol
LOGON_REFUSED_CODES = frozenset({1017, 28000, 28001, 1045, 1005, 28040})


def is_transient(full_code: str, code: int | None) -> bool:
    """Whether a connect that failed with this error may succeed if tried again soon."""
    return full_code in TRANSIENT_DRIVER_CODES or (code in TRANSIENT_ORA_CODES)


def backoff_delay(retry: int, settings: ConnectRetrySettings, rng: random.Random) -> float:
    """Seconds to wait before retry number ``retry`` (1 for the first): the initial delay
    doubled per retry and capped, then "equal jitter" (a random point in its upper half),
    so the wait still grows while tasks that failed together spread out."""
    ceiling = min(settings.max_delay_s, settings.delay_s * 2 ** (retry - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def connect_with_retries(
    connect: Callable[[], oracledb.Connection],
    settings: ConnectRetrySettings,
    *,
    conn_id: str,
    user: str,
    wait: Callable[[float], bool],
    refused_error: type[LogonRefusedError] = LogonRefusedError,
    rng: random.Random | None = None,
) -> oracledb.Connection:
    """``connect()``, retried on transient errors as ``settings`` allow.

    :param wait: sleeps for the given seconds; returns True if the extraction was cancelled
        meanwhile (``threading.Event.wait`` of the cancel flag), which ends the retries.
    :param refused_error: the error raised for refused credentials (the hook passes one that
        Airflow also reads as "fail without retrying").
    """
    rng = rng or random.Random()
    started = time.monotonic()
    for attempt in range(1, settings.attempts + 1):
        try:
            return connect()
        except oracledb.Error as error:
            full_code, code = error_code(error)
            if code in LOGON_REFUSED_CODES:
                raise refused_error(conn_id, user, error_text(error), code) from error
            if (refused := tls_failure(error, conn_id)) is not None:
                raise refused from error
            if not is_transient(full_code, code):
                raise
            if attempt == settings.attempts:
                elapsed = time.monotonic() - started
                log.error(
                    "Oracle unreachable through connection %r: %d attempt(s) in %.1f s failed",
                    conn_id,
                    attempt,
                    elapsed,
                )
                raise OracleUnreachableError(conn_id, attempt, error_text(error)) from error
            delay = backoff_delay(attempt, settings, rng)
            log.warning(
                "Oracle unreachable through connection %r (attempt %d of %d): %s; "
                "retrying in %.1f s",
                conn_id,
                attempt,
                settings.attempts,
                error_text(error),
                delay,
            )
            if wait(delay):
                raise ExtractCancelledError(
                    f"extraction on {conn_id!r} was cancelled while waiting to reconnect"
                ) from error
    raise AssertionError("unreachable: the last attempt returns or raises")
