"""The case models: the public input contract of spo_advisor.

A case is what the police know about one stalking or harassment report: who, what, when,
and what was done. Field names and values are the public contract: keep them stable.
:func:`case_json_schema` publishes them as JSON Schema.

Unknown is not "no": every fact a record can lack is nullable, and ``null`` (or a missing
key) means *not known*. Booleans must be real booleans and whole numbers real integers;
dates are ``YYYY-MM-DD``.

Bad input never raises pydantic's ``ValidationError``: :func:`load_case` and
:func:`parse_case_text` raise one :class:`~spo_advisor.errors.CaseError` listing every
problem, each with a stable code, a dotted location and, for YAML files, a line and
column. No problem ever repeats the rejected value: case data is sensitive.
"""

import difflib
import json
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, BinaryIO, Union, get_args, get_origin

import yaml
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError

from spo_advisor.errors import CaseError, Problem
from spo_advisor.places import (
    TERRITORIAL_FORCES,
    LondonBorough,
    PoliceForce,
    TerritorialForce,
    force_jurisdiction,
)
from spo_advisor.yamlio import StrictLoader, yaml_message

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_VALUES",
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
    "load_case",
    "parse_case_text",
    "read_case_stream",
]

MAX_BYTES = 5 * 1024 * 1024
"""Largest case file or text accepted, in bytes (UTF-8)."""

MAX_ALIASES = 1000
"""Most YAML alias uses (``*name``) accepted in one case document."""

MAX_VALUES = 1_000_000
"""Most values (YAML nodes) accepted in one case once aliases are expanded."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")

_DATE_MESSAGE = "not a valid date (expected YYYY-MM-DD)"

EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
"""The range of dates a case may hold: date arithmetic on them never overflows."""
_DATE_RANGE_MESSAGE = f"date out of range ({EARLIEST_DATE} to {LATEST_DATE})"


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
        raise PydanticCustomError("invalid_date", _DATE_MESSAGE)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", _DATE_RANGE_MESSAGE)
    return day


IsoDate = Annotated[date, BeforeValidator(_parse_date)]
"""A calendar date: a ``date`` object or an ISO 8601 ``YYYY-MM-DD`` string."""

SCHEMA_VERSIONS = ("1", "2")
"""Contract versions a case may be written for; "1" is "2" without the new fields."""

CURRENT_SCHEMA_VERSION = "2"


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


class Jurisdiction(StrEnum):
    """The legal jurisdiction of the case (the Stalking Protection Act 2019 covers only
    England and Wales)."""

    ENGLAND_AND_WALES = "england_and_wales"
    NORTHERN_IRELAND = "northern_ireland"
    SCOTLAND = "scotland"


class Relationship(StrEnum):
    """The relationship between suspect and victim."""

    STRANGER = "stranger"
    ACQUAINTANCE = "acquaintance"
    COLLEAGUE = "colleague"
    NEIGHBOUR = "neighbour"
    ONLINE_ONLY = "online_only"
    CLIENT_OR_PROFESSIONAL = "client_or_professional"
    CURRENT_INTIMATE_PARTNER = "current_intimate_partner"
    EX_INTIMATE_PARTNER = "ex_intimate_partner"
    SPOUSE = "spouse"
    EX_SPOUSE = "ex_spouse"
    CIVIL_PARTNER = "civil_partner"
    EX_CIVIL_PARTNER = "ex_civil_partner"
    ENGAGED = "engaged"
    EX_ENGAGED = "ex_engaged"
    FAMILY_MEMBER = "family_member"
    HOUSEHOLD_MEMBER = "household_member"
    CO_PARENT = "co_parent"


RELATIONSHIP_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("ex_partner", "ex_boyfriend", "ex_girlfriend"), "ex_intimate_partner"),
    **dict.fromkeys(("ex_wife", "ex_husband", "exwife", "exhusband"), "ex_spouse"),
    **dict.fromkeys(("partner", "boyfriend", "girlfriend"), "current_intimate_partner"),
    **dict.fromkeys(("wife", "husband"), "spouse"),
    **dict.fromkeys(("flatmate", "housemate", "lodger"), "household_member"),
    **dict.fromkeys(("sibling", "parent", "child"), "family_member"),
    "coworker": "colleague",
}
"""Words officers use for a relationship, mapped to the contract's code (for "did you
mean"; the case must still use the code)."""


