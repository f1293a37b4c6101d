"""Decision records: the JSON of an assessment or a review, checked later by re-running it.

Both carry what is needed to reproduce them: the library version, the engine, the rule
set's name, version and sha256, the date (``as_of``), the sha256 of the input case, and
``record_sha256``, the digest of the whole record (:mod:`spo_advisor.model.digest`).
:func:`verify` checks the digest (so a change to any field is caught, including those it
cannot re-derive), re-runs the record's kind on the case on the record's date with the
record's own engine, and lists every JSON path of the record whose value differs
(old → new). A record made with another rule set or library version is re-derived with
what is installed and said so; only the keys the record has are compared.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from spo_advisor.advice.assess import EngineChoice, assess, load_rules
from spo_advisor.engine import durable_host as engine
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import Case
from spo_advisor.model.case_reading import load_case, parse_json, read_file_text
from spo_advisor.model.digest import DIGEST_KEY, UNSEALED, record_digest
from spo_advisor.model.errors import CaseError, Problem, ProblemsError
from spo_advisor.model.safe_text import plain
from spo_advisor.review.replay import review

RecordKind = Literal["assessment", "review"]

NOT_A_RECORD = "not a decision record (expected the JSON of an assessment or a review)"
LIST_KEYS = ("order", "code", "field", "date", "rule")
"""Keys that name the items of a list, tried in this order, for readable paths."""
SHOWN_CHARACTERS = 60
IDENTITY_KEYS = ("ruleset", "library_version", "reason_codes_sha256")
"""What made the record: said in the headline when it differs from what is installed,
never counted as a difference."""
_DECISION_PATHS = (
    re.compile(r"(?:assessment\.)?recommendations\[order=(?P<order>[^\]]+)\]\.decision"),
    re.compile(r"timeline\[date=(?P<date>[^\]]+)\]\.decisions\.(?P<order>.+)"),
)


class RecordError(ProblemsError):
    """A decision record that cannot be read, or is not a record."""


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT = _Absent()
"""The value on the side of a difference where the path does not exist."""


@dataclass(frozen=True)
class Difference:
    """One JSON path whose value differs between the record and the re-run."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return plain(f"{self.path}: {_show(self.old)} → {_show(self.new)}")


@dataclass(frozen=True)
class Verification:
    """The outcome of re-running a decision record."""

    kind: RecordKind
    differences: list[Difference]
    as_of: date
    decisions: int = 0
    dates: int | None = None
    made_with: str = ""
    derived_with: str = ""
    digest: Literal["matches", "altered", "absent"] = "matches"
    engine_note: str = ""

    @property
    def identical(self) -> bool:
        """No difference, and the record's digest holds."""
        return not self.differences and self.digest != "altered"

    def decision_changes(self) -> list[str]:
        """Each changed decision in words: ``spo recommended → not_recommended``."""
        found = []
        for difference in self.differences:
            for pattern in _DECISION_PATHS:
                match = pattern.fullmatch(difference.path)
                if match:
                    on = f" on {match['date']}" if "date" in match.groupdict() else ""
                    found.append(plain(f"{match['order']}{on} {difference.old} → "
                                       f"{difference.new}"))
        return found

    def headline(self) -> str:
        """One plain sentence first: whether the record matches, and with what."""
        changes = self.decision_changes()
        if self.digest == "altered":
            text = ("Record altered: its content does not match its digest (record_sha256), so "
                    "it was changed after it was made.")
        elif self.differences and changes:
            others = len(self.differences) - len(changes)
            text = (f"Record differs: {_count(len(changes), 'decision')} changed: "
                    + "; ".join(changes) + (f" (and {_count(others, 'other difference')})"
                                            if others else "") + ".")
        elif self.differences:
            text = (f"Record differs: no decision changed, "
                    f"{_count(len(self.differences), 'other difference')}.")
        else:
            dates = "" if self.dates is None else f" on {_count(self.dates, 'replay date')}"
            text = (f"Record matches: {_count(self.decisions, 'decision')}{dates} re-derived "
                    f"as of {self.as_of} with {self.derived_with}.")
        if self.made_with != self.derived_with:
            text += f" Made with {self.made_with}; re-derived with {self.derived_with} installed."
        if self.digest == "absent":
            text += " The record has no digest (an older record): only re-derived keys are checked."
        return text + (f" {self.engine_note}" if self.engine_note else "")


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def load_record(source: str | Path) -> dict[str, Any]:
    """Read a decision record (JSON). Raises :class:`RecordError` for bad input."""
    name = str(source)
    try:
        data = parse_json(read_file_text(Path(source)), name)
    except CaseError as error:
        raise RecordError(error.problems) from None
    if not isinstance(data, dict):
        raise RecordError([Problem("not_a_record", NOT_A_RECORD, file=name)])
    return data


def record_kind(record: Mapping[str, Any], name: str | None = None) -> tuple[RecordKind, date]:
    """Whether ``record`` is an assessment or a review, and its date."""
    if "timeline" in record and "actions" in record:
        kind: RecordKind = "review"
    elif "recommendations" in record:
        kind = "assessment"
    else:
        raise RecordError([Problem("not_a_record", NOT_A_RECORD, file=name)])
    try:
        return kind, date.fromisoformat(record["as_of"])
    except (KeyError, TypeError, ValueError):
        raise RecordError([Problem("invalid_date", "not a valid date (expected YYYY-MM-DD)",
                                   "as_of", file=name)]) from None


