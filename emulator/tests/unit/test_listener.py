"""The accept loop outlives whatever goes wrong with one accepted connection."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from oracle_emulator.listener import Listener

TIMEOUT_S = 10.0


def test_a_failing_hand_over_costs_one_connection_only(caplog: pytest.LogCaptureFixture) -> None:
    served = threading.Event()
    calls = iter([True])

    def accept(sock: socket.socket, peer: tuple[str, int]) -> None:
        if next(calls, False):
            raise OSError("the peer reset before it was served")
        sock.sendall(b"hello")
        sock.close()
        served.set()

    listener = Listener("TCP", "127.0.0.1", 0, accept)
    listener.listen()
    thread = threading.Thread(target=listener.serve, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.ERROR, logger="oracle_emulator.listener"):
            first = socket.create_connection(("127.0.0.1", listener.port), timeout=TIMEOUT_S)
            assert first.recv(16) == b""  # closed: the hand-over failed
            first.close()
            with socket.create_connection(("127.0.0.1", listener.port), timeout=TIMEOUT_S) as sock:
                assert sock.recv(16) == b"hello"
        assert served.wait(TIMEOUT_S)
        assert "could not serve" in caplog.text
        assert thread.is_alive()
    finally:
        listener.close()
        thread.join(TIMEOUT_S)