class Behaviour(StrEnum):
    """A kind of act in the course of conduct (acts associated with stalking)."""

    FOLLOWING = "following"
    CONTACT = "contact"
    PUBLISHING = "publishing"
    ONLINE_MONITORING = "online_monitoring"
    LOITERING = "loitering"
    PROPERTY_INTERFERENCE = "property_interference"
    WATCHING = "watching"
    TURNING_UP = "turning_up"
    TRACKING_DEVICE = "tracking_device"
    GIFTS = "gifts"
    IMPERSONATION = "impersonation"
    THIRD_PARTY_CONTACT = "third_party_contact"
    PROXY_RECRUITMENT = "proxy_recruitment"
    VEXATIOUS_REPORTS = "vexatious_reports"


class Target(StrEnum):
    """Whom an incident was aimed at: the victim, or a third party (stalking by proxy)."""

    VICTIM = "victim"
    THIRD_PARTY = "third_party"


class Threat(StrEnum):
    """A kind of threat made during an incident."""

    VIOLENCE = "violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    KILL = "kill"
    SUICIDE = "suicide"


class Fear(StrEnum):
    """What the victim fears."""

    VIOLENCE = "violence"
    SEXUAL_VIOLENCE = "sexual_violence"
    DEATH = "death"
    HARM_TO_OTHERS = "harm_to_others"
    PSYCHOLOGICAL_HARM = "psychological_harm"
    OTHER = "other"


class Stage(StrEnum):
    """How far the criminal justice process has gone."""

    REPORTED = "reported"
    UNDER_INVESTIGATION = "under_investigation"
    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"
    ACQUITTED = "acquitted"
    NO_FURTHER_ACTION = "no_further_action"


class OrderType(StrEnum):
    """A kind of protective order."""

    SPO = "spo"
    INTERIM_SPO = "interim_spo"
    RESTRAINING_ORDER = "restraining_order"
    NON_MOLESTATION_ORDER = "non_molestation_order"
    DVPO = "dvpo"
    DAPO = "dapo"
    SEXUAL_RISK_ORDER = "sexual_risk_order"


class ActionType(StrEnum):
    """What the police did, as recorded for review."""

    SPO_CONSIDERED_NOT_APPLIED = "spo_considered_not_applied"
    INTERIM_SPO_APPLIED = "interim_spo_applied"
    SPO_APPLIED = "spo_applied"
    DVPN_ISSUED = "dvpn_issued"
    DAPN_ISSUED = "dapn_issued"
    NMO_SIGNPOSTED = "nmo_signposted"
    RESTRAINING_ORDER_REQUESTED = "restraining_order_requested"
    NO_ACTION = "no_action"


class ReasonCode(StrEnum):
    """A reason recorded for a police decision; review checks each against the law."""

    NO_CHARGE = "no_charge"
    INSUFFICIENT_EVIDENCE_TO_CHARGE = "insufficient_evidence_to_charge"
    VICTIM_DOES_NOT_SUPPORT_PROSECUTION = "victim_does_not_support_prosecution"
    DOMESTIC_CONTEXT_USE_DVPO = "domestic_context_use_dvpo"
    BAIL_CONDITIONS_IN_PLACE = "bail_conditions_in_place"
    ONLINE_ONLY = "online_only"
    ACTS_BEFORE_2020 = "acts_before_2020"
    ACTS_ABROAD = "acts_abroad"
    VICTIM_NOT_DIRECT_TARGET = "victim_not_direct_target"
    SUSPECT_UNDER_18 = "suspect_under_18"
    NO_PREVIOUS_CONVICTIONS = "no_previous_convictions"
    EXISTING_ORDER_IN_FORCE = "existing_order_in_force"
    SUSPECT_REMANDED = "suspect_remanded"
    SUSPECT_OUTSIDE_FORCE_AREA = "suspect_outside_force_area"
    CONDITIONS_NOT_MET = "conditions_not_met"


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
        description="The territorial force area where the suspect lives; when null it "
        "follows from a territorial police_force with lives_in_force_area true.",
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


class AssessmentTool(StrEnum):
    """The risk tool a dated risk assessment used."""

    S_DASH = "s_dash"
    DASH = "dash"
    OTHER = "other"


