"""Undated facts that a replayed decision turned on.

docs/contract.md, "Review": before ``assessed_on``, a replay reads the undated risk facts
(``victim``, ``indicators``, ``four``, ``dash_yes_count``) that no dated risk assessment
holds, existing orders without ``made_on`` and a criminal-justice stage without
``stage_on`` as if known then. Such a fact is an *assumption* of the replay on a date
when leaving it unknown would have changed a decision of that date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from spo_advisor.engine.risk_record import RISK_SCALARS, risk_facts_on
from spo_advisor.model.case import Case
from spo_advisor.model.logic import Decision

STAGE = "criminal_justice.stage"
_ORDER_PATH = re.compile(r"existing_orders\[(\d+)\]")

Decide = Callable[[tuple[str, ...]], Mapping[str, Decision]]
"""The decisions of one date with the facts at these paths made unknown."""


def undated_in_use(case: Case, day: date) -> tuple[str, ...]:
    """The undated facts the replay takes as known on ``day`` (none on or after
    ``assessed_on``, when the undated record is current)."""
    if case.assessed_on is None or day >= case.assessed_on:
        return ()
    found = list(risk_facts_on(case, day).assumed)
    found += [f"existing_orders[{index}]" for index, order in enumerate(case.existing_orders)
              if order.made_on is None]
    justice = case.criminal_justice
    if justice.stage is not None and justice.stage_on is None:
        found.append(STAGE)
    return tuple(found)


def touched(paths: Iterable[str]) -> frozenset[str]:
    """The top-level fields of a case that :func:`without` changes for ``paths``."""
    return frozenset("existing_orders" if _ORDER_PATH.fullmatch(path) else path.split(".")[0]
                     for path in paths)


def without(case: Case, paths: Iterable[str]) -> Case:
    """``case`` with each fact at ``paths`` made unknown (an undated order left out)."""
    blocks: dict[str, dict[str, None]] = {}
    dropped: set[int] = set()
    update: dict[str, object] = {}
    for path in paths:
        order = _ORDER_PATH.fullmatch(path)
        if order:
            dropped.add(int(order.group(1)))
        elif path in RISK_SCALARS:
            update[path] = None
        else:
            block, name = path.split(".", 1)
            blocks.setdefault(block, {})[name] = None
    for block, changes in blocks.items():
        update[block] = getattr(case, block).model_copy(update=changes)
    if dropped:
        update["existing_orders"] = [order for index, order in enumerate(case.existing_orders)
                                     if index not in dropped]
    return case.model_copy(update=update)


def turned_on(paths: tuple[str, ...], decisions: Mapping[str, Decision],
              decide: Decide) -> tuple[str, ...]:
    """Those of ``paths`` that a decision turned on: none when all of them unknown leave
    every decision as it is; else a minimal set, found greedily in order: each path whose
    being unknown, with the paths already found not to matter, would change a decision.
    Left unknown together, all the others change nothing. Worked out afresh on each date
    (one evaluation a path): two dates alike in their decisions may still differ in
    which facts those decisions turned on.
    """
    if not paths:
        return ()
    unknown = decide(paths)
    if unknown == decisions:
        return ()
    ignored: list[str] = []
    needed = []
    for path in paths:
        if decide((*ignored, path)) != decisions:
            needed.append(path)
        else:
            ignored.append(path)
    return tuple(needed)
