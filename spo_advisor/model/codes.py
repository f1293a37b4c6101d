"""The closed lists of codes a case uses: relationships, behaviours, threats, fears,
criminal-justice stages, orders, police actions, reason codes and risk-assessment tools.

The codes are the public contract (docs/contract.md); their plain labels live in the rule
set's label table.
"""

from enum import StrEnum


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


class AssessmentTool(StrEnum):
    """The risk tool a dated risk assessment used."""

    S_DASH = "s_dash"
    DASH = "dash"
    OTHER = "other"
