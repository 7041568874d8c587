"""O5LOGON with the 12c password verifier: the two authentication round trips.

Phase one (function 118) names the user; the server answers with its half of the session
key, encrypted with a key derived from the password (PBKDF2-SHA512 over a per-user salt,
then SHA-512), and the salts and iteration counts the client needs to derive the same key.
Phase two (function 115) brings the client's half of the session key and the password
encrypted with the combined session key; the server checks it and proves that it knows the
password too (AUTH_SVR_RESPONSE, which the driver always verifies). The layouts are
``messages/auth.pyx``; the cryptography is ``crypto.pyx`` on the driver's side.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from oracle_emulator.protocol.buffer import ReadBuffer, WriteBuffer
from oracle_emulator.protocol.constants import (
    PBKDF2_SDER_COUNT,
    PBKDF2_VGEN_COUNT,
    VERIFIER_TYPE_12C,
    AuthKey,
    MessageType,
)

_BLOCK = 16
_ZERO_IV = bytes(_BLOCK)
_SALT_SIZE = 16
_SESSION_KEY_SIZE = 32
_PASSWORD_KEY_SIZE = 64
_SPEEDY_KEY_SUFFIX = b"AUTH_PBKDF2_SPEEDY_KEY"
_SERVER_PROOF = b"SERVER_TO_CLIENT"
_QUOTE = '"'


def _aes_encrypt(key: bytes, data: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(_ZERO_IV)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def _aes_decrypt(key: bytes, data: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(_ZERO_IV)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def _pad(data: bytes) -> bytes:
    """The driver's padding: always 1..16 bytes, each holding the pad length."""
    count = _BLOCK - len(data) % _BLOCK
    return data + bytes((count,)) * count


def _unpad(data: bytes) -> bytes:
    count = data[-1] if data else 0
    if 1 <= count <= _BLOCK and data.endswith(bytes((count,)) * count):
        return data[:-count]
    return data


