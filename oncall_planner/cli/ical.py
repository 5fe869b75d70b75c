"""``oncall-planner ical PLAN -o DIR``: write the calendar feeds of a plan.

Writes ``DIR/<schedule>.ics`` (every layer of a schedule) and ``DIR/people/<member-id>.ics``
(one person's shifts across every schedule). When a feed already exists in DIR, it is the
previous revision: changed shifts keep their UID and get SEQUENCE + 1, unchanged ones stay
byte-identical. ``--previous PLAN`` names the previous plan when DIR is new.

The whole set is replaced at once (:func:`oncall_planner._io.write_folder`): the new feeds are
written into a sibling folder that then takes DIR's place, so a subscriber never gets one feed
of the new plan next to another of the old one, even when the run is killed half-way.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path

from oncall_planner._io import write_folder

__all__ = ["register", "run", "write_feeds"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``ical`` subcommand."""
    p = sub.add_parser(
        "ical",
        help="write iCalendar feeds of a plan (per schedule and per person)",
        description="Write DIR/<schedule>.ics and DIR/people/<member-id>.ics for calendar "
        "subscription. Existing feeds in DIR are treated as the previous revision, so "
        "calendars update changed shifts instead of duplicating them.",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan file (.json or .yaml)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write")
    p.add_argument(
        "--tz-mode",
        choices=("utc", "tzid"),
        default="utc",
        help="utc: every time in UTC (default); tzid: local times with VTIMEZONEs",
    )
    p.add_argument("--previous", metavar="PLAN", help="the plan subscribers saw before")
    p.add_argument(
        "--domain",
        default=None,
        help="domain that event UIDs end with (default oncall-planner.invalid)",
    )
    p.add_argument(
        "--no-contacts",
        action="store_true",
        help="leave contact emails out of the descriptions (for public feeds)",
    )
    p.set_defaults(run=run, parser=p)


def _previous_feed(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_feeds(
    plan_path: str | Path,
    out: str | Path,
    *,
    tz_mode: str = "utc",
    previous_path: str | Path | None = None,
    domain: str | None = None,
    contacts: bool = True,
) -> list[Path]:
    """Write every feed of a plan into ``out``; return the paths written, sorted.

    The set is replaced at once: a reader of ``out`` sees every old feed or every new one.

    Raises:
        PlanFileError: A plan file cannot be read.
        FeedError: A feed already in ``out`` (the previous revision) cannot be read.
        OSError: ``out`` cannot be written (read-only, a file, a full disk); the error names
            ``out`` or the feed in it, never a temporary path.
    """
    from oncall_planner.errors import FeedError
    from oncall_planner.ical import DEFAULT_DOMAIN, safe_name, to_ical
    from oncall_planner.ical.export import TzMode
    from oncall_planner.plans import Plan

    plan = Plan.read(plan_path)
    previous = Plan.read(previous_path) if previous_path else None
    mode: TzMode = "tzid" if tz_mode == "tzid" else "utc"
    # (file, schedule, person): every layer of each schedule, then each person's shifts.
    feeds: list[tuple[str, str | None, str | None]] = [
        (f"{safe_name(sp.name)}.ics", sp.name, None)
        for sp in sorted(plan.schedules, key=lambda sp: sp.name)
    ]
    feeds += [
        (f"people/{safe_name(person)}.ics", None, person)
        for person in sorted(set(plan.people) | set(plan.person_ids()))
    ]
    with write_folder(out) as folder:
        for name, schedule, person in feeds:
            try:
                data = to_ical(
                    plan,
                    schedule=schedule,
                    person=person,
                    previous=previous,
                    # The staging folder starts as a copy of DIR: the previous revision.
                    previous_feed=_previous_feed(folder.staged(name)),
                    tz_mode=mode,
                    domain=domain or DEFAULT_DOMAIN,
                    contacts=contacts,
                )
            except FeedError as e:  # the findings know the line; only this function the file
                target = str(folder.target / name)
                raise FeedError([replace(f, file=target) for f in e.findings]) from e
            folder.write(name, data)
    return folder.written


def _terminated(signum: int, frame: object) -> None:
    # SIGTERM (systemd stopping a timer unit, `timeout`, kill) would end the process without
    # running any cleanup; as SystemExit it unwinds through write_folder, which removes its
    # staging folder and leaves DIR as it was.
    raise SystemExit(128 + signum)


def run(args: argparse.Namespace) -> int:
    """Write the feeds and list them."""
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main else None
    try:
        written = write_feeds(
            args.plan,
            args.output,
            tz_mode=args.tz_mode,
            previous_path=args.previous,
            domain=args.domain,
            contacts=not args.no_contacts,
        )
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    for path in written:
        sys.stdout.write(f"{path}\n")
    return 0
