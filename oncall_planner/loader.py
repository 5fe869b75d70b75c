"""Loading schedule, severity and org files, with every problem located.

``load_schedule`` and ``load_org`` read YAML safely (``_yaml``), validate it against the models in
``spec``, and on failure raise :class:`~oncall_planner.errors.ScheduleError` holding *every*
problem of the file, each as ``file:line:col: field.path: message``.
"""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from oncall_planner import _args
from oncall_planner._yaml import MAX_BYTES, Located, SourceMap, read_yaml
from oncall_planner.errors import ScheduleError
from oncall_planner.report import Finding
from oncall_planner.rules import rule
from oncall_planner.spec import Member, Schedule, ScheduleFile, SeverityFile, SeverityFramework

__all__ = [
    "Org",
    "dump_schedule",
    "is_severity_file",
    "load_org",
    "load_schedule",
    "load_severity",
    "schedule_files",
    "source_of",
]

M = TypeVar("M", bound=BaseModel)

# Where each loaded schedule came from, for located findings. Keyed by id(): schedules are
# frozen pydantic models and the map must not become part of their equality or their schema.
_SOURCES: dict[int, tuple[Schedule, SourceMap]] = {}


def source_of(schedule: Schedule) -> SourceMap:
    """The source map of a loaded schedule (an empty one for schedules built in Python)."""
    entry = _SOURCES.get(id(schedule))
    if entry is not None and entry[0] is schedule:
        return entry[1]
    return SourceMap()


