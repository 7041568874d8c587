"""Bring python-oracledb's own test suite onto this machine, from the sdist of the pinned driver.

Nothing of that suite is kept in this repository: the sdist is downloaded from PyPI with pip at
test time, checked against the SHA-256 committed here (so a re-published or tampered archive
fails loudly instead of silently moving the yardstick), and unpacked under a git-ignored cache.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tarfile
from pathlib import Path

#: the archive python-oracledb publishes for the version pinned in requirements/lock.txt
SDIST_VERSION = "26.1.0"
SDIST_NAME = f"oracledb-{SDIST_VERSION}.tar.gz"
SDIST_SHA256 = "18e1e78073a1479326e8766deb8b9358ae7880d80b65f562580b010da07c73ee"

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache" / "peer"


def pinned_version(lock: Path = REPO_ROOT / "requirements" / "lock.txt") -> str:
    """The oracledb version the lock file pins: the sdist must be that version's, or the
    suite would judge the emulator against another driver than the one it serves."""
    match = re.search(r"^oracledb==(\S+)", lock.read_text(), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{lock}: no 'oracledb==' pin found")
    return match.group(1)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(cache: Path = CACHE_DIR) -> Path:
    """The verified sdist archive, downloaded once into ``cache``."""
    if pinned_version() != SDIST_VERSION:
        raise SystemExit(
            f"requirements/lock.txt pins oracledb=={pinned_version()} but the peer suite's "
            f"sdist is {SDIST_VERSION}: update SDIST_VERSION and SDIST_SHA256 in {__file__}"
        )
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / SDIST_NAME
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                f"oracledb=={SDIST_VERSION}",
                "-d",
                str(cache),
            ],
            check=True,
        )
    actual = _sha256(archive)
    if actual != SDIST_SHA256:
        archive.unlink()
        raise SystemExit(
            f"{archive}: SHA-256 {actual} is not the committed {SDIST_SHA256}; the archive "
            "was removed, nothing of it was run"
        )
    return archive


def unpack(archive: Path, cache: Path = CACHE_DIR) -> Path:
    """The unpacked source tree (its ``tests/`` is the suite), unpacked afresh each run so
    that a file left by an earlier run cannot change this one."""
    root = cache / f"oracledb-{SDIST_VERSION}"
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")
    if not (root / "tests" / "conftest.py").exists():
        raise SystemExit(f"{archive}: no tests/conftest.py in the sdist")
    return root


def suite_root() -> Path:
    """Download (once), verify and unpack; the sdist's root directory."""
    return unpack(download())
