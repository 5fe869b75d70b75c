"""Safe, located YAML reading.

PyYAML's ``safe_load`` loses positions, silently keeps the last of duplicate keys, turns an
unquoted ``10:00`` into the base-60 integer 600, and expands a "billion laughs" alias bomb until
memory runs out. This module composes the node tree itself and builds plain Python data with:

- a position (1-based line and column) for every value and key, by field path;
- duplicate keys reported, all of them;
- base-60 integers kept as the text that was written (``10:00`` stays ``"10:00"``);
- Python object tags and unknown tags rejected;
- caps on document size, nesting depth, value length and the number of values built (aliases
  included), each checked while the parser's events arrive, before the work it would blow up;
- control characters reported with their line and column.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from oncall_planner.report import Finding
from oncall_planner.rules import rule

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SCALAR_CHARS",
    "Located",
    "SourceMap",
    "format_path",
    "read_yaml",
]

#: Largest document read, in bytes. Real schedules are a few kB; an org a few hundred.
MAX_BYTES = 2 * 1024 * 1024
#: Most values built from one document, aliases counted each time they are used.
MAX_NODES = 100_000
#: Deepest nesting of lists and mappings. A schedule nests 6 deep
#: (schedule.participants.members[0].time_off[0].start); 500 levels overflowed Python's stack.
MAX_DEPTH = 32
#: Longest single value, in characters. A description is a paragraph; nothing real needs 10 kB.
MAX_SCALAR_CHARS = 10_000
#: Syntax errors in documents up to this size are re-read by the pure-Python parser for its
#: clearer message (about 0.1 s for 64 kB); larger ones keep libyaml's message.
_PURE_PYTHON_RETRY_CHARS = 64 * 1024
#: What YAML 1.1 accepts (yaml.reader.Reader.NON_PRINTABLE); the rest are control characters.
_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

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
    #: Field paths whose value was dropped (a rejected tag); schema errors there only repeat it.
    dropped: frozenset[str] = frozenset()


class _Limit(Exception):
    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


class _Builder:
    def __init__(self, source: SourceMap, explicit: set[int] | None = None) -> None:
        self.source = source
        self.explicit = explicit or set()
        self.problems: list[Finding] = []
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()
        self.dropped: set[str] = set()

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
            self.dropped.add(format_path(path))
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
            return self._scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))
        return None  # pragma: no cover - the tags above are the only node kinds

    def _scalar(self, node: ScalarNode, path: Path | None = None) -> Any:
        if node.tag == f"{_STD}int" and ":" in node.value:
            # YAML 1.1 base 60: "handoff_time: 10:00" would become 600. Keep what was written.
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception:
            # PyYAML's constructors fail in their own ways on values their tag does not fit:
            # "!!bool maybe" raised KeyError, "!!timestamp x" AttributeError, an empty
            # "!!int" IndexError. Whatever the way, it is the value's fault.
            if id(node) in self.explicit and path is not None:
                shown = node.tag.replace(_STD, "!!")
                self.dropped.add(format_path(path))
                self.problems.append(
                    self.source.finding(
                        "L004",
                        path,
                        f"{node.value[:80]!r} is not a valid {shown} value",
                        hint=f"remove the {shown} tag or write a value of that type",
                    )
                )
                return None
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
            key = self._scalar(key_node, path)
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


def _too_many(node: Node) -> _Limit:
    return _Limit(
        f"the document expands to more than {MAX_NODES:,} values, counting an alias each "
        "time it is used",
        node,
    )


def _compose_with(text: str, loader: Any) -> tuple[list[Node], set[int]]:
    """The document nodes, built from parser events with a stack instead of recursion.

    PyYAML's composer recurses once per nesting level (``[[[[…`` 500 deep raised
    ``RecursionError``) and an alias bomb was only noticed while building its 10**9 values.
    Here nesting depth, value length and the expanded size of every collection (an alias
    counts its whole target each time it is used) are checked as each event arrives, before
    any further work. Returns the root nodes and the ids of nodes whose tag was written
    (``!!bool maybe``) rather than resolved from the text.
    """
    resolve: Any = yaml.resolver.Resolver().resolve
    anchors: dict[str, Node] = {}
    sizes: dict[int, int] = {}  # expanded size of each finished node, by id
    # Open collections: [node, children, expanded size so far].
    stack: list[list[Any]] = []
    explicit: set[int] = set()
    roots: list[Node] = []
    events: Iterator[Any] = yaml.parse(text, Loader=loader)
    for event in events:
        kind = type(event)
        node: Node
        if kind is yaml.ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            if event.tag is not None and event.tag != "!":
                explicit.add(id(node))
            if event.anchor is not None:
                _anchor(anchors, event.anchor, node, event.start_mark)
            if len(event.value) > MAX_SCALAR_CHARS:
                raise _Limit(
                    f"a value of {len(event.value):,} characters; the limit is "
                    f"{MAX_SCALAR_CHARS:,}",
                    node,
                )
            size = 1
        elif kind is yaml.AliasEvent:
            found = anchors.get(event.anchor)
            if found is None:
                raise yaml.composer.ComposerError(
                    None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                )
            if id(found) not in sizes:
                raise _Limit("a recursive alias refers to itself", found)
            node, size = found, sizes[id(found)]
            if stack:
                stack[-1][1].append(node)
                stack[-1][2] += size
                if stack[-1][2] > MAX_NODES:
                    raise _too_many(stack[-1][0])
            else:
                roots.append(node)
            continue
        elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
            is_seq = kind is yaml.SequenceStartEvent
            node_kind = SequenceNode if is_seq else MappingNode
            tag = event.tag
            if tag is None or tag == "!":
                tag = resolve(node_kind, None, event.implicit)
            node = node_kind(tag, [], event.start_mark, None, event.flow_style)
            if event.anchor is not None:
                _anchor(anchors, event.anchor, node, event.start_mark)
            stack.append([node, [], 1])
            if len(stack) > MAX_DEPTH:
                raise _Limit(f"values nested more than {MAX_DEPTH} levels deep", node)
            continue
        elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
            node, children, size = stack.pop()
            node.end_mark = event.end_mark
            if isinstance(node, MappingNode):
                node.value = list(zip(children[::2], children[1::2], strict=True))
            else:
                node.value = children
        else:
            if kind is yaml.DocumentStartEvent:
                anchors = {}
            continue
        sizes[id(node)] = size
        if stack:
            top = stack[-1]
            top[1].append(node)
            top[2] += size
            if top[2] > MAX_NODES:
                raise _too_many(top[0])
        else:
            roots.append(node)
            if len(roots) > 1:
                break  # one document is expected; the second one is the error
    return roots, explicit


def _anchor(anchors: dict[str, Node], anchor: str, node: Node, mark: Any) -> None:
    if anchor in anchors:
        raise yaml.composer.ComposerError(
            f"found duplicate anchor {anchor!r}; first occurrence",
            anchors[anchor].start_mark,
            "second occurrence",
            mark,
        )
    anchors[anchor] = node


def _compose(text: str) -> tuple[list[Node], set[int]]:
    """The document nodes, from libyaml's events when present (20× faster than pure Python).

    On a syntax error in a small document the pure-Python parser runs again, for its clearer
    messages ("found character '\\t' that cannot start any token" instead of libyaml's "found
    character that cannot start any token"); both report the same positions. A large document
    keeps libyaml's message: re-reading 2 MB in pure Python took 28 s.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _compose_with(text, fast)
        except yaml.YAMLError:
            if len(text) > _PURE_PYTHON_RETRY_CHARS:
                raise
    return _compose_with(text, yaml.SafeLoader)


def _first_unprintable(text: str) -> re.Match[str] | None:
    return _UNPRINTABLE.search(text)


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
    bad = _first_unprintable(text)
    if bad is not None:
        at = bad.start()
        return fatal(
            "L001",
            f"control character U+{ord(bad.group()):04X} is not allowed in YAML",
            text.count("\n", 0, at) + 1,
            at - (text.rfind("\n", 0, at) + 1) + 1,
            'remove it, or write it as an escape such as "\\x01" inside double quotes',
        )
    # Automatic garbage collection scans the growing heap again and again while 100,000 nodes
    # are built (it doubled the time to compose 2 MB); nothing here makes reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        nodes, explicit = _compose(text)
    except _Limit as e:
        mark = e.node.start_mark
        return fatal("L006", str(e), mark.line + 1, mark.column + 1)
    except yaml.MarkedYAMLError as e:
        marked = e.problem_mark or e.context_mark
        line = marked.line + 1 if marked else None
        col = marked.column + 1 if marked else None
        problem = e.problem or str(e)
        hint = ""
        if "\t" in problem or "tab" in problem.lower():
            hint = "YAML indentation must use spaces, not tabs"
        message = f"YAML syntax error: {problem}"
        if e.context:
            message += f" ({e.context})"
        return fatal("L001", message, line, col, hint)
    except yaml.reader.ReaderError as e:
        at = min(max(e.position, 0), len(text))
        where = (text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)
        return fatal("L001", f"YAML error: {e.reason}", *where)
    except yaml.YAMLError as e:
        return fatal("L001", f"YAML error: {e}", 1, 1)
    finally:
        if collecting:
            gc.enable()
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
    builder = _Builder(source, explicit)
    try:
        data = builder.build(nodes[0], ())
    except _Limit as e:
        mark = e.node.start_mark
        return fatal("L006", str(e), mark.line + 1, mark.column + 1)
    except (yaml.YAMLError, ValueError, TypeError) as e:  # pragma: no cover - _scalar catches
        return fatal("L004", f"cannot read value: {e}", 1, 1)
    return Located(data, source, tuple(builder.problems), frozenset(builder.dropped))