def _pbkdf2(secret: bytes, salt: bytes, length: int, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", secret, salt, iterations, length)


#: ``auth_mode`` flag of a password change (``connection.changepassword()``, or a logon with
#: ``newpassword``)
AUTH_MODE_CHANGE_PASSWORD = 0x02


@dataclass(frozen=True)
class AuthRequest:
    """An authentication message: the user name, its mode and its key/value pairs (``pairs``
    by key; ``entries`` in order, for the keys that repeat: application context entries)."""

    username: str
    pairs: dict[str, str]
    mode: int = 0
    entries: tuple[tuple[str, str], ...] = ()

    @property
    def changes_password(self) -> bool:
        return bool(self.mode & AUTH_MODE_CHANGE_PASSWORD)


def parse_auth_request(buf: ReadBuffer) -> AuthRequest:
    """Read the body of an AUTH_PHASE_ONE or AUTH_PHASE_TWO call (after the function code)."""
    has_user = buf.read_uint8()
    buf.read_ub4()  # user name length
    mode = buf.read_ub4()
    buf.read_uint8()  # pointer (key/value pairs)
    count = buf.read_ub4()
    buf.read_uint8()  # pointer (output pairs)
    buf.read_uint8()  # pointer (output pair count)
    username = ""
    if has_user:
        username = (buf.read_bytes() or b"").decode()
    entries = []
    for _ in range(count):
        key = buf.read_str_with_length() or ""
        value = buf.read_str_with_length() or ""
        buf.read_ub4()  # flags
        entries.append((key.rstrip("\x00"), value))
    return AuthRequest(username, dict(entries), mode, tuple(entries))


def oracle_user_name(name: str) -> str:
    """How Oracle stores a user name: upper case unless it was given in double quotes."""
    if len(name) >= 2 and name.startswith(_QUOTE) and name.endswith(_QUOTE):
        return name[1:-1]
    return name.upper()


def write_parameters(out: WriteBuffer, pairs: list[tuple[str, str, int]]) -> None:
    """A PARAMETER message of (key, value, flags) pairs, as ``AuthMessage`` reads it."""
    out.write_uint8(MessageType.PARAMETER)
    out.write_ub2(len(pairs))
    for key, value, flags in pairs:
        out.write_str_with_length(key)
        out.write_str_with_length(value or None)
        out.write_ub4(flags)


@dataclass
class LogonState:
    """One connection's logon in progress: what phase one chose and phase two needs."""

    username: str
    password: str | None
    verifier_salt: bytes
    password_hash: bytes
    server_key: bytes
    csk_salt: bytes = field(default_factory=lambda: secrets.token_bytes(_SALT_SIZE))

    def phase_one_pairs(self) -> list[tuple[str, str, int]]:
        encrypted = _aes_encrypt(self.password_hash, self.server_key)
        return [
            (AuthKey.SESSKEY.value, encrypted.hex().upper(), 0),
            (AuthKey.VFR_DATA.value, self.verifier_salt.hex().upper(), VERIFIER_TYPE_12C),
            (AuthKey.PBKDF2_CSK_SALT.value, self.csk_salt.hex().upper(), 0),
            (AuthKey.PBKDF2_VGEN_COUNT.value, str(PBKDF2_VGEN_COUNT), 0),
            (AuthKey.PBKDF2_SDER_COUNT.value, str(PBKDF2_SDER_COUNT), 0),
        ]

    def verify(self, pairs: dict[str, str]) -> bytes | None:
        """The session key if the client proved the password, else None."""
        if self.password is None:
            return None
        try:
            client_key = _aes_decrypt(
                self.password_hash, bytes.fromhex(pairs[AuthKey.SESSKEY.value])
            )[:_SESSION_KEY_SIZE]
            combined = (client_key + self.server_key).hex().upper().encode()
            session_key = _pbkdf2(combined, self.csk_salt, _SESSION_KEY_SIZE, PBKDF2_SDER_COUNT)
        except (KeyError, ValueError):
            return None
        password = decrypt_password(session_key, pairs.get(AuthKey.PASSWORD.value))
        if password is None or not secrets.compare_digest(password, self.password.encode()):
            return None
        return session_key


def decrypt_password(session_key: bytes, encoded: str | None) -> bytes | None:
    """A password the client sent (AUTH_PASSWORD, AUTH_NEWPASSWORD): hex of the AES-CBC
    encryption, under the session key, of 16 random bytes and the password; None if absent
    or not hex of whole blocks."""
    if not encoded:
        return None
    try:
        plain = _aes_decrypt(session_key, bytes.fromhex(encoded))
    except ValueError:
        return None
    return _unpad(plain[_SALT_SIZE:])


def server_proof(session_key: bytes) -> str:
    """AUTH_SVR_RESPONSE: the driver decrypts it and checks bytes 16..32."""
    return (
        _aes_encrypt(session_key, _pad(secrets.token_bytes(_BLOCK) + _SERVER_PROOF)).hex().upper()
    )


class Verifiers:
    """The server's password verifiers: a fixed random salt per user, and the derived key
    cached, since 4,096 PBKDF2 rounds per logon would dominate connection pools' start."""

    def __init__(self) -> None:
        self._salts: dict[str, bytes] = {}
        self._hashes: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def start_logon(self, username: str, password: str | None) -> LogonState:
        with self._lock:
            salt = self._salts.setdefault(username, secrets.token_bytes(_SALT_SIZE))
            cached = self._hashes.get((username, password)) if password is not None else None
        if cached is None:
            # unknown users get a verifier too, so phase one does not reveal who exists
            secret = (password if password is not None else secrets.token_hex()).encode()
            key = _pbkdf2(secret, salt + _SPEEDY_KEY_SUFFIX, _PASSWORD_KEY_SIZE, PBKDF2_VGEN_COUNT)
            cached = hashlib.sha512(key + salt).digest()[:_SESSION_KEY_SIZE]
            if password is not None:
                with self._lock:
                    self._hashes[(username, password)] = cached
        return LogonState(
            username=username,
            password=password,
            verifier_salt=salt,
            password_hash=cached,
            server_key=secrets.token_bytes(_SESSION_KEY_SIZE),
        )
