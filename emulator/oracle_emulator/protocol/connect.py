"""The listener's part: CONNECT in, then ACCEPT (or REFUSE, or RESEND) out.

The driver's CONNECT packet (``messages/connect.pyx``) carries the TNS versions, the SDU it
proposes and a connect descriptor such as
``(DESCRIPTION=...(CONNECT_DATA=(SERVICE_NAME=FREEPDB1)(CID=...)))``. Descriptors longer
than 230 bytes, which is always the case for the driver, follow in a DATA packet.

Over TCPS the CONNECT differs only in what needs no answer: the driver offers no
out-of-band breaks (no GSO_CAN_RECV_ATTENTION, no CHECK_OOB; breaks come in band, as they do
over TCP here), the address says ``(PROTOCOL=tcps)``, and a ``(SECURITY=...)`` part repeats
the client's DN-match settings and the path of its wallet (``MY_WALLET_DIRECTORY``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oracle_emulator.protocol.buffer import ProtocolError, ReadBuffer
from oracle_emulator.protocol.constants import (
    ACCEPT_BYTE_ORDER,
    ACCEPT_FLAGS2,
    ACCEPT_SERVICE_OPTIONS,
    CONNECT_DATA_OFFSET,
    DEFAULT_SDU,
    ERR_INVALID_SERVICE_NAME,
    MAX_SDU,
    MIN_SDU,
    PACKET_FLAG_TLS_RENEG,
    PACKET_HEADER_SIZE,
    TNS_VERSION,
    TNS_VERSION_MIN_ACCEPTED,
    PacketType,
)
from oracle_emulator.protocol.packets import build_packet

_SERVICE_NAME = re.compile(r"\(\s*SERVICE_NAME\s*=\s*([^)\s]*)\s*\)", re.IGNORECASE)
_SID = re.compile(r"\(\s*SID\s*=\s*([^)\s]*)\s*\)", re.IGNORECASE)
#: offset in the CONNECT body of the 32-bit SDU (after 20 bytes of 16-bit fields, the max
#: receivable data, two NSI flag bytes and 24 obsolete bytes)
_LARGE_SDU_OFFSET = 50
_ACCEPT_FIXED_SIZE = 37
_ACCEPT_RESERVED_1 = 9
_ACCEPT_RESERVED_2 = 5
_SMALL_SDU_MAX = 0xFFFF
_REFUSE_USER_REASON = 1
_REFUSE_SYSTEM_REASON = 0


@dataclass(frozen=True)
class ConnectRequest:
    """What the listener needs from a CONNECT packet."""

    version: int
    sdu: int
    connect_data_length: int
    #: the descriptor when it fitted in the CONNECT packet, else b"" (it follows as DATA)
    connect_data: bytes

    @property
    def service_name(self) -> str | None:
        return _descriptor_value(self.connect_data, _SERVICE_NAME)

    @property
    def sid(self) -> str | None:
        return _descriptor_value(self.connect_data, _SID)

    def with_connect_data(self, data: bytes) -> ConnectRequest:
        return ConnectRequest(self.version, self.sdu, self.connect_data_length, data)


def _descriptor_value(data: bytes, pattern: re.Pattern[str]) -> str | None:
    match = pattern.search(data.decode(errors="replace"))
    return match.group(1) if match else None


def parse_connect(body: bytes) -> ConnectRequest:
    """Read the fields of a CONNECT packet body (the bytes after its 8-byte header)."""
    buf = ReadBuffer(body)
    version = buf.read_uint16be()
    buf.read_uint16be()  # minimum version
    buf.read_uint16be()  # service options
    small_sdu = buf.read_uint16be()
    buf.skip(2 * 4)  # TDU, protocol characteristics, line turnaround, constant 1
    data_length = buf.read_uint16be()
    data_offset = buf.read_uint16be()
    sdu = small_sdu
    if len(body) >= _LARGE_SDU_OFFSET + 4:
        sdu = int.from_bytes(body[_LARGE_SDU_OFFSET : _LARGE_SDU_OFFSET + 4], "big") or sdu
    if version < TNS_VERSION_MIN_ACCEPTED:
        raise ProtocolError(f"client TNS version {version} is older than 12.1")
    start = (data_offset or CONNECT_DATA_OFFSET) - PACKET_HEADER_SIZE
    data = body[start : start + data_length] if len(body) > start else b""
    return ConnectRequest(version, sdu or DEFAULT_SDU, data_length, data)


def negotiate_sdu(proposed: int, limit: int = MAX_SDU) -> int:
    """The SDU both sides use: the client's proposal, within the emulator's bounds."""
    return max(MIN_SDU, min(proposed, limit))


def build_accept(sdu: int) -> bytes:
    """The ACCEPT packet, laid out as ``ConnectMessage.process`` reads it (16-bit length)."""
    body = b"".join(
        (
            TNS_VERSION.to_bytes(2, "big"),
            ACCEPT_SERVICE_OPTIONS.to_bytes(2, "big"),
            min(sdu, _SMALL_SDU_MAX).to_bytes(2, "big"),
            min(sdu, _SMALL_SDU_MAX).to_bytes(2, "big"),  # TDU
            ACCEPT_BYTE_ORDER.to_bytes(2, "big"),
            (0).to_bytes(2, "big"),  # accept data length
            (PACKET_HEADER_SIZE + _ACCEPT_FIXED_SIZE).to_bytes(2, "big"),  # its offset
            b"\x00",  # NSI flags: no network encryption required
            bytes(_ACCEPT_RESERVED_1),
            sdu.to_bytes(4, "big"),
            bytes(_ACCEPT_RESERVED_2),
            ACCEPT_FLAGS2.to_bytes(4, "big"),
        )
    )
    return build_packet(PacketType.ACCEPT, body, large=False)


def build_refuse(error_code: int = ERR_INVALID_SERVICE_NAME) -> bytes:
    """A REFUSE packet whose text carries ``(ERR=nnnnn)``, which the driver turns into its
    DPY-6001 "service is not registered with the listener" (ORA-12514) for 12514."""
    text = (
        f"(DESCRIPTION=(TMP=)(VSNNUM=318767104)(ERR={error_code})"
        f"(ERROR_STACK=(ERROR=(CODE={error_code})(EMFI=4))))"
    ).encode()
    body = bytes((_REFUSE_USER_REASON, _REFUSE_SYSTEM_REASON)) + len(text).to_bytes(2, "big")
    return build_packet(PacketType.REFUSE, body + text, large=False)


def build_tls_renegotiate() -> bytes:
    """A RESEND packet flagged TLS_RENEG: what an Oracle listener answers a CONNECT over
    TCPS when the server process must run its own TLS session. python-oracledb detaches its
    socket from the first session, handshakes again on the same TCP connection and resends
    CONNECT."""
    return build_packet(PacketType.RESEND, b"", large=False, flags=PACKET_FLAG_TLS_RENEG)