# ---------------------------------------------------------------------------------------------
# Turning pydantic errors into located findings


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside ``X | None``, ``tuple[X, ...]``, ``dict[str, X]`` or ``Annotated``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    for arg in typing.get_args(annotation):
        if arg is Ellipsis:
            continue
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _model_at(root: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (or None if not a model)."""
    model: type[BaseModel] | None = root
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            # A dict value (e.g. contacts.<key>) keeps the dict's value model.
            continue
        model = _unwrap_model(info.annotation)
    return model


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """The part of a pydantic ``loc`` that names real keys and indices of ``data``.

    Pydantic inserts union members and validator names into ``loc`` (``'str'``,
    ``'function-before[...]'``); they are not places in the file.
    """
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _is_pydantic_label(part):
            path.append(part)  # a missing or unknown key
            node = None
    return tuple(path)


def _is_pydantic_label(part: str) -> bool:
    return "[" in part or part in ("str", "int", "float", "bool", "date", "list", "tuple", "dict")


def _message(err: Any, key: str | int | None, model: type[BaseModel] | None) -> tuple[str, str]:
    """(message, hint) for one pydantic error."""
    kind = err["type"]
    msg = str(err["msg"])
    if msg.startswith(("Value error, ", "Assertion failed, ")):
        msg = msg.split(", ", 1)[1]
    given = err.get("input")
    if kind == "extra_forbidden":
        valid = sorted(model.model_fields) if model else []
        close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else ""
        if valid:
            hint = (hint + " " if hint else "") + "valid keys: " + ", ".join(valid)
        return f"unknown key {key!r}", hint
    if kind == "missing":
        return f"missing required key {key!r}", ""
    if kind in ("literal_error", "enum"):
        return f"{msg[0].lower()}{msg[1:]}; got {given!r}", ""
    scalar_kinds = ("greater_than", "less_than_equal", "greater_than_equal", "too_short")
    if (kind.endswith(("_type", "_parsing")) or kind in scalar_kinds) and not isinstance(
        given, dict | list
    ):
        return f"{msg[0].lower()}{msg[1:]}; got {given!r}", ""
    return msg, ""


def _findings_from_validation(
    error: ValidationError, data: Any, source: SourceMap, root: type[BaseModel]
) -> list[Finding]:
    grouped: dict[tuple[object, ...], list[tuple[str, str, bool]]] = {}
    paths: dict[tuple[object, ...], tuple[str | int, ...]] = {}
    for err in error.errors():
        path = _data_path(data, tuple(err["loc"]))
        key = path[-1] if path else None
        parent_model = _model_at(root, path[:-1])
        message, hint = _message(err, key, parent_model)
        at_key = err["type"] == "extra_forbidden"
        group: tuple[object, ...] = path
        if err["type"] == "missing":
            # Reported at the mapping that lacks the key, one finding per missing key.
            path, group = path[:-1], (*path, "<missing>")
        paths[group] = path
        grouped.setdefault(group, []).append((message, hint, at_key))
    findings = []
    for group, entries in grouped.items():
        path = paths[group]
        # A union (target: str | list) fails once per member; say it once.
        messages = list(dict.fromkeys(m for m, _, _ in entries))
        hints = [h for _, h, _ in entries if h]
        message = " or ".join(messages) if len(messages) <= 2 else "; ".join(messages)
        code = "L003" if all(k for _, _, k in entries) else "L004"
        findings.append(
            source.finding(code, path, message, key=entries[0][2], hint=hints[0] if hints else "")
        )
    return findings


def _duplicate_member_ids(data: Any, source: SourceMap) -> list[Finding]:
    """Duplicate ids, located at the second occurrence (pydantic can only point at the list)."""
    try:
        members = data["schedule"]["participants"]["members"]
    except (KeyError, TypeError):
        return []
    if not isinstance(members, list):
        return []
    seen: dict[str, int] = {}
    found = []
    for i, m in enumerate(members):
        mid = m.get("id") if isinstance(m, dict) else None
        if not isinstance(mid, str):
            continue
        if mid in seen:
            path = ("schedule", "participants", "members", i, "id")
            first_line, _ = source.locate(("schedule", "participants", "members", seen[mid], "id"))
            found.append(
                source.finding(
                    "L004",
                    path,
                    f"duplicate member id {mid!r}: also members[{seen[mid]}]"
                    + (f" at line {first_line}" if first_line else ""),
                    hint="member ids must be unique within a schedule",
                )
            )
        else:
            seen[mid] = i
    return found


# ---------------------------------------------------------------------------------------------
# Reading files


def _read_text(path: Path) -> tuple[str | None, Finding | None]:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        return None, rule("L007").finding(f"cannot read file: {e.strerror or e}", file=name)
    if size > MAX_BYTES:
        return None, rule("L006").finding(
            f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}",
            file=name,
            line=1,
            column=1,
            hint="a schedule is a few kilobytes; is this the right file?",
        )
    try:
        raw = path.read_bytes()
    except OSError as e:
        return None, rule("L007").finding(f"cannot read file: {e.strerror or e}", file=name)
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, rule("L007").finding(
            f"not UTF-8 text: byte 0x{raw[e.start]:02x} cannot be decoded",
            file=name,
            line=line,
            column=col,
            hint="save the file as UTF-8; binary files are not schedules",
        )


def _is_path(value: str | os.PathLike[str]) -> bool:
    if isinstance(value, os.PathLike):
        return True
    return "\n" not in value and ":" not in value.strip()[:40] and len(value) < 4096


def _load_model(
    source: str | os.PathLike[str], model: type[M], *, file: str | None = None
) -> tuple[M, SourceMap]:
    if _is_path(source):
        path = Path(source)
        text, problem = _read_text(path)
        if problem is not None or text is None:
            raise ScheduleError([problem] if problem else [])
        file = str(path)
    else:
        text = str(source)
    located: Located = read_yaml(text, file=file)
    problems = list(located.problems)
    if located.data is None and problems:
        raise ScheduleError(problems)
    data = located.data
    if not isinstance(data, dict):
        top = next(iter(model.model_fields))
        raise ScheduleError(
            [
                *problems,
                located.source.finding(
                    "L004",
                    (),
                    f"expected a mapping with a '{top}:' key at the top, got {type(data).__name__}",
                ),
            ]
        )
    if model is ScheduleFile:
        problems += _duplicate_member_ids(data, located.source)
    try:
        result = model.model_validate(data)
    except ValidationError as e:
        found = _findings_from_validation(e, data, located.source, model)
        # A value behind a rejected tag was dropped; its schema error would only repeat it.
        tagged = {p.path for p in problems if p.code == "L005"} | located.dropped
        found = [f for f in found if f.path not in tagged]
        if model is ScheduleFile and any(
            p.code == "L004" and "duplicate member id" in p.message for p in problems
        ):
            found = [f for f in found if "duplicate member id" not in f.message]
        problems += found
        raise ScheduleError(sorted(problems, key=Finding.sort_key)) from e
    if problems:
        raise ScheduleError(sorted(problems, key=Finding.sort_key))
    return result, located.source


def load_schedule(source: str | os.PathLike[str]) -> Schedule:
    """Load a schedule file, or schedule YAML text.

    Args:
        source: A path to a ``.yaml`` file, or the YAML text itself (anything holding a newline).

    Returns:
        The schedule.

    Raises:
        ScheduleError: The file is missing, unreadable, not YAML or not a valid schedule. Its
            ``findings`` list every problem with file, line, column and field path.
    """
    _args.source_arg("load_schedule", source, "schedule")
    doc, smap = _load_model(source, ScheduleFile)
    schedule = doc.schedule
    _SOURCES[id(schedule)] = (schedule, smap)
    return schedule


def dump_schedule(schedule: Schedule) -> str:
    """A schedule as YAML text that :func:`load_schedule` reads back to an equal schedule.

    Defaults are left out, durations are written as ``2_weeks``/``5_minutes`` and times quoted,
    so the output is what a person would write.
    """
    data = {"schedule": schedule.model_dump(mode="json", exclude_defaults=True)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def load_severity(source: str | os.PathLike[str]) -> SeverityFramework:
    """Load a severity framework file (``schedules/severity.yaml``) or its text.

    Raises:
        ScheduleError: The file is not a valid severity framework.
    """
    _args.source_arg("load_severity", source, "severity")
    doc, _ = _load_model(source, SeverityFile)
    return doc.severity_framework


# ---------------------------------------------------------------------------------------------
# Orgs


@dataclass(frozen=True)
class Org:
    """Several schedules planned and checked together; the same member id is the same person.

    Attributes:
        schedules: The schedules, sorted by name.
        severity: The severity framework found beside them, if any.
        directory: The folder they were loaded from, if any.
    """

    schedules: tuple[Schedule, ...]
    severity: SeverityFramework | None = None
    directory: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedules", tuple(sorted(self.schedules, key=lambda s: s.name)))

    def __iter__(self) -> Iterator[Schedule]:
        return iter(self.schedules)

    def __len__(self) -> int:
        return len(self.schedules)

    @property
    def name(self) -> str:
        """The folder name, or the schedules' names joined."""
        if self.directory is not None:
            return self.directory.name
        return "+".join(s.name for s in self.schedules)

    def schedule(self, name: str) -> Schedule:
        """The schedule called ``name``.

        Raises:
            KeyError: No such schedule.
        """
        for s in self.schedules:
            if s.name == name:
                return s
        raise KeyError(name)

    def people(self) -> dict[str, list[tuple[Schedule, Member]]]:
        """Member id → every (schedule, member entry) the person appears in."""
        found: dict[str, list[tuple[Schedule, Member]]] = {}
        for s in self.schedules:
            for m in s.participants.members:
                found.setdefault(m.id, []).append((s, m))
        return dict(sorted(found.items()))


def schedule_files(directory: Path) -> list[Path]:
    """The YAML files directly inside ``directory``, sorted by name."""
    return sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")
    )


