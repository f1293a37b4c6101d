"""Many cases at once: :func:`assess_many` and the ``spo-advisor batch`` command.

Cases stream through in constant memory: the input is read one item (one line) at a
time, at most a fixed number of cases are in flight, and each result is handed on as
soon as it and every case before it are done, so results keep the input order. With
``jobs`` above 1 the cases are assessed in a
:class:`~concurrent.futures.ProcessPoolExecutor` whose workers each load the rule set
once, in their initializer; a worker that dies is noticed at once
(:class:`WorkerLostError`), never waited for.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import signal
import stat
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

from spo_advisor.advice.assess import assess, load_rules
from spo_advisor.cli import common as cli
from spo_advisor.cli.output import open_output
from spo_advisor.language.labels import Labels, labels_for
from spo_advisor.language.rules import RuleSet
from spo_advisor.model.case import ActionType, Case
from spo_advisor.model.case_reading import MAX_BYTES, parse_case_text
from spo_advisor.model.errors import CaseError, EnvironmentFailure, Problem, RuleSetError
from spo_advisor.model.logic import Decision
from spo_advisor.model.result import Assessment
from spo_advisor.model.safe_text import plain
from spo_advisor.review.replay import Review, review

__all__ = ["CHUNKSIZE", "MissedOpportunity", "WorkerLostError", "add_commands", "assess_many",
           "missed_opportunity"]

CHUNKSIZE = 16
"""Cases sent to a worker process at a time; at most ``2 * jobs * CHUNKSIZE`` are in flight."""

CaseSource = Case | dict[str, Any] | str | Path
Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


# ------------------------------------------------------------- ordered, bounded parallel map


@dataclass(frozen=True)
class _Settings:
    """What every case in one run is assessed with."""

    rules: RuleSet
    as_of: date | None


_worker: tuple[Callable[[_Settings, Any], Any], _Settings | None] | None = None


def _start_worker(function: Callable[[_Settings, Any], Any], directory: str, sha256: str,
                  as_of: date | None) -> None:
    """Pool initializer: load the rule set once, for every task of this worker.

    The rule set is loaded from its directory (a forked worker finds it already loaded);
    a rule set that no longer loads, or whose files have changed since the batch began,
    fails each task instead (an initializer that raises would break the whole pool).
    Ctrl-C is left to the parent process, which stops the pool.
    """
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        rules: RuleSet | None = load_rules(directory)
    except RuleSetError:
        rules = None
    current = rules is not None and rules.sha256 == sha256
    _worker = (function, _Settings(rules, as_of) if rules is not None and current else None)


def _work(item: Any) -> Any:
    assert _worker is not None, "the pool initializer has not run"
    function, settings = _worker
    if settings is None:
        raise RuleSetError([Problem("rules_changed",
                                    "the rule set changed while the cases were assessed")])
    return function(settings, item)


class WorkerLostError(EnvironmentFailure):
    """A worker process died (killed, out of memory) while it held ``items``: their
    results are lost, and no more items are read."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__("a worker process was lost (killed or out of memory)")
        self.items = items


def _work_chunk(items: list[Any]) -> list[Any]:
    return [_work(item) for item in items]


def _ordered_map(function: Callable[[_Settings, Item], Outcome], items: Iterable[Item],
                 settings: _Settings, jobs: int) -> Generator[Outcome, None, None]:
    """``function(settings, item)`` for each item, lazily and in order.

    ``jobs`` processes at most (and no more than the CPUs), in a
    :class:`~concurrent.futures.ProcessPoolExecutor` sent :data:`CHUNKSIZE` items at a
    time, at most ``2 * jobs`` chunks ahead of the results taken. A worker that dies
    raises :class:`WorkerLostError` with the items in flight. An error raised by ``items``
    is raised once the results of the items before it are taken.
    """
    jobs = min(jobs, os.cpu_count() or 1)
    if jobs == 1:
        for item in items:
            yield function(settings, item)
        return
    source = iter(items)
    pending: deque[tuple[list[Item], Future[list[Outcome]]]] = deque()
    error: Exception | None = None
    initargs = (function, settings.rules.directory, settings.rules.sha256, settings.as_of)
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=initargs)
    chunk: list[Item] = []
    try:
        while True:
            while error is None and len(pending) < 2 * jobs:
                chunk = []
                try:
                    chunk.extend(itertools.islice(source, CHUNKSIZE))
                except Exception as raised:  # noqa: BLE001 - raised after the results before it
                    error = raised
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_work_chunk, chunk)))
                if len(chunk) < CHUNKSIZE:
                    break
            if not pending:
                break
            outcomes = pending[0][1].result()
            pending.popleft()
            yield from outcomes
    except BrokenProcessPool:
        submitted = [item for sent, _ in pending for item in sent]
        unsent = [] if pending and pending[-1][0] is chunk else chunk
        raise WorkerLostError(submitted + unsent) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if error is not None:
        raise error


