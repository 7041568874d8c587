"""Numbers of the TNS/TTC protocol, named as python-oracledb's ``constants.pxi`` names them.

Only what the emulator reads or writes is here. Grouped by what they number; every bare
protocol number elsewhere in ``protocol/`` should be one of these.
"""

from __future__ import annotations

import enum

# --- TNS packets -----------------------------------------------------------------------------

PACKET_HEADER_SIZE = 8
DATA_FLAGS_SIZE = 2


class PacketType(enum.IntEnum):
    CONNECT = 1
    ACCEPT = 2
    REFUSE = 4
    REDIRECT = 5
    DATA = 6
    RESEND = 11
    MARKER = 12
    CONTROL = 14


class MarkerType(enum.IntEnum):
    BREAK = 1
    RESET = 2
    INTERRUPT = 3


#: packet flag of a RESEND on TCPS: start a new TLS handshake, then send CONNECT again
PACKET_FLAG_TLS_RENEG = 0x08

#: a DATA packet with only this flag set: the client is going away
DATA_FLAGS_EOF = 0x0040
#: the body of a marker packet: a constant 1, a constant 0, then the marker type
MARKER_PREFIX = b"\x01\x00"

# --- connect / accept ------------------------------------------------------------------------

#: TNS version the emulator speaks: 19c. 319+ would bring end-of-response and pipelining.
TNS_VERSION = 318
#: oldest client protocol version accepted (12.1, the driver's own minimum)
TNS_VERSION_MIN_ACCEPTED = 315
#: from this version on, lengths in packet headers are 32-bit once ACCEPT has been sent
TNS_VERSION_MIN_LARGE_SDU = 315
#: service options in ACCEPT: "don't care"; GSO_CAN_RECV_ATTENTION (0x0400) left out = no OOB
ACCEPT_SERVICE_OPTIONS = 0x0001
ACCEPT_BYTE_ORDER = 0x0100
ACCEPT_FLAGS2 = 0
#: connect-data offset the driver always writes in its CONNECT packet
CONNECT_DATA_OFFSET = 74
#: longer connect descriptors travel in a DATA packet after the CONNECT packet
MAX_CONNECT_DATA_IN_PACKET = 230
#: largest SDU the emulator agrees to (the driver caps its own proposal at 2 MiB as well)
MAX_SDU = 2 * 1024 * 1024
MIN_SDU = 512
DEFAULT_SDU = 8192

ERR_INVALID_SERVICE_NAME = 12514
#: seconds a client has to complete TLS and send its CONNECT packet (Oracle's default
#: SQLNET.INBOUND_CONNECT_TIMEOUT); then the server closes the connection
INBOUND_CONNECT_TIMEOUT_S = 60.0

# --- TTC message types -----------------------------------------------------------------------


class MessageType(enum.IntEnum):
    PROTOCOL = 1
    DATA_TYPES = 2
    FUNCTION = 3
    ERROR = 4
    ROW_HEADER = 6
    ROW_DATA = 7
    PARAMETER = 8
    STATUS = 9
    IO_VECTOR = 11
    LOB_DATA = 14
    WARNING = 15
    DESCRIBE_INFO = 16
    PIGGYBACK = 17
    FLUSH_OUT_BINDS = 19
    BIT_VECTOR = 21
    ONEWAY_FN = 26


class Function(enum.IntEnum):
    """TTC function codes (``TNS_FUNC_*``)."""

    REEXECUTE = 4
    FETCH = 5
    LOGOFF = 9
    COMMIT = 14
    ROLLBACK = 15
    REEXECUTE_AND_FETCH = 78
    EXECUTE = 94
    LOB_OP = 96
    CLOSE_CURSORS = 105
    AUTH_PHASE_TWO = 115
    AUTH_PHASE_ONE = 118
    SET_END_TO_END_ATTR = 135
    PING = 147
    SET_SCHEMA = 152
    SET_KEY_VALUE = 154
    SESSION_GET = 162
    SESSION_RELEASE = 163
    SESSION_STATE = 176


# --- execute ---------------------------------------------------------------------------------


class ExecOption(enum.IntFlag):
    PARSE = 0x01
    BIND = 0x08
    DEFINE = 0x10
    EXECUTE = 0x20
    FETCH = 0x40
    COMMIT = 0x100
    PLSQL_BIND = 0x400
    NOT_PLSQL = 0x8000
    DESCRIBE = 0x20000
    NO_COMPRESSED_FETCH = 0x40000
    BATCH_ERRORS = 0x80000


#: in the second options word of a re-execute: commit when done
REEXECUTE_COMMIT = 0x01
EXEC_FLAGS_DML_ROWCOUNTS = 0x4000
EXEC_FLAGS_SCROLLABLE = 0x02

#: number of slots in the execute message's integer array (al8i4)
AL8I4_LENGTH = 13
AL8I4_IS_QUERY = 7
AL8I4_EXEC_FLAGS = 9
AL8I4_FETCH_ORIENTATION = 10
AL8I4_FETCH_POS = 11


class FetchOrientation(enum.IntEnum):
    """Where a fetch of a scrollable cursor starts (al8i4[10]; its row is al8i4[11])."""

    CURRENT = 0x01
    NEXT = 0x02
    FIRST = 0x04
    LAST = 0x08
    PRIOR = 0x10
    ABSOLUTE = 0x20
    RELATIVE = 0x40


# bind metadata
BIND_FLAG_ARRAY = 0x40
BIND_DIR_INPUT = 32

#: end-of-call status flag: a transaction is open
EOCS_TXN_IN_PROGRESS = 0x02

# --- errors ----------------------------------------------------------------------------------

