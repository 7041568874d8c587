"""Oracle's IS JSON well-formedness, strict and lax (pure function: json_syntax)."""

from __future__ import annotations

import pytest

from oracle_emulator.sql.json_syntax import well_formed


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        ' [1, 2.5, -3e2, "x", true, false, null, {}, []] ',
        '"text"',
        "0",
        '{"a": {"b": [1, {"c": "\\u00e9\\n"}]}}',
        '{"a": 1, "a": 2}',
    ],
)
def test_strict_and_lax_accept_standard_json(text: str) -> None:
    assert well_formed(text, strict=True)
    assert well_formed(text, strict=False)


@pytest.mark.parametrize(
    "text",
    [
        "{a: 1}",
        "{'a': 'b'}",
        "{_x$1: TRUE, y: Null, z: False}",
        "[+1, 007, .5, 1.]",
        "['it\\'s']",
    ],
)
def test_lax_only(text: str) -> None:
    assert well_formed(text, strict=False)
    assert not well_formed(text, strict=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "[1, 2,]",
        '{"a": 1,}',
        "NaN",
        "[Infinity]",
        '{"a" 1}',
        "{} {}",
        '"unterminated',
        '"tab\there"',
        '"bad \\x escape"',
        "[1] // comment",
        "{1: 2}",
        "truex",
        "--1",
    ],
)
def test_neither(text: str) -> None:
    assert not well_formed(text, strict=False)
    assert not well_formed(text, strict=True)


def test_unique_keys() -> None:
    assert not well_formed('{"a": 1, "b": {"a": 2, "a": 3}}', unique_keys=True)
    assert well_formed('{"a": 1, "b": {"a": 2}}', unique_keys=True)
    assert not well_formed("{a: 1, 'a': 2}", unique_keys=True)


def test_deep_nesting_is_not_an_error() -> None:
    assert not well_formed("[" * 100_000)
