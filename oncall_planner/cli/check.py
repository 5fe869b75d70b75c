"""``oncall-planner check PATH...``: load and check schedules (and optionally a plan)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path

from oncall_planner.cli._common import codes, emit, usage_error
from oncall_planner.errors import InputError
from oncall_planner.plans import Plan
from oncall_planner.report import Finding, Report, Severity, group_findings
from oncall_planner.rules import rule

__all__ = ["collect", "format_report", "register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``check`` subcommand."""
    p = sub.add_parser(
        "check",
        help="check schedule files, orgs and plans against the rule catalogue",
        description="Load schedule files or folders (a folder is an org; its sub-folders are "
        "orgs of their own) and report every problem with its rule code and location. Exit "
        "0 without errors, 1 with errors (warnings too with --strict), 2 on usage errors.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="schedule files or folders")
    p.add_argument("--plan", metavar="PLAN", help="a plan file to check against the schedules")
    p.add_argument("--severity", metavar="FILE", help="a severity framework file")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument(
        "--select",
        type=codes,
        default=None,
        metavar="CODES",
        help="only these rule codes or prefixes, comma-separated (e.g. E2,H003)",
    )
    p.add_argument(
        "--ignore",
        type=codes,
        default=None,
        metavar="CODES",
        help="skip these rule codes or prefixes, comma-separated",
    )
    p.add_argument("--strict", action="store_true", help="warnings fail the check too")
    p.add_argument(
        "--min-severity",
        choices=("info", "warning", "error"),
        default="info",
        help="report only findings this severe or worse (default: info, everything)",
    )
    p.add_argument("-o", "--output", help="write the report to this file instead of stdout")
    p.set_defaults(run=run, parser=p)


def _targets(path: Path) -> Iterable[Path]:
    """A file, or a folder and every sub-folder holding YAML files (each one org)."""
    from oncall_planner.loader import schedule_files

    if path.is_dir():
        for folder in sorted([path, *(p for p in path.rglob("*") if p.is_dir())]):
            if schedule_files(folder):
                yield folder
    else:
        yield path


def _plan_for(plan: Plan, names: set[str]) -> Plan:
    """The part of a plan about these schedules (each org is checked on its own schedules)."""
    return plan.model_copy(
        update={"schedules": tuple(sp for sp in plan.schedules if sp.name in names)}
    )


def collect(
    paths: Iterable[str],
    *,
    plan_path: str | None = None,
    severity_path: str | None = None,
) -> Report:
    """Load every path and check it; load errors become findings.

    Each folder is one org and each lone file one schedule. With a plan, every org is checked
    against the plan's entries for its schedules; plan entries matching no loaded schedule are
    P102 errors located in the plan file.
    """
    from oncall_planner.loader import (
        Org,
        is_severity_file,
        load_org,
        load_schedule,
        load_severity,
    )
    from oncall_planner.validate import check
    from oncall_planner.validate.plan import unknown_schedules

    findings: list[Finding] = []
    severity = None
    plan = None
    if severity_path:
        try:
            severity = load_severity(severity_path)
        except InputError as e:
            findings.extend(e.findings)
    if plan_path:
        try:
            plan = Plan.read(plan_path)
        except InputError as e:
            findings.extend(e.findings)
    seen: set[str] = set()
    loaded_any = False
    for raw in paths:
        targets = list(_targets(Path(raw)))
        if not targets:
            # A mistyped or emptied folder must not pass a CI check as "no findings".
            findings.append(
                rule("L007").finding(f"no schedule files (*.yaml) in {raw} or below", file=raw)
            )
        for target in targets:
            try:
                if target.is_dir():
                    org = load_org(target)
                elif is_severity_file(target):
                    load_severity(target)
                    continue
                else:
                    org = Org((load_schedule(target),))
            except InputError as e:
                findings.extend(e.findings)
                continue
            loaded_any = True
            names = {s.name for s in org}
            seen |= names
            org_plan = _plan_for(plan, names) if plan is not None else None
            report = check(org, org_plan, severity)
            findings.extend(report.findings)
    if plan is not None and loaded_any:
        findings.extend(unknown_schedules(plan, sorted(seen), file=plan_path))
    return Report(tuple(dict.fromkeys(findings)))


def format_report(report: Report, fmt: str, *, checked: int) -> str:
    """The report as text (errors first, by file and line, repeats of a rule on one line),
    JSON (one object per finding) or GitHub annotations (one per finding)."""
    if fmt == "json":
        return report.to_json()
    if fmt == "github":
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
        lines = []
        for f in report:
            props = [f"file={f.file}"] if f.file else []
            if f.line:
                props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
            props.append(f"title={f.code}")
            text = (f"{f.path}: " if f.path else "") + f.message
            if f.hint:
                text += f" (hint: {f.hint})"
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            lines.append(f"::{level[f.severity]} {','.join(props)}::{text}")
        return "\n".join(lines)
    # Errors first, then by file and line; repeated findings of one rule are one line.
    out: list[str] = []
    current: str | None = None
    for group in group_findings(report):
        if not out or group.first.file != current:
            if out:
                out.append("")
            out.append(group.first.file or "<input>")
            current = group.first.file
        out.append(f"  {group.format()}")
    if out:
        out.append("")
    out.append(f"{checked} path(s) checked: {report.summary()}")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Check, print, and return 0 (clean), 1 (errors) or 2 (usage)."""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return usage_error(args.parser, f"no such file or folder: {', '.join(missing)}")
    report = collect(args.paths, plan_path=args.plan, severity_path=args.severity)
    report = report.filter(args.select, args.ignore).at_least(args.min_severity)
    text = format_report(report, args.format, checked=len(args.paths))
    if args.format == "json":
        json.loads(text)  # the JSON shape is a contract: never emit something unparsable
    emit(text, args.output)
    failing = report.errors + (report.warnings if args.strict else ())
    return 1 if failing else 0