# ------------------------------------------------------------------------------ assess_many


def _assess_item(settings: _Settings, case: CaseSource) -> Assessment | CaseError:
    try:
        return assess(case, settings.as_of, rules=settings.rules)
    except CaseError as error:
        return error


def assess_many(cases: Iterable[CaseSource], *, as_of: date | None = None,
                rules: RuleSet | str | Path | None = None,
                jobs: int = 1) -> Generator[Assessment | CaseError, None, None]:
    """Assess many cases: a generator of one result per case, in the order given.

    Each case is what :func:`~spo_advisor.advice.assess` accepts (a :class:`Case`, a mapping, or
    a file path). A bad case gives its :class:`~spo_advisor.model.errors.CaseError` in its place,
    and the others go on. ``cases`` is read lazily, a few cases ahead of the results taken
    (it may be endless). ``jobs`` above 1 assesses them in that many processes, which stop
    when the generator is exhausted or closed. The rule set is loaded when this is called,
    so a bad rule set raises here.
    """
    if not isinstance(jobs, int) or isinstance(jobs, bool):
        raise TypeError(f"jobs must be an int, not {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    ruleset = rules if isinstance(rules, RuleSet) else load_rules(rules)
    return _ordered_map(_assess_item, cases, _Settings(ruleset, as_of), jobs)


# ----------------------------------------------------------------------- missed opportunities

NOT_APPLIED = frozenset({ActionType.SPO_CONSIDERED_NOT_APPLIED, ActionType.NO_ACTION})
"""Recorded actions that are a decision not to apply for an SPO."""


@dataclass(frozen=True)
class MissedOpportunity:
    """An SPO was recommended on or before a recorded decision not to apply for one."""

    recommended_on: date
    action: str
    action_on: date


def missed_opportunity(replay: Review) -> MissedOpportunity | None:
    """The first recorded decision not to apply for an SPO taken on or after the first
    date the rules recommended one, in a :func:`~spo_advisor.review.replay.review` of a case."""
    first = replay.first_recommended.get("spo")
    if first is None:
        return None
    return next((MissedOpportunity(first, action.action, action.date)
                 for action in replay.actions
                 if action.action in NOT_APPLIED and first <= action.date), None)


# ------------------------------------------------------------------------- JSON Lines input


MAX_SKIPPED = 8 * MAX_BYTES
"""Most bytes of an over-long line read past to find the next line; a line longer still
(an endless stream, such as ``/dev/zero``) is the last line read."""

MAX_CASE_ID = 200
"""Longest ``case_id`` reported for a bad line (the contract's limit)."""


@dataclass(frozen=True)
class _Line:
    number: int
    raw: bytes
    end: int  # byte offset just after the line, for the progress bar
    endless: bool = False  # no end found within MAX_SKIPPED bytes: nothing read after it


@dataclass(frozen=True)
class _LineResult:
    number: int
    end: int
    outcome: Assessment | CaseError
    missed: MissedOpportunity | None = None
    case_id: str | None = None  # of a bad line, when it can be read
    invalid_reasons: tuple[str, ...] = ()  # recorded reasons that are not legal bars


def _read_lines(handle: IO[bytes]) -> Iterator[_Line]:
    """The non-blank lines, numbered from 1. A line longer than :data:`MAX_BYTES` is cut
    there (and refused later) without the rest of it being held in memory; when it runs
    on past :data:`MAX_SKIPPED` bytes, it is the last line read."""
    end = 0
    for number in itertools.count(1):
        raw = handle.readline(MAX_BYTES + 1)
        if not raw:
            return
        end += len(raw)
        if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
            skipped, ended = _skip_line(handle)
            end += skipped
            if not ended:
                yield _Line(number, raw, end, endless=True)
                return
        if raw.strip():
            yield _Line(number, raw, end)


def _skip_line(handle: IO[bytes]) -> tuple[int, bool]:
    """Read past the rest of a line: the bytes read, and whether its end (or the end of the
    input) came within :data:`MAX_SKIPPED` bytes."""
    skipped = 0
    while skipped <= MAX_SKIPPED:
        rest = handle.readline(MAX_BYTES)
        skipped += len(rest)
        if not rest or rest.endswith(b"\n"):
            return skipped, True
    return skipped, False


def _case_from_line(line: _Line) -> Case:
    if line.endless:
        raise CaseError([Problem("too_large", f"line longer than {MAX_BYTES:,} bytes, with no "
                                 f"end within {MAX_SKIPPED:,}: the input is not read further")])
    if len(line.raw) > MAX_BYTES:
        raise CaseError([Problem("too_large", f"line longer than {MAX_BYTES:,} bytes")])
    try:
        text = line.raw.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError:
        raise CaseError([Problem("unreadable", "not UTF-8 text")]) from None
    # Parsed as a JSON document; its problems are placed on the input line afterwards.
    return parse_case_text(text, filename="line.json")


def _readable_case_id(raw: bytes) -> str | None:
    """The ``case_id`` of a line that is not a valid case, when it can be read."""
    if len(raw) > MAX_BYTES:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    case_id = data.get("case_id") if isinstance(data, dict) else None
    return case_id if isinstance(case_id, str) and 0 < len(case_id) <= MAX_CASE_ID else None


def _assess_line(settings: _Settings, line: _Line) -> _LineResult:
    """The line's assessment; a case with a recorded decision not to apply for an SPO is
    reviewed (which includes its assessment) to look for a missed opportunity.

    Any failure is the line's result, never the batch's end: a bad case is a
    :class:`CaseError`, and so is an error nobody anticipated (a fault to report).
    """
    try:
        case = _case_from_line(line)
        if not any(action.action in NOT_APPLIED for action in case.actions):
            return _LineResult(line.number, line.end,
                               assess(case, settings.as_of, rules=settings.rules))
        replay = review(case, settings.as_of, rules=settings.rules)
    except CaseError as error:
        return _LineResult(line.number, line.end, error, case_id=_readable_case_id(line.raw))
    except Exception as error:  # noqa: BLE001 - one bad case never stops a batch
        problem = Problem("internal_error", f"the case could not be assessed "
                          f"({type(error).__name__}): a fault in spo_advisor, please report it")
        return _LineResult(line.number, line.end, CaseError([problem]),
                           case_id=_readable_case_id(line.raw))
    invalid = tuple(reason.code for action in replay.actions for reason in action.reasons
                    if reason.valid is False)
    return _LineResult(line.number, line.end, replay.assessment, missed_opportunity(replay),
                       invalid_reasons=invalid)


def _on_line(problems: Iterable[Problem], name: str, number: int) -> list[Problem]:
    return [dataclasses.replace(p, file=name, line=number) for p in problems]


# ---------------------------------------------------------------------------------- summary


SHOWN_MISSED = 10
"""Missed opportunities listed by line in the summary (the count covers them all), so it
fits on one screen."""

SHOWN_REASONS = 5
"""Reasons that are not legal bars listed in the summary, most often recorded first."""


@dataclass
class Summary:
    """Counts of each decision for each order, the missed opportunities found, and the
    recorded reasons for not applying that are not legal bars.

    Memory grows only with the number of missed opportunities.
    """

    orders: tuple[str, ...]
    labels: Labels = field(default_factory=Labels)
    lines: int = 0
    bad: int = 0
    decisions: Counter[tuple[str, Decision]] = field(default_factory=Counter)
    missed: list[tuple[int, str, MissedOpportunity]] = field(default_factory=list)
    invalid_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, result: _LineResult) -> None:
        self.lines += 1
        if isinstance(result.outcome, CaseError):
            self.bad += 1
            return
        self.decisions.update(result.outcome.decisions().items())
        if result.missed is not None:
            self.missed.append((result.number, result.outcome.case_id, result.missed))
        self.invalid_reasons.update(result.invalid_reasons)

    def text(self) -> str:
        assessed = self.lines - self.bad
        lines = [f"{self.lines:,} case lines: {assessed:,} assessed, {self.bad:,} bad", ""]
        width = max(len("order"), *(len(order) for order in self.orders))
        lines.append("  ".join(["order".ljust(width), *Decision]))
        for order in self.orders:
            counts = [f"{self.decisions[order, d]:,}".rjust(len(d)) for d in Decision]
            lines.append("  ".join([order.ljust(width), *counts]))
        lines += ["", (f"missed opportunities: {len(self.missed):,} (an SPO recommended on or "
                       "before a recorded decision not to apply for one)")]
        lines += [f"  line {number}, case {plain(case_id)}: SPO first recommended on "
                  f"{missed.recommended_on}; {self.labels.action(missed.action)} on "
                  f"{missed.action_on}" for number, case_id, missed in self.missed[:SHOWN_MISSED]]
        if len(self.missed) > SHOWN_MISSED:
            lines.append(f"  and {len(self.missed) - SHOWN_MISSED:,} more")
        total = sum(self.invalid_reasons.values())
        lines += ["", f"reasons recorded for not applying that are not legal bars: {total:,}"]
        lines += [f"  {count:,} × {self.labels.reason_code(code)}"
                  for code, count in self.invalid_reasons.most_common(SHOWN_REASONS)]
        return "\n".join(lines)


