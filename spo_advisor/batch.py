"""Many cases at once: :func:`assess_many` and the ``spo-advisor batch`` command.

Cases stream through in constant memory: the input is read one item (one line) at a
time, at most a fixed number of cases are in flight, and each result is handed on as
soon as it and every case before it are done, so results keep the input order. With
``jobs`` above 1 the cases are assessed in a :class:`multiprocessing.pool.Pool` whose
workers each load the rule set once, in their initializer.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any, TextIO, TypeVar

from spo_advisor import cli_common as cli
from spo_advisor.assess import assess, load_rules
from spo_advisor.case import MAX_BYTES, ActionType, Case, parse_case_text
from spo_advisor.errors import CaseError, Problem, RuleSetError
from spo_advisor.logic import Decision
from spo_advisor.result import Assessment
from spo_advisor.review import Review, review
from spo_advisor.rules import RuleSet

__all__ = ["CHUNKSIZE", "MissedOpportunity", "add_commands", "assess_many", "missed_opportunity"]

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
    fails each task instead (an initializer that raises would be restarted for ever).
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


class _Feed:
    """Hands the items of an iterable to the pool's feeder thread, ``limit`` ahead at most.

    ``Pool.imap`` reads its input as fast as it can; this makes it wait until the
    consumer has taken a result (:meth:`release`) before it reads another item. An error
    raised by the iterable ends the feed and is kept in :attr:`error`, for the consumer to
    raise once the results of the items before it are taken.
    """

    def __init__(self, items: Iterable[Any], limit: int) -> None:
        self._items = iter(items)
        self._slots = threading.Semaphore(limit)
        self._closed = False
        self.error: Exception | None = None

    def __iter__(self) -> Iterator[Any]:
        while True:
            self._slots.acquire()
            if self._closed:
                return
            try:
                item = next(self._items)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - handed to the consumer's thread
                self.error = error
                return
            yield item

    def release(self) -> None:
        """One result was taken: one more item may be read."""
        self._slots.release()

    def close(self) -> None:
        """Stop reading items (wakes the feeder thread if it is waiting)."""
        self._closed = True
        self._slots.release()


def _ordered_map(function: Callable[[_Settings, Item], Outcome], items: Iterable[Item],
                 settings: _Settings, jobs: int) -> Generator[Outcome, None, None]:
    """``function(settings, item)`` for each item, lazily and in order; ``jobs`` processes."""
    if jobs == 1:
        for item in items:
            yield function(settings, item)
        return
    feed = _Feed(items, limit=2 * jobs * CHUNKSIZE)
    initargs = (function, settings.rules.directory, settings.rules.sha256, settings.as_of)
    with multiprocessing.Pool(jobs, _start_worker, initargs) as pool:
        try:
            for outcome in pool.imap(_work, feed, CHUNKSIZE):
                yield outcome
                feed.release()
        finally:
            feed.close()
    if feed.error is not None:
        raise feed.error


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

    Each case is what :func:`~spo_advisor.assess` accepts (a :class:`Case`, a mapping, or
    a file path). A bad case gives its :class:`~spo_advisor.errors.CaseError` in its place,
    and the others go on. ``cases`` is read lazily, a few cases ahead of the results taken
    (it may be endless). ``jobs`` above 1 assesses them in that many processes, which stop
    when the generator is exhausted or closed. The rule set is loaded when this is called,
    so a bad rule set raises here.
    """
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
    date the rules recommended one, in a :func:`~spo_advisor.review.review` of a case."""
    first = replay.first_recommended.get("spo")
    if first is None:
        return None
    return next((MissedOpportunity(first, action.action, action.date)
                 for action in replay.actions
                 if action.action in NOT_APPLIED and first <= action.date), None)


# ------------------------------------------------------------------------- JSON Lines input


@dataclass(frozen=True)
class _Line:
    number: int
    raw: bytes
    end: int  # byte offset just after the line, for the progress bar


@dataclass(frozen=True)
class _LineResult:
    number: int
    end: int
    outcome: Assessment | CaseError
    missed: MissedOpportunity | None = None


def _read_lines(handle: IO[bytes]) -> Iterator[_Line]:
    """The non-blank lines, numbered from 1. A line longer than :data:`MAX_BYTES` is cut
    there (and refused later) without the rest of it being held in memory."""
    end = 0
    for number in itertools.count(1):
        raw = handle.readline(MAX_BYTES + 1)
        if not raw:
            return
        end += len(raw)
        if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
            while rest := handle.readline(MAX_BYTES):
                end += len(rest)
                if rest.endswith(b"\n"):
                    break
        if raw.strip():
            yield _Line(number, raw, end)


def _case_from_line(raw: bytes) -> Case:
    if len(raw) > MAX_BYTES:
        raise CaseError([Problem("too_large", f"line longer than {MAX_BYTES:,} bytes")])
    try:
        text = raw.rstrip(b"\r\n").decode("utf-8")
    except UnicodeDecodeError:
        raise CaseError([Problem("unreadable", "not UTF-8 text")]) from None
    # Parsed as a JSON document; its problems are placed on the input line afterwards.
    return parse_case_text(text, filename="line.json")


def _assess_line(settings: _Settings, line: _Line) -> _LineResult:
    """The line's assessment; a case with a recorded decision not to apply for an SPO is
    reviewed (which includes its assessment) to look for a missed opportunity."""
    try:
        case = _case_from_line(line.raw)
        if not any(action.action in NOT_APPLIED for action in case.actions):
            return _LineResult(line.number, line.end,
                               assess(case, settings.as_of, rules=settings.rules))
        replay = review(case, settings.as_of, rules=settings.rules)
    except CaseError as error:
        return _LineResult(line.number, line.end, error)
    return _LineResult(line.number, line.end, replay.assessment, missed_opportunity(replay))


def _on_line(problems: Iterable[Problem], name: str, number: int) -> list[Problem]:
    return [dataclasses.replace(p, file=name, line=number) for p in problems]


# ---------------------------------------------------------------------------------- summary


@dataclass
class Summary:
    """Counts of each decision for each order, and the missed opportunities found.

    Memory grows only with the number of missed opportunities.
    """

    orders: tuple[str, ...]
    lines: int = 0
    bad: int = 0
    decisions: Counter[tuple[str, Decision]] = field(default_factory=Counter)
    missed: list[tuple[int, str, MissedOpportunity]] = field(default_factory=list)

    def add(self, result: _LineResult) -> None:
        self.lines += 1
        if isinstance(result.outcome, CaseError):
            self.bad += 1
            return
        self.decisions.update(result.outcome.decisions().items())
        if result.missed is not None:
            self.missed.append((result.number, result.outcome.case_id, result.missed))

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
        lines += [f"  line {number}, case {case_id}: SPO first recommended on "
                  f"{missed.recommended_on}; {missed.action} on {missed.action_on}"
                  for number, case_id, missed in self.missed]
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
`assess --format json` gives it) or, for a bad line, {"line": N, "error": {"problems":
[{"code", "message", "location", "file", "line", "column", "suggestion"}]}}. A bad line
(not JSON, not an object, not a valid case) is also reported on standard error, by line
number, code and location, never its values, and the other lines are still assessed.

When done, a summary goes to standard output: how often each order got each decision,
and the missed opportunities: cases where an SPO was recommended on or before the date
of a recorded decision not to apply for one (action spo_considered_not_applied or
no_action). A progress bar is drawn on standard error when it is a terminal.

exit status: 0 every line was a valid case; 2 a line was bad (the summary is still
written), or the command could not run."""


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
    batch.add_argument("--out", required=True, metavar="RESULTS.jsonl",
                       help="where to write one result per case line (replaced if it exists)")
    batch.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                       help="assess in N processes (default: 1)")
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


