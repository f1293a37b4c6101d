"""Where a command's output goes: standard output, or ``--out FILE`` written atomically.

:func:`open_output` is the one writer every command uses. A file is written to a
temporary file in the same directory, flushed to disk (``fsync``) and renamed over
``FILE`` only once the command has written everything, so a failure (a full disc, an
error, Ctrl-C) never leaves a partial file where a complete one is expected, and never
destroys the file that was there. An output that is one of the command's inputs is
refused before anything is read. A destination that is not a regular file (``/dev/full``,
a pipe) is written in place, as atomicity is not possible there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from spo_advisor.model.errors import EnvironmentFailure, SpoAdvisorError

__all__ = ["Output", "OutputError", "SameFileError", "open_output", "refuse_inputs"]


class OutputError(EnvironmentFailure):
    """The output cannot be written (an environment failure, not bad input)."""


class SameFileError(SpoAdvisorError):
    """The output named is one of the command's inputs."""


class Output:
    """A text destination: every failure to write is an :class:`OutputError`, except a
    closed pipe (``BrokenPipeError``), which the command line ends quietly."""

    def __init__(self, handle: TextIO, name: str) -> None:
        self._handle = handle
        self.name = name

    def write(self, text: str) -> None:
        """Write ``text``."""
        with self._failures():
            self._handle.write(text)

    def flush(self) -> None:
        """Flush Python's buffer to the destination."""
        with self._failures():
            self._handle.flush()

    @contextlib.contextmanager
    def _failures(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputError(f"cannot write {self.name}: {_reason(error)}") from None


def _reason(error: OSError) -> str:
    return os.strerror(error.errno) if error.errno else "write failed"


def refuse_inputs(path: str, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Raise :class:`SameFileError` when ``path`` is the same file as one of ``inputs``
    (standard input, ``-``, and inputs that do not exist are never the same)."""
    if not os.path.exists(path):
        return
    for source in inputs:
        if str(source) != "-" and os.path.exists(source) and os.path.samefile(path, source):
            raise SameFileError(f"{path}: the output must not be an input of the command")


@contextlib.contextmanager
def open_output(path: str | None, inputs: Iterable[str | os.PathLike[str]] = ()
                ) -> Iterator[Output]:
    """Standard output when ``path`` is None, else the file at ``path``, put in place
    atomically when the block ends without an exception (module docstring).

    Raises :class:`SameFileError` when ``path`` is one of ``inputs``, and
    :class:`OutputError` when the file cannot be created, written or put in place.
    """
    if path is None:
        output = Output(sys.stdout, "standard output")
        yield output
        output.flush()
        return
    refuse_inputs(path, inputs)
    target = Path(path)
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        yield from _in_place(target)
    else:
        yield from _atomically(target)


def _in_place(target: Path) -> Iterator[Output]:
    try:
        handle = target.open("w", encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write {target}: {_reason(error)}") from None
    try:
        output = Output(handle, str(target))
        yield output
        output.flush()
    finally:
        _close(handle)


def _atomically(target: Path) -> Iterator[Output]:
    real = Path(os.path.realpath(target))  # through a symbolic link, which is kept
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp",
                                                 dir=real.parent)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {_reason(error)}") from None
    handle = open(descriptor, "w", encoding="utf-8")  # noqa: SIM115 - closed by _close
    try:
        try:
            os.fchmod(descriptor, _mode(real))
            output = Output(handle, str(target))
            yield output
            output.flush()
            os.fsync(descriptor)
        finally:
            _close(handle)
        os.replace(temporary, real)
    except OSError as error:
        os.unlink(temporary)
        raise OutputError(f"cannot write {target}: {_reason(error)}") from None
    except BaseException:
        os.unlink(temporary)
        raise


def _close(handle: TextIO) -> None:
    """Close a file whose content is flushed, or abandoned after a failure (whose
    buffer cannot be written either: the first error is the one reported)."""
    with contextlib.suppress(OSError):
        handle.close()


def _mode(target: Path) -> int:
    """The permissions of the file being replaced, else those a new file gets."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError as error:
        if error.errno != errno.ENOENT:
            raise
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
