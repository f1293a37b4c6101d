"""Output models built from data this library made itself, without validating it again.

Validation guards what comes in; an assessment's parts are made here from the rule set
and the evaluation, of the right types already. Building them as
:meth:`pydantic.BaseModel.model_construct` does, less its generality (aliases, extra
fields, private attributes, post-init hooks: the output models have none), costs a
fraction of validating them. ``tests/test_assess_identity.py`` checks that the result
equals its own validated copy.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


@cache
def _fields(cls: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    """Each field of ``cls``, in the order it is defined, with its field info."""
    return tuple(cls.model_fields.items())


def build(cls: type[M], **values: Any) -> M:
    """An instance of ``cls`` holding ``values`` (trusted: of the fields' types already),
    its other fields at their defaults, in the order the fields are defined (so its JSON
    keys come in the order validation gives them); the fields set are those given, as
    validation would record them."""
    model = cls.__new__(cls)
    data = {name: values[name] if name in values else info.get_default(
                call_default_factory=True) for name, info in _fields(cls)}
    _set(model, "__dict__", data)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
