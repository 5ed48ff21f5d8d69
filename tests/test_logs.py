"""The net under every log line: `redact` and the text format's fields."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slotwise import logs


def _every_pattern(text: str) -> str:
    """What `redact` must equal: each pattern run over the whole line, none skipped."""
    for pattern, replacement, _ in logs._REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize(
    ("line", "redacted"),
    [
        ("GET https://bob:pw@host/x", "GET https://***@host/x"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ("auth BASIC dXNlcjpwYXNz", "auth BASIC ***"),
        ('{"edit_token": "s3cr3t"}', '{"edit_token": "***"}'),
        ("password=hunter2&next=1", "password=***&next=1"),
        # Non-ASCII letters that IGNORECASE matches to ASCII ones (the long s, the Kelvin sign).
        ("Baſic dXNlcjpwYXNz", "Baſic ***"),
        ("paſsword=hunter2", "paſsword=***"),
        ("api_\u212aey=abc", "api_\u212aey=***"),
        ("GET /v3/grants 200 1.2 ms",) * 2,
    ],
)
def test_secrets_are_redacted(line: str, redacted: str) -> None:
    assert logs.redact(line) == redacted


_WORDS = st.sampled_from(
    ["bearer ", "Basic ", "https://", "u:p@", "token", "PassWord", "key_hash", "salt", "ſ", "K"]
)


@given(st.lists(st.one_of(_WORDS, st.text(max_size=8), st.sampled_from("=: \"'@&")), max_size=12))
def test_redact_equals_every_pattern_run(parts: list[str]) -> None:
    line = "".join(parts)
    assert logs.redact(line) == _every_pattern(line)


def test_a_field_with_any_whitespace_is_quoted() -> None:
    record = logging.LogRecord("slotwise.test", logging.INFO, __file__, 1, "hello", None, None)
    record.fields = {"plain": "abc", "spaced": "a b", "nbsp": "a\u00a0b", "empty": ""}
    line = logs.TextFormatter().format(record)
    assert line.endswith('plain=abc spaced="a b" nbsp="a\\u00a0b" empty=""')
