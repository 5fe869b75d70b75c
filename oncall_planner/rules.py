"""The rule catalogue: the one vocabulary of loader, planner, validator, reviews and docs.

Every finding and every planner constraint carries one of these codes. ``docs/rules.md`` is
generated from this table (``python -m oncall_planner.rules > docs/rules.md``) and a test keeps
the two in sync. Code prefixes:

- ``L`` loading a file (syntax, schema, limits);
- ``H`` hard rules of the planner, re-checked on every plan by the solver-free validator;
- ``S`` schedule settings that need no plan;
- ``P`` plan quality (fairness, gaps);
- ``E`` escalation policies, alone and against the plan;
- ``R`` page-load health in quarterly reviews.
"""

from __future__ import annotations

from dataclasses import dataclass

from oncall_planner.report import Finding, Severity

__all__ = ["HARD_RULES", "RULES", "Rule", "rule"]

_SRE_ONCALL = "Google SRE book, ch. 11 'Being On-Call'"
_SRE_WORKBOOK = "Google SRE Workbook, ch. 8 'On-Call'"


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue.

    Attributes:
        code: Stable code, e.g. ``H003``.
        name: Slug, e.g. ``max-consecutive-weeks``.
        severity: Default severity of its findings.
        summary: One-line meaning.
        rationale: Why the rule exists, with its source.
        hard: True for the planner's hard rules (the solver enforces them).
    """

    code: str
    name: str
    severity: Severity
    summary: str
    rationale: str
    hard: bool = False

    def finding(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        path: str = "",
        hint: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule."""
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            file=file,
            line=line,
            column=column,
            path=path,
            hint=hint,
        )


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_CATALOGUE = (
    # -- loading ---------------------------------------------------------------------------
    Rule("L001", "yaml-syntax", E, "The file is not valid YAML.",
         "A file that does not parse cannot be checked at all."),
    Rule("L002", "duplicate-key", E, "A mapping repeats a key.",
         "PyYAML silently keeps the last value; the first one is almost always meant too."),
    Rule("L003", "unknown-key", E, "A key the format does not define.",
         "A misspelt key would otherwise be ignored and its setting silently lost."),
    Rule("L004", "invalid-value", E, "A value has the wrong type or is out of range.",
         "docs/schedule-format.md lists each field's valid values."),
    Rule("L005", "unsafe-yaml", E, "A YAML tag that would build Python objects, or an unknown tag.",
         "Schedules are data; only safe YAML is read (CVE-2017-18342-class attacks)."),
    Rule("L006", "input-too-large", E,
         "The file exceeds a size, nesting, value-length or alias-expansion limit.",
         "An alias bomb, 500 nested brackets or a huge file must fail fast, not exhaust "
         "memory or the stack."),
    Rule("L007", "unreadable-file", E, "The file cannot be read as UTF-8 text or is empty.",
         "Binary or empty files are never schedules."),
    Rule("L008", "invalid-feed", E, "An iCalendar feed is malformed or has an unusable event.",
         "An imported feed becomes on-call history; a shift read wrongly skews fairness."),
    # -- hard rules: the planner enforces them, the validator re-checks them -----------------
    Rule("H001", "coverage", E,
         "Every week has exactly one primary, and exactly one secondary when the escalation "
         "policy pages on-call-secondary.",
         "A week with nobody on a paged layer loses pages; two people on one layer blurs "
         "ownership.", hard=True),
    Rule("H002", "one-role-per-week", E,
         "Nobody holds two roles (primary, secondary, shadow) in the same week.",
         "Primary and secondary exist so that a second human is paged when the first misses "
         f"it ({_SRE_ONCALL}).", hard=True),
    Rule("H003", "max-consecutive-weeks", E,
         "Nobody is on call (primary or secondary) more than max_consecutive_weeks in a row, "
         "counting the weeks just before the plan.",
         "Long stints cause fatigue and burnout; the seed schedule caps them at 2 weeks.",
         hard=True),
    Rule("H004", "shadow-before-rotation", E,
         "A member with fewer than shadow_period shadow weeks is never primary or secondary; a "
         "shadow week has a trained primary beside it.",
         "New engineers learn the systems before carrying the pager alone "
         f"({_SRE_WORKBOOK}: shadowing as on-call training).", hard=True),
    Rule("H005", "min-rotation-size", E,
         "The rotation, and each coverage window's eligible pool, has at least "
         "min_rotation_size trained members.",
         f"Small rotations put each engineer on call too often ({_SRE_ONCALL}).", hard=True),
    Rule("H006", "time-off", E,
         "Nobody has any role in a week whose shift overlaps their time off.",
         "People on vacation cannot answer pages; a plan that ignores it gets edited by hand.",
         hard=True),
    Rule("H007", "cross-schedule-overlap", E,
         "Nobody is on call in two schedules at overlapping times.",
         "One person cannot answer two pagers at once; products do not check it.", hard=True),
    Rule("H008", "frozen-weeks", E,
         "Shifts starting before freeze_until stay exactly as in the previous plan.",
         "Published weeks are commitments: people have arranged their lives around them.",
         hard=True),
    Rule("H009", "cross-schedule-stint", E,
         "Nobody's stint across schedules holds more weekly shifts than the smallest "
         "max_consecutive_weeks of the schedules involved; shifts less than 6 days apart are "
         "one stint.",
         "A person is one person: a week in Berlin then a week in New York is two weeks in a "
         "row, however each schedule counts.", hard=True),
    Rule("H010", "max-on-call-share", E,
         "Nobody is on call (primary or secondary, all schedules together) for more of the "
         "plan's weeks than max_on_call_share, when it is set.",
         f"{_SRE_ONCALL}: at most 25 % of an engineer's time on call.", hard=True),
    Rule("H011", "min-rest", E,
         "Between two of a person's on-call stretches in different windows there is at least "
         "participants.min_rest off the pager, when it is set; occurrences of one window that "
         "touch across a handoff are one stretch, and a window whose own occurrences leave "
         "less rest is refused from the schedule alone.",
         "Working-time rules (the EU directive's 11 consecutive hours of daily rest): the "
         "weekday holder must not also take the weekend that starts as their week ends.",
         hard=True),
    Rule("H012", "max-night-hours", E,
         "Nobody is on call (primary or secondary) more than their max_night_hours between "
         "22:00 and 08:00 in their own zone in one rotation week, when it is set.",
         "Follow-the-sun exists so that nobody carries the pager through their night; night "
         "pages are the ones that burn people out.", hard=True),
    Rule("H013", "window-eligibility", E,
         "Nobody holds a coverage window whose members: selector leaves them out.",
         "A Singapore engineer in the Berlin daytime window is on call through their night.",
         hard=True),
    # -- the same rules over real time, for plans with overrides (validator only) -----------
    Rule("H101", "coverage-over-time", E,
         "With overrides or coverage windows, every instant of the horizon has exactly one "
         "person on each paged layer (with coverage: partial, every instant some window "
         "covers).",
         "An override that stops short or overlaps another leaves a stretch with nobody (or two "
         "people) paged; H001 only sees whole weeks."),
    Rule("H102", "one-layer-at-a-time", E,
         "With overrides, nobody holds two layers of one schedule at the same instant.",
         "A primary covering the secondary's night pages the same human twice (H002 over "
         "time)."),
    Rule("H103", "stint-with-override-time", E,
         "A stint of unbroken on-call time that includes override time touches no more than "
         "max_consecutive_weeks weeks (counting the weeks just before the plan).",
         "Covering the night before your own weeks lengthens the stint; H003 over real time."),
    Rule("H104", "shadow-given-override", E,
         "Nobody is given paged override time before their shadow period ends.",
         "An override must not put an untrained engineer on the pager (H004 over time)."),
    Rule("H106", "time-off-over-time", E,
         "Nobody holds a layer during their time off, to the minute in their own zone, when an "
         "override cuts the week.",
         "An override onto someone's vacation pages a person who is away (H006 over time)."),
    Rule("H107", "two-schedules-at-once", E,
         "With overrides, nobody holds layers in two schedules at the same instant.",
         "One person cannot answer two pagers at once (H007 over time)."),
    # -- schedule settings -----------------------------------------------------------------
    Rule("S101", "handoff-at-midnight", W, "The handoff is at midnight local time.",
         "A midnight handoff happens when nobody is awake to brief the next person."),
    Rule("S102", "handoff-outside-business-hours", W,
         "The handoff is outside 08:00–18:00 local time.",
         "Handoffs need both people awake and at work to pass on context (PagerDuty guidance)."),
    Rule("S103", "weekend-handoff", W, "The handoff day is a Saturday or Sunday.",
         "A weekend handoff interrupts a weekend and has nobody around to answer questions."),
    Rule("S104", "handoff-in-dst-window", W,
         "The handoff falls in 00:00–04:00 local time on a DST changeover day.",
         "On changeover days that wall time may not exist or happen twice (RFC 5545 §3.3.5)."),
    Rule("S105", "rotation-below-sre-guidance", INFO,
         "Fewer members than the SRE guidance for the rotation shape.",
         f"{_SRE_ONCALL}: at least 8 engineers single-site for weekly primary+secondary, "
         "6 per site dual-site."),
    Rule("S106", "member-timezone-unset", W,
         "Members work in several time zones, but some have no timezone set.",
         "Their zone is assumed to be the schedule's, which skews time-off days, working-hours "
         "checks and sleep-hour page counts."),
    Rule("S107", "handoff-outside-working-hours", INFO,
         "The handoff falls outside a member's local working hours.",
         "Handing off at night for part of the team suggests a follow-the-sun split."),
    Rule("S108", "windows-do-not-tile", E,
         "The coverage windows leave a gap or overlap somewhere in the week, checked in UTC "
         "over the horizon (windows in different zones drift apart around DST changes); with "
         "coverage: partial only overlaps count.",
         "A gap is a time when nobody is paged; an overlap pages two people for one layer. "
         "Berlin and New York change clocks on different dates, so wall-time windows that "
         "tile in January leave an hour uncovered for two or three weeks in March."),
    Rule("S109", "window-selector-unmatched", E,
         "A window's members: selector names a member id that is not in the roster, or a "
         "site no member has.",
         "A misspelt site selects nobody, and the window cannot be staffed."),
    # -- plan quality ----------------------------------------------------------------------
    Rule("P101", "shift-gap-or-overlap", E,
         "Consecutive shifts of a layer leave a gap or overlap, or a boundary is off the local "
         "handoff time.",
         "A gap is a time when nobody is paged; the classic '+168 h in UTC' bug drifts an hour "
         "after DST."),
    Rule("P102", "unknown-plan-entry", E,
         "The plan names a person or schedule the schedule files do not define.",
         "A hand-edited plan with a typo pages nobody."),
    Rule("P103", "on-call-share-above-25", W,
         "Someone is on call more than 25 % of the time.",
         f"{_SRE_ONCALL}: at most 25 % of an SRE's time on call."),
    Rule("P104", "not-on-call-this-quarter", INFO,
         "A trained member is never on call in a quarter of the plan.",
         f"{_SRE_ONCALL}: everyone on call at least once or twice a quarter to stay familiar."),
    Rule("P105", "balance-below-95", W,
         "The Grafana-style balance score of on-call time is below 95 %.",
         "Grafana OnCall's quality report: mean over pairs of min/max on-call time; ≥ 95 % is "
         "balanced (people with zero time included)."),
    Rule("P106", "load-outlier", W,
         "Someone carries 2× the team's mean load or more.",
         "PagerDuty's on-call burden analytics flag people at twice the team mean."),
    Rule("P107", "holiday-spread-uneven", W,
         "Holiday weeks are concentrated on some members while others have none.",
         "Holidays on call are the most resented weeks; spread them before repeating anyone."),
    # -- escalation policy -----------------------------------------------------------------
    Rule("E201", "levels-not-contiguous", E,
         "Escalation levels are not numbered 1..n without gaps or duplicates.",
         "The order is the policy; gaps usually mean a deleted level or a bad import."),
    Rule("E202", "target-unresolved", E,
         "An escalation target is not a layer, a contact, or another schedule of the org.",
         "A dangling target pages nobody."),
    Rule("E203", "zero-timeout-before-next", E,
         "A level followed by another has a timeout under 1 minute.",
         "A 0-minute wait pages two levels at once: the first never gets a chance to "
         "acknowledge (PagerDuty requires ≥ 1 minute)."),
    Rule("E204", "level-reach-times", INFO,
         "When each level is paged (the sum of earlier timeouts).",
         "PagerDuty, GoAlert and Grafana add the delays up; people often read them as "
         "absolute."),
    Rule("E205", "first-level-slower-than-response", W,
         "Level 1's timeout exceeds the fastest severity's response target.",
         f"{_SRE_ONCALL}: 5 minutes for user-facing systems; an unacknowledged SEV1 must reach "
         "a second human within its response time."),
    Rule("E206", "severity-escalation-unmet", W,
         "A severity must reach someone by a deadline its own path (the levels that apply to "
         "it) does not meet, or a level names a severity the framework lacks.",
         "The severity framework (schedules/severity.yaml) is the promise; the policy is what "
         "actually pages. Levels with `severities: [SEV1]` reach executives for SEV1 without "
         "waking them for every SEV4."),
    Rule("E207", "no-backstop", W,
         "The final level is a single layer (often one already paged), not a contact or "
         "several people.",
         "The last level must add a human who is not already ignoring the page."),
    Rule("E208", "policy-exhaust-time", INFO,
         "How long until the policy runs out of levels.",
         "After the last timeout nobody new is paged; know when that is."),
    Rule("E209", "level-layer-empty", E,
         "At some time a level reaches nobody: its layer is empty in a week, or between "
         "coverage windows, and no other target of the level reaches someone then.",
         "The policy pages a layer; the plan decides whether a human is there."),
    Rule("E210", "person-holds-two-levels", E,
         "At some moment one person holds two escalation levels.",
         "Escalating to the same person adds no redundancy."),
    Rule("E211", "level-adds-nobody", W,
         "An escalation level adds no person who was not paged by an earlier level.",
         "Such a level only delays reaching someone new."),
    Rule("E212", "no-escalation-policy", W,
         "The schedule has no escalation policy.",
         "Without one, pages reach only the primary and stop there."),
    # -- page-load health ------------------------------------------------------------------
    Rule("R301", "noisy-shift", W,
         "A shift had more pages than health_metrics.alert_if_pages_exceed per week (with "
         "coverage windows, a holder's week of a window is one shift).",
         "The seed schedule: more than 5 pages a week means noisy alerts; fix the system."),
    Rule("R302", "incident-budget", W,
         "More than 2 incidents per 12-hour period in a third of shifts or more.",
         f"{_SRE_ONCALL}: at most 2 incidents per 12-hour shift; {_SRE_WORKBOOK}'s overload "
         "case."),
    Rule("R303", "page-outlier", W,
         "Someone received 2× the team's mean pages, or 2× the mean sleep-hour pages.",
         "PagerDuty's burden analytics flag people at twice the team mean."),
    Rule("R304", "mtta-above-target", W,
         "A person's median time to acknowledge a severity's incidents, from their first page of "
         "each incident to its acknowledgement, exceeds the severity's response target.",
         f"{_SRE_ONCALL}: 5-minute response for user-facing systems."),
    Rule("R305", "off-rotation-pages", INFO,
         "Pages went to people who were not on call.",
         "Off-rotation pages are invisible load: they interrupt people outside the plan."),
    Rule("R306", "pages-outside-coverage", W,
         "Pages arrived while no window of a coverage: partial schedule was covered.",
         "A business-hours layer pages nobody at night; those pages went somewhere else or "
         "nowhere, and the team should know how many."),
)  # fmt: skip

