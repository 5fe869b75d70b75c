"""Findings and reports: what every check returns.

A :class:`Finding` is one located message with a rule code. A :class:`Report` is a sorted,
filterable collection of findings. Reports are returned, never raised: call
:meth:`Report.raise_for_errors` to turn errors into an exception when you want one.

Order: errors first, then warnings, then info; within each, by file, line, column and code,
and numbers in messages compare as numbers ("week 2" before "week 10").
:func:`group_findings` folds repeated findings of one rule (P103 per member, R301 per shift)
into one :class:`FindingGroup` for text and HTML output; JSON keeps one object per finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["Finding", "FindingGroup", "Report", "Severity", "group_findings", "matches_code"]


class Severity(StrEnum):
    """How bad a finding is. Errors fail ``check``; warnings fail it only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for errors, 1 for warnings, 2 for info (sort order)."""
        return ("error", "warning", "info").index(self.value)


@dataclass(frozen=True, order=False)
class Finding:
    """One located message with a rule code.

    Attributes:
        code: Rule code from the catalogue (``oncall_planner.rules``), e.g. ``"S102"``.
        severity: error, warning or info.
        message: What is wrong, with the value given.
        file: The file the finding is about, or ``None``.
        line: 1-based line of the offending value, or ``None``.
        column: 1-based column of the offending value, or ``None``.
        path: The YAML field path, e.g. ``schedule.participants.members[2].timezone``.
        hint: What would be valid, or how to fix it.
    """

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""
    hint: str = ""

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known)."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """One line: ``file:line:col: CODE severity: path: message (hint)``."""
        where = f"{self.path}: " if self.path else ""
        text = f"{self.location()}: {self.code} {self.severity.value}: {where}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        """The finding as JSON-ready data (the ``--format json`` shape)."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    def sort_key(self) -> tuple[int, str, int, int, str, tuple[tuple[int, int, str], ...]]:
        """Errors first, then by file, line, column, code and message (numbers numerically).

        Messages sorted as text put "week 10" before "week 2"; each run of digits compares as
        a number here.
        """
        return (
            self.severity.rank,
            self.file or "",
            self.line or 0,
            self.column or 0,
            self.code,
            natural_key(self.message),
        )


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """``"week 10"`` → ``((-1, 0, "week "), (0, 2, "10"))``: digit runs compare as numbers.

    A run compares by its length without leading zeros, then digit by digit: the numeric order,
    without ``int()``, which refuses runs over 4,300 digits (a hostile file's
    ``weight: 1000…0`` echoed in a message).
    """
    key = []
    for part in _DIGITS.split(text):
        if not part:
            continue
        if part.isdigit():
            digits = part.lstrip("0") or "0"
            key.append((0, len(digits), digits))
        else:
            key.append((-1, 0, part))
    return tuple(key)


def matches_code(code: str, patterns: Iterable[str]) -> bool:
    """True if ``code`` equals or starts with one of ``patterns`` (``E2`` matches ``E203``).

    ``ALL`` matches every code, as in ruff.
    """
    return any(p == "ALL" or code.startswith(p) for p in patterns)