DashYesCount = Annotated[StrictInt, Field(ge=0, le=27)]
"""The number of 'yes' answers on a completed DASH (0-27)."""


class RiskAssessment(_CaseModel):
    """A dated risk assessment: what was known about the risk on that date."""

    date: IsoDate = Field(description="The date of the assessment (YYYY-MM-DD).")
    tool: AssessmentTool | None = Field(default=None, description="The tool used.")
    victim: Victim = Field(default_factory=Victim, description="The victim, as assessed.")
    indicators: Indicators = Field(
        default_factory=Indicators, description="Indicators, as assessed."
    )
    four: Four = Field(default_factory=Four, description="FOUR, as assessed.")
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
    suspect: Suspect = Field(default_factory=Suspect, description="The suspect.")
    victim: Victim = Field(default_factory=Victim, description="The victim.")
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
        default_factory=Indicators, description="Escalation and history indicators."
    )
    dash_yes_count: DashYesCount | None = Field(
        default=None,
        description="If a DASH risk assessment was completed: its number of 'yes' answers (0-27).",
    )
    criminal_justice: CriminalJustice = Field(
        default_factory=CriminalJustice, description="The criminal justice position."
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
        default_factory=Four,
        description="FOUR recognition (Fixated, Obsessive, Unwanted, Repeated).",
    )
    risk_assessments: list[RiskAssessment] = Field(
        default_factory=list,
        description="Dated risk assessments: what was known when. The undated victim, "
        "indicators, four and dash_yes_count describe the record as of assessed_on.",
    )

    def effective_jurisdiction(self) -> Jurisdiction | None:
        """The jurisdiction given, else the one the force polices."""
        if self.jurisdiction is not None:
            return self.jurisdiction
        if self.police_force is not None:
            return Jurisdiction(force_jurisdiction(self.police_force))
        return None

    def effective_home_force(self) -> str | None:
        """Where the suspect lives: ``suspect.home_force``; else the territorial force
        holding the case when the suspect lives in its area; else the London force
        implied by ``london_borough``. Never inferred from BTP, MoD Police or CNC."""
        if self.suspect.home_force is not None:
            return str(self.suspect.home_force)
        if self.police_force in TERRITORIAL_FORCES and self.suspect.lives_in_force_area:
            return str(self.police_force)
        if self.london_borough is not None:
            return "city_of_london" if self.london_borough == "city_of_london" else "metropolitan"
        return None

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
        raise CaseError([Problem("out_of_range", _DATE_RANGE_MESSAGE, "as_of")])
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
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def load_case(source: Case | Mapping[str, Any] | str | os.PathLike[str]) -> Case:
    """Load a case from a :class:`Case`, a mapping, or a ``.yaml``/``.yml``/``.json`` file.

    A ``str`` is a file path, and one that is not an existing file is refused without
    being shown (it may be case text: use :func:`parse_case_text` or
    ``spo_advisor.assess_json`` for text). Raises :class:`CaseError` for every kind of bad
    input (any JSON value that is not a valid case among them), and ``TypeError`` naming
    ``case`` for an argument that is neither a JSON value nor a path.
    """
    if isinstance(source, Case):
        return source
    if not isinstance(source, os.PathLike | Mapping | list | str | int | float | None):
        raise TypeError("case must be a Case, a mapping or the path of a case file, "
                        f"not {type(source).__name__}")
    if isinstance(source, str) and not os.path.isfile(source):
        raise _error("not_a_file", "a str case must be the path of an existing .yaml, .yml "
                     "or .json file (the str is not shown); for JSON text use assess_json, "
                     "or pass a mapping", None)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = str(path)
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise _error("unsupported_file_type", "expected a .yaml, .yml or .json file", name)
        return parse_case_text(_read_text(path), filename=name)
    return _validate(source, None, None)


