"""The library's error types.

Every user-facing error carries a list of :class:`Problem` objects, all collected before
raising, so a caller sees every problem at once. Problems never contain the rejected
value: case data is sensitive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spo_advisor.model.safe_text import plain


@dataclass(frozen=True)
class Problem:
    """One problem found in a case or a rule file.

    ``location`` is a dotted path inside the document (``incidents.0.date``) or a rule
    breadcrumb (``At Rule(id=spo.acts) > when > all[1]``); ``file``, ``line`` and
    ``column`` (1-based) are set when the problem comes from a file.
    """

    code: str
    message: str
    location: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    suggestion: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        text = f"{where}[{self.code}] "
        if self.location:
            text += f"{self.location}: "
        text += self.message
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        return plain(text)  # a file name is the user's text too


class SpoAdvisorError(Exception):
    """Base class of every error this library raises on purpose."""


class ProblemsError(SpoAdvisorError):
    """An error made of one or more :class:`Problem` objects."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class CaseError(ProblemsError):
    """The case given to the library is not valid."""


class RuleSetError(ProblemsError):
    """A rule file or golden-case file is not valid."""


class EnvironmentFailure(SpoAdvisorError):
    """The work could not be done for a reason outside the input: an output that cannot be
    written, a worker process lost. The command line exits with 3."""


class EngineError(SpoAdvisorError):
    """The inference engine failed or returned an inconsistent state.

    Raised instead of a result: a failed evaluation must never look like an answer.
    """
