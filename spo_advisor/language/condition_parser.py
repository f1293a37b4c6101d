"""The condition language as written in rule YAML → checked :mod:`conditions` nodes.

Every name (case field, parameter, derived fact, operator) is checked as it is parsed, and
each problem is reported with where it is written and a "did you mean".
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from spo_advisor.language.conditions import (
    AS_OF_OPERAND,
    COUNT_KEYS,
    DATED_AFTER_KEYS,
    MAX_WITHIN_DAYS,
    OPERATORS,
    RECORD_DATE_FIELD,
    AllOf,
    AnyOf,
    AsOf,
    Count,
    DatedAfter,
    FactRef,
    FieldTest,
    Node,
    Not,
    Operand,
)
from spo_advisor.language.fields import AS_OF, CaseFields, FieldSpec


@dataclass
class ParseContext:
    """What a parser needs to check names, and where it reports problems."""

    fields: CaseFields
    parameters: Mapping[str, date]
    known_facts: set[str]
    report: Callable[[str, str, tuple[str | int, ...], str, str | None], None]
    """report(code, message, yaml_path, crumb, suggestion)."""


def suggest(name: object, choices: Sequence[str]) -> str | None:
    """The closest allowed name, for "did you mean"."""
    if not isinstance(name, str):
        return None
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass
class _Parser:
    ctx: ParseContext
    record_fields: dict[str, FieldSpec] | None = None
    facts_used: set[str] = field(default_factory=set)

    def fail(self, code: str, message: str, where: tuple[str | int, ...], crumb: str,
             suggestion: str | None = None) -> None:
        self.ctx.report(code, message, where, crumb, suggestion)

    def parse(self, raw: Any, where: tuple[str | int, ...], crumb: str) -> Node | None:
        if not isinstance(raw, dict) or not raw:
            self.fail("invalid_condition", "a condition must be a mapping", where, crumb)
            return None
        if "all" in raw or "any" in raw:
            key = "all" if "all" in raw else "any"
            self._no_extra(raw, {key}, where, crumb)
            items = raw[key]
            if not isinstance(items, list) or not items:
                self.fail("invalid_condition", f"'{key}' needs a non-empty list", where, crumb)
                return None
            parts = [self.parse(item, (*where, key, index), f"{crumb} > {key}[{index}]")
                     for index, item in enumerate(items)]
            if any(part is None for part in parts):
                return None
            kind = AllOf if key == "all" else AnyOf
            return kind(crumb, tuple(part for part in parts if part is not None))
        if "not" in raw:
            self._no_extra(raw, {"not"}, where, crumb)
            part = self.parse(raw["not"], (*where, "not"), f"{crumb} > not")
            return Not(crumb, part) if part else None
        if "fact" in raw:
            return self._fact(raw, where, crumb)
        if "field" in raw:
            return self._field(raw, where, crumb)
        if "count" in raw:
            return self._count(raw, where, crumb)
        key = next(iter(raw))
        choices = ["all", "any", "not", "fact", "field", "count"]
        self.fail("unknown_operator", f"unknown condition {key!r}", (*where, key), crumb,
                  suggest(key, choices))
        return None

    def _no_extra(self, raw: dict[str, Any], allowed: set[str],
                  where: tuple[str | int, ...], crumb: str) -> bool:
        extra = [key for key in raw if key not in allowed]
        for key in extra:
            self.fail("unknown_operator", f"unexpected key {key!r}", (*where, key), crumb,
                      suggest(key, sorted(allowed)))
        return not extra

    def _fact(self, raw: dict[str, Any], where: tuple[str | int, ...], crumb: str) -> Node | None:
        self._no_extra(raw, {"fact"}, where, crumb)
        name = raw["fact"]
        if self.record_fields is not None:
            self.fail("invalid_condition", "derived facts cannot be used inside 'where'",
                      where, crumb)
            return None
        if name not in self.ctx.known_facts:
            self.fail("unknown_fact", f"no rule concludes the fact {name!r}",
                      (*where, "fact"), crumb, suggest(name, sorted(self.ctx.known_facts)))
            return None
        self.facts_used.add(name)
        return FactRef(crumb, name)

    def _field(self, raw: dict[str, Any], where: tuple[str | int, ...], crumb: str) -> Node | None:
        path = raw["field"]
        available = self.record_fields if self.record_fields is not None else self.ctx.fields.scalars
        ops = [key for key in raw if key != "field"]
        unknown_ops = [op for op in ops if op not in OPERATORS]
        for op in unknown_ops:
            self.fail("unknown_operator", f"unknown operator {op!r}", (*where, op), crumb,
                      suggest(op, list(OPERATORS)))
        if unknown_ops:
            return None
        if len(ops) != 1:
            self.fail("invalid_condition", "a field test needs exactly one operator",
                      where, crumb)
            return None
        if not isinstance(path, str) or path not in available:
            self.fail("unknown_field", f"unknown case field {path!r}", (*where, "field"), crumb,
                      suggest(path, sorted(available)))
            return None
        op = ops[0]
        spec = available[path]
        if spec.kind not in OPERATORS[op]:
            self.fail("wrong_type", f"operator {op!r} does not apply to {path!r} ({spec.kind})",
                      (*where, op), crumb)
            return None
        operand = self._operand(op, raw[op], spec, (*where, op), crumb)
        if operand is None:
            return None
        return FieldTest(crumb, path, op, operand, spec)

    def _operand(self, op: str, value: Any, spec: FieldSpec, where: tuple[str | int, ...],
                 crumb: str) -> Operand | None:
        if op in ("in", "contains_any"):
            if not isinstance(value, list) or not value:
                self.fail("wrong_type", f"{op!r} needs a non-empty list", where, crumb)
                return None
            items = [self._scalar(item, spec, (*where, index), crumb)
                     for index, item in enumerate(value)]
            if any(item is None for item in items):
                return None
            return tuple(items)
        if op in ("on_or_after", "before"):
            return self._date_operand(value, where, crumb)
        return self._scalar(value, spec, where, crumb)

    def _scalar(self, value: Any, spec: FieldSpec, where: tuple[str | int, ...],
                crumb: str) -> bool | int | str | None:
        kind = spec.kind
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "str" and isinstance(value, str):
            return value
        if kind in ("enum", "enum_list"):
            if isinstance(value, str) and value in spec.choices:
                return value
            self.fail("invalid_choice", "not one of the allowed values: " + ", ".join(spec.choices),
                      where, crumb, suggest(value, spec.choices))
            return None
        expected = {"bool": "true or false", "int": "a whole number", "str": "a string"}
        self.fail("wrong_type", f"expected {expected.get(kind, kind)}", where, crumb)
        return None

    def _date_operand(self, value: Any, where: tuple[str | int, ...],
                      crumb: str) -> date | AsOf | None:
        if isinstance(value, date):
            return value
        if value == AS_OF:
            return AS_OF_OPERAND
        if isinstance(value, dict) and set(value) == {"param"}:
            name = value["param"]
            if name in self.ctx.parameters:
                return self.ctx.parameters[name]
            self.fail("unknown_param", f"unknown parameter {name!r}", (*where, "param"), crumb,
                      suggest(name, sorted(self.ctx.parameters)))
            return None
        self.fail("wrong_type", "expected a date (YYYY-MM-DD), as_of or {param: name}",
                  where, crumb)
        return None

    def _count(self, raw: dict[str, Any], where: tuple[str | int, ...], crumb: str) -> Node | None:
        if not self._no_extra(raw, set(COUNT_KEYS), where, crumb):
            return None
        if self.record_fields is not None:
            self.fail("invalid_condition", "counts cannot be nested", where, crumb)
            return None
        collection = raw["count"]
        collections = self.ctx.fields.collections
        if collection not in collections:
            self.fail("unknown_field", f"unknown collection {collection!r}",
                      (*where, "count"), crumb, suggest(collection, sorted(collections)))
            return None
        at_least = raw.get("at_least")
        within = raw.get("within_days")
        ok = True
        for key, value, minimum in (("at_least", at_least, 1), ("within_days", within, 0)):
            if value is None and key == "within_days":
                continue
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                self.fail("wrong_type", f"{key!r} needs a whole number of at least {minimum}",
                          (*where, key), crumb)
                ok = False
        if isinstance(within, int) and within > MAX_WITHIN_DAYS:
            self.fail("out_of_range", f"'within_days' is at most {MAX_WITHIN_DAYS:,} (a century)",
                      (*where, "within_days"), crumb)
            ok = False
        if within is not None and RECORD_DATE_FIELD not in collections[collection]:
            self.fail("invalid_condition", f"{collection!r} records have no date for within_days",
                      (*where, "within_days"), crumb)
            ok = False
        where_node = None
        if "where" in raw:
            inner = _Parser(self.ctx, collections[collection])
            where_node = inner.parse(raw["where"], (*where, "where"), f"{crumb} > where")
            ok = ok and where_node is not None
        after = None
        if "dated_after" in raw:
            if RECORD_DATE_FIELD not in collections[collection]:
                self.fail("invalid_condition", f"{collection!r} records have no date for "
                          "dated_after", (*where, "dated_after"), crumb)
                ok = False
            else:
                after = self._dated_after(raw["dated_after"], (*where, "dated_after"),
                                          f"{crumb} > dated_after")
                ok = ok and after is not None
        if not ok:
            return None
        assert isinstance(at_least, int)
        return Count(crumb, collection, where_node, within, at_least, after)

    def _dated_after(self, raw: Any, where: tuple[str | int, ...],
                     crumb: str) -> DatedAfter | None:
        """``dated_after: {collection: existing_orders, date: made_on, where: ...}``."""
        if not isinstance(raw, dict):
            self.fail("invalid_condition", "'dated_after' needs a mapping with 'collection' "
                      "and 'date'", where, crumb)
            return None
        if not self._no_extra(raw, set(DATED_AFTER_KEYS), where, crumb):
            return None
        collections = self.ctx.fields.collections
        collection = raw.get("collection")
        if collection not in collections:
            self.fail("unknown_field", f"unknown collection {collection!r}",
                      (*where, "collection"), crumb, suggest(collection, sorted(collections)))
            return None
        fields = collections[collection]
        dates = sorted(name for name, spec in fields.items() if spec.kind == "date")
        day = raw.get("date")
        if day not in dates:
            self.fail("unknown_field", f"{day!r} is not a date field of {collection!r} "
                      "(" + ", ".join(dates) + ")", (*where, "date"), crumb,
                      suggest(day, dates))
            return None
        where_node = None
        if "where" in raw:
            where_node = _Parser(self.ctx, fields).parse(raw["where"], (*where, "where"),
                                                         f"{crumb} > where")
            if where_node is None:
                return None
        return DatedAfter(collection, day, where_node)


def parse_condition(raw: Any, where: tuple[str | int, ...], ctx: ParseContext) -> tuple[Node | None, set[str]]:
    """Parse a rule's ``when``; return the tree (None on problems) and the facts it uses."""
    parser = _Parser(ctx)
    node = parser.parse(raw, where, "when")
    return node, parser.facts_used
