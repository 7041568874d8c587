"""``with`` support for the stand-ins: each has ``start()`` (returning itself) and ``stop()``."""

from __future__ import annotations

from types import TracebackType
from typing import Any, TypeVar

_Started = TypeVar("_Started", bound="StartStop")


class StartStop:
    """Mixin: ``with Thing(...) as thing`` starts it and stops it on the way out, whatever
    happened inside (subclasses define ``start() -> self`` and ``stop()``)."""

    def start(self: _Started) -> _Started:
        raise NotImplementedError

    def stop(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def __enter__(self: _Started) -> _Started:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
