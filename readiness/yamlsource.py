"""Read YAML config files safely and keep the line of every value, so errors can name it."""
from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
# The parser itself recurses once per level: past this it stops, before Python's stack or the
# scanner's per-level bookkeeping can blow up. Levels up to it get the builder's located message.
MAX_PARSE_DEPTH = 2 * MAX_DEPTH
# Parsing costs tens of microseconds a value: a file of a million tiny values would take a minute.
# The shipped checklist has about 1,600.
MAX_VALUES = 25_000
# What YAML refuses as raw characters (controls, unpaired surrogates) is refused when escaped too.
_NOT_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, located precisely enough to fix it."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found in a file, not only the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class LineIndex:
    """Where each value of a YAML document sits: a path of keys and indexes to a 1-based line."""

    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Loc) -> int:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def field_name(loc: Loc) -> str:
    """`('areas', 0, 'controls', 2, 'weight')` -> `areas[0].controls[2].weight`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.index = LineIndex()
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def problem(self, node: yaml.Node, loc: Loc, message: str) -> None:
        self.problems.append(Problem(self.file, node.start_mark.line + 1, field_name(loc), message))

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.index.lines.setdefault(loc, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            self.problem(node, loc, f"unsupported value: tag {node.tag} is not allowed")
            return None
        if depth > MAX_DEPTH:
            self.problem(node, loc, f"nested deeper than {MAX_DEPTH} levels")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node, loc)
                if isinstance(key, (dict, list)) or key is None:
                    self.problem(key_node, loc, "keys must be plain text")
                    continue
                if key in out:
                    self.problem(key_node, (*loc, key), "duplicate key")
                    continue
                self.index.lines[(*loc, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, (*loc, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, loc)

    def scalar(self, node: yaml.Node, loc: Loc) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, loc, "expected a plain value here")
            return None
        try:
            value = self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, loc, f"unsupported value: {exc.problem}")
            return None
        except ValueError as exc:  # an impossible date, an integer too long to convert
            self.problem(node, loc, f"unsupported value: {exc}")
            return None
        bad = _NOT_PRINTABLE.search(value) if isinstance(value, str) else None
        if bad:
            self.problem(node, loc, f"unsupported value: character #x{ord(bad.group()):04x} is not allowed in text")
            return None
        return value


class _NoAliasComposer(yaml.SafeLoader):
    """Refuses anchors and aliases (config files never need them; they enable YAML bombs), and stops at a
    nesting or a number of values no config file needs, before parsing costs more than a moment."""

    _depth = 0
    _values = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases are not allowed in this file", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases are not allowed in this file", event.start_mark
            )
        if self._depth >= MAX_PARSE_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self._values += 1
        if self._values > MAX_VALUES:
            raise yaml.MarkedYAMLError(None, None, f"more than {MAX_VALUES:,} values in one file", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text: str, file: str) -> tuple[Any, LineIndex]:
    """Parse one YAML document with safe_load semantics; raise ConfigError with file and line."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise ConfigError([Problem(file, 1, "", f"file is larger than {MAX_BYTES // 1024} KiB")])
    try:
        loader = _NoAliasComposer(text)
    except yaml.reader.ReaderError as exc:  # a control character or an unpaired surrogate, found up front
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError([Problem(file, line, "", f"not valid YAML: character #x{exc.character:04x} is not "
                                                   "allowed")]) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([Problem(file, line, "", f"not valid YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(file, 1, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise ConfigError([Problem(file, 1, "", "the file is empty")])
    builder = _Builder(file)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise ConfigError(builder.problems)
    return data, builder.index


def read_text(path: Path | str) -> str:
    path = Path(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe would be read without end
            raise ConfigError([Problem(str(path), 0, "", "is not a regular file")])
        if info.st_size > MAX_BYTES:
            raise ConfigError([Problem(str(path), 1, "", f"file is larger than {MAX_BYTES // 1024} KiB")])
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), 0, "", "file not found")]) from None
    except UnicodeDecodeError:
        raise ConfigError([Problem(str(path), 1, "", "file is not UTF-8 text")]) from None
    except IsADirectoryError:
        raise ConfigError([Problem(str(path), 0, "", "is a directory, not a file")]) from None


def problems_from_validation(exc: ValidationError, index: LineIndex, file: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif message.startswith("Value error, "):
            message = message[len("Value error, "):]
        elif message.startswith("Assertion failed, "):
            message = message[len("Assertion failed, "):]
        problems.append(Problem(file, index.line_of(loc), field_name(loc), message))
    return sorted(problems, key=lambda p: (p.line, p.field))


def validate_yaml(model: type[M], text: str, file: str) -> tuple[M, LineIndex]:
    """Parse `text` and validate it as `model`, raising ConfigError naming file, line and field."""
    data, index = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise ConfigError([Problem(file, 1, "", "expected a mapping of keys at the top of the file")])
    try:
        return model.model_validate(data), index
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(exc, index, file)) from None
