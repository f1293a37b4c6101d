"""The digest that covers a whole decision record, and the canonical JSON it is taken of.

A record (the JSON of an assessment or a review) carries ``record_sha256``: the SHA-256 of
the canonical JSON (keys sorted, no spaces, UTF-8) of every other key of the record,
nested records included. Any change to any field, including those ``verify`` cannot
re-derive (the engine, the library version), makes the digest disagree with the content.
A ``signature`` (:mod:`spo_advisor.review.signing`) is added after the digest and is not part of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel

DIGEST_KEY = "record_sha256"
SIGNATURE_KEY = "signature"
UNSEALED = frozenset({DIGEST_KEY, SIGNATURE_KEY})
"""Top-level keys the digest does not cover."""

Model = TypeVar("Model", bound=BaseModel)


def canonical(value: Any) -> bytes:
    """The canonical JSON of a JSON value, as bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def canonical_without_floats(value: Any) -> bytes:
    """:func:`canonical` of a JSON value that holds no number with a fraction or exponent
    (the library's own outputs and cases have none), made by orjson: the same bytes
    (``tests/test_digest.py`` proves it on generated values), several times faster.
    orjson writes floats in another form, so a value from outside (a record read back to
    verify it) goes through :func:`canonical`; what orjson refuses (a lone surrogate) too,
    so it fails as :func:`canonical` fails."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical(value)


def ascii_canonical_without_floats(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, separators=(",", ":"))``, ASCII with ``\\u``
    escapes, of a JSON value without floats: by orjson where its bytes are the same (ASCII
    text without DEL, which json escapes), else by json."""
    text = canonical_without_floats(value)
    if text.isascii() and b"\x7f" not in text:
        return text.decode("ascii")
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def record_digest(record: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the canonical JSON of ``record`` less its digest and signature."""
    content = {key: value for key, value in record.items() if key not in UNSEALED}
    return hashlib.sha256(canonical(content)).hexdigest()


def sealed(model: Model, **json_of: Any) -> Model:
    """``model`` (one of the library's outputs: no floats) with its ``record_sha256`` set to
    the digest of its JSON; ``json_of`` gives the JSON of some of its fields, made already
    (it must be what ``model_dump(mode="json")`` makes of them)."""
    content = model.model_dump(mode="json", exclude={*UNSEALED, *json_of})
    content.update(json_of)
    digest = hashlib.sha256(canonical_without_floats(content)).hexdigest()
    return model.model_copy(update={DIGEST_KEY: digest})
