"""Findings and reports: what every check returns.

A :class:`Finding` is one located message with a rule code. A :class:`Report` is a sorted,
filterable collection of findings. Reports are returned, never raised: call
:meth:`Report.raise_for_errors` to turn errors into an exception when you want one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["Finding", "Report", "Severity", "matches_code"]


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

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Group by file, then line, column and code."""
        return (self.file or "", self.line or 0, self.column or 0, self.code, self.message)


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
