"""(b') ``OracleToGCSJsonlOperator`` as one task with ``checkpoint=False``: the unordered read,
to show what the checkpointed case's primary-key order costs."""

from __future__ import annotations

from collections.abc import Callable

from . import our_operator
from .harness import CaseSpec


def prepare(spec: CaseSpec) -> Callable[[], int]:
    return our_operator.prepare(spec, checkpoint=False)
