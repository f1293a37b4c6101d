"""What every rendering of an Assessment says first, and how it says each part in words.

The overview is the case, the date and the risk on one line, then one line per order,
most urgent first, with its decision and the limb that decided it ("DVPN and DVPO — not
recommended: not met: violence or a threat of violence towards the associated person").
The detail that follows groups each order's limbs by the statutory test: the test itself,
then the gates (availability). Words come from the rule set's label table
(:mod:`spo_advisor.language.labels`); raw rule ids are left to the JSON and the verbose text.
"""

from __future__ import annotations

from dataclasses import dataclass

from spo_advisor.advice.assess import load_rules
from spo_advisor.language.labels import Labels, labels_for
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.result import Assessment, Limb, Recommendation

TEST, GATES = "The test", "Available here"
"""The titles of the two parts of an order's outline."""
STATUS_MARK = {"met": "✓", "not_met": "✗", "unknown": "?"}
"""A mark per limb status, so that the status reads without colour."""


def assessment_labels(a: Assessment, rules: RuleSet | None = None) -> Labels:
    """The labels of the rule set that produced ``a``: those of ``rules`` when given, else
    the shipped rule set's when its sha256 matches, else an empty table (codes as words)."""
    if rules is not None:
        return labels_for(rules)
    shipped = load_rules()
    return labels_for(shipped) if shipped.sha256 == a.ruleset.sha256 else Labels()


def order_name(rec: Recommendation, labels: Labels) -> str:
    """The order's short plain name (its title when the table has none)."""
    return labels.orders.get(rec.order, rec.title)


def fragment(text: str) -> str:
    """A limb's sentence as a phrase to follow a colon: no final full stop, and a plain
    first word in lower case ("The suspect is…" → "the suspect is…"; "DVPN…" and
    "Family Law Act…" unchanged)."""
    text = text.rstrip().removesuffix(".")
    words = text.split(" ", 2)
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    if first in ("A", "An", "No", "The") or (
            first[:1].isupper() and first[1:].islower() and not second[:1].isupper()):
        return first.lower() + text[len(first):]
    return text


def _outline(rec: Recommendation) -> list[Limb]:
    return [limb for group in limb_groups(rec) for limb in group.limbs]


def deciding_limbs(rec: Recommendation) -> list[Limb]:
    """The limbs behind the decision, in outline order (the trigger, the test, the gates):
    the failing gates (not available), the failing limbs (not recommended), the unknown
    limbs (consider); none when recommended."""
    wanted = {"not_available": lambda limb: limb.gate and limb.status == "not_met",
              "not_recommended": lambda limb: limb.status == "not_met",
              "consider": lambda limb: limb.status == "unknown"}.get(rec.decision.value)
    return [limb for limb in _outline(rec) if wanted(limb)] if wanted else []


def decision_reason(rec: Recommendation, labels: Labels) -> str:
    """Why, in words: the first limb behind the decision (its phrase from the label table
    when it fails, e.g. "no violence or threat towards the victim recorded", where
    ``{reason}`` stands for the text of the rule that refuted it; else "not met: …" or
    "not known: …"), or the next step when every limb is met ("apply to the
    magistrates' court (all 7 limbs met)"); "" when the order has no limbs."""
    limbs = deciding_limbs(rec)
    if limbs:
        status = labels.status(limbs[0].status)
        more = f" (and {len(limbs) - 1} more {status})" if len(limbs) > 1 else ""
        failing = labels.not_met_phrase(rec.order, limbs[0].limb)
        if limbs[0].status == "not_met" and failing:
            return f"{failing.replace(REASON, _refuted_by(rec, limbs[0]))}{more}"
        return f"{status}: {fragment(limbs[0].text)}{more}"
    if rec.limbs and all(limb.status == "met" for limb in rec.limbs):
        step = labels.next_steps.get(rec.order)
        met = f"all {len(rec.limbs)} limbs met"
        return f"{step} ({met})" if step else met
    return ""


