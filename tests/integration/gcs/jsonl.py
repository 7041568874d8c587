"""JSON lines for the writer tests: varied, multi-byte, each line numbered so order checks."""

from __future__ import annotations

import base64
import os
import random

import msgspec

WORDS = ["steel", "oak", "copper", "linen", "glass", "wool", "maple", "slate", "amber", "jade"]


def numbered_lines(start: int, count: int, seed: int = 7) -> list[bytes]:
    """Lines of the benchmark's flavour (compressible), with a sequence number and some
    multi-byte text."""
    rng = random.Random(seed + start)
    return [
        msgspec.json.encode(
            {
                "SEQ": n,
                "AMOUNT": f"{rng.randrange(10**9) / 100:.2f}",
                "NAME": f"Item {rng.choice(WORDS)} {n:09d} — ünïcödé ✓",
                "DESCRIPTION": f"A {rng.choice(WORDS)} thing made of {rng.choice(WORDS)}",
                "UPDATED": f"2024-01-{rng.randrange(1, 29):02d}T10:11:{rng.randrange(10**8):08d}",
                "NOTE": None if rng.random() < 0.5 else f"note {rng.randrange(10**6)}",
            }
        )
        + b"\n"
        for n in range(start, start + count)
    ]


def random_lines(count: int, blob_bytes: int) -> list[bytes]:
    """Lines carrying base64 of random bytes (like BLOB columns): barely compressible."""
    return [
        b'{"SEQ":%d,"BLOB":"%s"}\n' % (n, base64.b64encode(os.urandom(blob_bytes)))
        for n in range(count)
    ]


def slices(lines: list[bytes], rows_per_slice: int) -> list[tuple[bytes, int]]:
    return [
        (b"".join(lines[i : i + rows_per_slice]), len(lines[i : i + rows_per_slice]))
        for i in range(0, len(lines), rows_per_slice)
    ]
