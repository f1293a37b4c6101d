"""The case fields that rules may refer to, read off the case model itself.

Rules name fields by dotted path (``victim.very_frightened``). This module walks the
Pydantic models once and records each path's kind, so rule files are checked against the
real case model and facts are flattened the same way for both evaluators.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from spo_advisor.model.places import TERRITORIAL_FORCES

Kind = Literal["bool", "int", "date", "enum", "str", "enum_list"]

AS_OF = "as_of"
"""The date of assessment: a field every rule may compare against."""

NOT_RULE_VISIBLE = frozenset({"schema_version", "risk_assessments"})
"""Case fields no rule refers to: the document's version, and the dated risk assessments,
which reach the rules merged into the undated risk facts (spo_advisor.engine.risk_record)."""

DERIVED_PREFIX = "derived."
"""Fields computed from the case in Python (not read from it), so both engines agree."""


@dataclass(frozen=True)
class FieldSpec:
    """The kind of one case field, and its allowed values for enumerations."""

    kind: Kind
    choices: tuple[str, ...] = ()


FORCE_KINDS = ("territorial", "national_applicant", "not_an_applicant", "outside")
"""What ``derived.force_kind`` may be: a territorial force of England and Wales; BTP or MoD
Police; the Civil Nuclear Constabulary (not an SPO applicant); a force of Scotland or
Northern Ireland."""

DERIVED_FIELDS: dict[str, FieldSpec] = {
    f"{DERIVED_PREFIX}act_dates": FieldSpec("int"),
    f"{DERIVED_PREFIX}occasions": FieldSpec("int"),
    f"{DERIVED_PREFIX}unwanted": FieldSpec("bool"),
    f"{DERIVED_PREFIX}repeated": FieldSpec("bool"),
    f"{DERIVED_PREFIX}four_rebutted": FieldSpec("bool"),
    f"{DERIVED_PREFIX}escalating": FieldSpec("bool"),
    f"{DERIVED_PREFIX}stage_on": FieldSpec("date"),
    f"{DERIVED_PREFIX}force_kind": FieldSpec("enum", FORCE_KINDS),
    f"{DERIVED_PREFIX}jurisdiction": FieldSpec(
        "enum", ("england_and_wales", "scotland", "northern_ireland")),
    f"{DERIVED_PREFIX}home_force": FieldSpec("enum", tuple(sorted(TERRITORIAL_FORCES))),
    f"{DERIVED_PREFIX}spo_expiry_near": FieldSpec("bool"),
    f"{DERIVED_PREFIX}moved_since_order": FieldSpec("bool"),
    f"{DERIVED_PREFIX}psychological_harm_recorded": FieldSpec("bool"),
}


DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    f"{DERIVED_PREFIX}act_dates": (),
    f"{DERIVED_PREFIX}occasions": (),
    f"{DERIVED_PREFIX}unwanted": ("four.unwanted", "victim.very_frightened", "victim.fears",
                                  "victim.substantial_adverse_effect"),
    f"{DERIVED_PREFIX}repeated": ("four.repeated",),
    f"{DERIVED_PREFIX}four_rebutted": ("four.fixated", "four.obsessive"),
    f"{DERIVED_PREFIX}escalating": ("indicators.escalating",),
    f"{DERIVED_PREFIX}stage_on": ("criminal_justice.stage_on",),
    f"{DERIVED_PREFIX}force_kind": ("police_force",),
    f"{DERIVED_PREFIX}jurisdiction": ("jurisdiction", "police_force"),
    f"{DERIVED_PREFIX}home_force": ("suspect.home_force", "police_force",
                                    "suspect.lives_in_force_area", "london_borough",
                                    "suspect.moved_on", "suspect.moved_to_force"),
    f"{DERIVED_PREFIX}spo_expiry_near": ("existing_orders.expires_on",
                                         "existing_orders.until_further_order"),
    f"{DERIVED_PREFIX}moved_since_order": ("suspect.moved_on", "existing_orders.made_on",
                                           "existing_orders.protects_victim"),
    f"{DERIVED_PREFIX}psychological_harm_recorded": ("victim.substantial_adverse_effect",
                                                     "victim.fears"),
}
"""The case fields each derived field is computed from: what an officer can find out."""


def case_paths(paths: Iterable[str]) -> list[str]:
    """Fact paths as the officer knows them: each derived field replaced by its sources."""
    found: set[str] = set()
    for path in paths:
        found.update(DERIVED_SOURCES.get(path, (path,)))
    return sorted(found)


@dataclass(frozen=True)
class CaseFields:
    """Scalar fields by dotted path, and the dated collections with their record fields."""

    scalars: dict[str, FieldSpec]
    collections: dict[str, dict[str, FieldSpec]]


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def _scalar_spec(annotation: Any) -> FieldSpec | None:
    annotation = _strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        item = _strip_optional(item)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            return FieldSpec("enum_list", tuple(str(member.value) for member in item))
        return None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, enum.Enum):
        return FieldSpec("enum", tuple(str(member.value) for member in annotation))
    if issubclass(annotation, bool):
        return FieldSpec("bool")
    if issubclass(annotation, int):
        return FieldSpec("int")
    if issubclass(annotation, date):
        return FieldSpec("date")
    if issubclass(annotation, str):
        return FieldSpec("str")
    return None


def _record_model(annotation: Any) -> type[BaseModel] | None:
    annotation = _strip_optional(annotation)
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        item = _strip_optional(item)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item
    return None


def _walk(model: type[BaseModel], prefix: str, out: dict[str, FieldSpec],
          collections: dict[str, dict[str, FieldSpec]] | None) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in NOT_RULE_VISIBLE:
            continue
        annotation = info.annotation
        nested = _strip_optional(annotation)
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            _walk(nested, f"{path}.", out, collections)
            continue
        record = _record_model(annotation)
        if record is not None and collections is not None:
            record_fields: dict[str, FieldSpec] = {}
            _walk(record, "", record_fields, None)
            collections[path] = record_fields
            continue
        spec = _scalar_spec(annotation)
        if spec is not None:
            out[path] = spec


@cache
def case_fields() -> CaseFields:
    """The fields of :class:`spo_advisor.model.case.Case`, computed once."""
    from spo_advisor.model.case import Case

    scalars: dict[str, FieldSpec] = {AS_OF: FieldSpec("date")}
    collections: dict[str, dict[str, FieldSpec]] = {}
    _walk(Case, "", scalars, collections)
    scalars.update(DERIVED_FIELDS)
    return CaseFields(scalars, collections)