REASON = "{reason}"
"""In a failing-limb phrase of the label table, the text of the rule that refuted the limb
(filled with the case's values, e.g. the force to refer the case to)."""


def _refuted_by(rec: Recommendation, limb: Limb) -> str:
    return next((fragment(ref.text) for ref in rec.unmet if ref.rule in limb.rules),
                "see the reasons")


def decision_phrase(rec: Recommendation, labels: Labels) -> str:
    """The decision in words with its reason: "not recommended: not met: …"."""
    reason = decision_reason(rec, labels)
    decision = labels.decision(rec.decision.value)
    return f"{decision}: {reason}" if reason else decision


def headline(a: Assessment, labels: Labels, case_id: str) -> str:
    """Case, date and risk on one line; ``case_id`` already escaped for the output."""
    return (f"Case {case_id}, as of {a.as_of.isoformat()}. "
            f"Risk: {labels.risk_levels.get(a.risk.level, a.risk.level)}.")


def order_lines(a: Assessment, labels: Labels) -> list[str]:
    """One line per order, most urgent first (the assessment's order)."""
    return [f"{order_name(rec, labels)} — {decision_phrase(rec, labels)}"
            for rec in a.recommendations]


def excluded_line(a: Assessment) -> str | None:
    """How many records dated after the date assessed were left out; None when none."""
    count = len(a.excluded)
    if not count:
        return None
    return (f"{count} record{'' if count == 1 else 's'} dated after {a.as_of.isoformat()} "
            f"left out.")


def risk_lines(a: Assessment, labels: Labels) -> list[str]:
    """The risk level and what it rests on, in words (said once, for every order)."""
    risk = a.risk
    lines = [f"Risk: {labels.risk_levels.get(risk.level, risk.level)}"]
    if risk.indicators:
        lines.append("because: " + "; ".join(labels.fact(code) for code in risk.indicators))
    if risk.context:
        lines.append("for context (never raises the level): "
                     + "; ".join(labels.fact(code) for code in risk.context))
    if risk.unknown:
        lines.append("could be higher; to find out: "
                     + " ".join(labels.question(path) for path in risk.unknown))
    return lines


def stalking_line(a: Assessment, labels: Labels) -> str:
    """Recognition of stalking (FOUR) and the acts recorded, in words."""
    four = {True: "met", False: "not met", None: "not known"}[a.stalking.four_met]
    acts = ", ".join(labels.behaviour(code) for code in a.stalking.acts)
    return f"Stalking (FOUR): {four}; " + (f"acts recorded: {acts}" if acts else "no acts recorded")


@dataclass(frozen=True)
class LimbGroup:
    """The limbs of one part of an order's test, for the outline."""

    title: str
    limbs: list[Limb]


def limb_groups(rec: Recommendation) -> list[LimbGroup]:
    """The test itself (trigger first), then the gates; empty groups left out."""
    test = sorted((limb for limb in rec.limbs if not limb.gate), key=lambda limb: not limb.trigger)
    gates = [limb for limb in rec.limbs if limb.gate]
    return [group for group in (LimbGroup(TEST, test), LimbGroup(GATES, gates))
            if group.limbs]


def all_met_gates(group: LimbGroup) -> str | None:
    """For a group of gates all met, one line naming them ("all met: in force, …"); None
    otherwise. The detail of gates matters only when one fails or is not known."""
    if group.title != GATES or any(limb.status != "met" for limb in group.limbs):
        return None
    return "all met: " + ", ".join(limb_name(limb).lower() for limb in group.limbs)


def limb_name(limb: Limb) -> str:
    """A limb's short name for a diagram box ("protection_needed_now" → "Protection
    needed now")."""
    return limb.limb.replace("_", " ").capitalize()


def to_find_out(limb: Limb, labels: Labels) -> str:
    """The questions that could settle a limb not met or not known ("" when none)."""
    return " ".join(labels.question(path) for path in limb.unknown)