@dataclass(frozen=True)
class Report:
    """The findings of one check, sorted by file and line."""

    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(sorted(self.findings, key=Finding.sort_key)))

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __add__(self, other: Report) -> Report:
        return Report(self.findings + other.findings)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity error."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings of severity warning."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """True when there are no errors."""
        return not self.errors

    def codes(self) -> set[str]:
        """The distinct rule codes reported."""
        return {f.code for f in self.findings}

    def filter(
        self, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None
    ) -> Report:
        """Keep findings whose code matches ``select`` (all if None) and not ``ignore``."""
        kept = [
            f
            for f in self.findings
            if (not select or matches_code(f.code, select))
            and not (ignore and matches_code(f.code, ignore))
        ]
        return Report(tuple(kept))

    def at_least(self, severity: Severity | str) -> Report:
        """Keep findings of ``severity`` or worse (``"warning"`` keeps errors and warnings).

        Raises:
            ValueError: ``severity`` is not error, warning or info.
        """
        try:
            floor = Severity(severity)
        except ValueError:
            raise ValueError(
                f"severity must be one of 'error', 'warning', 'info', got {severity!r}"
            ) from None
        return Report(tuple(f for f in self.findings if f.severity.rank <= floor.rank))

    def raise_for_errors(self, *, strict: bool = False) -> None:
        """Raise :class:`~oncall_planner.errors.CheckFailedError` if there are errors.

        Args:
            strict: Count warnings as errors too.
        """
        from oncall_planner.errors import CheckFailedError

        bad = self.errors + (self.warnings if strict else ())
        if bad:
            raise CheckFailedError(tuple(sorted(bad, key=Finding.sort_key)))

    def summary(self) -> str:
        """``3 errors, 1 warning, 2 info`` (or ``no findings``)."""
        if not self.findings:
            return "no findings"
        counts = [
            (len(self.errors), "error"),
            (len(self.warnings), "warning"),
            (len(self.findings) - len(self.errors) - len(self.warnings), "info"),
        ]
        return ", ".join(
            f"{n} {word}{'s' if n != 1 and word != 'info' else ''}" for n, word in counts
        )

    def to_json(self) -> str:
        """A JSON list of findings (the ``--format json`` output)."""
        return json.dumps([f.to_dict() for f in self.findings], indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class FindingGroup:
    """Findings of one rule with the same severity, file, and message template.

    The template is what their messages share: ``prefix`` and ``suffix`` words, with the
    varying middle listed in ``items`` (one per finding, in report order).

    Attributes:
        findings: The findings, in report order (one or more).
    """

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        """The first finding (its location stands for the group)."""
        return self.findings[0]

    @property
    def code(self) -> str:
        """The rule code all findings share."""
        return self.first.code

    @property
    def severity(self) -> Severity:
        """The severity all findings share."""
        return self.first.severity

    def _parts(self) -> tuple[str, list[str], str]:
        words = [f.message.split(" ") for f in self.findings]
        if len(words) == 1:
            return "", [self.first.message], ""
        shortest = min(len(w) for w in words)
        head = 0
        while head < shortest - 1 and all(w[head] == words[0][head] for w in words):
            head += 1
        tail = 0
        while tail < shortest - head - 1 and all(
            w[-1 - tail] == words[0][-1 - tail] for w in words
        ):
            tail += 1
        # Never split a bracket: "(902 h)" stays whole in each item.
        while (head or tail) and not all(_balanced(w[head : len(w) - tail]) for w in words):
            if tail:
                tail -= 1
            else:
                head -= 1
        prefix = " ".join(words[0][:head])
        suffix = " ".join(words[0][len(words[0]) - tail :]) if tail else ""
        items = [" ".join(w[head : len(w) - tail]) for w in words]
        # "'api'," and "'platform',": the comma belongs to the template, not to the items.
        mark = items[0][-1:] if items[0] else ""
        if mark in (",", ";", ":", ".") and all(i.endswith(mark) and len(i) > 1 for i in items):
            items = [i[:-1] for i in items]
            suffix = mark + (" " + suffix if suffix else "")
        return prefix, items, suffix

    @property
    def template(self) -> str:
        """The shared message with ``{}`` where the findings differ."""
        prefix, _, suffix = self._parts()
        return _join(prefix, "{}", suffix)

    @property
    def items(self) -> list[str]:
        """What differs between the messages, one entry per finding."""
        return self._parts()[1]

    def message(self) -> str:
        """The group's message: the template with the items listed (``a; b; c``)."""
        if len(self.findings) == 1:
            return self.first.message
        prefix, items, suffix = self._parts()
        return _join(prefix, "[" + "; ".join(items) + "]", suffix)

    def format(self) -> str:
        """One line, as :meth:`Finding.format`, with ``(N×)`` after the severity."""
        if len(self.findings) == 1:
            return self.first.format()
        f = self.first
        paths = sorted({g.path for g in self.findings if g.path})
        where = f"{paths[0]}: " if len(paths) == 1 else ""
        text = (
            f"{f.location()}: {f.code} {f.severity.value} ({len(self.findings)}×): "
            f"{where}{self.message()}"
        )
        if f.hint:
            text += f" (hint: {f.hint})"
        return text


def _balanced(words: Sequence[str]) -> bool:
    text = " ".join(words)
    return text.count("(") == text.count(")") and text.count("[") == text.count("]")


def _join(prefix: str, middle: str, suffix: str) -> str:
    text = f"{prefix} {middle}" if prefix else middle
    if suffix:
        text += suffix if suffix[0] in ",;:." else f" {suffix}"
    return text


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Fold findings of one rule code, severity, file and hint into groups, in report order.

    Repeated findings of one rule (P103 for each member, R301 for each noisy shift) share a
    code, a severity, a file and a hint; only the message's particulars differ. Each group
    sits where its first finding sorts; a finding with no repeat is a group of one.
    """
    from oncall_planner._args import describe, wrong_type

    accepted = "a Report or an iterable of Finding"
    if isinstance(findings, str | bytes) or not isinstance(findings, Iterable):
        raise wrong_type("group_findings", "findings", findings, accepted)
    items = list(findings)
    bad = next((f for f in items if not isinstance(f, Finding)), None)
    if bad is not None:
        raise wrong_type("group_findings", "findings", findings, accepted, f"; {describe(bad)}")
    ordered = sorted(items, key=Finding.sort_key)
    groups: dict[tuple[str, Severity, str | None, str], list[Finding]] = {}
    for f in ordered:
        groups.setdefault((f.code, f.severity, f.file, f.hint), []).append(f)
    found: list[FindingGroup] = []
    for members in groups.values():
        group = FindingGroup(tuple(members))
        # Findings that share no words are not repeats (fourteen different L004 errors of one
        # file): folded, each would lose its line and column; they stay one per line.
        if len(members) > 1 and group.template == "{}":
            found += [FindingGroup((f,)) for f in members]
        else:
            found.append(group)
    return sorted(found, key=lambda g: g.first.sort_key())