def parse_case_text(text: str, *, filename: str = "<input>", json_text: bool = False) -> Case:
    """Parse a case from YAML or JSON text (JSON when ``json_text`` is true or ``filename``
    ends in ``.json``).

    YAML is read with PyYAML's safe loader only (no tags that build objects), dates are
    left for validation to check, and only ``true``/``false`` are booleans (YAML 1.2:
    ``yes``/``no``/``on``/``off`` stay strings and are refused where a boolean is due).
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise _error("too_large", "larger than 5 MB", filename)
    text = text.removeprefix("\ufeff")
    if json_text or filename.lower().endswith(".json"):
        return _validate(_parse_json(text, filename), filename, None)
    data, root = _parse_yaml(text, filename)
    return _validate(data, filename, root)


# --------------------------------------------------------------------------- reading files


def _error(
    code: str, message: str, file: str | None, mark: yaml.Mark | None = None, location: str = ""
) -> CaseError:
    """A :class:`CaseError` with a single problem."""
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return CaseError([Problem(code, message, location, file=file, line=line, column=column)])


def _read_text(path: Path) -> str:
    """Read at most :data:`MAX_BYTES` of UTF-8 text from ``path``."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            return read_case_stream(handle, name)
    except FileNotFoundError:
        raise _error("file_not_found", "file not found", name) from None
    except OSError:
        raise _error("unreadable", "cannot read the file", name) from None


def read_case_stream(handle: BinaryIO, name: str) -> str:
    """The UTF-8 text of a case from a binary stream (a file, standard input), reading at
    most one byte more than :data:`MAX_BYTES`, so an endless stream is refused at once.

    Raises :class:`CaseError` (``too_large``, ``unreadable``) naming ``name``, and
    ``OSError`` when the stream cannot be read.
    """
    raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _error("too_large", "larger than 5 MB", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error("unreadable", "not UTF-8 text", name) from None


def _parse_json(text: str, filename: str) -> object:
    """Parse JSON text, refusing duplicate keys."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _error(
                    "duplicate_key",
                    "key appears more than once",
                    filename,
                    location=_shown_key(key),
                )
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        problem = Problem(
            "invalid_json",
            f"not valid JSON: {exc.msg}",
            file=filename,
            line=exc.lineno,
            column=exc.colno,
        )
        raise CaseError([problem]) from None
    except RecursionError:
        raise _error("invalid_json", "not valid JSON: nested too deeply", filename) from None
    except ValueError:  # e.g. an integer longer than Python converts (4,300 digits)
        raise _error("invalid_json", "not valid JSON: a value cannot be read", filename) from None


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _CaseLoader(StrictLoader):
    """The shared strict loader (YAML 1.2 numbers), counting alias uses, without
    timestamps or YAML 1.1 booleans."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose a node, counting alias events (``*name``) before anything is built."""
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


_CaseLoader.yaml_constructors = {
    tag: constructor
    for tag, constructor in StrictLoader.yaml_constructors.items()
    if tag != _TIMESTAMP_TAG
}
_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP_TAG, _BOOL_TAG)]
    for first, resolvers in StrictLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _CaseLoader.yaml_implicit_resolvers[_first].append((_BOOL_TAG, _YAML12_BOOL))