# ------------------------------------------------------------------------------ progress bar


class Progress:
    """A one-line progress bar, drawn only when ``stream`` is a terminal."""

    WIDTH = 24
    INTERVAL = 0.1  # seconds between redraws

    def __init__(self, stream: TextIO, total_bytes: int | None) -> None:
        self.stream = stream
        self.active = stream.isatty()
        self.total = total_bytes
        self.drawn_at: float | None = None

    def update(self, summary: Summary, done_bytes: int) -> None:
        """Redraw, at most every :attr:`INTERVAL` seconds."""
        now = time.monotonic()
        if not self.active or (self.drawn_at is not None and now - self.drawn_at < self.INTERVAL):
            return
        self.drawn_at = now
        text = f"{summary.lines:,} done, {summary.bad:,} bad"
        if self.total:
            share = min(done_bytes / self.total, 1.0)
            filled = round(share * self.WIDTH)
            text = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  {text}"
        self.stream.write(f"\r{text}\033[K")
        self.stream.flush()

    def note(self, text: str) -> None:
        """Print a line of text, above the bar if one is drawn."""
        self.clear()
        print(text, file=self.stream)

    def clear(self) -> None:
        if self.active and self.drawn_at is not None:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.drawn_at = None


# -------------------------------------------------------------------------------- the command