#: Every rule, by code.
RULES: dict[str, Rule] = {r.code: r for r in _CATALOGUE}
#: The codes of the planner's hard rules.
HARD_RULES: tuple[str, ...] = tuple(r.code for r in _CATALOGUE if r.hard)


def rule(code: str) -> Rule:
    """The catalogue entry for ``code``.

    Raises:
        KeyError: The code is not in the catalogue.
    """
    return RULES[code]


def render_markdown() -> str:
    """The rule catalogue as Markdown (the content of ``docs/rules.md``)."""
    lines = [
        "# Rule catalogue",
        "",
        "<!-- Generated by `python -m oncall_planner.rules`; do not edit by hand. -->",
        "",
        "Every finding of `oncall-planner check` and `review`, every planner constraint and every",
        "infeasibility explanation carries one of these codes. Select or ignore them with",
        "`--select`/`--ignore` (prefixes work: `E2` is every escalation rule) or with an",
        "`ignore:` list in the schedule file. Hard rules (marked ✔) are enforced by the",
        "planner and re-checked on every plan by the solver-free validator.",
        "",
    ]
    groups = {
        "L": "Loading files",
        "H": "Hard rules (planner and validator)",
        "S": "Schedule settings",
        "P": "Plan quality",
        "E": "Escalation policy",
        "R": "Page-load health (reviews)",
    }
    for prefix, title in groups.items():
        lines += [f"## {title}", "", "| Code | Name | Severity | Hard | Meaning | Rationale |"]
        lines.append("|---|---|---|---|---|---|")
        for r in _CATALOGUE:
            if r.code.startswith(prefix):
                hard = "✔" if r.hard else ""
                lines.append(
                    f"| `{r.code}` | {r.name} | {r.severity.value} | {hard} | {r.summary} "
                    f"| {r.rationale} |"
                )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown())
