"""Strings from a case (or a file name) made safe to show: the one place output is escaped.

A case id is the user's text. Printed as it is, a control character or a terminal escape
in it could rewrite the terminal, and a newline could forge a line of a report or of the
batch summary. :func:`plain` escapes every such character as Python writes it (``\\x1b``,
``\\n``, ``\\u202e``); :func:`markdown` also escapes the characters Markdown would read as
formatting, links or HTML. HTML is escaped with :func:`html.escape` where it is built.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["markdown", "plain"]

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Control and format characters (C0, DEL, C1, bidirectional overrides, zero widths) and
the Unicode line and paragraph separators."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def _escaped(character: str) -> str:
    if unicodedata.category(character) not in _UNSAFE_CATEGORIES:
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: str) -> str:
    """``text`` with every control or format character written as an escape, so that it
    prints on one line and cannot act on a terminal."""
    if text.isprintable():
        return text
    return "".join(map(_escaped, text))


def markdown(text: str) -> str:
    """:func:`plain` ``text``, with Markdown's special characters backslash-escaped so that
    it shows as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", plain(text))