DESCRIPTION = """\
Assess every case in a JSON Lines file: one case per line, each a JSON object as in
`spo-advisor schema` (blank lines are skipped). The file is streamed: memory grows with
its length only by the list of missed opportunities.

RESULTS gets one JSON object per case line, in input order: the assessment (as
`assess --format json` gives it) or, for a bad line, {"line": N, "case_id": ID or null,
"error": {"problems": [{"code", "message", "location", "file", "line", "column",
"suggestion"}]}}. A bad line (not JSON, not an object, not a valid case, longer than
5 MiB, or one that fails for an unforeseen reason) is also reported on standard error,
by line number, case_id when it can be read, code and location, never its values, and
the other lines are still assessed. RESULTS is written to a temporary file and put in
place only when every line is done.

When done, a summary goes to standard output: how often each order got each decision,
and the missed opportunities: cases where an SPO was recommended on or before the date
of a recorded decision not to apply for one (action spo_considered_not_applied or
no_action). A progress bar is drawn on standard error when it is a terminal.

exit status: 0 every line was a valid case; 1 a line was bad (the summary is still
written); 2 the command could not run (bad arguments, unreadable input or rules,
RESULTS the same file as the input); 3 RESULTS cannot be written, or a worker process
was lost (the lines lost are listed, and RESULTS is not written); 130 interrupted.
--jobs is at most the number of CPUs."""


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError("must be a whole number, at least 1")
    return jobs


