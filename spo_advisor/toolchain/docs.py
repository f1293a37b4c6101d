"""The rule set as a document: each legal limb beside the rule that encodes it.

``spo-advisor rules docs`` writes it as Markdown (kept in the repository as
``docs/rules.md``): the dated parameters, the open questions, the risk summary, then each
order with its limbs (gates, trigger, other limbs), then the derived facts grouped by the file that concludes them, each rule
with its citation, limb, dates in force, note and condition in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from spo_advisor.language.conditions import (
    AS_OF_OPERAND,
    AllOf,
    AnyOf,
    Count,
    FactRef,
    FieldTest,
    Node,
    Not,
)
from spo_advisor.language.fields import AS_OF
from spo_advisor.language.rule_specs import LimbSpec
from spo_advisor.language.rule_text import as_written
from spo_advisor.language.rules import Rule, RuleSet

_OPERATORS = {
    "is": "is", "in": "is one of", "contains": "includes", "contains_any": "includes any of",
    "at_least": "is at least", "at_most": "is at most", "on_or_after": "is on or after",
    "before": "is before",
}


def _value(value: object) -> str:
    if value is AS_OF_OPERAND:
        return "the assessment date"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


def _field(path: str) -> str:
    return "the assessment date" if path == AS_OF else f"`{path}`"


def _count_head(node: Count) -> str:
    window = f" dated within {node.within_days} days before the assessment date" \
        if node.within_days is not None else ""
    after = node.dated_after
    if after is not None:
        matching = "" if after.where is None else f" where {describe(after.where)}"
        window += f" dated after the `{after.date}` of one of `{after.collection}`{matching}"
    return f"at least {node.at_least} of `{node.collection}`{window}"


def describe(node: Node) -> str:
    """A condition in words, on one line."""
    if isinstance(node, FieldTest):
        return f"{_field(node.path)} {_OPERATORS[node.op]} {_value(node.operand)}"
    if isinstance(node, FactRef):
        return f"`{node.name}` holds"
    if isinstance(node, Count):
        if node.where is None:
            return _count_head(node)
        return f"{_count_head(node)} where {describe(node.where)}"
    if isinstance(node, Not):
        return f"not ({describe(node.part)})"
    assert isinstance(node, AllOf | AnyOf)
    joined = "; ".join(describe(part) for part in node.parts)
    return f"{'all' if isinstance(node, AllOf) else 'any'} of ({joined})"


def condition_lines(node: Node, depth: int = 0) -> Iterator[str]:
    """A condition as a nested Markdown list, one test per line."""
    indent = "  " * depth
    if isinstance(node, AllOf | AnyOf):
        yield f"{indent}- {'all' if isinstance(node, AllOf) else 'any'} of:"
        for part in node.parts:
            yield from condition_lines(part, depth + 1)
    elif isinstance(node, Not):
        if isinstance(node.part, AllOf | AnyOf | Not | Count):
            yield f"{indent}- not:"
            yield from condition_lines(node.part, depth + 1)
        else:
            yield f"{indent}- not: {describe(node.part)}"
    elif isinstance(node, Count) and node.where is not None:
        yield f"{indent}- {_count_head(node)} where:"
        yield from condition_lines(node.where, depth + 1)
    else:
        yield f"{indent}- {describe(node)}"


def _in_force(rule: Rule) -> str:
    start, end = rule.in_force.start, rule.in_force.end
    if start and end:
        return f"from {start} to {end} (both days included)"
    if start:
        return f"from {start}"
    return f"to {end} (that day included)" if end else "always"


def _rule_section(rule: Rule, root: Path, heading: str) -> Iterator[str]:
    yield f"{heading} `{rule.id}`: {rule.title}"
    yield ""
    yield f"> {as_written(rule.limb)}"
    yield ""
    yield f"*{rule.citation}*"
    yield ""
    yield f"- Concludes: `{rule.fact}`"
    yield f"- In force: {_in_force(rule)}"
    if rule.note:
        yield f"- Note: {rule.note}"
    yield f"- Written in: `{_relative(rule.file, root)}`, line {rule.line}"
    yield "- Condition:"
    yield from ("  " + line for line in condition_lines(rule.when))
    yield ""


def _relative(file: str, root: Path) -> str:
    path = Path(file)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def _parameters(ruleset: RuleSet) -> Iterator[str]:
    yield "## Dated parameters"
    yield ""
    yield "| Parameter | Value | Source | Not confirmed |"
    yield "|---|---|---|---|"
    for name, parameter in ruleset.header.parameters.items():
        cells = (f"`{name}`", str(parameter.value), parameter.source, parameter.unconfirmed or "")
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    yield ""


def _summaries(ruleset: RuleSet) -> Iterator[str]:
    risk, stalking = ruleset.header.risk, ruleset.header.stalking
    yield "## Risk and stalking"
    yield ""
    yield (f"The risk level is **high** when `{risk.high}` holds, else **medium** when "
           f"`{risk.medium}` holds, else **standard**. The indicators listed when they hold: "
           + ", ".join(f"`{fact}`" for fact in risk.indicators) + ". Reported for context, "
           "never raising the level: " + ", ".join(f"`{fact}`" for fact in risk.context) + ".")
    yield ""
    yield f"Stalking is recognised (FOUR met) when `{stalking.four_met}` holds."
    yield ""


_DECISION_TABLE = (
    "Each order's test is a list of limbs, each met, not met or unknown. A **gate** is about "
    "availability; the **trigger** is what the police must show first. The decision follows "
    "from the limbs: a gate not met gives **not_available**; otherwise the trigger or another "
    "limb not met gives **not_recommended**; every limb met gives **recommended**; anything "
    "else gives **consider**. A trigger that nothing in the record shows is not met.")


def _limb_reading(limb: LimbSpec) -> str:
    """How a limb reads its facts, in words."""
    parts = []
    if limb.fact:
        parts.append(f"met when `{limb.fact}` holds")
    if limb.unless:
        parts.append(f"met when `{limb.unless}` fails")
    if limb.trigger:
        parts.append(f"not met unless `{limb.shown or limb.fact or limb.unless}` shows it")
    if limb.not_met:
        parts.append(f"not met only when `{limb.not_met}` holds, else unknown")
    if limb.judgement:
        parts.append("a judgement the record can show but never refute")
    if limb.citation:
        parts.append(f"*{limb.citation}*")
    return "; ".join(parts)


def _orders(ruleset: RuleSet) -> Iterator[str]:
    yield "## Orders"
    yield ""
    yield _DECISION_TABLE
    yield ""
    for order, spec in ruleset.orders.items():
        yield f"### {spec.title} (`{order}`)"
        yield ""
        yield f"*{spec.citation}*"
        yield ""
        yield "| Limb | Kind | Test | Reads |"
        yield "|---|---|---|---|"
        for limb in spec.limbs:
            kind = "gate" if limb.gate else "trigger" if limb.trigger else "limb"
            cells = (f"`{limb.limb}`", kind, limb.text, _limb_reading(limb))
            yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
        yield ""


def _open_questions(ruleset: RuleSet) -> Iterator[str]:
    yield "## Open questions"
    yield ""
    yield ("Points the sources leave unconfirmed: encoded conservatively, or not encoded, "
           "until they are confirmed.")
    yield ""
    yield from (f"- {question}" for question in ruleset.header.open_questions)
    yield ""


def _roles(ruleset: RuleSet) -> dict[str, list[str]]:
    header = ruleset.header
    roles: dict[str, list[str]] = {}
    for fact, role in ((header.risk.high, "risk level high"),
                       (header.risk.medium, "risk level medium"),
                       (header.stalking.four_met, "FOUR met (stalking recognised)")):
        roles.setdefault(fact, []).append(role)
    for fact in header.risk.indicators:
        roles.setdefault(fact, []).append("a risk indicator")
    return roles


def _facts(ruleset: RuleSet, root: Path) -> Iterator[str]:
    yield "## Derived facts"
    yield ""
    yield ("A fact holds if any rule concluding it holds, fails if all of them fail, and is "
           "otherwise unknown. A rule not in force on the assessment date fails.")
    yield ""
    users: dict[str, list[str]] = {}
    for rule in sorted(ruleset.rules, key=lambda r: r.id):
        for fact in sorted(rule.facts_used):
            users.setdefault(fact, []).append(f"`{rule.id}`")
    for order, spec in ruleset.orders.items():
        for limb in spec.limbs:
            for _, fact in limb.facts():
                users.setdefault(fact, []).append(f"the `{limb.limb}` limb of `{order}`")
    roles = _roles(ruleset)
    by_file: dict[str, list[str]] = {}
    for rule in sorted(ruleset.rules, key=lambda r: (r.file, r.line)):
        if rule.fact is not None and not any(rule.fact in facts for facts in by_file.values()):
            by_file.setdefault(rule.file, []).append(rule.fact)
    for file, facts in by_file.items():
        yield f"### From `{_relative(file, root)}`"
        yield ""
        for fact in facts:
            yield f"#### Fact `{fact}`"
            yield ""
            if fact in roles:
                yield "Gives: " + "; ".join(roles[fact]) + "."
                yield ""
            used = users.get(fact, [])
            yield "Used by: " + (", ".join(used) if used else "no rule and no limb") + "."
            yield ""
            for rule in sorted(ruleset.rules_for_fact[fact], key=lambda r: (r.file, r.line)):
                yield from _rule_section(rule, root, "#####")


def render_markdown(ruleset: RuleSet) -> str:
    """The rule set as a Markdown document."""
    root = Path(ruleset.directory)
    lines = [
        f"<!-- Generated by `spo-advisor rules docs` from the rule set {ruleset.name}, "
        "version " + ruleset.version + ". Do not edit: edit the rule files and regenerate. -->",
        "",
        f"# The rules of `{ruleset.name}` (version {ruleset.version})",
        "",
        ("Each rule shows the legal limb it encodes (paraphrased), its citation, the dates it "
         "is in force and its condition in words. Every condition is true, false or unknown: "
         "a fact not recorded is unknown, never false."),
        "",
        *_parameters(ruleset),
        *_open_questions(ruleset),
        *_summaries(ruleset),
        *_orders(ruleset),
        *_facts(ruleset, root),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
