"""Safe YAML reading that remembers where each value came from.

Only PyYAML's safe constructors run, so tags such as ``!!python/object`` are refused and
nothing executes. Aliases are refused outright (they are not needed in rule files and are
the vehicle of "billion laughs" documents), and so are duplicate keys, which YAML would
otherwise resolve silently by keeping the last one.

Numbers are read as YAML 1.2 reads them: ``020`` (octal in YAML 1.1), ``1:5`` (base 60),
``0x1f``, ``0b1`` and ``1_000`` stay strings, so a field that wants a number refuses them
by name instead of silently taking another value (:class:`StrictLoader`, shared by case
and rule files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from spo_advisor.model.errors import Problem

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


class StrictLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with YAML 1.2 numbers only: a plain scalar is an integer when
    it is decimal without a leading zero, a float when written with a point or an exponent;
    every other number-like scalar (octal, base 60, hexadecimal, underscores) is a string."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
StrictLoader.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+.0123456789"))

MAX_YAML_BYTES = 2_000_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Mark:
    """A 1-based line and column in a source file."""

    line: int
    column: int


class YamlProblem(Exception):
    """Raised with the one problem that stops a YAML document from being read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.marks: dict[Path_, Mark] = {}
        self.constructor = StrictLoader("")

    def fail(self, code: str, message: str, mark: Mark) -> YamlProblem:
        return YamlProblem(
            Problem(code, message, file=self.filename, line=mark.line, column=mark.column)
        )

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self.marks.setdefault(path, _mark(node))
        expected = _PLAIN_TAGS.get(type(node))
        if expected is not None and node.tag != expected:
            raise self.fail("unsafe_yaml", "tags are not allowed on mappings or lists", _mark(node))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.convert_scalar(key_node)
                if not isinstance(key, str | int) or isinstance(key, bool):
                    raise self.fail("invalid_key", "mapping keys must be plain names", _mark(key_node))
                key = str(key)
                if key in result:
                    raise self.fail("duplicate_key", f"duplicate key {key!r}", _mark(key_node))
                self.marks[(*path, key)] = _mark(key_node)
                result[key] = self.convert(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.convert_scalar(node)

    def convert_scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail("invalid_key", "mapping keys must be plain names", _mark(node))
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise self.fail("unsafe_yaml", yaml_message(error), _mark(node)) from None
        except (ValueError, ArithmeticError, AttributeError, TypeError):
            # e.g. 2021-02-30, a malformed !!int, or !!timestamp on a word
            raise self.fail("invalid_value", "value cannot be read", _mark(node)) from None


_PLAIN_TAGS: dict[type[yaml.Node], str] = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}


_QUOTED = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)")""")
_SYNTAX = re.compile(r"[^\w\s]{1,3}|<[a-z ]+>|tag:yaml\.org,2002:[\w/:.-]+")
"""Quoted parts kept in a message: punctuation, token names and YAML's own tags
(``','``, ``'<stream end>'``, ``'tag:yaml.org,2002:python/name:os.system'``)."""


def _unquote_values(match: re.Match[str]) -> str:
    quoted = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if _SYNTAX.fullmatch(quoted) else ""


def yaml_message(error: yaml.YAMLError, default: str = "not valid YAML") -> str:
    """PyYAML's account of ``error`` without any text of the document: its first line, with
    every quoted part but punctuation and token names (a tag, an alias name, a value)
    left out."""
    problem = str(getattr(error, "problem", None) or default).splitlines()[0]
    return _QUOTED.sub(_unquote_values, problem).strip() or default


def read_text(path: Path) -> str:
    """A YAML file's text; refused before reading when larger than :data:`MAX_YAML_BYTES`.

    Raises :class:`YamlProblem` (``too_large``) and ``OSError``/``UnicodeDecodeError``
    for a file that cannot be read as UTF-8.
    """
    with path.open("rb") as handle:  # read at most one byte more than allowed, whatever stat says
        data = handle.read(MAX_YAML_BYTES + 1)
    if len(data) > MAX_YAML_BYTES:
        raise YamlProblem(Problem("too_large", f"file is larger than {MAX_YAML_BYTES} bytes",
                                  file=str(path), line=1, column=1))
    return data.decode("utf-8")


def read_yaml(text: str, filename: str) -> tuple[Any, dict[Path_, Mark]]:
    """Parse one YAML document; return the data and the line/column of every path in it.

    Raises :class:`YamlProblem` for a document that is too large, malformed, uses aliases
    or unsafe tags, or repeats a key.
    """
    reader = _Reader(filename)
    if len(text.encode("utf-8", errors="replace")) > MAX_YAML_BYTES:
        raise reader.fail("too_large", f"file is larger than {MAX_YAML_BYTES} bytes", Mark(1, 1))
    try:
        depth = 0
        for event in yaml.parse(text, Loader=StrictLoader):
            if isinstance(event, yaml.AliasEvent):
                raise reader.fail("alias_refused", "YAML aliases are not allowed", _mark_of(event))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:  # refused here, before composing costs time and stack
                    raise reader.fail("too_deep", "the document is nested too deeply",
                                      _mark_of(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark is not None else Mark(1, 1)
        raise reader.fail("malformed_yaml", yaml_message(error), where) from None
    except yaml.YAMLError as error:
        raise reader.fail("malformed_yaml", yaml_message(error), Mark(1, 1)) from None
    if node is None:
        return None, {}
    return reader.convert(node, ()), reader.marks


def _mark_of(event: yaml.Event) -> Mark:
    mark = event.start_mark
    return Mark(mark.line + 1, mark.column + 1) if mark is not None else Mark(1, 1)