def verify(record: Mapping[str, Any] | str | Path,
           case: Case | dict[str, Any] | str | Path, *,
           rules: RuleSet | str | Path | None = None) -> Verification:
    """Check the digest of ``record``, re-run the assessment or review it holds on ``case``
    as of the record's date with the record's engine, and list what differs.

    Raises :class:`RecordError` for a bad record and
    :class:`~spo_advisor.model.errors.CaseError` for a bad case.
    """
    name = None if isinstance(record, Mapping) else str(record)
    data = record if isinstance(record, Mapping) else load_record(record)
    kind, day = record_kind(data, name)
    case = load_case(case)
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    engine_choice, engine_note = _engine_of(data)
    if kind == "review":
        replay = review(case, day, rules=ruleset, engine_choice=engine_choice)
        decisions = sum(len(row.decisions) for row in replay.timeline)
        dates: int | None = len(replay.timeline)
        new = replay.model_dump(mode="json")
    else:
        assessment = assess(case, day, rules=ruleset, engine_choice=engine_choice)
        decisions, dates = len(assessment.recommendations), None
        new = assessment.model_dump(mode="json")
    digest: Literal["matches", "altered", "absent"] = "absent"
    if DIGEST_KEY in data:
        digest = "matches" if data[DIGEST_KEY] == record_digest(data) else "altered"
    return Verification(kind, differences(_comparable(data), new), day, decisions, dates,
                        made_with=_made_with(data), derived_with=_made_with(new),
                        digest=digest, engine_note=engine_note)


def _comparable(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record less its digest, signature and identity keys (and those of the
    assessment a review holds): what re-deriving can reproduce."""
    kept = {key: value for key, value in record.items()
            if key not in UNSEALED and key not in IDENTITY_KEYS}
    if isinstance(kept.get("assessment"), Mapping):
        kept["assessment"] = _comparable(kept["assessment"])
    return kept


def _engine_of(record: Mapping[str, Any]) -> tuple[EngineChoice, str]:
    """The record's own engine, and a note when it cannot be used here."""
    if record.get("engine") == "python":
        return "python", ""
    if record.get("engine") == "durable_rules" and not engine.available():
        return "python", ("The record's engine, durable_rules, is not available on this "
                          "Python: re-derived with the python evaluator.")
    return "auto", ""


def _made_with(record: Mapping[str, Any]) -> str:
    """``rule set NAME VERSION (sha256 …), library VERSION``, from a record's keys."""
    ruleset = record.get("ruleset")
    if not isinstance(ruleset, Mapping):
        return "an unnamed rule set"
    sha = str(ruleset.get("sha256", ""))[:12]
    return plain(f"rule set {ruleset.get('name')} {ruleset.get('version')} (sha256 {sha}…), "
                 f"library {record.get('library_version')}")


def looks_like_record(source: str | Path) -> bool:
    """Whether the file at ``source`` is a decision record (for a command line whose
    arguments may have been given the wrong way round)."""
    try:
        record_kind(load_record(source))
    except RecordError:
        return False
    return True


def differences(old: Any, new: Any, path: str = "") -> list[Difference]:
    """Every path of ``old`` at which two JSON values differ. Keys only ``new`` has are not
    compared (an older record is not different for lacking them). List items are matched
    by a naming key (``order``, ``code``, ``field``, ``date``, ``rule``) when one is present
    and unique in both lists, else by position."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[Difference] = []
        for key in old:
            found += differences(old[key], new.get(key, ABSENT),
                                 f"{path}.{key}" if path else str(key))
        return found
    if _is_list(old) and _is_list(new):
        return _list_differences(old, new, path)
    return [] if old == new and type(old) is type(new) else [Difference(path or "$", old, new)]


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def _list_differences(old: Sequence[Any], new: Sequence[Any], path: str) -> list[Difference]:
    key = _naming_key(old, new)
    if key is None:
        return [difference for index in range(max(len(old), len(new)))
                for difference in differences(old[index] if index < len(old) else ABSENT,
                                              new[index] if index < len(new) else ABSENT,
                                              f"{path}[{index}]")]
    old_items = {item[key]: item for item in old}
    new_items = {item[key]: item for item in new}
    names = [*old_items, *(name for name in new_items if name not in old_items)]
    return [difference for name in names
            for difference in differences(old_items.get(name, ABSENT), new_items.get(name, ABSENT),
                                          f"{path}[{key}={name}]")]


def _naming_key(old: Sequence[Any], new: Sequence[Any]) -> str | None:
    items = [*old, *new]
    if not items or not all(isinstance(item, Mapping) for item in items):
        return None
    for key in LIST_KEYS:
        if all(key in item and isinstance(item[key], str | int) for item in items) and all(
                len({item[key] for item in side}) == len(side) for side in (old, new)):
            return key
    return None


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"