def _parse_yaml(text: str, filename: str) -> tuple[object, yaml.Node | None]:
    """Parse one YAML document safely; return its data and its node tree (for positions).

    PyYAML's own messages are kept only where they cannot hold the document's values.
    """
    try:
        return _load_yaml(text, filename)
    except yaml.constructor.ConstructorError as exc:
        if (exc.problem or "").startswith("could not determine a constructor"):
            raise _error(
                "unsupported_tag",
                "unsupported YAML tag (tags that build objects are not allowed)",
                filename,
                exc.problem_mark,
            ) from None
        raise _error(
            "invalid_yaml", f"not valid YAML: {yaml_message(exc)}", filename, exc.problem_mark
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _error(
            "invalid_yaml",
            f"not valid YAML: {yaml_message(exc, 'syntax error')}",
            filename,
            exc.problem_mark,
        ) from None
    except yaml.YAMLError:
        raise _error(
            "invalid_yaml", "not valid YAML: a character is not allowed", filename
        ) from None
    except ValueError:  # e.g. `!!int` on a non-number, or an integer of over 4300 digits
        raise _error(
            "invalid_yaml", "not valid YAML: a value cannot be read as its type", filename
        ) from None
    except RecursionError:
        raise _error("invalid_yaml", "not valid YAML: nested too deeply", filename) from None


def _load_yaml(text: str, filename: str) -> tuple[object, yaml.Node | None]:
    """Compose the document, check it (:func:`_check_nodes`), and only then build it."""
    loader = _CaseLoader(text)
    try:
        root = loader.get_single_node()
        if loader.alias_count > MAX_ALIASES:
            raise _error("too_many_aliases", f"more than {MAX_ALIASES:,} YAML aliases", filename)
        if root is None:
            return None, None
        _check_nodes(root, filename)
        return loader.construct_document(root), root
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node, filename: str) -> None:
    """Refuse recursive aliases, duplicate keys, and documents that expand past
    :data:`MAX_VALUES` values (the "billion laughs" attack), before anything is built."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded_size(node: yaml.Node, path: tuple[str | int, ...]) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:
            raise _error(
                "invalid_yaml",
                "not valid YAML: an alias refers to a node that contains it",
                filename,
                node.start_mark,
                _dotted(path),
            )
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key, value in node.value:
                here: tuple[str | int, ...] = path
                if isinstance(key, yaml.ScalarNode):
                    here = (*path, key.value)
                    if (key.tag, key.value) in seen:
                        raise _error(
                            "duplicate_key",
                            "key appears more than once",
                            filename,
                            key.start_mark,
                            _dotted(here),
                        )
                    seen.add((key.tag, key.value))
                total += expanded_size(key, path) + expanded_size(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                total += expanded_size(item, (*path, index))
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    if expanded_size(root, ()) > MAX_VALUES:
        raise _error(
            "too_large",
            f"more than {MAX_VALUES:,} values once YAML aliases are expanded",
            filename,
        )


# ------------------------------------------------------------------------------ validation


def _validate(data: object, file: str | None, root: yaml.Node | None) -> Case:
    """Validate parsed data into a :class:`Case`, turning every error into one CaseError."""
    mark = root.start_mark if root is not None else None
    if data is None:
        raise _error("empty", "the document is empty", file, mark)
    if not isinstance(data, Mapping):
        raise _error("wrong_type", "expected a mapping", file, mark)
    try:
        case = Case.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_problem(error, file, root) for error in exc.errors(include_url=False)]
        raise CaseError(problems) from None
    contradictions = [_located(problem, file, root) for problem in _contradictions(case)]
    if contradictions:
        raise CaseError(contradictions)
    return case


def _contradictions(case: Case) -> list[tuple[tuple[str, ...], str, str]]:
    """Places that contradict each other (contract: given and contradicting, refused)."""
    found: list[tuple[tuple[str, ...], str, str]] = []
    force = case.police_force
    if case.jurisdiction is not None and force is not None and (
            case.jurisdiction != force_jurisdiction(force)):
        found.append((("jurisdiction",), "contradicts_force",
                      "contradicts the jurisdiction of police_force"))
    given_home = case.suspect.home_force
    if (given_home is not None and force in TERRITORIAL_FORCES
            and case.suspect.lives_in_force_area is True and given_home != force):
        found.append((("suspect", "home_force"), "contradicts_force",
                      "contradicts police_force with lives_in_force_area true"))
    home = case.effective_home_force()
    borough = case.london_borough
    if borough is not None and home is not None:
        city = borough == "city_of_london"
        if home not in ("metropolitan", "city_of_london") or (city != (home == "city_of_london")):
            found.append((("london_borough",), "contradicts_home_force",
                          ("contradicts the suspect's home force (the City of London is "
                          "policed by City of London Police, the 32 boroughs by the Met)")))
    return found


def _located(found: tuple[tuple[str, ...], str, str], file: str | None,
             root: yaml.Node | None) -> Problem:
    loc, code, message = found
    mark = _position(root, loc)
    return Problem(code, message, _dotted(loc), file=file,
                   line=mark.line + 1 if mark else None,
                   column=mark.column + 1 if mark else None)


_WRONG_TYPE = {
    "bool_type": "expected true, false or null",
    "int_type": "expected a whole number",
    "list_type": "expected a list",
    "model_type": "expected a mapping",
    "string_type": "expected a string",
    "invalid_key": "field names must be strings",
}

_RANGE_ERRORS = {"greater_than_equal", "less_than_equal"}
_LENGTH_ERRORS = {"string_too_short", "string_too_long"}


def _problem(error: ErrorDetails, file: str | None, root: yaml.Node | None) -> Problem:
    """Turn one pydantic error into a :class:`Problem` that never repeats the input."""
    kind: str = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    if kind == "invalid_key":  # the offending key may be case data: point at its parent
        loc = loc[:-1]
    field_type, constraints = _field_type(loc)
    suggestion: str | None = None
    if kind == "extra_forbidden":
        code, message = "unknown_field", "unknown field"
        parent, _ = _field_type(loc[:-1])
        if isinstance(loc[-1], str) and _is_model(parent):
            suggestion = _closest(loc[-1], list(parent.model_fields))
        loc = (*loc[:-1], _shown_key(loc[-1]))
    elif kind == "enum" and isinstance(field_type, type) and issubclass(field_type, StrEnum):
        allowed = [member.value for member in field_type]
        code, message = "invalid_choice", (
            f"not one of the allowed values: {', '.join(allowed)}" if len(allowed) <= 20
            else f"not a code of the closed list ({len(allowed)} codes: spo-advisor schema)")
        if isinstance(error["input"], str):
            word = error["input"].lower().replace("-", "_").replace(" ", "_")
            synonym = RELATIONSHIP_SYNONYMS.get(word) if field_type is Relationship else None
            suggestion = synonym or _closest(word, allowed)
    elif kind == "invalid_date":
        code, message = "invalid_date", _DATE_MESSAGE
    elif kind == "date_out_of_range":
        code, message = "out_of_range", _DATE_RANGE_MESSAGE
    elif kind == "missing":
        code, message = "missing", "required field is missing"
    elif kind == "unsupported_version":
        code, message = "unsupported_version", str(error["msg"])
    elif kind in _RANGE_ERRORS:
        code, message = "out_of_range", _range_message(constraints, "")
    elif kind in _LENGTH_ERRORS:
        code, message = "out_of_range", _range_message(constraints, " characters long")
    elif kind in _WRONG_TYPE:
        code, message = "wrong_type", _WRONG_TYPE[kind]
    else:
        code, message = "invalid_value", "invalid value"
    mark = _position(root, loc)
    return Problem(
        code,
        message,
        _dotted(loc),
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        suggestion=suggestion,
    )


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_type(loc: tuple[str | int, ...]) -> tuple[Any, list[Any]]:
    """The type at ``loc`` inside :class:`Case` (``| None`` and ``Annotated`` removed) and
    its constraints; ``(None, [])`` if ``loc`` is not a path of the model."""
    current: Any = Case
    constraints: list[Any] = []
    for part in loc:
        if isinstance(part, int) and get_origin(current) is list:
            current, constraints = _unwrap(get_args(current)[0])
        elif isinstance(part, str) and _is_model(current) and part in current.model_fields:
            field: FieldInfo = current.model_fields[part]
            current, inner = _unwrap(field.annotation)
            constraints = [*field.metadata, *inner]
        else:
            return None, []
    return current, constraints


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated[...]`` and ``| None`` from ``tp``; return it and its constraints."""
    constraints: list[Any] = []
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp, *extra = get_args(tp)
            for item in extra:
                constraints.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (Union, UnionType):
            options = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(options) != 1:
                return tp, constraints
            tp = options[0]
        else:
            return tp, constraints


