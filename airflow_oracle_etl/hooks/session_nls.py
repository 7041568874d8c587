"""The NLS settings the provider's SQL depends on, set in each of its sessions.

A session starts with the database's NLS defaults (or a logon trigger's), and those follow the
territory: on a German database the decimal character is ``,`` and text sorts by German
rules. The provider's SQL relies on three values, so the hook sets them with one
``ALTER SESSION`` right after connecting, before any other statement:

- ``NLS_NUMERIC_CHARACTERS = '.,'``: numbers cross as text with ``.`` as the decimal
  character: watermarks (``TO_NUMBER(:wm_low)``), partition bounds read with ``TO_CHAR(key)``
  and bound back with ``TO_NUMBER(:p_lo)``, float bounds with ``TO_BINARY_DOUBLE(:p_lo)``
  of Python's text of a float. Under ``,.`` those raise ORA-01722.
- ``NLS_SORT = BINARY`` and ``NLS_COMP = BINARY``: restart keys and partition ranges compare
  text with ``<``/``>`` and rely on ORDER BY agreeing with those comparisons byte for byte;
  a linguistic sort or comparison would skip or repeat rows on resume.

Dates, timestamps and time zones are never converted implicitly by the provider (every
``TO_CHAR``/``TO_DATE``/``TO_TIMESTAMP`` has an explicit model, zoned values go through
``SYS_EXTRACT_UTC`` and ``FROM_TZ(..., 'UTC')``), so NLS_DATE_FORMAT, the timestamp formats
and TIME_ZONE stay as the database and driver set them: a user's ``sql=`` query that relies
on them keeps working as it does in the user's own sessions. A user query that relies on the
territory's decimal character or linguistic order must say so explicitly (a format model
with an NLS argument, ``NLSSORT``), since the session's are the ones above.
"""

from __future__ import annotations

__all__ = ["SESSION_NLS", "SESSION_NLS_SQL"]

#: parameter -> value, in the order they are set
SESSION_NLS: tuple[tuple[str, str], ...] = (
    ("NLS_NUMERIC_CHARACTERS", ".,"),
    ("NLS_SORT", "BINARY"),
    ("NLS_COMP", "BINARY"),
)
#: one round trip: ALTER SESSION takes several parameters in one statement
SESSION_NLS_SQL = "ALTER SESSION SET " + " ".join(
    f"{name} = '{value}'" for name, value in SESSION_NLS
)
