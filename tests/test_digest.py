"""The fast canonical JSON (orjson) gives the same bytes as the reference (json), so every
digest made with it is the digest the reference would make."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spo_advisor.model.digest import (
    ascii_canonical_without_floats,
    canonical,
    canonical_without_floats,
)

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
"""Any text a case or an output could hold: control characters, DEL, non-ASCII, astral."""
WIDE_TEXT = st.one_of(TEXT, st.sampled_from(["\x7f", "\x00", "\u2028", "é", "😀", "a\x1fb"]))
JSON_WITHOUT_FLOATS = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | WIDE_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WIDE_TEXT, inner, max_size=4),
    max_leaves=20)


@settings(max_examples=600, deadline=None)
@given(JSON_WITHOUT_FLOATS)
def test_the_fast_canonical_json_is_the_reference(value: Any) -> None:
    assert canonical_without_floats(value) == canonical(value)


@settings(max_examples=600, deadline=None)
@given(JSON_WITHOUT_FLOATS)
def test_the_fast_ascii_canonical_json_is_json_dumps(value: Any) -> None:
    assert ascii_canonical_without_floats(value) == json.dumps(value, sort_keys=True,
                                                               separators=(",", ":"))


@pytest.mark.parametrize("text", ["\x7f", "é", "\u2028", "😀"])
def test_text_json_escapes_in_ascii_is_written_by_json(text: str) -> None:
    assert ascii_canonical_without_floats({"k": text}) == json.dumps({"k": text})\
        .replace(" ", "")


def test_a_lone_surrogate_fails_as_the_reference_fails() -> None:
    with pytest.raises(UnicodeEncodeError):
        canonical({"k": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        canonical_without_floats({"k": "\ud800"})