def _range_message(constraints: list[Any], unit: str) -> str:
    """``must be between LOW and HIGH`` (or ``at most HIGH``) from a field's constraints."""
    low: object = None
    high: object = None
    for constraint in constraints:
        if isinstance(constraint, Ge):
            low = constraint.ge
        elif isinstance(constraint, MinLen):
            low = constraint.min_length
        elif isinstance(constraint, Le):
            high = constraint.le
        elif isinstance(constraint, MaxLen):
            high = constraint.max_length
    if low is None:
        return f"must be at most {high}{unit}"
    return f"must be between {low} and {high}{unit}"


def _closest(word: str, choices: list[str]) -> str | None:
    """The allowed choice closest to ``word``, if any is close enough."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _shown_key(key: object) -> str:
    """An unknown key as shown in a location: itself if it looks like a field name,
    otherwise a placeholder (a key that does not may be case data)."""
    return key if isinstance(key, str) and _SHOWN_KEY.fullmatch(key) else "<key>"


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _position(root: yaml.Node | None, loc: tuple[str | int, ...]) -> yaml.Mark | None:
    """Where ``loc`` is in the YAML node tree: the key of a mapping entry, an item of a
    list, or the nearest enclosing node found (e.g. the mapping lacking a required key)."""
    if root is None:
        return None
    node, mark = root, root.start_mark
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == part
                ),
                None,
            )
            if entry is None:
                break
            mark, node = entry[0].start_mark, entry[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark
