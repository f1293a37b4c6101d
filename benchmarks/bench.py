"""Speed and memory of ``assess``, ``review`` and batches, on synthetic cases.

    .venv/bin/python benchmarks/bench.py            # full run (about 45 minutes on two cores)
    .venv/bin/python benchmarks/bench.py --quick    # smaller counts (about 5 minutes)
    .venv/bin/python benchmarks/bench.py --profile  # where an assessment's time goes, by stage

Every figure is a rate or a ratio. The floor is validating the same case with Pydantic
alone (``Case.model_validate``): whatever the library does, it has to do that. The cases
are generated here, from a fixed seed, with every field of the case model in play and
about one fact in five unknown. Timings interleave the measured call and the floor, so
a machine busy with other work slows both alike; each figure is the best of a few rounds.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import itertools
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spo_advisor
from spo_advisor.advice.assess import library_version
from spo_advisor.model.case import (
    ActionType,
    Behaviour,
    Case,
    Fear,
    Indicators,
    Jurisdiction,
    OrderType,
    ReasonCode,
    Relationship,
    Stage,
    Target,
    Threat,
)

SEED = 20191215
FORCES = ("cleveland", "metropolitan", "greater_manchester", "british_transport_police",
          "north_wales", "west_yorkshire", "ministry_of_defence_police", "essex")
BOROUGHS = ("croydon", "bromley", "sutton", "hackney", "camden")
FIRST_DAY = date(2019, 1, 1)
DAYS = 2700  # assessment dates from 2019 to mid-2026: before and after the laws began


# ------------------------------------------------------------------------ synthetic cases


def synthetic_case(rng: random.Random, index: int, incidents: int | None = None) -> dict[str, Any]:
    """A valid, varied case as the JSON contract has it; ``incidents`` fixes their number
    (else 0 to 7). About one fact in five is unknown (``null``)."""

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.2 else value

    def flag() -> bool | None:
        return None if rng.random() < 0.2 else rng.random() < 0.5

    def some(values: Any, most: int) -> list[str]:
        return [v.value for v in rng.sample(list(values), rng.randint(0, most))]

    def near(day: date, before: int, after: int) -> str:
        return (day + timedelta(days=rng.randint(-before, after))).isoformat()

    assessed = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    force = maybe(rng.choice(FORCES))
    count = rng.randint(0, 7) if incidents is None else incidents
    return {
        "case_id": f"BENCH-{index:07d}",
        "assessed_on": assessed.isoformat(),
        "police_force": force,
        # a force implies its jurisdiction, so one is given only where the force is not
        "jurisdiction": None if force else maybe(rng.choice(
            [Jurisdiction.ENGLAND_AND_WALES.value] * 8 + [j.value for j in Jurisdiction])),
        "london_borough": maybe(rng.choice(BOROUGHS)) if force == "metropolitan" else None,
        "suspect": {"age": maybe(rng.randint(12, 80)), "lives_in_force_area": flag(),
                    "in_or_coming_to_force_area": flag()},
        "victim": {"age": maybe(rng.randint(12, 90)), "very_frightened": flag(),
                   "fears": maybe(some(Fear, 3)), "substantial_adverse_effect": flag()},
        "relationship": maybe(rng.choice(list(Relationship)).value),
        "separated_on": maybe(near(assessed, 900, 30)),
        "incidents": [{
            "date": near(assessed, 700, 30),
            "behaviours": some(Behaviour, 3),
            "target": maybe(rng.choice(list(Target)).value),
            "threats": maybe(some(Threat, 2)),
            "violence": flag(), "strangulation": flag(), "weapon": flag(), "abroad": flag(),
            "sexual_behaviour": flag(),
        } for _ in range(count)],
        "indicators": {name: flag() for name in Indicators.model_fields},
        "dash_yes_count": maybe(rng.randint(0, 27)),
        "criminal_justice": {"stage": maybe(rng.choice(list(Stage)).value),
                             "remanded_in_custody": flag(), "bail_conditions": flag(),
                             "offence_charged": maybe(rng.choice(["pha_s2a", "pha_s4a"]))},
        "victim_supports_prosecution": flag(),
        "existing_orders": [{"type": rng.choice(list(OrderType)).value,
                             "protects_victim": flag(),
                             "expires_on": maybe(near(assessed, 400, 700))}
                            for _ in range(rng.randint(0, 2))],
        "actions": [{"date": near(assessed, 500, 30),
                     "action": rng.choice(list(ActionType)).value,
                     "reasons": some(ReasonCode, 2)} for _ in range(rng.randint(0, 3))],
        "four": {"fixated": flag(), "obsessive": flag(), "unwanted": flag()},
    }


def synthetic_cases(count: int, *, seed: int = SEED, incidents: int | None = None,
                    start: int = 0) -> Iterator[dict[str, Any]]:
    """``count`` synthetic cases, the same for the same arguments."""
    rng = random.Random(seed)
    for index in range(start, start + count):
        yield synthetic_case(rng, index, incidents)


# ------------------------------------------------------------------------------ measuring


def _seconds_each(function: Callable[[Any], Any], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - start) / len(items)


def against_floor(function: Callable[[Any], Any], cases: list[dict[str, Any]],
                  rounds: int = 3) -> tuple[float, float]:
    """Seconds per case of ``function`` and of the floor, each the best of ``rounds``
    rounds, the two measured in turn."""
    spent, floor = [], []
    for _ in range(rounds):
        floor.append(_seconds_each(Case.model_validate, cases))
        spent.append(_seconds_each(function, cases))
    return min(spent), min(floor)


def resident_mb() -> float:
    """This process's resident memory now, in MB (Linux), else its peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _line(label: str, text: str) -> None:
    print(f"  {label:<44} {text}", flush=True)


