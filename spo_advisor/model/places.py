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


def effective_jurisdiction(jurisdiction: str | None, police_force: str | None) -> str | None:
    """The jurisdiction given, else the one the holding force polices, else None."""
    if jurisdiction is not None:
        return jurisdiction
    return None if police_force is None else force_jurisdiction(police_force)


def effective_home_force(home_force: str | None, police_force: str | None,
                         lives_in_force_area: bool | None,
                         london_borough: str | None) -> str | None:
    """Where the suspect lives: ``home_force`` when given; else the territorial force
    holding the case when the suspect lives in its area; else the London force implied by
    ``london_borough``. Never inferred from BTP, MoD Police or CNC."""
    if home_force is not None:
        return home_force
    if police_force in TERRITORIAL_FORCES and lives_in_force_area:
        return police_force
    if london_borough is not None:
        return "city_of_london" if london_borough == "city_of_london" else "metropolitan"
    return None


Contradiction = tuple[tuple[str, ...], str, str]
"""Where (a path in the case), a code and a message."""


def place_contradictions(jurisdiction: str | None, police_force: str | None,
                         home_force: str | None, lives_in_force_area: bool | None,
                         london_borough: str | None) -> list[Contradiction]:
    """The places a case gives that contradict each other (docs/contract.md: given and
    contradicting, refused): a jurisdiction other than the force's; a home force other than
    the territorial force the suspect lives in the area of; a London borough outside the
    suspect's home force."""
    found: list[Contradiction] = []
    if jurisdiction is not None and police_force is not None and (
            jurisdiction != force_jurisdiction(police_force)):
        found.append((("jurisdiction",), "contradicts_force",
                      "contradicts the jurisdiction of police_force"))
    if (home_force is not None and police_force in TERRITORIAL_FORCES
            and lives_in_force_area is True and home_force != police_force):
        found.append((("suspect", "home_force"), "contradicts_force",
                      "contradicts police_force with lives_in_force_area true"))
    home = effective_home_force(home_force, police_force, lives_in_force_area, london_borough)
    if london_borough is not None and home is not None:
        city = london_borough == "city_of_london"
        if home not in ("metropolitan", "city_of_london") or (city != (home == "city_of_london")):
            found.append((("london_borough",), "contradicts_home_force",
                          ("contradicts the suspect's home force (the City of London is "
                          "policed by City of London Police, the 32 boroughs by the Met)")))
    return found
