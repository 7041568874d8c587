"""The fault switches over a loopback control port, for tests whose emulator is a child process.

Why HTTP on a port of its own rather than special SQL over the Oracle port: the listener
switch must stay reachable while the Oracle listener is down, counters must be readable
without logging on (which would count as a logon), and any test can call it with the
standard library. It listens on loopback only and is off unless ``--control-port`` is given.

Protocol (JSON bodies)::

    GET  /faults            -> 200 {status}            armed faults and counters
    POST /faults/<action>   {keyword arguments}        -> 200 {status} | 400 {"error": ...}
    GET  /grammar           -> 200 {figures}           the grammar gate's statistics

``<action>`` is one of :data:`~oracle_emulator.faults.ACTIONS`, called on the
emulator's :class:`~oracle_emulator.faults.FaultSwitchboard` with the body's
keyword arguments. :class:`FaultControl` is the client, with the switchboard's methods.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from oracle_emulator.api import ORA_LOGON_DENIED
from oracle_emulator.faults import ACTIONS, FaultSwitchboard
from oracle_emulator.sql import grammar_gate

__all__ = ["FaultControl", "FaultControlError", "FaultControlServer"]

log = logging.getLogger(__name__)

_PREFIX = "/faults"
_GRAMMAR = "/grammar"
_TIMEOUT_S = 60.0


class FaultControlServer:
    """Serves one switchboard on ``host:port`` (0 picks a free port) in a daemon thread."""

    def __init__(self, faults: FaultSwitchboard, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("_BoundHandler", (_Handler,), {"faults": faults})
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self._thread: threading.Thread | None = None

    def start(self) -> FaultControlServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="oracle-emulator-control", daemon=True
        )
        self._thread.start()
        log.info("fault control on http://%s:%d%s", self.host, self.port, _PREFIX)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    faults: FaultSwitchboard

    def do_GET(self) -> None:
        if self.path.rstrip("/") == _GRAMMAR:
            self._reply(HTTPStatus.OK, grammar_gate.stats() or {"enabled": False})
            return
        if self.path.rstrip("/") != _PREFIX:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such path: {self.path}"})
            return
        self._reply(HTTPStatus.OK, self.faults.status())

    def do_POST(self) -> None:
        prefix, _, action = self.path.rpartition("/")
        if prefix != _PREFIX or action not in ACTIONS:
            self._reply(HTTPStatus.NOT_FOUND, {"error": f"no such action: {self.path}"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            arguments = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(arguments, dict):
                raise TypeError("the body must be a JSON object of keyword arguments")
            getattr(self.faults, action)(**arguments)
        except (TypeError, ValueError, RuntimeError) as error:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": f"{action}: {error}"})
            return
        self._reply(HTTPStatus.OK, self.faults.status())

    def _reply(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("control: " + format, *args)


class FaultControlError(RuntimeError):
    """The control port refused a request (unknown action, bad arguments)."""


class FaultControl:
    """Client of a :class:`FaultControlServer`: the switchboard's methods, remotely.

    Each call returns once the emulator has applied it (the switch is armed when it returns).
    """

    def __init__(self, host: str, port: int) -> None:
        self.url = f"http://{host}:{port}{_PREFIX}"
        self.grammar_url = f"http://{host}:{port}{_GRAMMAR}"

    def drop_connection_after(self, rows: int, table: str | None = None, times: int = 1) -> None:
        """Reset the connection of the next ``times`` cursors reading ``table`` after
        ``rows`` rows (the client sees DPY-4011)."""
        self._post("drop_connection_after", rows=rows, table=table, times=times)

    def snapshot_too_old_after(self, rows: int, table: str | None = None, times: int = 1) -> None:
        """Fail the next ``times`` cursors reading ``table`` with ORA-01555 after ``rows``."""
        self._post("snapshot_too_old_after", rows=rows, table=table, times=times)

    def refuse_logins(
        self, times: int = 1, user: str | None = None, code: int = ORA_LOGON_DENIED
    ) -> None:
        """Refuse the next ``times`` logons (of ``user``) with ORA-01017, or ``code=28000``."""
        self._post("refuse_logins", times=times, user=user, code=code)

    def listener_down(self, seconds: float | None = None) -> None:
        """Refuse connections for ``seconds`` (None: until :meth:`listener_up`)."""
        self._post("listener_down", seconds=seconds)

    def listener_up(self) -> None:
        self._post("listener_up")

    def clear(self) -> None:
        """Disarm everything, listener up, counters back to zero."""
        self._post("clear")

    def status(self) -> dict[str, Any]:
        """``{"armed": ..., "counters": ..., "logons": {USER: {"attempts", "refused"}},
        "fired": [...]}``"""
        return self._request(urllib.request.Request(self.url))

    def grammar_stats(self) -> dict[str, Any]:
        """The grammar gate's figures: ``checked``, ``distinct`` (parsed), ``cache_hits``,
        ``shape_hits``, ``refused``, ``refusals`` (the first refused statements with their
        errors)... or
        ``{"enabled": False}`` when the emulator runs with ``--no-grammar-check``."""
        return self._request(urllib.request.Request(self.grammar_url))

    def logon_attempts(self, user: str) -> int:
        """How many logons of ``user`` the emulator saw since the last :meth:`clear`."""
        return int(self.status()["logons"].get(user.upper(), {}).get("attempts", 0))

    def _post(self, action: str, **arguments: Any) -> None:
        data = json.dumps(arguments).encode()
        request = urllib.request.Request(
            f"{self.url}/{action}",
            data=data,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        self._request(request)

    def _request(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise FaultControlError(f"{request.full_url}: {error.code} {detail}") from None