ERR_NO_DATA_FOUND = 1403
ERR_ARRAY_DML_ERRORS = 24381
ERR_INTERNAL = 600

# --- LOBs ------------------------------------------------------------------------------------


class LobOp(enum.IntFlag):
    GET_LENGTH = 0x0001
    READ = 0x0002
    TRIM = 0x0020
    WRITE = 0x0040
    FILE_OPEN = 0x0100
    CREATE_TEMP = 0x0110
    FREE_TEMP = 0x0111
    FILE_CLOSE = 0x0200
    FILE_ISOPEN = 0x0400
    FILE_EXISTS = 0x0800
    GET_CHUNK_SIZE = 0x4000
    OPEN = 0x8000
    CLOSE = 0x10000
    IS_OPEN = 0x11000
    ARRAY = 0x80000


# locator bytes the driver inspects (``TNS_LOB_LOC_*``)
LOB_LOC_OFFSET_FLAG_1 = 4
LOB_LOC_OFFSET_FLAG_2 = 5
LOB_LOC_OFFSET_FLAG_4 = 7
LOB_LOC_FLAGS_BLOB = 0x01
LOB_LOC_FLAGS_INIT = 0x08
LOB_LOC_FLAGS_TEMP = 0x01
#: the driver asks a temporary LOB's locator back in a buffer of this many bytes
LOB_LOCATOR_LENGTH = 40
LOB_CHUNK_SIZE = 8132

# --- negotiation -----------------------------------------------------------------------------

CHARSET_UTF8 = 873
NCHARSET_UTF16 = 2000
PROTOCOL_SERVER_VERSION = 6
PROTOCOL_SERVER_FLAGS = 0
#: TTC field version of 19c with its first extension: every later layout depends on it
TTC_FIELD_VERSION = 13
FIELD_VERSION_12_2 = 8
FIELD_VERSION_12_2_EXT1 = 9
#: compile-time capability indices (``TNS_CCAP_*``)
CCAP_SQL_VERSION = 0
CCAP_LOGON_TYPES = 4
CCAP_FIELD_VERSION = 7
CCAP_TTC1 = 15
CCAP_LOB = 23
CCAP_TTC4 = 40
CCAP_LENGTH = 45
CCAP_SQL_VERSION_MAX = 6
CCAP_O5LOGON = 8
CCAP_O5LOGON_NP = 2
CCAP_O7LOGON = 32
CCAP_O8LOGON_LONG_IDENTIFIER = 64
CCAP_END_OF_CALL_STATUS = 0x01
CCAP_IND_RCD = 0x08
CCAP_LOB_UB8_SIZE = 0x01
CCAP_LOB_ENCS = 0x02
CCAP_LOB_12C = 0x80
#: runtime capability indices and values (``TNS_RCAP_*``)
RCAP_COMPAT = 0
RCAP_TTC = 6
RCAP_LENGTH = 7
RCAP_COMPAT_81 = 2
RCAP_TTC_ZERO_COPY = 0x01
RCAP_TTC_32K = 0x04
#: the longest VARCHAR2/RAW bind the driver sends in place (32K is advertised); longer binds
#: are sent as LONG, after all other binds of their row
MAX_STRING_SIZE = 32767

# --- authentication --------------------------------------------------------------------------

VERIFIER_TYPE_12C = 0x4815
PBKDF2_VGEN_COUNT = 4096
PBKDF2_SDER_COUNT = 3
#: AUTH_VERSION_NO of 19.0.0.0.0 in the 18c+ layout (major in the top byte)
AUTH_VERSION_NO = 19 << 24
SERVER_BANNER = b"Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production"


class AuthKey(str, enum.Enum):
    """Keys of the key/value pairs exchanged during O5LOGON."""

    SESSKEY = "AUTH_SESSKEY"
    VFR_DATA = "AUTH_VFR_DATA"
    PBKDF2_CSK_SALT = "AUTH_PBKDF2_CSK_SALT"
    PBKDF2_VGEN_COUNT = "AUTH_PBKDF2_VGEN_COUNT"
    PBKDF2_SDER_COUNT = "AUTH_PBKDF2_SDER_COUNT"
    PASSWORD = "AUTH_PASSWORD"
    SVR_RESPONSE = "AUTH_SVR_RESPONSE"
    SESSION_ID = "AUTH_SESSION_ID"
    SERIAL_NUM = "AUTH_SERIAL_NUM"
    VERSION_NO = "AUTH_VERSION_NO"
    SERVICE_NAME = "AUTH_SC_SERVICE_NAME"
    INSTANCE_NAME = "AUTH_INSTANCENAME"
    DB_NAME = "AUTH_SC_DBUNIQUE_NAME"
    MAX_IDEN_LENGTH = "AUTH_MAX_IDEN_LENGTH"
    MAX_OPEN_CURSORS = "AUTH_MAX_OPEN_CURSORS"
    REAL_DB_UNIQUE_NAME = "AUTH_SC_REAL_DBUNIQUE_NAME"
    NEW_PASSWORD = "AUTH_NEWPASSWORD"
    PROXY_CLIENT_NAME = "PROXY_CLIENT_NAME"
    EDITION = "AUTH_ORA_EDITION"
    #: application context entries come as triples of these (the driver appends a NUL)
    APPCTX_NAMESPACE = "AUTH_APPCTX_NSPACE"
    APPCTX_ATTRIBUTE = "AUTH_APPCTX_ATTR"
    APPCTX_VALUE = "AUTH_APPCTX_VALUE"
    #: phase one: what the client says about itself
    MACHINE = "AUTH_MACHINE"
    TERMINAL = "AUTH_TERMINAL"
    PROGRAM = "AUTH_PROGRAM_NM"
    OS_USER = "AUTH_SID"
