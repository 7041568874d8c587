"""Truncated and malformed TNS packets, over raw sockets, while a normal client works.

Each case opens its own socket, sends something broken (before or after CONNECT) and
checks what the emulator owes it: a reply where one is due, a clean close where the stream
cannot be trusted, and in every case no harm to anybody else. A thin-driver connection
opened before the first case runs a query after each one (while the broken connection is
still open, so a server thread stuck on it would show), and the emulator process must be
alive at the end with no thread that died of an uncaught exception.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import oracledb
import pytest

from oracle_emulator.process import EmulatorProcess
from oracle_emulator.protocol.constants import (
    DATA_FLAGS_EOF,
    MARKER_PREFIX,
    Function,
    MarkerType,
    MessageType,
    PacketType,
)
from tests.integration import raw_tns as tns

SERVICE = "FREEPDB1"
UNKNOWN_TYPE = 0x63
UNKNOWN_FUNCTION = 0xEE
HUGE_LENGTH = 0x7FFF_FFF0
RANDOM_STREAMS = 60
MAX_RANDOM_BYTES = 300
#: the text Python's threading module prints when a thread dies of an exception
THREAD_DIED = "Exception in thread"


class Expect(enum.Enum):
    """What the emulator owes the sender."""

    #: a clean close (the stream cannot be trusted), with the reason in the log
    CLOSE = "close"
    #: a close without complaint: the client said goodbye
    GOODBYE = "goodbye"
    #: an ORA-03137 answer, and the session goes on (the call's body did not parse)
    REJECT = "reject"
    #: nothing yet: the request is incomplete, the emulator waits for the rest
    WAIT = "wait"


@dataclass(frozen=True)
class Case:
    """``send`` goes out after CONNECT/ACCEPT when ``after_accept``, else on a bare socket."""

    name: str
    send: bytes
    expect: Expect = Expect.CLOSE
    after_accept: bool = True


def _marker(body: bytes) -> bytes:
    return tns.packet(PacketType.MARKER, body)


_GARBAGE_EXECUTE = bytes((MessageType.FUNCTION, Function.EXECUTE, 1)) + b"\xff" * 40
_EXECUTE_CUT_SHORT = bytes((MessageType.FUNCTION, Function.EXECUTE, 1, 1))
_RESET = MARKER_PREFIX + bytes((MarkerType.RESET,))


def _early(name: str, send: bytes, expect: Expect = Expect.CLOSE) -> Case:
    """A case that happens before the listener handshake is over."""
    return Case(name, send, expect, after_accept=False)


CASES = [
    _early("truncated header", b"\x00\x3a\x00", Expect.WAIT),
    _early("length below the header's", tns.packet(PacketType.CONNECT, b"", False, 4)),
    _early("unknown packet type first", tns.packet(UNKNOWN_TYPE, b"xyz", False)),
    _early("DATA before CONNECT", tns.packet(PacketType.DATA, b"\0\0\3\x93\1", False)),
    _early("CONNECT without a body", tns.packet(PacketType.CONNECT, b"", False)),
    _early("CONNECT of TNS version 300", tns.connect_packet(SERVICE, 300)),
    _early("CONNECT to an unknown service", tns.connect_packet("NO_SUCH")),
    _early("CONNECT cut short", tns.connect_packet(SERVICE)[:30], Expect.WAIT),
    _early("garbage after CONNECT", tns.connect_packet(SERVICE) + bytes(range(7, 80))),
    Case("length below the header's", tns.packet(PacketType.DATA, b"", length=3)),
    Case("length of 2 GiB", tns.packet(PacketType.DATA, b"\0\0\3", length=HUGE_LENGTH)),
    Case("unknown packet type", tns.packet(UNKNOWN_TYPE, b"\0\0\3\x93\1")),
    Case("CONNECT again", tns.connect_packet(SERVICE)),
    Case("DATA without its data flags", tns.packet(PacketType.DATA, b"\0")),
    Case("unknown message type", tns.data_packet(b"\xee\1\2")),
    Case("marker without its type", _marker(MARKER_PREFIX[:1])),
    Case("execute of garbage", tns.data_packet(_GARBAGE_EXECUTE), Expect.REJECT),
    Case("execute cut short", tns.data_packet(_EXECUTE_CUT_SHORT), Expect.WAIT),
    Case("RESET marker out of turn", _marker(_RESET), Expect.WAIT),
    Case("EOF data flag", tns.data_packet(b"", DATA_FLAGS_EOF), Expect.GOODBYE),
]


@pytest.fixture
def bystander(fuzz_connect: Callable[..., oracledb.Connection]) -> oracledb.Connection:
    """The normal client that must notice nothing."""
    return fuzz_connect()


@pytest.fixture
def log_watch(fuzz_emulator: EmulatorProcess) -> Iterator[Callable[[], str]]:
    """``new_log()`` returns what the emulator logged since the previous call."""
    assert fuzz_emulator.log_path is not None
    path = fuzz_emulator.log_path
    offset = path.stat().st_size

    def new_log() -> str:
        nonlocal offset
        text = path.read_bytes()[offset:].decode(errors="replace")
        offset += len(text.encode(errors="replace"))
        return text

    yield new_log
    assert THREAD_DIED not in path.read_text(errors="replace")


def _assert_unharmed(emulator: EmulatorProcess, bystander: oracledb.Connection) -> None:
    assert emulator.running, emulator.log_tail()
    with bystander.cursor() as cursor:
        assert cursor.execute("SELECT 1 FROM DUAL").fetchone() == (1,)


def _logged_soon(new_log: Callable[[], str], within_s: float = 5.0) -> str:
    """The emulator logs from its own process: wait until something new appears."""
    deadline = time.monotonic() + within_s
    text = new_log()
    while not text.strip() and time.monotonic() < deadline:
        time.sleep(0.05)
        text = new_log()
    return text


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c.name}" for i, c in enumerate(CASES)])
def test_malformed_packet(
    case: Case,
    fuzz_emulator: EmulatorProcess,
    bystander: oracledb.Connection,
    log_watch: Callable[[], str],
) -> None:
    sock = tns.tns_session(fuzz_emulator.port, SERVICE) if case.after_accept else None
    sock = sock or tns.open_socket(fuzz_emulator.port)
    log_watch()
    with sock:
        tns.send_quietly(sock, case.send)
        _assert_unharmed(fuzz_emulator, bystander)  # while the broken connection is open
        if case.expect in (Expect.CLOSE, Expect.GOODBYE):
            assert tns.closed_by_server(sock), f"{case.name}: the connection stayed open"
        if case.expect is Expect.CLOSE:
            assert _logged_soon(log_watch), f"{case.name}: closed without a word in the log"
        if case.expect is Expect.REJECT:
            assert b"ORA-03137: malformed TTC packet" in tns.read_reply(sock)
            sock.sendall(tns.PING)
            assert b"ORA-" not in tns.read_reply(sock)
    _assert_unharmed(fuzz_emulator, bystander)


def test_unknown_function_is_answered_and_the_session_goes_on(
    fuzz_emulator: EmulatorProcess, bystander: oracledb.Connection
) -> None:
    """At the wire level the emulator's session outlives an ORA-00600: the next call on
    the same socket is served. (The thin driver cannot show this: it drops a connection
    that reported ORA-00600 itself, see test_errors.)"""
    with tns.tns_session(fuzz_emulator.port, SERVICE) as sock:
        sock.sendall(tns.function_call(UNKNOWN_FUNCTION))
        reply = tns.read_reply(sock)
        assert reply[:1] == bytes((MessageType.ERROR,))
        assert b"ORA-00600: internal error code, arguments: [ttc 238]" in reply
        sock.sendall(tns.PING)
        reply = tns.read_reply(sock)
        assert reply[:1] == bytes((MessageType.ERROR,)) and b"ORA-" not in reply
    _assert_unharmed(fuzz_emulator, bystander)


def test_random_streams_after_connect(
    fuzz_emulator: EmulatorProcess,
    bystander: oracledb.Connection,
    fuzz_seed: int,
    log_watch: Callable[[], str],
) -> None:
    """Seeded random bytes after ACCEPT, some shaped like a packet header of a real type
    (so that they reach the TTC layer), each on its own connection."""
    rng = random.Random(fuzz_seed)
    for _ in range(RANDOM_STREAMS):
        payload = rng.randbytes(rng.randint(1, MAX_RANDOM_BYTES))
        if rng.random() < 0.7:
            packet_type = rng.choice([PacketType.DATA, PacketType.MARKER, rng.randrange(256)])
            payload = tns.packet(packet_type, _ttc_like(rng, payload))
        with tns.tns_session(fuzz_emulator.port, SERVICE) as sock:
            tns.send_quietly(sock, payload)
            _assert_unharmed(fuzz_emulator, bystander)
    _assert_unharmed(fuzz_emulator, bystander)


def _ttc_like(rng: random.Random, noise: bytes) -> bytes:
    """Data flags and a message that starts like a real one, then noise."""
    message = rng.choice([MessageType.FUNCTION, MessageType.PIGGYBACK, rng.randrange(256)])
    function = rng.choice([*Function, rng.randrange(256)])
    return b"\x00\x00" + bytes((message, function, 1)) + noise
