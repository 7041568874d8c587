"""A fault-injecting HTTP proxy on loopback, between the real GCS client and fake-gcs-server.

The client reaches the proxy through ``STORAGE_EMULATOR_HOST``; the proxy forwards every
request to the :class:`~oracle_etl_stack.gcs.GcsEmulator` unless a rule says
otherwise. Rules are programmed by the test and consumed in order, from any thread::

    proxy.fail(503, times=3, method="PUT")            # GCS-shaped JSON error, not forwarded
    proxy.reset(times=1, method="PUT", when="response")  # forwarded, then the socket is reset
    proxy.delay(2.0, times=1, path_contains="uploadType=multipart")
    proxy.forbid(path_contains="/b/my-bucket")        # 403 with GCS's error body, every time

Every request is logged (method, path, status returned, what the proxy did, when it arrived on
``time.monotonic()``), so a test can check that a request was retried, how often, and that the
gaps between attempts grew, without trusting anything the client says about itself.

Two things fake-gcs-server does not do as GCS does, which the proxy supplies:

- Resumable-upload session URLs (the ``Location`` of the session-opening POST) and the links
  in JSON bodies point at the emulator; they are rewritten to point at the proxy, so that chunk
  PUTs and downloads meet the faults too.
- fake-gcs-server appends every chunk it receives whatever its ``Content-Range``; GCS ignores
  the bytes of a session it already has. The client retries a chunk whose response was lost
  (a reset, a timeout) by sending the same range again, so without GCS's rule the emulator
  would store those bytes twice. The proxy keeps each session's persisted offset (from the
  ``Range`` of the 308 answers it relayed) and applies GCS's rule: a chunk already persisted is
  answered as GCS answers it (308 with the range, or the finished object again), one partly
  persisted is trimmed to the new bytes.

Pytest fixtures (function-scoped, over the session's ``gcs_emulator``): ``faulty_gcs`` (the
proxy, with ``STORAGE_EMULATOR_HOST`` pointing at it for the test), ``faulty_client`` and
``faulty_bucket`` (a fresh bucket reached through the proxy; rules start empty).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from google.cloud import storage

from oracle_emulator.lifecycle import StartStop
from oracle_etl_stack.gcs import EMULATOR_ENV, TEST_PROJECT, GcsEmulator, empty_bucket

#: how long the proxy waits for the emulator (longer than any test's delay)
UPSTREAM_TIMEOUT_S = 60.0
#: an idle keep-alive connection is dropped after this, so no handler thread lingers
IDLE_TIMEOUT_S = 30.0
PERMANENT_REDIRECT = 308
#: request and response headers that describe one hop, never forwarded
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "host",
    }
)
#: GCS's ``errors[].reason`` for the statuses tests inject
REASONS = {
    400: "invalid",
    401: "required",
    403: "forbidden",
    404: "notFound",
    408: "requestTimeout",
    429: "rateLimitExceeded",
    500: "backendError",
    502: "backendError",
    503: "backendError",
    504: "backendError",
}
#: status, reason, headers, body
Response = tuple[int, str, list[tuple[str, str]], bytes]
_CONTENT_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)")
_RANGE = re.compile(r"bytes=0-(\d+)")


def gcs_error_body(status: int, message: str) -> bytes:
    """An error body shaped as GCS's JSON API shapes it, so the client's error message (and
    ``GoogleAPICallError.message``) carries ``message`` as it would in production."""
    reason = REASONS.get(status, "unknown")
    error = {"code": status, "message": message, "errors": [
        {"message": message, "domain": "global", "reason": reason}
    ]}  # fmt: skip
    return json.dumps({"error": error}).encode()


def denied_message(method: str, path: str) -> str:
    """GCS's wording for a 403, with the permission the request needed."""
    if "/upload/" in path or (method == "POST" and "/o" in path):
        permission = "storage.objects.create"
    elif method == "DELETE":
        permission = "storage.objects.delete" if "/o/" in path else "storage.buckets.delete"
    elif re.search(r"/b/[^/?]+/o(?:\?|$)", path):
        permission = "storage.objects.list"
    elif "/o/" in path:
        permission = "storage.objects.get"
    else:
        permission = "storage.buckets.get"
    return (
        f"anonymous caller does not have {permission} access to the Google Cloud Storage "
        f"resource. Permission '{permission}' denied on resource (or it may not exist)."
    )