def _open_output(stack: ExitStack, argument: str, input_argument: str) -> TextIO:
    if input_argument != "-" and Path(argument).exists() and Path(argument).samefile(input_argument):
        raise cli.UsageError("--out must not be the input file")
    try:
        return stack.enter_context(open(argument, "w", encoding="utf-8"))
    except OSError:
        raise cli.UsageError(f"{argument}: cannot write the file") from None


def run_batch(args: argparse.Namespace) -> int:
    """``spo-advisor batch``: see :data:`DESCRIPTION`."""
    settings = _Settings(load_rules(args.rules), args.as_of)
    summary = Summary(tuple(settings.rules.orders))
    with ExitStack() as stack:
        handle, name, size = _open_input(stack, args.input)
        out = _open_output(stack, args.out, args.input)
        progress = Progress(sys.stderr, size)
        for result in _ordered_map(_assess_line, _read_lines(handle), settings, args.jobs):
            if isinstance(result.outcome, CaseError):
                problems = _on_line(result.outcome.problems, name, result.number)
                for problem in problems:
                    progress.note(str(problem))
                record = {"line": result.number,
                          "error": {"problems": [dataclasses.asdict(p) for p in problems]}}
            else:
                record = result.outcome.model_dump(mode="json")
            out.write(json.dumps(record) + "\n")
            summary.add(result)
            progress.update(summary, result.end)
        progress.clear()
    print(summary.text())
    return cli.EXIT_BAD_INPUT if summary.bad else cli.EXIT_OK
