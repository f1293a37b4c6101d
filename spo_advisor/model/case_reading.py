"""Reading a case: from a :class:`~spo_advisor.model.case.Case`, a mapping, a file or text.

Bad input never raises pydantic's ``ValidationError``: :func:`load_case` and
:func:`parse_case_text` raise one :class:`~spo_advisor.model.errors.CaseError` listing every
problem, each with a stable code, a dotted location and, for YAML files, a line and
column. No problem ever repeats the rejected value: case data is sensitive.
"""

import difflib
import json
import os
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, BinaryIO, Union, get_args, get_origin

import yaml
from annotated_types import Ge, Le, MaxLen, MinLen
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from spo_advisor.model.case import (
    DATE_MESSAGE,
    DATE_RANGE_MESSAGE,
    Case,
    Relationship,
)
from spo_advisor.model.codes import RELATIONSHIP_SYNONYMS
from spo_advisor.model.errors import CaseError, Problem
from spo_advisor.model.places import Contradiction, place_contradictions
from spo_advisor.model.yamlio import StrictLoader, yaml_message

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_VALUES",
    "load_case",
    "parse_case_text",
    "parse_json",
    "read_case_stream",
    "read_file_text",
]

MAX_BYTES = 5 * 1024 * 1024
"""Largest case file or text accepted, in bytes (UTF-8)."""

MAX_ALIASES = 1000
"""Most YAML alias uses (``*name``) accepted in one case document."""

MAX_VALUES = 1_000_000
"""Most values (YAML nodes) accepted in one case once aliases are expanded."""

_SHOWN_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def load_case(source: Case | Mapping[str, Any] | str | os.PathLike[str]) -> Case:
    """Load a case from a :class:`Case`, a mapping, or a ``.yaml``/``.yml``/``.json`` file.

    A ``str`` is a file path, and one that is not an existing file is refused without
    being shown (it may be case text: use :func:`parse_case_text` or
    ``spo_advisor.assess_json`` for text). Raises :class:`CaseError` for every kind of bad
    input (any JSON value that is not a valid case among them), and ``TypeError`` naming
    ``case`` for an argument that is neither a JSON value nor a path.
    """
    if isinstance(source, Case):
        return source
    if not isinstance(source, os.PathLike | Mapping | list | str | int | float | None):
        raise TypeError("case must be a Case, a mapping or the path of a case file, "
                        f"not {type(source).__name__}")
    if isinstance(source, str) and not os.path.isfile(source):
        raise _error("not_a_file", "a str case must be the path of an existing .yaml, .yml "
                     "or .json file (the str is not shown); for JSON text use assess_json, "
                     "or pass a mapping", None)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = str(path)
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
            raise _error("unsupported_file_type", "expected a .yaml, .yml or .json file", name)
        return parse_case_text(read_file_text(path), filename=name)
    return _validate(source, None, None)


def parse_case_text(text: str, *, filename: str = "<input>", json_text: bool = False) -> Case:
    """Parse a case from YAML or JSON text (JSON when ``json_text`` is true or ``filename``
    ends in ``.json``).

    YAML is read with PyYAML's safe loader only (no tags that build objects), dates are
    left for validation to check, and only ``true``/``false`` are booleans (YAML 1.2:
    ``yes``/``no``/``on``/``off`` stay strings and are refused where a boolean is due).
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise _error("too_large", "larger than 5 MB", filename)
    text = text.removeprefix("\ufeff")
    if json_text or filename.lower().endswith(".json"):
        return _validate(parse_json(text, filename), filename, None)
    data, root = _parse_yaml(text, filename)
    return _validate(data, filename, root)


# --------------------------------------------------------------------------- reading files


def _error(
    code: str, message: str, file: str | None, mark: yaml.Mark | None = None, location: str = ""
) -> CaseError:
    """A :class:`CaseError` with a single problem."""
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return CaseError([Problem(code, message, location, file=file, line=line, column=column)])


def read_file_text(path: Path) -> str:
    """Read at most :data:`MAX_BYTES` of UTF-8 text from ``path``."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            return read_case_stream(handle, name)
    except FileNotFoundError:
        raise _error("file_not_found", "file not found", name) from None
    except OSError:
        raise _error("unreadable", "cannot read the file", name) from None


