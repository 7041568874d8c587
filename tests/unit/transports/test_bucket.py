"""GCS bucket naming rules (https://cloud.google.com/storage/docs/buckets#naming)."""

from __future__ import annotations

import pytest

from airflow_oracle_etl.transports.checks import bucket_problem
from tests.unit.transports.support import load, only_error, transport_yaml


@pytest.mark.parametrize(
    "name",
    [
        "abc",
        "oracle-etl-demo",
        "my_bucket_1",
        "0bucket9",
        "a" * 63,
        "example.com",
        "data.exports.example.com",
        ".".join(["a" * 63] * 3),
        "my.1.2.3.bucket",
    ],
)
def test_valid_bucket_names(name: str) -> None:
    assert bucket_problem(name) is None
    assert load(transport_yaml(destination={"bucket": name})).destination.bucket == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "ab",
            "a bucket name has 3 to 63 characters (up to 222 with dots), got 2: 'ab'",
        ),
        (
            "",
            "a bucket name has 3 to 63 characters (up to 222 with dots), got 0: ''",
        ),
        (
            "a" * 64,
            f"a bucket name has 3 to 63 characters (up to 222 with dots), got 64: {'a' * 64!r}",
        ),
        (
            ".".join(["a" * 63] * 4),
            "a bucket name has 3 to 63 characters (up to 222 with dots), got 255: "
            f"{('.'.join(['a' * 63] * 4))[:80]!r}... (255 chars)",
        ),
        (
            "My-Bucket",
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.' "
            "(uppercase letters are not allowed), got 'My-Bucket'",
        ),
        (
            "my bucket",
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.', "
            "got 'my bucket'",
        ),
        (
            "gs://my-bucket",
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.', "
            "got 'gs://my-bucket'",
        ),
        (
            "my-bucket/exports",
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.', "
            "got 'my-bucket/exports'",
        ),
        (
            "bücket",
            "a bucket name may contain only lowercase letters, digits, '-', '_' and '.', "
            "got 'bücket'",
        ),
        ("-bucket", "a bucket name must start and end with a letter or digit, got '-bucket'"),
        ("bucket_", "a bucket name must start and end with a letter or digit, got 'bucket_'"),
        (".bucket", "a bucket name must start and end with a letter or digit, got '.bucket'"),
        ("192.168.5.4", "a bucket name cannot be an IP address, got '192.168.5.4'"),
        (
            "a..b",
            "each dot-separated part of a bucket name has 1 to 63 characters, got 'a..b'",
        ),
        (
            f"{'a' * 64}.com",
            f"each dot-separated part of a bucket name has 1 to 63 characters, got "
            f"{'a' * 64 + '.com'!r}",
        ),
        ("goog-exports", "a bucket name cannot begin with 'goog', got 'goog-exports'"),
        ("googexports", "a bucket name cannot begin with 'goog', got 'googexports'"),
        (
            "my-google-data",
            "a bucket name cannot contain 'google' or a look-alike, got 'my-google-data'",
        ),
        (
            "my-g00gle-data",
            "a bucket name cannot contain 'google' or a look-alike, got 'my-g00gle-data'",
        ),
    ],
)
def test_invalid_bucket_names_say_which_rule(name: str, reason: str) -> None:
    assert bucket_problem(name) == reason
    assert only_error(transport_yaml(destination={"bucket": name})) == (
        f"destination.bucket: {reason}"
    )
