"""The case models: the public input contract of spo_advisor.

A case is what the police know about one stalking or harassment report: who, what, when,
and what was done. Field names and values are the public contract: keep them stable.
:func:`case_json_schema` publishes them as JSON Schema.

Unknown is not "no": every fact a record can lack is nullable, and ``null`` (or a missing
key) means *not known*. Booleans must be real booleans and whole numbers real integers;
dates are ``YYYY-MM-DD``.

Reading a case from a file, text or a mapping, with every problem located, is
:mod:`spo_advisor.model.case_reading`.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)
from pydantic_core import PydanticCustomError

from spo_advisor.model.codes import (
    ActionType,
    AssessmentTool,
    Behaviour,
    Fear,
    Jurisdiction,
    OrderType,
    ReasonCode,
    Relationship,
    Stage,
    Target,
    Threat,
)
from spo_advisor.model.digest import ascii_canonical_without_floats
from spo_advisor.model.errors import CaseError, Problem
from spo_advisor.model.places import (
    LondonBorough,
    PoliceForce,
    TerritorialForce,
    effective_home_force,
    effective_jurisdiction,
)

__all__ = [
    "DATE_MESSAGE",
    "DATE_RANGE_MESSAGE",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "Action",
    "ActionType",
    "AssessmentTool",
    "Behaviour",
    "Case",
    "CriminalJustice",
    "ExistingOrder",
    "Fear",
    "Four",
    "Incident",
    "Indicators",
    "Jurisdiction",
    "LondonBorough",
    "OrderType",
    "PoliceForce",
    "ReasonCode",
    "Relationship",
    "RiskAssessment",
    "Stage",
    "Suspect",
    "Target",
    "Threat",
    "Victim",
    "canonical_json",
    "case_json_schema",
    "check_as_of",
]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DATE_MESSAGE = "not a valid date (expected YYYY-MM-DD)"

EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
"""The range of dates a case may hold: date arithmetic on them never overflows."""
DATE_RANGE_MESSAGE = f"date out of range ({EARLIEST_DATE} to {LATEST_DATE})"


# --------------------------------------------------------------------------- value types


def _parse_date(value: object) -> object:
    """Accept a ``date`` or a ``YYYY-MM-DD`` string from :data:`EARLIEST_DATE` to
    :data:`LATEST_DATE`; refuse datetimes, impossible dates and dates out of range."""
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
    if day is None:
        raise PydanticCustomError("invalid_date", DATE_MESSAGE)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", DATE_RANGE_MESSAGE)
    return day


IsoDate = Annotated[date, BeforeValidator(_parse_date)]
"""A calendar date: a ``date`` object or an ISO 8601 ``YYYY-MM-DD`` string."""

SCHEMA_VERSIONS = ("1", "2")
"""Contract versions a case may be written for; "1" is "2" without the new fields."""

def _parse_schema_version(value: object) -> object:
    """Accept a version as a string or an integer; refuse any other value with the list."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value in SCHEMA_VERSIONS:
        return value
    raise PydanticCustomError("unsupported_version",
                              "not a contract version this library reads: " +
                              ", ".join(SCHEMA_VERSIONS))


SchemaVersion = Annotated[str, BeforeValidator(_parse_schema_version)]

Age = Annotated[StrictInt, Field(ge=0, le=120)]
"""An age in whole years."""


# --------------------------------------------------------------------------------- models