def is_severity_file(path: Path) -> bool:
    """True if the file's top-level key is ``severity_framework:`` (read from its head only)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith("severity_framework:") for line in head.splitlines())


def load_org(directory: str | os.PathLike[str]) -> Org:
    """Load every schedule file directly inside a folder as one org.

    A ``severity_framework:`` file in the folder becomes the org's severity framework.

    Raises:
        ScheduleError: Any file fails to load (every problem of every file is listed), the
            folder holds no schedule, or two schedules share a name.
    """
    folder = _args.path_arg("load_org", "directory", directory)
    if not folder.is_dir():
        raise ScheduleError([rule("L007").finding(f"not a folder: {folder}", file=str(folder))])
    problems: list[Finding] = []
    schedules: list[Schedule] = []
    severity: SeverityFramework | None = None
    files: dict[str, str] = {}
    for path in schedule_files(folder):
        try:
            if is_severity_file(path):
                severity = load_severity(path)
                continue
            schedule = load_schedule(path)
        except ScheduleError as e:
            problems.extend(e.findings)
            continue
        if schedule.name in files:
            problems.append(
                source_of(schedule).finding(
                    "L004",
                    ("schedule", "name"),
                    f"schedule name {schedule.name!r} is also used by {files[schedule.name]}",
                    hint="schedule names must be unique within an org",
                )
            )
            continue
        files[schedule.name] = str(path)
        schedules.append(schedule)
    if not schedules and not problems:
        problems.append(
            rule("L007").finding(f"no schedule files (*.yaml) in {folder}", file=str(folder))
        )
    if problems:
        raise ScheduleError(sorted(problems, key=Finding.sort_key))
    return Org(tuple(schedules), severity=severity, directory=folder)
