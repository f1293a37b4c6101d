"""The closed lists of places a case may name: police forces and London boroughs.

Codes are the public contract (``police_force``, ``suspect.home_force``,
``london_borough``); labels are for display. Read once from ``places.yaml`` beside this
module.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

_PLACES_FILE = Path(__file__).with_name("places.yaml")

JurisdictionCode = Literal["england_and_wales", "scotland", "northern_ireland"]


@cache
def _places() -> dict[str, dict[str, str]]:
    with _PLACES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, dict[str, str]] = yaml.safe_load(handle)
    return data


def _enum(name: str, *groups: str) -> type[StrEnum]:
    codes = [code for group in groups for code in _places()[group]]
    return StrEnum(name, {code.upper(): code for code in codes})  # type: ignore[return-value]


TERRITORIAL_FORCES: frozenset[str] = frozenset(_places()["territorial_forces"])
"""The 43 territorial police forces of England and Wales."""

SPECIAL_FORCES: frozenset[str] = frozenset(_places()["special_forces"])
"""British Transport Police, Ministry of Defence Police, Civil Nuclear Constabulary."""

PoliceForce = _enum("PoliceForce", "territorial_forces", "special_forces", "other_jurisdictions")
"""Any force a case may be held by."""

TerritorialForce = _enum("TerritorialForce", "territorial_forces")
"""A territorial force area of England and Wales (where a suspect may live)."""

LondonBorough = _enum("LondonBorough", "london_boroughs")
"""The 32 London boroughs and the City of London."""

_FORCE_JURISDICTION: dict[str, JurisdictionCode] = {"police_scotland": "scotland",
                                                    "psni": "northern_ireland"}


def force_jurisdiction(force: str) -> JurisdictionCode:
    """The jurisdiction a force polices."""
    return _FORCE_JURISDICTION.get(force, "england_and_wales")


def label(code: str) -> str:
    """The display name of a force or borough code (the code itself if unknown)."""
    for group in _places().values():
        if code in group:
            return group[code]
    return code
