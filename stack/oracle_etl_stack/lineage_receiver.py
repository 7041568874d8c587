"""A local OpenLineage receiver: what a lineage backend (Marquez, DataHub...) would get.

Airflow's OpenLineage provider, configured with an HTTP transport pointed at :attr:`url`,
POSTs each run event as JSON to ``/api/v1/lineage``; the receiver keeps them in memory, in
the order they arrived, so a test can read the events of a job as a backend would have.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LINEAGE_ENDPOINT", "LineageReceiver"]

#: the path the OpenLineage HTTP transport posts to (its default endpoint)
LINEAGE_ENDPOINT = "api/v1/lineage"
HOST = "127.0.0.1"


class LineageReceiver:
    """An HTTP server on a free loopback port recording the OpenLineage events posted to it."""

    def __init__(self) -> None:
        self._events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer((HOST, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lineage-receiver", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    def transport_config(self) -> dict[str, Any]:
        """``[openlineage] transport`` for Airflow: HTTP to this receiver."""
        return {"type": "http", "url": self.url, "endpoint": LINEAGE_ENDPOINT}

    def start(self) -> LineageReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LineageReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def events(self) -> list[dict[str, Any]]:
        """Every event received so far, oldest first."""
        with self._changed:
            return list(self._events)

    def wait_for(
        self,
        matches: Callable[[dict[str, Any]], bool],
        *,
        count: int = 1,
        timeout: float = 60.0,
    ) -> list[dict[str, Any]]:
        """The first ``count`` events ``matches`` accepts, once that many have arrived."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(found := [e for e in self._events if matches(e)]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(found)} of {count} matching lineage events in {timeout} s "
                        f"({len(self._events)} received in all)"
                    )
                self._changed.wait(left)
            return found[:count]

    def _record(self, event: dict[str, Any]) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path.strip("/") != LINEAGE_ENDPOINT:
                    self.send_error(HTTPStatus.NOT_FOUND)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = json.loads(body)
                except ValueError:
                    self.send_error(HTTPStatus.BAD_REQUEST, "not JSON")
                    return
                receiver._record(event)
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the events are the record."""

        return Handler
