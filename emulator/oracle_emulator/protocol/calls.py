"""Calls without a body: commit (14), rollback (15), ping (147) and logoff (9).

Each is answered by a bare end-of-call record (``messages/commit.pyx`` and friends).
"""

from __future__ import annotations

from oracle_emulator.protocol.errors import EndOfCall
from oracle_emulator.protocol.state import ConnectionState


def commit(state: ConnectionState) -> bytes:
    session = state.require_session()
    state.run(session.commit)
    state.txn_in_progress = False
    return EndOfCall().encode()


def rollback(state: ConnectionState) -> bytes:
    session = state.require_session()
    state.run(session.rollback)
    state.txn_in_progress = False
    return EndOfCall().encode()


def ping(state: ConnectionState) -> bytes:
    state.raise_pending()  # a piggyback's failure is the ping's
    return EndOfCall(txn_in_progress=state.txn_in_progress).encode()


def logoff(state: ConnectionState) -> bytes:
    """End the session (rolling back what is not committed); the socket closes next."""
    session, state.session = state.session, None
    state.cursors.clear()
    if session is not None:
        session.close()
    return EndOfCall().encode()
