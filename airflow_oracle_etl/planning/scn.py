"""The snapshot SCN a read is given, parsed in one place.

An SCN arrives as an operator argument (often a rendered template, so text), in a planned
partition's keyword arguments (from XCom) or in run conf; every path goes through
:func:`parse_scn`, so every path accepts and refuses the same values.
"""

from __future__ import annotations

from airflow_oracle_etl.errors import ConfigurationError

__all__ = ["parse_scn"]


def parse_scn(value: object, *, what: str = "snapshot_scn") -> int | None:
    """``value`` as an SCN, or None when none is given (None, or ``""`` from a template that
    rendered empty).

    :raises ConfigurationError: anything but a whole number >= 0 (a float, a bool, text
        that is no integer), naming ``what``.
    """
    if value is None or value == "":
        return None
    scn: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        scn = value
    elif isinstance(value, str) and value.strip().isdigit():
        scn = int(value.strip())
    if scn is None or scn < 0:
        raise ConfigurationError(f"{what} must be a whole number >= 0, got {value!r}")
    return scn
