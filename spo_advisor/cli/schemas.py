"""The JSON Schemas of the public contract, generated from the models.

``case`` is the input; ``assessment`` and ``review`` are the outputs, described as
``model_dump(mode="json")`` writes them.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel

from spo_advisor.model.case import case_json_schema
from spo_advisor.model.result import Assessment
from spo_advisor.review.replay import Review

SchemaKind = Literal["case", "assessment", "review"]
SCHEMA_KINDS: tuple[SchemaKind, ...] = get_args(SchemaKind)
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def output_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an output model, as serialised to JSON."""
    schema = model.model_json_schema(mode="serialization")
    return {"$schema": DRAFT, **schema, "title": title}


def json_schema(kind: SchemaKind = "case") -> dict[str, Any]:
    """The JSON Schema of the case (input), the assessment or the review (outputs)."""
    if kind == "case":
        return case_json_schema()
    if kind == "assessment":
        return output_schema(Assessment, "spo_advisor assessment")
    if kind == "review":
        return output_schema(Review, "spo_advisor review")
    raise ValueError(f"unknown schema {kind!r}; expected one of {', '.join(SCHEMA_KINDS)}")