def add_commands(commands: cli.SubParsers, rules_commands: cli.SubParsers) -> None:
    """Add ``spo-advisor batch``."""
    batch = commands.add_parser(
        "batch", help="assess a JSON Lines file of cases", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    batch.add_argument("input", metavar="CASES.jsonl",
                       help="one case per line, a JSON object; - for standard input")
    cli.add_output_argument(batch, "RESULTS.jsonl", required=True)
    batch.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                       help="assess in N processes, at most the number of CPUs (default: 1)")
    batch.add_argument("--rules", default=None, metavar="DIR",
                       help="rule-set directory (default: the shipped England and Wales rules)")
    batch.add_argument("--as-of", type=cli.iso_date, metavar="DATE",
                       help="assess as of this date (default: each case's assessed_on, else today)")
    batch.set_defaults(run=run_batch)


def _open_input(stack: ExitStack, argument: str) -> tuple[IO[bytes], str, int | None]:
    """The input as binary lines, its name for problems, and its size if it is a file."""
    if argument == "-":
        return sys.stdin.buffer, "<stdin>", None
    try:
        handle = stack.enter_context(open(argument, "rb"))  # noqa: SIM115 - closed by the stack
    except FileNotFoundError:
        raise CaseError([Problem("file_not_found", "file not found", file=argument)]) from None
    except OSError:
        raise CaseError([Problem("unreadable", "cannot read the file", file=argument)]) from None
    status = os.fstat(handle.fileno())
    return handle, argument, status.st_size if stat.S_ISREG(status.st_mode) else None


def _line_ranges(numbers: Iterable[int]) -> str:
    """Line numbers as ranges: ``3-5, 9``."""
    ranges: list[list[int]] = []
    for number in sorted(numbers):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def run_batch(args: argparse.Namespace) -> int:
    """``spo-advisor batch``: see :data:`DESCRIPTION`."""
    settings = _Settings(load_rules(args.rules), args.as_of)
    summary = Summary(tuple(settings.rules.orders), labels_for(settings.rules))
    with ExitStack() as stack:
        handle, name, size = _open_input(stack, args.input)
        out = stack.enter_context(open_output(args.out, [args.input]))
        progress = Progress(sys.stderr, size)
        try:
            for result in _ordered_map(_assess_line, _read_lines(handle), settings, args.jobs):
                out.write(json.dumps(_record(result, name, progress)) + "\n")
                summary.add(result)
                progress.update(summary, result.end)
        except WorkerLostError as error:
            raise EnvironmentFailure(
                f"{name}: {error}: lines {_line_ranges(line.number for line in error.items)} "
                f"not assessed; stopped, and {args.out} not written") from None
        finally:
            progress.clear()
    print(summary.text())
    return cli.EXIT_PROBLEMS if summary.bad else cli.EXIT_OK


def _record(result: _LineResult, name: str, progress: Progress) -> dict[str, Any]:
    """The line's record for RESULTS; a bad line's problems are also noted on the terminal."""
    if not isinstance(result.outcome, CaseError):
        return result.outcome.model_dump(mode="json")
    problems = _on_line(result.outcome.problems, name, result.number)
    case = f" (case {plain(result.case_id)})" if result.case_id is not None else ""
    for problem in problems:
        progress.note(f"{problem}{case}")
    return {"line": result.number, "case_id": result.case_id,
            "error": {"problems": [dataclasses.asdict(p) for p in problems]}}