def read_case_stream(handle: BinaryIO, name: str) -> str:
    """The UTF-8 text of a case from a binary stream (a file, standard input), reading at
    most one byte more than :data:`MAX_BYTES`, so an endless stream is refused at once.

    Raises :class:`CaseError` (``too_large``, ``unreadable``) naming ``name``, and
    ``OSError`` when the stream cannot be read.
    """
    raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise _error("too_large", "larger than 5 MB", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error("unreadable", "not UTF-8 text", name) from None


def parse_json(text: str, filename: str) -> object:
    """Parse JSON text, refusing duplicate keys."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _error(
                    "duplicate_key",
                    "key appears more than once",
                    filename,
                    location=_shown_key(key),
                )
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        problem = Problem(
            "invalid_json",
            f"not valid JSON: {exc.msg}",
            file=filename,
            line=exc.lineno,
            column=exc.colno,
        )
        raise CaseError([problem]) from None
    except RecursionError:
        raise _error("invalid_json", "not valid JSON: nested too deeply", filename) from None
    except ValueError:  # e.g. an integer longer than Python converts (4,300 digits)
        raise _error("invalid_json", "not valid JSON: a value cannot be read", filename) from None


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _CaseLoader(StrictLoader):
    """The shared strict loader (YAML 1.2 numbers), counting alias uses, without
    timestamps or YAML 1.1 booleans."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Compose a node, counting alias events (``*name``) before anything is built."""
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


_CaseLoader.yaml_constructors = {
    tag: constructor
    for tag, constructor in StrictLoader.yaml_constructors.items()
    if tag != _TIMESTAMP_TAG
}
_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP_TAG, _BOOL_TAG)]
    for first, resolvers in StrictLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _CaseLoader.yaml_implicit_resolvers[_first].append((_BOOL_TAG, _YAML12_BOOL))