@dataclass
class Rule:
    """One programmed fault: what to match, what to do, how many more times (None: always).

    Rules are tried in the order they were added; the first live one matching a request takes
    it. ``skip`` lets the first requests a rule sees go by untouched (e.g. fail the third
    chunk): a request taken by an earlier rule is not seen by later ones.
    """

    action: str  # "fail", "reset", "delay"
    method: str | None = None
    path_contains: str | None = None
    times: int | None = 1
    skip: int = 0
    status: int = 503
    message: str | None = None
    seconds: float = 0.0
    when: str = "request"  # for resets: "request" (mid-body) or "response" (after forwarding)
    used: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in path

    @property
    def spent(self) -> bool:
        return self.times is not None and self.used >= self.times


@dataclass(frozen=True)
class Exchange:
    """One request as the proxy saw it."""

    method: str
    path: str
    #: monotonic time the request's headers arrived
    at: float
    #: the status sent back; None when the connection was reset instead
    status: int | None
    #: "forwarded", "fail", "reset", "delay" (then forwarded), or "replayed" (answered from a
    #: session's state, as GCS answers a repeated chunk)
    outcome: str
    content_range: str | None = None
    #: request body bytes the client sent (as far as the proxy read them)
    sent_bytes: int = 0


@dataclass
class _Session:
    """What GCS would know of one resumable upload session."""

    persisted: int = 0
    final: Response | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Reset(Exception):
    """The handler reset the client's connection (the request is over)."""


class GcsFaultProxy(StartStop):
    """A threaded HTTP/1.1 proxy on ``host``:``port`` (0: a free port) in front of
    ``upstream`` (the emulator's URL)."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"upstream must be http://HOST:PORT, got {upstream!r}")
        self.upstream = f"http://{parts.hostname}:{parts.port}"
        self._upstream_address = (parts.hostname, parts.port)
        self._host, self._port = host, port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._log: list[Exchange] = []
        self._sessions: dict[str, _Session] = {}
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """What ``STORAGE_EMULATOR_HOST`` must hold for the client to come through here."""
        if self._server is None:
            raise RuntimeError("the proxy is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GcsFaultProxy:
        handler = type("_BoundHandler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"gcs-fault-proxy :{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop every open connection (idle keep-alives included), so no
        handler thread outlives the test; delays in progress end at once."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()

    # -- programming -------------------------------------------------------------------------

    def fail(
        self,
        status: int = 503,
        *,
        times: int | None = 1,
        skip: int = 0,
        method: str | None = None,
        path_contains: str | None = None,
        message: str | None = None,
    ) -> Rule:
        """Answer matching requests with ``status`` and a GCS error body; the emulator never
        sees them."""
        text = message or f"injected {status} ({REASONS.get(status, 'error')})"
        return self._add(Rule("fail", method, path_contains, times, skip, status, text))

    def reset(
        self,
        *,
        times: int | None = 1,
        skip: int = 0,
        method: str | None = None,
        path_contains: str | None = None,
        when: str = "request",
    ) -> Rule:
        """Reset the client's connection (TCP RST): ``when="request"`` after reading half of
        the request body (the emulator never sees it); ``"response"`` after the emulator
        answered, half-way through the response headers (the request took effect, the
        client cannot know)."""
        if when not in ("request", "response"):
            raise ValueError(f"when must be 'request' or 'response', got {when!r}")
        return self._add(Rule("reset", method, path_contains, times, skip, when=when))

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        skip: int = 0,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> Rule:
        """Forward matching requests, then hold the response back ``seconds`` (a slow
        server: the request took effect even if the client gives up waiting)."""
        return self._add(Rule("delay", method, path_contains, times, skip, seconds=seconds))

    def forbid(
        self,
        *,
        times: int | None = None,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> Rule:
        """403 with GCS's permission-denied body, every time by default (a missing IAM
        grant does not heal)."""
        return self._add(Rule("fail", method, path_contains, times, 0, 403, message=None))

    def clear(self) -> None:
        """Drop every rule (requests pass through again)."""
        with self._lock:
            self._rules.clear()

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def _take_rule(self, method: str, path: str) -> Rule | None:
        """The first live rule matching the request, consumed by it (under the lock, so
        concurrent requests each take their own turn)."""
        with self._lock:
            for rule in self._rules:
                if rule.spent or not rule.matches(method, path):
                    continue
                if rule.skip > 0:
                    rule.skip -= 1
                    continue
                rule.used += 1
                return rule
        return None

    # -- the log -----------------------------------------------------------------------------

    def log(self, *, method: str | None = None, path_contains: str | None = None) -> list[Exchange]:
        """The requests seen so far, in arrival order, optionally filtered."""
        with self._lock:
            entries = sorted(self._log, key=lambda entry: entry.at)
        return [
            entry
            for entry in entries
            if (method is None or entry.method == method.upper())
            and (path_contains is None or path_contains in entry.path)
        ]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self._log.append(exchange)

    # -- connections -------------------------------------------------------------------------

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _session(self, upload_id: str) -> _Session:
        with self._lock:
            return self._sessions.setdefault(upload_id, _Session())

    # -- forwarding --------------------------------------------------------------------------

    def forward(
        self, method: str, path: str, headers: list[tuple[str, str]], body: bytes
    ) -> Response:
        """Send the request to the emulator; the response with links pointing back here."""
        connection = http.client.HTTPConnection(*self._upstream_address, timeout=UPSTREAM_TIMEOUT_S)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", "{}:{}".format(*self._upstream_address))
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "accept-encoding":
                    connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            data = response.read()
            status, reason = response.status, response.reason
            out_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
        finally:
            connection.close()
        return status, reason, *self._pointing_here(out_headers, data)

    def _pointing_here(
        self, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[list[tuple[str, str]], bytes]:
        """Links to the emulator (session URLs, ``mediaLink``s) rewritten to the proxy."""
        mine = self.url
        rewritten = [(k, v.replace(self.upstream, mine)) for k, v in headers]
        json_body = any(
            k.lower() == "content-type" and "json" in v.lower() for k, v in headers
        ) and not any(k.lower() == "content-encoding" for k, _ in headers)
        if json_body:
            body = body.replace(self.upstream.encode(), mine.encode())
        return rewritten, body

    def forward_chunk(
        self,
        upload_id: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
    ) -> tuple[Response, bool]:
        """A resumable-upload PUT under GCS's rule for bytes already persisted; returns the
        response and whether it was answered from the session's state."""
        session = self._session(upload_id)
        with session.lock:  # GCS applies a session's requests one at a time
            if session.final is not None:
                return session.final, True
            content_range = _header(headers, "content-range") or ""
            match = _CONTENT_RANGE.fullmatch(content_range.strip())
            if match and match.group(1) is not None:
                start, end, total = int(match.group(1)), int(match.group(2)), match.group(3)
                already = session.persisted - start
                if already > 0 and already >= len(body):  # all of it persisted already
                    range_header = f"bytes=0-{session.persisted - 1}"
                    return (PERMANENT_REDIRECT, "Permanent Redirect",
                            [("Range", range_header)], b""), True  # fmt: skip
                if already > 0:
                    body = body[already:]
                    headers = _replace_header(
                        headers, "Content-Range", f"bytes {session.persisted}-{end}/{total}"
                    )
            response = self.forward("PUT", path, headers, body)
            status, _, response_headers, _ = response
            if status == PERMANENT_REDIRECT:
                persisted = _RANGE.fullmatch(_header(response_headers, "range") or "")
                if persisted:
                    session.persisted = int(persisted.group(1)) + 1
            elif 200 <= status < 300:
                session.final = response
            return response, False


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return None


def _replace_header(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]


def _upload_id(path: str) -> str | None:
    values = parse_qs(urlsplit(path).query).get("upload_id")
    return values[0] if values else None


