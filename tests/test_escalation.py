"""Escalation-policy rules judged on the policy alone: E201–E208, E211 (as written), E212."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_validate_helpers import schedule_text

from oncall_planner.loader import load_org, load_schedule, load_severity
from oncall_planner.spec import Schedule
from oncall_planner.validate import check
from oncall_planner.validate.escalation import exhaust_time, resolve_target, steps

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "schedules" / "backend-primary.yaml"
SEVERITY = ROOT / "schedules" / "severity.yaml"

HEAD = """
schedule:
  name: team
  timezone: UTC
  handoff_time: "10:00"
  handoff_day: monday
  participants:
    members:
      - {id: a, name: A}
      - {id: b, name: B}
  contacts:
    manager: {name: M, role: engineering-manager}
    vp: {name: V, role: vp-engineering}
    chief: {name: C, role: cto}
  escalation_policy:
"""
# The first level is on line 15 of HEAD + policy text.
FIRST_LEVEL_LINE = 15


def _policy(*levels: str) -> Schedule:
    return schedule_text(HEAD + "".join(f"    - {lvl}\n" for lvl in levels))


def _found(schedule: Schedule, code: str, **kw: object) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check(schedule, select=[code], **kw)]  # type: ignore[arg-type]


GOOD = (
    "{level: 1, target: on-call-primary, timeout: 5m}",
    "{level: 2, target: on-call-secondary, timeout: 10m}",
    "{level: 3, target: [manager, vp, chief], timeout: 0}",
)


def test_good_policy_has_no_warnings_or_errors() -> None:
    report = check(_policy(*GOOD), select=["E"])
    assert {f.severity.value for f in report} == {"info"}
    assert report.codes() == {"E204", "E208"}


# -- timing -----------------------------------------------------------------------------------


def test_steps_add_up_earlier_timeouts() -> None:
    seed = load_schedule(SEED)
    assert [s.paged_at for s in steps(seed)] == [timedelta(minutes=m) for m in (0, 5, 15, 30)]
    assert exhaust_time(seed) == timedelta(minutes=30)


def test_e204_reports_when_each_level_is_paged() -> None:
    found = _found(load_schedule(SEED), "E204")
    assert found == [
        (46, "level 1 (on-call-primary) is paged immediately: when the alert fires"),
        (49, "level 2 (on-call-secondary) is paged at 5 minutes: the sum of the earlier "
         "timeouts (5 minutes)"),
        (52, "level 3 (engineering-manager) is paged at 15 minutes: the sum of the earlier "
         "timeouts (5 + 10 minutes)"),
        (55, "level 4 (vp-engineering) is paged at 30 minutes: the sum of the earlier "
         "timeouts (5 + 10 + 15 minutes)"),
    ]  # fmt: skip


def test_e208_reports_when_the_policy_is_exhausted() -> None:
    assert _found(load_schedule(SEED), "E208") == [
        (
            45,
            "the policy is exhausted at 30 minutes after the alert: level 4 (vp-engineering) "
            "is the last level, paged at 30 minutes; after that nobody new is paged",
        )
    ]
    last_waits = _policy(*GOOD[:2], "{level: 3, target: manager, timeout: 1h}")
    (found,) = _found(last_waits, "E208")
    assert "exhausted at 1 hour 15 minutes" in found[1]
    assert "given 1 hour" in found[1]


def test_e212_no_policy() -> None:
    (found,) = _found(schedule_text(HEAD.replace("  escalation_policy:\n", "")), "E212")
    assert found[0] == 1  # the schedule: key
    assert "has no escalation_policy" in found[1]
    assert _found(load_schedule(SEED), "E212") == []
    no_policy = schedule_text(HEAD.replace("  escalation_policy:\n", ""))
    assert _found(no_policy, "E204") == []
    assert _found(no_policy, "E208") == []


# -- structure -----------------------------------------------------------------------------------


def test_e201_duplicate_level() -> None:
    dup = _policy(GOOD[0], GOOD[1], GOOD[1].replace("on-call-secondary", "manager"))
    assert _found(dup, "E201") == [
        (FIRST_LEVEL_LINE + 2, "level 2 appears twice (also escalation_policy[1])")
    ]


def test_e201_gap_and_order() -> None:
    gap = _policy(GOOD[0], GOOD[2].replace("level: 3", "level: 4"))
    assert _found(gap, "E201") == [
        (FIRST_LEVEL_LINE + 1, "levels 2, 3 missing: the levels are 1, 4")
    ]
    swapped = _policy(GOOD[1], GOOD[0], GOOD[2])
    assert _found(swapped, "E201") == [(FIRST_LEVEL_LINE + 1, "level 1 is listed after level 2")]
    assert _found(_policy(*GOOD), "E201") == []


def test_e202_unresolved_target_with_suggestion() -> None:
    typo = _policy(GOOD[0], GOOD[1], "{level: 3, target: [manager, managr], timeout: 0}")
    (finding,) = check(typo, select=["E202"])
    assert finding.line == FIRST_LEVEL_LINE + 2
    assert finding.path == "schedule.escalation_policy[2].target[1]"
    assert finding.message == (
        "level 3 target 'managr' is not a layer, a contact or another schedule of the org: it "
        "pages nobody"
    )
    assert finding.hint.startswith("did you mean 'manager'?")
    assert _found(_policy(*GOOD), "E202") == []


def test_e202_another_schedule_of_the_org_resolves(tmp_path: Path) -> None:
    org = load_org(ROOT / "schedules" / "org")
    assert _found(org, "E202") == []  # api's level 3 targets the platform schedule
    api = org.schedule("api")
    assert resolve_target("platform", api, ["api", "platform"]).kind == "schedule"
    # Alone, api's "platform" target resolves to nothing.
    alone = check(api, select=["E202"])
    assert [f.message.split(":")[0] for f in alone] == [
        "level 3 target 'platform' is not a layer, a contact or another schedule of the org"
    ]


def test_e203_zero_timeout_before_another_level() -> None:
    zero = _policy("{level: 1, target: on-call-primary, timeout: 0}", *GOOD[1:])
    assert _found(zero, "E203") == [
        (
            FIRST_LEVEL_LINE,
            "level 1 (on-call-primary) waits 0 before level 2 is paged: both levels are paged "
            "at once, so level 1 never gets a fair chance to acknowledge",
        )
    ]
    # The last level's 0 (the seed's "Immediate") is not a wait before anything.
    assert _found(load_schedule(SEED), "E203") == []
    half = _policy("{level: 1, target: on-call-primary, timeout: 30s}", *GOOD[1:])
    assert _found(half, "E203")[0][1].startswith(
        "level 1 (on-call-primary) waits 30 seconds before level 2 is paged: less than a minute"
    )
    # 1 minute is the smallest accepted wait (PagerDuty).
    one = _policy("{level: 1, target: on-call-primary, timeout: 1m}", *GOOD[1:])
    assert _found(one, "E203") == []


def test_e207_final_level_must_be_a_backstop() -> None:
    repeat = _policy(*GOOD[:2], "{level: 3, target: on-call-primary, timeout: 0}")
    assert _found(repeat, "E207") == [
        (
            FIRST_LEVEL_LINE + 2,
            "the final level 3 pages on-call-primary, already paged at level 1: nobody new "
            "backs up the policy",
        )
    ]
    single = _policy("{level: 1, target: on-call-primary, timeout: 5m}")
    (found,) = _found(single, "E207")
    assert "one person of the rotation" in found[1]
    assert _found(_policy(*GOOD), "E207") == []
    assert _found(load_schedule(SEED), "E207") == []


def test_e211_level_repeating_earlier_targets_without_a_plan() -> None:
    repeat = _policy(*GOOD[:2], "{level: 3, target: on-call-primary, timeout: 0}")
    assert _found(repeat, "E211") == [
        (
            FIRST_LEVEL_LINE + 2,
            "level 3 (on-call-primary) adds nobody new: it pages on-call-primary at level 1 again",
        )
    ]
    assert _found(_policy(*GOOD), "E211") == []


# -- against the severity framework ---------------------------------------------------------


def test_e206_seed_sev1_says_exactly_what_is_missing() -> None:
    severity = load_severity(SEVERITY)
    found = _found(load_schedule(SEED), "E206", severity=severity)
    assert found[0] == (
        45,
        "SEV1 (Critical) asks for vp-engineering immediately and cto immediately, but the "
        "policy reaches vp-engineering only at 30 minutes (level 4), and never reaches a cto",
    )
    # SEV2 wants an engineering manager within 15 minutes: level 3 is paged at exactly 15.
    assert not any(m.startswith("SEV2") for _, m in found)


def test_e206_met_when_roles_are_paged_in_time() -> None:
    severity = load_severity(SEVERITY)
    fast = _policy(
        "{level: 1, target: [on-call-primary, vp, chief], timeout: 5m}",
        "{level: 2, target: on-call-secondary, timeout: 10m}",
        "{level: 3, target: manager, timeout: 0}",
    )
    # vp and chief answer the SEV1 demands through their contact roles.
    assert [m for _, m in _found(fast, "E206", severity=severity) if m.startswith("SEV1")] == []
    late = _policy(
        "{level: 1, target: on-call-primary, timeout: 5m}",
        "{level: 2, target: on-call-secondary, timeout: 11m}",
        "{level: 3, target: [manager, vp, chief], timeout: 0}",
    )
    sev2 = [m for _, m in _found(late, "E206", severity=severity) if m.startswith("SEV2")]
    assert sev2 == [
        "SEV2 (Major) asks for engineering-manager within 15 minutes, but the policy reaches "
        "engineering-manager only at 16 minutes (level 3)"
    ]


def test_e206_org_severity_file_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert not any(f.code == "E206" for f in check(load_org(tmp_path)))
    (tmp_path / "severity.yaml").write_text(SEVERITY.read_text(encoding="utf-8"), "utf-8")
    org = load_org(tmp_path)
    assert org.severity is not None
    messages = [f.message for f in check(org, select=["E206"])]
    assert any("never reaches a cto" in m for m in messages)


def test_e205_first_level_slower_than_fastest_response() -> None:
    severity = load_severity(SEVERITY)
    slow = _policy("{level: 1, target: on-call-primary, timeout: 10m}", *GOOD[1:])
    assert _found(slow, "E205", severity=severity) == [
        (
            FIRST_LEVEL_LINE,
            "level 1 (on-call-primary) waits 10 minutes before escalating, but SEV1 (Critical) "
            "expects a response within 5 minutes",
        )
    ]
    assert _found(_policy(*GOOD), "E205", severity=severity) == []
    assert _found(slow, "E205") == []  # no severity framework, nothing to compare with


@pytest.mark.parametrize("code", ["E201", "E202", "E203", "E205", "E207", "E211", "E212"])
def test_seed_policy_is_clean_for(code: str) -> None:
    assert _found(load_schedule(SEED), code, severity=load_severity(SEVERITY)) == []


# -- severity-restricted levels (issue 10) -----------------------------------------------------

#: Executives at level 1 for SEV1 only; every other severity starts with the primary alone.
SPLIT = (
    "{level: 1, target: [on-call-primary, vp, chief], timeout: 5m, severities: [SEV1]}",
    "{level: 2, target: on-call-primary, timeout: 5m, severities: [SEV2, SEV3, SEV4]}",
    "{level: 3, target: on-call-secondary, timeout: 10m}",
    "{level: 4, target: manager, timeout: 0}",
)


def test_e206_checks_each_severity_path_not_executives_for_everything() -> None:
    # Issue 10: only a policy paging the VP and CTO at level 1 for every incident passed E206,
    # so its fix woke executives for each SEV4. Restricted to SEV1, the same levels pass.
    severity = load_severity(SEVERITY)
    split = _policy(*SPLIT)
    messages = [m for _, m in _found(split, "E206", severity=severity)]
    assert not [m for m in messages if m.startswith(("SEV1", "SEV2"))]
    # Each severity is timed on its own path: SEV2 skips level 1 and its 5 minutes.
    sev2 = steps(split, severity="SEV2")
    assert [(s.level, s.paged_at) for s in sev2] == [
        (2, timedelta(0)),
        (3, timedelta(minutes=5)),
        (4, timedelta(minutes=15)),
    ]
    assert [s.level for s in steps(split, severity="SEV1")] == [1, 3, 4]
    # A SEV1-only level placed too late is judged on SEV1's path.
    late = _policy(
        "{level: 1, target: on-call-primary, timeout: 5m}",
        "{level: 2, target: [vp, chief], timeout: 5m, severities: [SEV1]}",
        "{level: 3, target: manager, timeout: 0}",
    )
    (sev1,) = [m for _, m in _found(late, "E206", severity=severity) if m.startswith("SEV1")]
    assert "reaches vp-engineering only at 5 minutes (level 2)" in sev1


def test_e206_hint_suggests_a_severity_restricted_level() -> None:
    severity = load_severity(SEVERITY)
    report = check(load_schedule(SEED), select=["E206"], severity=severity)
    sev1 = next(f for f in report if f.message.startswith("SEV1"))
    assert "severities: [SEV1]" in sev1.hint
    assert "rather than paging vp-engineering early for every severity" in sev1.hint
    assert "a level with severities: [SEV1] that targets it" in sev1.hint


def test_e206_level_naming_an_unknown_severity() -> None:
    severity = load_severity(SEVERITY)
    typo = _policy(
        "{level: 1, target: on-call-primary, timeout: 5m}",
        "{level: 2, target: [vp, chief], timeout: 5m, severities: [SEV01]}",
        "{level: 3, target: manager, timeout: 0}",
    )
    (finding,) = [
        f for f in check(typo, select=["E206"], severity=severity) if "SEV01" in f.message
    ]
    assert finding.line == FIRST_LEVEL_LINE + 1
    assert finding.path.endswith("escalation_policy[1].severities[0]")
    assert "does not define" in finding.message and "did you mean 'SEV1'?" in finding.hint
    nobody = _policy("{level: 1, target: on-call-primary, timeout: 5m, severities: [SEV1]}")
    messages = [m for _, m in _found(nobody, "E206", severity=severity)]
    assert any(m.startswith("SEV4 (Low) reaches no level") for m in messages)


def test_split_policy_timing_checks_read_each_path() -> None:
    split = _policy(*SPLIT)
    # The other escalation checks see no repeated or zero-wait level on either path...
    assert check(split, select=["E203", "E207", "E211"]).codes() == set()
    # ...and E204 times levels per path, naming the severities when paths differ.
    reach = [m for _, m in _found(split, "E204")]
    assert "level 3 (on-call-secondary) is paged at 5 minutes: the sum of the earlier " in "".join(
        reach
    )
    assert any(m.endswith("(for SEV1)") for m in reach)
    assert any(m.endswith("(for SEV2, SEV3, SEV4)") or "other severities" in m for m in reach)
    # A zero wait on one path only is reported for that path.
    zero = _policy(
        "{level: 1, target: on-call-primary, timeout: 5m}",
        "{level: 2, target: [vp, chief], timeout: 0, severities: [SEV1]}",
        "{level: 3, target: manager, timeout: 0}",
    )
    (e203,) = [m for _, m in _found(zero, "E203")]
    assert e203.endswith("(for SEV1)")