def _rate(seconds_each: float) -> str:
    return f"{1 / seconds_each:,.0f}/s"


# ----------------------------------------------------------------------------- the benchmarks


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cases" / "ex_partner.yaml"


@dataclass(frozen=True)
class Figure:
    """A figure against its target: ``most`` (at most) or ``least`` (at least)."""

    measure: str
    value: float
    unit: str
    bound: float
    at_most: bool

    @property
    def met(self) -> bool:
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def row(self) -> str:
        bound = f"{'<=' if self.at_most else '>='} {self.bound:g}{self.unit}"
        return (f"| {self.measure} | {self.value:.2f}{self.unit} | {bound} | "
                f"{'met' if self.met else 'not met'} |")


def bench_assess(rules: Any, count: int) -> list[Figure]:
    """Each engine on the synthetic cases and on the example case, against the floor: the
    explained assessment as an object, and (Python engine) with its JSON made too."""
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    targets = []
    for label, cases in (("synthetic cases", list(synthetic_cases(count))),
                         (EXAMPLE.name, [example] * count)):
        runs: list[tuple[str, Callable[[Any], Any], float]] = []
        for engine, bound in (("durable_rules", 25.0), ("python", 15.0)):
            def run(case: dict[str, Any], engine: Any = engine) -> Any:
                return spo_advisor.assess(case, rules=rules, engine_choice=engine)

            runs.append((f"assess, {engine}", run, bound))

        def with_json(case: dict[str, Any]) -> Any:
            return spo_advisor.assess(case, rules=rules,
                                      engine_choice="python").model_dump(mode="json")

        runs.append(("assess + JSON, python", with_json, 20.0))
        for name, function, bound in runs:
            spent, floor = against_floor(function, cases)
            _line(f"{name}, {label}", f"{_rate(spent)}  {spent / floor:.1f}x the floor "
                                      f"(floor {_rate(floor)}, {floor * 1e6:.1f} µs)")
            targets.append(Figure(f"{name}, {label}, against the floor", spent / floor, "x",
                                  bound, at_most=True))
    return targets


STAGES = {
    "case reading": "case_reading.py:load_case",
    "facts": "facts.py:case_scope",
    "rule evaluation (Python)": "evaluator.py:evaluate_ruleset",
    "rule evaluation (durable_rules cross-check)": "durable_host.py:evaluate_with_durable",
    "limbs and decisions": "decide.py:explain_order",
    "court terms": "court_terms.py:for_orders",
    "explanations and output models": "assess.py:_recommendation",
    "risk and stalking": "assess.py:risk_of",
    "input digest": "assess.py:input_sha256",
    "record digest (JSON, sha256)": "digest.py:sealed",
}
"""Each stage of an assessment by the function that does it (file:function)."""


