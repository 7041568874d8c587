"""GCS's bucket naming rules, checked before any request: a bad name fails naming the rule it
breaks (the client's own message names neither the bucket nor, for some names, the rule)."""

from __future__ import annotations

import re

__all__ = ["MAX_BUCKET_CHARS", "MAX_DOTTED_BUCKET_CHARS", "MIN_BUCKET_CHARS", "bucket_problem"]

_BUCKET_CHARS = re.compile(r"[a-z0-9._-]+")
_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_GOOGLE_LOOKALIKE = re.compile(r"g[o0][o0]g[l1]e")
MIN_BUCKET_CHARS = 3
MAX_BUCKET_CHARS = 63
MAX_DOTTED_BUCKET_CHARS = 222
_ECHO_LIMIT = 80


def bucket_problem(name: str) -> str | None:
    """Why ``name`` breaks GCS's bucket naming rules, or None."""
    dotted = "." in name
    longest = MAX_DOTTED_BUCKET_CHARS if dotted else MAX_BUCKET_CHARS
    if not MIN_BUCKET_CHARS <= len(name) <= longest:
        return (
            f"a bucket name has {MIN_BUCKET_CHARS} to {MAX_BUCKET_CHARS} characters (up to "
            f"{MAX_DOTTED_BUCKET_CHARS} with dots), got {len(name)}: {_echo(name)}"
        )
    if not _BUCKET_CHARS.fullmatch(name):
        upper = " (uppercase letters are not allowed)" if name.lower() != name else ""
        return (
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.'"
            f"{upper}, got {_echo(name)}"
        )
    if not (name[0].isalnum() and name[-1].isalnum()):
        return f"a bucket name must start and end with a letter or digit, got {_echo(name)}"
    if _IPV4.fullmatch(name):
        return f"a bucket name cannot be an IP address, got {_echo(name)}"
    if dotted and any(not 1 <= len(part) <= MAX_BUCKET_CHARS for part in name.split(".")):
        return (
            f"each dot-separated part of a bucket name has 1 to {MAX_BUCKET_CHARS} "
            f"characters, got {_echo(name)}"
        )
    if name.startswith("goog"):
        return f"a bucket name cannot begin with 'goog', got {_echo(name)}"
    if _GOOGLE_LOOKALIKE.search(name):
        return f"a bucket name cannot contain 'google' or a look-alike, got {_echo(name)}"
    return None


def _echo(value: str) -> str:
    """The name in a message: repr, cut when long (a configured value may be huge)."""
    if len(value) <= _ECHO_LIMIT:
        return repr(value)
    return f"{value[:_ECHO_LIMIT]!r}... ({len(value)} chars)"