def _parse_yaml(text: str, filename: str) -> tuple[object, yaml.Node | None]:
    """Parse one YAML document safely; return its data and its node tree (for positions).

    PyYAML's own messages are kept only where they cannot hold the document's values.
    """
    try:
        return _load_yaml(text, filename)
    except yaml.constructor.ConstructorError as exc:
        if (exc.problem or "").startswith("could not determine a constructor"):
            raise _error(
                "unsupported_tag",
                "unsupported YAML tag (tags that build objects are not allowed)",
                filename,
                exc.problem_mark,
            ) from None
        raise _error(
            "invalid_yaml", f"not valid YAML: {yaml_message(exc)}", filename, exc.problem_mark
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _error(
            "invalid_yaml",
            f"not valid YAML: {yaml_message(exc, 'syntax error')}",
            filename,
            exc.problem_mark,
        ) from None
    except yaml.YAMLError:
        raise _error(
            "invalid_yaml", "not valid YAML: a character is not allowed", filename
        ) from None
    except ValueError:  # e.g. `!!int` on a non-number, or an integer of over 4300 digits
        raise _error(
            "invalid_yaml", "not valid YAML: a value cannot be read as its type", filename
        ) from None
    except RecursionError:
        raise _error("invalid_yaml", "not valid YAML: nested too deeply", filename) from None


def _load_yaml(text: str, filename: str) -> tuple[object, yaml.Node | None]:
    """Compose the document, check it (:func:`_check_nodes`), and only then build it."""
    loader = _CaseLoader(text)
    try:
        root = loader.get_single_node()
        if loader.alias_count > MAX_ALIASES:
            raise _error("too_many_aliases", f"more than {MAX_ALIASES:,} YAML aliases", filename)
        if root is None:
            return None, None
        _check_nodes(root, filename)
        return loader.construct_document(root), root
    finally:
        loader.dispose()


def _check_nodes(root: yaml.Node, filename: str) -> None:
    """Refuse recursive aliases, duplicate keys, and documents that expand past
    :data:`MAX_VALUES` values (the "billion laughs" attack), before anything is built."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def expanded_size(node: yaml.Node, path: tuple[str | int, ...]) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        if id(node) in open_nodes:
            raise _error(
                "invalid_yaml",
                "not valid YAML: an alias refers to a node that contains it",
                filename,
                node.start_mark,
                _dotted(path),
            )
        open_nodes.add(id(node))
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key, value in node.value:
                here: tuple[str | int, ...] = path
                if isinstance(key, yaml.ScalarNode):
                    here = (*path, key.value)
                    if (key.tag, key.value) in seen:
                        raise _error(
                            "duplicate_key",
                            "key appears more than once",
                            filename,
                            key.start_mark,
                            _dotted(here),
                        )
                    seen.add((key.tag, key.value))
                total += expanded_size(key, path) + expanded_size(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                total += expanded_size(item, (*path, index))
        open_nodes.discard(id(node))
        sizes[id(node)] = total
        return total

    if expanded_size(root, ()) > MAX_VALUES:
        raise _error(
            "too_large",
            f"more than {MAX_VALUES:,} values once YAML aliases are expanded",
            filename,
        )


# ------------------------------------------------------------------------------ validation


def _validate(data: object, file: str | None, root: yaml.Node | None) -> Case:
    """Validate parsed data into a :class:`Case`, turning every error into one CaseError."""
    mark = root.start_mark if root is not None else None
    if data is None:
        raise _error("empty", "the document is empty", file, mark)
    if not isinstance(data, Mapping):
        raise _error("wrong_type", "expected a mapping", file, mark)
    try:
        case = Case.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_problem(error, file, root) for error in exc.errors(include_url=False)]
        raise CaseError(problems) from None
    contradictions = [_located(problem, file, root) for problem in _contradictions(case)]
    if contradictions:
        raise CaseError(contradictions)
    return case


def _contradictions(case: Case) -> list[Contradiction]:
    """Places that contradict each other (contract: given and contradicting, refused)."""
    def text(value: object) -> str | None:
        return None if value is None else str(value)

    return place_contradictions(text(case.jurisdiction), text(case.police_force),
                                text(case.suspect.home_force),
                                case.suspect.lives_in_force_area, text(case.london_borough))


def _located(found: tuple[tuple[str, ...], str, str], file: str | None,
             root: yaml.Node | None) -> Problem:
    loc, code, message = found
    mark = _position(root, loc)
    return Problem(code, message, _dotted(loc), file=file,
                   line=mark.line + 1 if mark else None,
                   column=mark.column + 1 if mark else None)


_WRONG_TYPE = {
    "bool_type": "expected true, false or null",
    "int_type": "expected a whole number",
    "list_type": "expected a list",
    "model_type": "expected a mapping",
    "string_type": "expected a string",
    "invalid_key": "field names must be strings",
}

_RANGE_ERRORS = {"greater_than_equal", "less_than_equal"}
_LENGTH_ERRORS = {"string_too_short", "string_too_long"}


def _problem(error: ErrorDetails, file: str | None, root: yaml.Node | None) -> Problem:
    """Turn one pydantic error into a :class:`Problem` that never repeats the input."""
    kind: str = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    if kind == "invalid_key":  # the offending key may be case data: point at its parent
        loc = loc[:-1]
    field_type, constraints = _field_type(loc)
    suggestion: str | None = None
    if kind == "extra_forbidden":
        code, message = "unknown_field", "unknown field"
        parent, _ = _field_type(loc[:-1])
        if isinstance(loc[-1], str) and _is_model(parent):
            suggestion = _closest(loc[-1], list(parent.model_fields))
        loc = (*loc[:-1], _shown_key(loc[-1]))
    elif kind == "enum" and isinstance(field_type, type) and issubclass(field_type, StrEnum):
        allowed = [member.value for member in field_type]
        code, message = "invalid_choice", (
            f"not one of the allowed values: {', '.join(allowed)}" if len(allowed) <= 20
            else f"not a code of the closed list ({len(allowed)} codes: spo-advisor schema)")
        if isinstance(error["input"], str):
            word = error["input"].lower().replace("-", "_").replace(" ", "_")
            synonym = RELATIONSHIP_SYNONYMS.get(word) if field_type is Relationship else None
            suggestion = synonym or _closest(word, allowed)
    elif kind == "invalid_date":
        code, message = "invalid_date", DATE_MESSAGE
    elif kind == "date_out_of_range":
        code, message = "out_of_range", DATE_RANGE_MESSAGE
    elif kind == "missing":
        code, message = "missing", "required field is missing"
    elif kind == "unsupported_version":
        code, message = "unsupported_version", str(error["msg"])
    elif kind in _RANGE_ERRORS:
        code, message = "out_of_range", _range_message(constraints, "")
    elif kind in _LENGTH_ERRORS:
        code, message = "out_of_range", _range_message(constraints, " characters long")
    elif kind in _WRONG_TYPE:
        code, message = "wrong_type", _WRONG_TYPE[kind]
    else:
        code, message = "invalid_value", "invalid value"
    mark = _position(root, loc)
    return Problem(
        code,
        message,
        _dotted(loc),
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        suggestion=suggestion,
    )


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field_type(loc: tuple[str | int, ...]) -> tuple[Any, list[Any]]:
    """The type at ``loc`` inside :class:`Case` (``| None`` and ``Annotated`` removed) and
    its constraints; ``(None, [])`` if ``loc`` is not a path of the model."""
    current: Any = Case
    constraints: list[Any] = []
    for part in loc:
        if isinstance(part, int) and get_origin(current) is list:
            current, constraints = _unwrap(get_args(current)[0])
        elif isinstance(part, str) and _is_model(current) and part in current.model_fields:
            field: FieldInfo = current.model_fields[part]
            current, inner = _unwrap(field.annotation)
            constraints = [*field.metadata, *inner]
        else:
            return None, []
    return current, constraints


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated[...]`` and ``| None`` from ``tp``; return it and its constraints."""
    constraints: list[Any] = []
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp, *extra = get_args(tp)
            for item in extra:
                constraints.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (Union, UnionType):
            options = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(options) != 1:
                return tp, constraints
            tp = options[0]
        else:
            return tp, constraints


def _range_message(constraints: list[Any], unit: str) -> str:
    """``must be between LOW and HIGH`` (or ``at most HIGH``) from a field's constraints."""
    low: object = None
    high: object = None
    for constraint in constraints:
        if isinstance(constraint, Ge):
            low = constraint.ge
        elif isinstance(constraint, MinLen):
            low = constraint.min_length
        elif isinstance(constraint, Le):
            high = constraint.le
        elif isinstance(constraint, MaxLen):
            high = constraint.max_length
    if low is None:
        return f"must be at most {high}{unit}"
    return f"must be between {low} and {high}{unit}"


def _closest(word: str, choices: list[str]) -> str | None:
    """The allowed choice closest to ``word``, if any is close enough."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _shown_key(key: object) -> str:
    """An unknown key as shown in a location: itself if it looks like a field name,
    otherwise a placeholder (a key that does not may be case data)."""
    return key if isinstance(key, str) and _SHOWN_KEY.fullmatch(key) else "<key>"


def _dotted(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _position(root: yaml.Node | None, loc: tuple[str | int, ...]) -> yaml.Mark | None:
    """Where ``loc`` is in the YAML node tree: the key of a mapping entry, an item of a
    list, or the nearest enclosing node found (e.g. the mapping lacking a required key)."""
    if root is None:
        return None
    node, mark = root, root.start_mark
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode) and k.value == part
                ),
                None,
            )
            if entry is None:
                break
            mark, node = entry[0].start_mark, entry[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark
