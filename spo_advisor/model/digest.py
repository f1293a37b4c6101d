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


def record_digest(record: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the canonical JSON of ``record`` less its digest and signature."""
    content = {key: value for key, value in record.items() if key not in UNSEALED}
    return hashlib.sha256(canonical(content)).hexdigest()


def sealed(model: Model) -> Model:
    """``model`` with its ``record_sha256`` set to the digest of its JSON."""
    return model.model_copy(update={DIGEST_KEY: record_digest(model.model_dump(mode="json"))})
