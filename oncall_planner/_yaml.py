"""Safe, located YAML reading.

PyYAML's ``safe_load`` loses positions, silently keeps the last of duplicate keys, turns an
unquoted ``10:00`` into the base-60 integer 600, and expands a "billion laughs" alias bomb until
memory runs out. This module composes the node tree itself and builds plain Python data with:

- a position (1-based line and column) for every value and key, by field path;
- duplicate keys reported, all of them;
- base-60 integers kept as the text that was written (``10:00`` stays ``"10:00"``);
- Python object tags and unknown tags rejected;
- caps on document size and on the number of nodes built (aliases included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from oncall_planner.report import Finding
from oncall_planner.rules import rule

__all__ = ["MAX_BYTES", "MAX_NODES", "Located", "SourceMap", "format_path", "read_yaml"]

#: Largest document read, in bytes. Real schedules are a few kB; an org a few hundred.
MAX_BYTES = 2 * 1024 * 1024
#: Most values built from one document, aliases counted each time they are used.
MAX_NODES = 100_000

_STD = "tag:yaml.org,2002:"
_SAFE_TAGS = {
    f"{_STD}{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge", "binary")
}

Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """``("schedule", "members", 2, "id")`` → ``schedule.members[2].id``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document was written.

    Attributes:
        file: The file name, or None for text.
        values: Field path → (line, column) of the value, both 1-based.
        keys: Field path → (line, column) of the key naming it.
    """

    file: str | None = None
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of ``path`` or of its nearest ancestor that was written."""
        table = self.keys if key else self.values
        probe = tuple(path)
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.values:
                return self.values[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def finding(
        self, code: str, path: Path, message: str, *, key: bool = False, hint: str = ""
    ) -> Finding:
        """A finding located at ``path``."""
        line, col = self.locate(path, key=key)
        return rule(code).finding(
            message, file=self.file, line=line, column=col, path=format_path(path), hint=hint
        )


@dataclass(frozen=True)
class Located:
    """Parsed data with its source map and the problems found while building it."""

    data: Any
    source: SourceMap
    problems: tuple[Finding, ...]


class _Limit(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


class _Builder:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Finding] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()

    def _pos(self, node: Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Limit(
                f"the document expands to more than {MAX_NODES:,} values (alias bomb?)", node
            )
        self.source.values.setdefault(path, self._pos(node))
        if node.tag not in _SAFE_TAGS:
            kind = "a Python object tag" if "python/" in node.tag else "an unknown tag"
            shown = node.tag.replace(_STD, "!!")
            self.problems.append(
                self.source.finding(
                    "L005",
                    path,
                    f"{kind} {shown!r} is not allowed: schedules are plain data",
                    hint="remove the tag",
                )
            )
            return None
        if id(node) in self.active:
            raise _Limit("a recursive alias refers to itself", node)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))
        return None  # pragma: no cover - the tags above are the only node kinds

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag == f"{_STD}int" and ":" in node.value:
            # YAML 1.1 base 60: "handoff_time: 10:00" would become 600. Keep what was written.
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            # A date such as 2027-02-30 looks like a timestamp but is not one: keep the text
            # so that the schema reports it, located, with the value given.
            return node.value

    def _mapping(self, node: MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_STD}merge":
                merged = self.build(value_node, path)
                for part in merged if isinstance(merged, list) else [merged]:
                    if isinstance(part, dict):
                        for k, v in part.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    self.source.finding("L004", path, "a mapping key must be a plain value")
                )
                continue
            key = self._scalar(key_node)
            if isinstance(key, list | dict):  # pragma: no cover - scalars only above
                continue
            if not isinstance(key, str | int | bool) and key is not None:
                key = str(key)
            child = (*path, key) if isinstance(key, str | int) else (*path, str(key))
            pos = self._pos(key_node)
            if key in first_seen:
                line, col = first_seen[key]
                self.problems.append(
                    rule("L002").finding(
                        f"duplicate key {key!r}: first given at line {line}, column {col}",
                        file=self.source.file,
                        line=pos[0],
                        column=pos[1],
                        path=format_path(child),
                        hint="keep one of the two; YAML parsers silently keep only the last",
                    )
                )
                continue
            first_seen[key] = pos
            self.source.keys[child] = pos
            result[key] = self.build(value_node, child)
        return result


def _compose(text: str) -> list[Node]:
    """The document nodes, composed by libyaml when present (20× faster than pure Python).

    On a syntax error the pure-Python composer runs again, for its clearer messages
    ("found character '\\t' that cannot start any token" instead of libyaml's "found character
    that cannot start any token"); both report the same positions.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return list(yaml.compose_all(text, Loader=fast))
        except yaml.YAMLError:
            pass
    return list(yaml.compose_all(text, Loader=yaml.SafeLoader))


def read_yaml(text: str, *, file: str | None = None) -> Located:
    """Parse one YAML document safely, with positions.

    Returns:
        The data (``None`` on a fatal problem), its source map, and every problem found.
        Fatal problems (syntax errors, caps exceeded) stop the build; duplicate keys and
        unsafe tags are collected and building goes on.
    """
    source = SourceMap(file=file)

    def fatal(
        code: str, message: str, line: int | None, col: int | None, hint: str = ""
    ) -> Located:
        return Located(
            None,
            source,
            (rule(code).finding(message, file=file, line=line, column=col, hint=hint),),
        )

    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        return fatal("L006", f"the document is {size:,} bytes; the limit is {MAX_BYTES:,}", 1, 1)
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        return fatal(
            "L007", "the file holds NUL bytes: it is binary, not YAML text", nul_line, None
        )
    try:
        nodes = _compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = e.problem or str(e)
        hint = ""
        if "\t" in problem or "tab" in problem.lower():
            hint = "YAML indentation must use spaces, not tabs"
        message = f"YAML syntax error: {problem}"
        if e.context:
            message += f" ({e.context})"
        return fatal("L001", message, line, col, hint)
    except yaml.YAMLError as e:
        return fatal("L001", f"YAML error: {e}", None, None)
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return fatal("L007", "the file is empty: no YAML document in it", 1, 1)
    if len(nodes) > 1:
        second = nodes[1].start_mark
        return fatal(
            "L001",
            "the file holds several YAML documents ('---'); one is expected",
            second.line + 1,
            second.column + 1,
        )
    builder = _Builder(source)
    try:
        data = builder.build(nodes[0], ())
    except _Limit as e:
        mark = e.node.start_mark
        return fatal("L006", str(e), mark.line + 1, mark.column + 1)
    except (yaml.YAMLError, ValueError, TypeError) as e:
        # SafeConstructor rejects values such as a bad timestamp or bad base64.
        return fatal("L004", f"cannot read value: {e}", None, None)
    return Located(data, source, tuple(builder.problems))