def bench_profile(rules: Any, count: int) -> None:
    """Where an explained assessment's time goes, stage by stage, for each engine: the
    share of the whole that each stage's function takes (cProfile; its overhead weighs
    most on the stages made of many small calls)."""
    cases = list(synthetic_cases(count))
    for engine in ("python", "durable_rules"):
        for case in cases:  # warm, as a caseload is: rule set compiled, outcomes kept
            spo_advisor.assess(case, rules=rules, engine_choice=engine)
        profile = cProfile.Profile()
        profile.enable()
        for case in cases:
            spo_advisor.assess(case, rules=rules, engine_choice=engine)
        profile.disable()
        stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        by_name = {f"{Path(file).name}:{function}": cumulative
                   for (file, _, function), (_, _, _, cumulative, _) in stats.items()}
        whole = by_name["assess.py:assess"]
        print(f"  where the time goes, {engine} engine, {count:,} synthetic cases:")
        for stage, function in STAGES.items():
            if function in by_name:
                _line(f"  {stage}", f"{by_name[function] / whole:6.1%}")


def bench_review(rules: Any, count: int) -> None:
    if not hasattr(spo_advisor, "review"):
        _line("review", "not in this version")
        return
    cases = list(synthetic_cases(count, incidents=10))
    spent, floor = against_floor(lambda case: spo_advisor.review(case, rules=rules), cases)
    _line("review, 10 incidents", f"{_rate(spent)}  {spent / floor:.0f}x the floor "
                                  f"(floor {_rate(floor)})")


def dated_case(dates: int) -> dict[str, Any]:
    """A synthetic case with one incident a day for ``dates`` days, reviewed the day after
    the last (every date before ``assessed_on``, so assumptions are looked for on each)."""
    case = synthetic_case(random.Random(SEED), 0, incidents=0)
    start = date(2020, 3, 1)
    case["assessed_on"] = (start + timedelta(days=dates)).isoformat()
    case["incidents"] = [{"date": (start + timedelta(days=day)).isoformat(),
                          "behaviours": ["following"], "target": "victim"}
                         for day in range(dates)]
    case["actions"] = []
    return case


def bench_review_dates(rules: Any, sizes: tuple[int, ...]) -> list[Figure]:
    """Cost of one replay date, against the cost at the fewest dates (1.00x is linear)."""
    per_date = {}
    for size in sizes:
        case = dated_case(size)
        start = time.perf_counter()
        spo_advisor.review(case, rules=rules)
        per_date[size] = (time.perf_counter() - start) / size
        _line(f"review, {size:,} dates", f"{per_date[size] * 1000:.1f} ms a date")
    for size in sizes[1:]:
        _line(f"review, cost a date at {size:,} against {sizes[0]:,}",
              f"{per_date[size] / per_date[sizes[0]]:.2f}x (1.00x is linear)")
    small, middle, large = sizes
    return [Figure(f"review, ms a date at {large:,} dates", per_date[large] * 1000, " ms",
                   2.0, at_most=True),
            Figure(f"review, {middle:,} dates against {small:,}, whole replay",
                   per_date[middle] * middle / (per_date[small] * small), "x", 4.5,
                   at_most=True)]