class _Handler(BaseHTTPRequestHandler):
    """One client connection: keep-alive HTTP/1.1, as the client's connection pool expects."""

    proxy: GcsFaultProxy
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        self.proxy._opened(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.proxy._closed(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the proxy's own log is what tests read."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except _Reset:
            self.close_connection = True
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _serve(self) -> None:
        proxy = self.proxy
        method, path, at = self.command, self.path, time.monotonic()
        headers = list(self.headers.items())
        content_range = _header(headers, "content-range")
        length = int(self.headers.get("Content-Length") or 0)
        rule = proxy._take_rule(method, path)

        def record(status: int | None, outcome: str, sent: int = length) -> None:
            proxy._record(Exchange(method, path, at, status, outcome, content_range, sent))

        if rule is not None and rule.action == "reset" and rule.when == "request":
            half = length // 2
            self.rfile.read(half)
            record(None, "reset", half)
            self._reset()
        body = self._read_body(length)
        if rule is not None and rule.action == "fail":
            message = rule.message or denied_message(method, path)
            record(rule.status, "fail")
            self._respond(rule.status, "", [("Content-Type", "application/json")],
                          gcs_error_body(rule.status, message))  # fmt: skip
            return
        upload_id = _upload_id(path) if method == "PUT" else None
        if upload_id is not None:
            response, replayed = proxy.forward_chunk(upload_id, path, headers, body)
        else:
            response, replayed = proxy.forward(method, path, headers, body), False
        status, reason, response_headers, data = response
        if rule is not None and rule.action == "reset":
            record(None, "reset")
            raw = self._raw_response(status, reason, response_headers, data)
            self.wfile.write(raw[: max(1, raw.index(b"\r\n\r\n") // 2)])
            self._reset()
        if rule is not None and rule.action == "delay":
            record(status, "delay")
            if proxy._stopping.wait(rule.seconds):
                self._reset()
        else:
            record(status, "replayed" if replayed else "forwarded")
        self._respond(status, reason, response_headers, data, head=method == "HEAD")

    def _read_body(self, length: int) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            pieces = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                pieces.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(pieces)
        return self.rfile.read(length) if length else b""

    def _raw_response(
        self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes
    ) -> bytes:
        lines = [f"HTTP/1.1 {status} {reason or http.client.responses.get(status, '')}"]
        lines += [f"{k}: {v}" for k, v in headers if k.lower() != "content-length"]
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def _respond(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        head: bool = False,
    ) -> None:
        raw = self._raw_response(status, reason, headers, body)
        if head:
            raw = raw[: raw.index(b"\r\n\r\n") + 4]
        self.wfile.write(raw)
        self.wfile.flush()

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a dying peer or a broken
        middlebox does; the client sees a connection reset, not a clean end."""
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        raise _Reset


def gaps(exchanges: list[Exchange]) -> list[float]:
    """Seconds between successive requests (for backoff checks: compare, never pin)."""
    return [later.at - earlier.at for earlier, later in itertools.pairwise(exchanges)]


# -- pytest fixtures ----------------------------------------------------------------------------


@pytest.fixture
def faulty_gcs(
    gcs_emulator: GcsEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GcsFaultProxy]:
    """A proxy in front of the session's emulator, for this test only; clients built during
    the test (Airflow's GCSHook included) go through it."""
    with GcsFaultProxy(gcs_emulator.url) as proxy:
        monkeypatch.setenv(EMULATOR_ENV, proxy.url)
        yield proxy


@pytest.fixture
def faulty_client(faulty_gcs: GcsFaultProxy) -> storage.Client:
    """A real google-cloud-storage client whose every request crosses the proxy."""
    return storage.Client(project=TEST_PROJECT)


@pytest.fixture
def faulty_bucket(
    faulty_gcs: GcsFaultProxy, faulty_client: storage.Client
) -> Iterator[storage.Bucket]:
    """A fresh bucket reached through the proxy, with no rules and an empty log; emptied and
    deleted afterwards with the rules cleared."""
    bucket = faulty_client.create_bucket(f"faults-{uuid.uuid4().hex[:16]}")
    faulty_gcs.clear_log()
    yield bucket
    faulty_gcs.clear()
    empty_bucket(bucket)