class _CaseModel(BaseModel):
    """Shared configuration: unknown keys refused, inputs never echoed, instances frozen."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True, frozen=True)


class Suspect(_CaseModel):
    """What is known about the suspect."""

    age: Age | None = Field(
        default=None, description="Age in whole years (0-120); null if not known."
    )
    lives_in_force_area: StrictBool | None = Field(
        default=None,
        description="The suspect lives in the applying force's area (SPA 2019 s.1(3)).",
    )
    in_or_coming_to_force_area: StrictBool | None = Field(
        default=None,
        description="The suspect is in, or is intending to come to, the force's area "
        "(SPA 2019 s.1(3)).",
    )
    home_force: TerritorialForce | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The territorial force area where the suspect lives (before moved_on, "
        "when a move is recorded); when null it follows from a territorial police_force "
        "with lives_in_force_area true.",
    )
    moved_on: IsoDate | None = Field(
        default=None,
        description="The date the suspect moved home (SPA 2019 s.4: a reason to vary an SPO; "
        "s.1(3): the force that may apply). From this date the suspect lives in "
        "moved_to_force; null if no move is recorded.",
    )
    moved_to_force: TerritorialForce | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The territorial force area the suspect moved to on moved_on; null if "
        "not known.",
    )


class Victim(_CaseModel):
    """What is known about the victim."""

    age: Age | None = Field(
        default=None, description="Age in whole years (0-120); null if not known."
    )
    very_frightened: StrictBool | None = Field(
        default=None, description="The victim is very frightened (S-DASH item 1)."
    )
    fears: list[Fear] | None = Field(
        default=None,
        description="What the victim fears; [] means none recorded, null means not known.",
    )
    substantial_adverse_effect: StrictBool | None = Field(
        default=None,
        description="The conduct had a substantial adverse effect on the victim's usual "
        "day-to-day activities, e.g. changed routine, moved home or job (PHA 1997 s.4A).",
    )


class Incident(_CaseModel):
    """One dated incident in the course of conduct."""

    date: IsoDate = Field(description="The date of the incident (YYYY-MM-DD).")
    behaviours: list[Behaviour] = Field(
        default_factory=list, description="The kinds of act in this incident."
    )
    target: Target | None = Field(
        default=None,
        description="Whom the incident was aimed at: the victim, or a third party "
        "(stalking by proxy).",
    )
    threats: list[Threat] | None = Field(
        default=None,
        description="Threats made in this incident; [] means none, null means not known.",
    )
    violence: StrictBool | None = Field(
        default=None, description="Physical violence was used in this incident."
    )
    strangulation: StrictBool | None = Field(
        default=None, description="Non-fatal strangulation or suffocation was used."
    )
    weapon: StrictBool | None = Field(default=None, description="A weapon was used or shown.")
    abroad: StrictBool | None = Field(
        default=None, description="The incident took place outside England and Wales."
    )
    sexual_behaviour: StrictBool | None = Field(
        default=None, description="The incident included sexual behaviour."
    )


class Indicators(_CaseModel):
    """Escalation and history indicators; each true, false or null (not known)."""

    threats_to_kill: StrictBool | None = Field(
        default=None, description="The suspect has threatened to kill."
    )
    prior_stalking_or_harassment: StrictBool | None = Field(
        default=None,
        description="Previous domestic abuse, stalking or harassment history (S-DASH item 2).",
    )
    prior_violence: StrictBool | None = Field(
        default=None, description="The suspect has been violent in the past (S-DASH item 11)."
    )
    property_damage: StrictBool | None = Field(
        default=None,
        description="The suspect has vandalised or destroyed property (S-DASH item 3).",
    )
    visits_more_than_three_times_a_week: StrictBool | None = Field(
        default=None,
        description="The suspect turns up unannounced more than three times a week "
        "(S-DASH item 4).",
    )
    third_parties_harassed: StrictBool | None = Field(
        default=None,
        description="The suspect has harassed third parties since the harassment began "
        "(S-DASH item 7).",
    )
    others_recruited: StrictBool | None = Field(
        default=None,
        description="The suspect has involved other people in the harassment (S-DASH item 9).",
    )
    substance_misuse: StrictBool | None = Field(
        default=None,
        description="The suspect has had problems with drugs, alcohol or mental health "
        "(S-DASH item 10).",
    )
    breached_bail_or_order: StrictBool | None = Field(
        default=None, description="The suspect has breached bail conditions or an order."
    )
    suspect_suicidal: StrictBool | None = Field(
        default=None, description="The suspect has threatened or attempted suicide."
    )
    weapons_access: StrictBool | None = Field(
        default=None, description="The suspect has access to weapons."
    )
    coercive_control_or_jealousy: StrictBool | None = Field(
        default=None, description="Coercive control or excessive jealousy is reported."
    )
    escalating: StrictBool | None = Field(
        default=None,
        description="The behaviour is escalating (may also be derived from the incidents).",
    )


class CriminalJustice(_CaseModel):
    """Where the case stands in the criminal justice process."""

    stage: Stage | None = Field(default=None, description="How far the criminal process has gone.")
    remanded_in_custody: StrictBool | None = Field(
        default=None, description="The suspect is remanded in custody."
    )
    bail_conditions: StrictBool | None = Field(
        default=None, description="The suspect is on bail with conditions."
    )
    stage_on: IsoDate | None = Field(
        default=None,
        description="The date the current stage was reached (charge, conviction, "
        "acquittal); null: undated, and the date assessed stands in for it.",
    )
    offence_charged: str | None = Field(
        default=None,
        max_length=200,
        description="The offence charged, if any, e.g. pha_s2a, pha_s4a.",
    )


class ExistingOrder(_CaseModel):
    """A protective order already made against the suspect."""

    type: OrderType = Field(description="The kind of order.")
    protects_victim: StrictBool | None = Field(
        default=None, description="The order protects this case's victim."
    )
    made_on: IsoDate | None = Field(
        default=None, description="The date the order was made; null: undated."
    )
    expires_on: IsoDate | None = Field(
        default=None, description="The date the order expires (YYYY-MM-DD); null if not known."
    )
    until_further_order: StrictBool | None = Field(
        default=None, description="Made until further order (SPA 2019 s.3): no expiry date."
    )
    breached: StrictBool | None = Field(
        default=None, description="A breach of the order is recorded (SPA 2019 s.8 offence)."
    )


class Action(_CaseModel):
    """A dated action the police took (or decided not to take), for review."""

    date: IsoDate = Field(description="The date of the action (YYYY-MM-DD).")
    action: ActionType = Field(description="What was done.")
    reasons: list[ReasonCode] = Field(
        default_factory=list, description="The reasons recorded for the decision."
    )
    note: str | None = Field(
        default=None, max_length=2000, description="Free-text note (at most 2000 characters)."
    )


class Four(_CaseModel):
    """College of Policing FOUR recognition: Fixated, Obsessive, Unwanted, Repeated.

    "Repeated", when null, follows from listed acts on two or more dates.
    """

    fixated: StrictBool | None = Field(
        default=None, description="The behaviour is fixated (FOUR: F)."
    )
    obsessive: StrictBool | None = Field(
        default=None, description="The behaviour is obsessive (FOUR: O)."
    )
    unwanted: StrictBool | None = Field(
        default=None, description="The behaviour is unwanted by the victim (FOUR: U)."
    )
    repeated: StrictBool | None = Field(
        default=None,
        description="The behaviour is repeated (FOUR: R); null: follows from the incidents.",
    )


DashYesCount = Annotated[StrictInt, Field(ge=0, le=27)]
"""The number of 'yes' answers on a completed DASH (0-27)."""


def _shared(model: type[_CaseModel]) -> Callable[[], Any]:
    """A default factory giving one empty instance of ``model``, shared by every case
    (case models are frozen, and an empty one holds no list that could change): pydantic
    compares a field with its default (``exclude_defaults``) without building it anew."""
    empty = model()
    return lambda: empty


_EMPTY = {model: _shared(model) for model in (Suspect, Victim, Indicators, CriminalJustice,
                                                Four)}


class RiskAssessment(_CaseModel):
    """A dated risk assessment: what was known about the risk on that date."""

    date: IsoDate = Field(description="The date of the assessment (YYYY-MM-DD).")
    tool: AssessmentTool | None = Field(default=None, description="The tool used.")
    victim: Victim = Field(default_factory=_EMPTY[Victim], description="The victim, as assessed.")
    indicators: Indicators = Field(
        default_factory=_EMPTY[Indicators], description="Indicators, as assessed."
    )
    four: Four = Field(default_factory=_EMPTY[Four], description="FOUR, as assessed.")
    dash_yes_count: DashYesCount | None = Field(
        default=None, description="If a DASH was completed: its number of 'yes' answers."
    )


class Case(_CaseModel):
    """One stalking or harassment case: the input to assess and review.

    Every fact except ``case_id`` may be null or left out, which means not known.
    """

    schema_version: SchemaVersion | None = Field(
        default=None,
        description="The contract version the case was written for (\"1\" or \"2\", a "
        "string or an integer); absent means the current version.",
    )
    case_id: str = Field(
        min_length=1, max_length=200, description="Opaque case identifier (1-200 characters)."
    )
    assessed_on: IsoDate | None = Field(
        default=None,
        description="The 'as of' date of the assessment (YYYY-MM-DD); default today.",
    )
    police_force: PoliceForce | None = Field(  # type: ignore[valid-type]
        default=None,
        description="The force holding the case: a code of the closed list (43 territorial "
        "forces, british_transport_police, ministry_of_defence_police, "
        "civil_nuclear_constabulary, police_scotland, psni).",
    )
    jurisdiction: Jurisdiction | None = Field(
        default=None,
        description="The jurisdiction; when left out it follows from the force. The "
        "Stalking Protection Act 2019 applies in England and Wales only.",
    )
    london_borough: LondonBorough | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Where the suspect lives, when that is in London: one of the 32 "
        "boroughs or city_of_london.",
    )
    suspect: Suspect = Field(default_factory=_EMPTY[Suspect], description="The suspect.")
    victim: Victim = Field(default_factory=_EMPTY[Victim], description="The victim.")
    relationship: Relationship | None = Field(
        default=None, description="The relationship between suspect and victim."
    )
    relationship_of_significant_duration: StrictBool | None = Field(
        default=None,
        description="For intimate partners: the relationship was of significant duration "
        "(Family Law Act 1996 s.62(3)(ea)).",
    )
    household_merely_commercial: StrictBool | None = Field(
        default=None,
        description="For household members: they lived together only as employee, tenant, "
        "lodger or boarder (Family Law Act 1996 s.62(3)(c); then not associated).",
    )
    separated_on: IsoDate | None = Field(
        default=None, description="The date the suspect and victim separated, if they did."
    )
    incidents: list[Incident] = Field(
        default_factory=list, description="The dated incidents: the course of conduct."
    )
    indicators: Indicators = Field(
        default_factory=_EMPTY[Indicators], description="Escalation and history indicators."
    )
    dash_yes_count: DashYesCount | None = Field(
        default=None,
        description="If a DASH risk assessment was completed: its number of 'yes' answers (0-27).",
    )
    criminal_justice: CriminalJustice = Field(
        default_factory=_EMPTY[CriminalJustice], description="The criminal justice position."
    )
    victim_supports_prosecution: StrictBool | None = Field(
        default=None, description="The victim supports a prosecution."
    )
    existing_orders: list[ExistingOrder] = Field(
        default_factory=list, description="Protective orders already made."
    )
    actions: list[Action] = Field(
        default_factory=list, description="What the police did, for review."
    )
    four: Four = Field(
        default_factory=_EMPTY[Four],
        description="FOUR recognition (Fixated, Obsessive, Unwanted, Repeated).",
    )
    risk_assessments: list[RiskAssessment] = Field(
        default_factory=list,
        description="Dated risk assessments: what was known when. The undated victim, "
        "indicators, four and dash_yes_count describe the record as of assessed_on.",
    )

    def effective_jurisdiction(self) -> Jurisdiction | None:
        """The jurisdiction given, else the one the force polices."""
        found = effective_jurisdiction(
            None if self.jurisdiction is None else self.jurisdiction.value,
            None if self.police_force is None else str(self.police_force))
        return None if found is None else Jurisdiction(found)

    def effective_home_force(self) -> str | None:
        """Where the suspect lives (:func:`spo_advisor.model.places.effective_home_force`)."""
        return effective_home_force(
            None if self.suspect.home_force is None else str(self.suspect.home_force),
            None if self.police_force is None else str(self.police_force),
            self.suspect.lives_in_force_area,
            None if self.london_borough is None else str(self.london_borough))

    def as_of(self, override: date | None = None) -> date:
        """The date to assess the case at: ``override``, else ``assessed_on``, else today.

        Raises ``TypeError`` when ``override`` is not a date, and :class:`CaseError`
        (``as_of``) when it is out of the range a case's dates may take.
        """
        if override is not None:
            return check_as_of(override)
        if self.assessed_on is not None:
            return self.assessed_on
        return date.today()


# ------------------------------------------------------------------------ public helpers


def check_as_of(day: object) -> date:
    """``day`` if it is a date a case may be assessed on; ``TypeError`` naming ``as_of``
    for anything but a date, :class:`CaseError` naming it for a date out of range."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError(f"as_of must be a datetime.date, not {type(day).__name__}")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CaseError([Problem("out_of_range", DATE_RANGE_MESSAGE, "as_of")])
    return day


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`Case`."""
    schema = Case.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "spo_advisor case",
        "description": schema.get("description", ""),
    }


def canonical_json(case: Case) -> str:
    """The case as compact JSON with sorted keys, null and absent fields dropped: equal
    cases give equal text, and adding a nullable field to the model never changes it."""
    data = case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return ascii_canonical_without_floats(data)  # the case has no float fields