def bench_assess_many(rules: Any, count: int) -> list[Figure]:
    """``assess_many`` over ``count`` synthetic cases (made beforehand), against ``assess``
    one case at a time in a loop, the default engine; at a tenth of the count (linear:
    the same rate); with two processes against one."""
    cases = list(synthetic_cases(count, seed=SEED + 2))
    start = time.perf_counter()
    for case in cases:
        spo_advisor.assess(case, rules=rules)
    single = count / (time.perf_counter() - start)
    rates = {}
    for size, jobs in ((count // 10, 1), (count, 1), (count, 2)):
        start = time.perf_counter()
        for _ in spo_advisor.assess_many(cases[:size], rules=rules, jobs=jobs):
            pass
        rates[size, jobs] = size / (time.perf_counter() - start)
        _line(f"assess_many, {size:,} cases, jobs={jobs}", f"{rates[size, jobs]:,.0f}/s")
    return [
        Figure(f"assess_many, {count:,} cases, against assess in a loop",
               rates[count, 1] / single, "x", 1 / 1.2, at_most=False),
        Figure(f"assess_many, rate at {count:,} against {count // 10:,} cases",
               rates[count, 1] / rates[count // 10, 1], "x", 0.9, at_most=False),
        Figure(f"assess_many, {count:,} cases, jobs=2 against jobs=1",
               rates[count, 2] / rates[count, 1], "x", 1.8, at_most=False),
    ]


def print_targets(targets: list[Figure]) -> None:
    print("\n| measure | value | target | met |\n|---|---|---|---|")
    for target in targets:
        print(target.row())


def bench_memory(rules: Any, count: int) -> None:
    cases = synthetic_cases(count + 1000, seed=SEED + 1)
    for case in itertools.islice(cases, 1000):  # warm up: rule set compiled, caches full
        spo_advisor.assess(case, rules=rules)
    gc.collect()
    before = resident_mb()
    for case in cases:
        spo_advisor.assess(case, rules=rules)
    gc.collect()
    after = resident_mb()
    _line(f"resident memory, {count:,} assessments",
          f"{before:.1f} MB before, {after:.1f} MB after: {after - before:+.1f} MB")


def bench_batch(counts: tuple[int, ...]) -> None:
    """``spo-advisor batch CASES.jsonl --out RESULTS.jsonl --jobs N``, timed from start to end
    (the JSON Lines input written beforehand, not timed; its summary is not shown)."""
    if importlib.util.find_spec("spo_advisor.cli.batch") is None:
        _line("batch", "not in this version")
        return
    rates: dict[tuple[int, int], float] = {}
    with tempfile.TemporaryDirectory() as directory:
        for count in counts:
            cases = Path(directory, f"cases-{count}.jsonl")
            with cases.open("w", encoding="utf-8") as out:
                for case in synthetic_cases(count):
                    out.write(json.dumps(case) + "\n")
            for jobs in (1, 2):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "spo_advisor.cli.main", "batch", str(cases),
                                "--out", str(Path(directory, "results.jsonl")),
                                "--jobs", str(jobs)], check=True, stdout=subprocess.DEVNULL)
                rates[count, jobs] = count / (time.perf_counter() - start)
                _line(f"batch of {count:,}, --jobs {jobs}", f"{rates[count, jobs]:,.0f} cases/s")
            _line(f"batch of {count:,}, --jobs 2 against --jobs 1",
                  f"{rates[count, 2] / rates[count, 1]:.2f}x")
    small, large = counts[0], counts[-1]
    for jobs in (1, 2):
        _line(f"batch --jobs {jobs}, rate at {large:,} against {small:,}",
              f"{rates[large, jobs] / rates[small, jobs]:.2f}x (1.00x is linear)")


def bench_scrutiny(count: int) -> list[Figure]:
    """``spo-advisor scrutiny`` of the synthetic Cleveland caseload (examples/caseload.py, not
    timed) with --jobs 1 and 2, timed from start to end, report and CSV written."""
    seconds_with: dict[int, float] = {}
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as directory:
        cases = Path(directory, "caseload.jsonl")
        subprocess.run([sys.executable, str(root / "examples" / "caseload.py"), "--cases",
                        str(count), "--year", "2021", "--force", "cleveland", "--seed", "1",
                        "--out", str(cases)], check=True)
        for jobs in (1, 2):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "spo_advisor.cli.main", "scrutiny", str(cases),
                            "--from", "2021-01-01", "--to", "2021-12-31", "--jobs", str(jobs),
                            "--out", str(Path(directory, "report.html")),
                            "--csv", str(Path(directory, "figures.csv"))],
                           check=True, stdout=subprocess.DEVNULL)
            seconds = seconds_with[jobs] = time.perf_counter() - start
            _line(f"scrutiny of {count:,} cases, --jobs {jobs}",
                  f"{seconds:.1f} s, {count / seconds:,.0f} cases/s")
    return [Figure(f"scrutiny of {count:,} cases, --jobs 2, seconds", seconds_with[2], " s",
                   120.0, at_most=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--profile", action="store_true",
                        help="only where an assessment's time goes, stage by stage")
    args = parser.parse_args(argv)
    quick = args.quick
    rules = spo_advisor.load_rules()
    print(f"spo_advisor {library_version()} on Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores; rule set {rules.name} {rules.version}, "
          f"{len(rules.rules)} rules" + ("; --quick" if quick else ""))
    if args.profile:
        bench_profile(rules, 300 if quick else 2000)
        return 0
    targets = bench_assess(rules, 300 if quick else 2000)
    bench_review(rules, 30 if quick else 300)
    targets += bench_review_dates(rules, (100, 400, 2000))
    targets += bench_assess_many(rules, 2_000 if quick else 10_000)
    bench_memory(rules, 10_000 if quick else 100_000)
    bench_batch((1_000, 10_000) if quick else (10_000, 100_000))
    targets += bench_scrutiny(1_635)
    print_targets(targets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
