"""The per-person fairness summary of a plan: per schedule, and org totals beside it.

Every number comes from :mod:`oncall_planner.fairness` (load, holiday burden) or from the
objective's own fair shares, so the summary shows what the planner balanced. Weeks per layer
count whole weekly shifts (a week an override hands entirely to someone is theirs); the load
counts the effective roster, override time included as hours ÷ 168
(:func:`oncall_planner.fairness.effective_weeks`), so a plan carrying a cover shows it. In a
schedule with coverage windows, weeks per layer count window-weeks (a rotation week of one
window), and the load weighs each by its window's weight
(:func:`oncall_planner.fairness.effective_load`).
"""

from __future__ import annotations

from collections.abc import Callable

from oncall_planner.fairness import effective_load, effective_weeks, load
from oncall_planner.plans import PAGED_LAYERS, Layer, PersonFairness, Plan, SchedulePlan
from oncall_planner.roster import weekly_view
from oncall_planner.solver.instance import Instance, Rotation
from oncall_planner.solver.objective import fair_targets, person_targets
from oncall_planner.solver.options import PlanOptions

__all__ = ["fairness_summary"]


def _burden(instance: Instance, r: int, weeks: list[int]) -> float:
    rot = instance.rotations[r]
    return sum(rot.problem.holiday_share.get(w, 0.0) for w in weeks)


def _window_cells(
    sp: SchedulePlan, rots: list[Rotation]
) -> dict[str, set[tuple[Rotation, int, Layer]]]:
    """Person → the (window rotation, week, layer) cells their shifts hold."""
    by_name = {rot.window.name: rot for rot in rots if rot.window is not None}
    found: dict[str, set[tuple[Rotation, int, Layer]]] = {}
    for s in sp.shifts:
        rot = by_name.get(s.window or "")
        if rot is not None:
            found.setdefault(s.person, set()).add((rot, s.week, s.layer))
    return found


def fairness_summary(result: Plan, instance: Instance, options: PlanOptions) -> Plan:
    """The plan with each schedule's per-person summary: weeks per layer, load, fair share,
    holiday burden, and the person's org totals."""
    pw, sw = options.primary_weight, options.secondary_weight
    org = person_targets(instance, options)
    groups = [[instance.rotations[r] for r in g] for g in instance.schedule_groups()]
    windowed = {g[0].schedule.name: g for g in groups if g[0].window is not None}
    count: dict[tuple[str, Layer], int] = {}
    for sp in result.schedules:
        if sp.name in windowed:
            for pid, cells in _window_cells(sp, windowed[sp.name]).items():
                for _rot, _w, layer in cells:
                    count[(pid, layer)] = count.get((pid, layer), 0) + 1
            continue
        for s in weekly_view(sp).shifts:
            count[(s.person, s.layer)] = count.get((s.person, s.layer), 0) + 1
    org_loads = effective_load(result.schedules, pw, sw)

    def org_load(pid: str) -> float:
        return round(org_loads.get(pid, 0.0), 3)

    updated = []
    for rots in groups:
        rot = rots[0]
        sp = result.schedule(rot.schedule.name)
        if rot.window is not None:
            rows = _windowed_rows(sp, rots, instance, options, count, org, org_load)
        else:
            rows = _rows(sp, rot, instance, options, count, org, org_load)
        updated.append(
            sp.model_copy(update={"fairness": tuple(sorted(rows, key=lambda r: r.person))})
        )
    return result.model_copy(update={"schedules": tuple(updated)})


def _rows(
    sp: SchedulePlan,
    rot: Rotation,
    instance: Instance,
    options: PlanOptions,
    count: dict[tuple[str, Layer], int],
    org: dict[str, float],
    org_load: Callable[[str], float],
) -> list[PersonFairness]:
    pw, sw = options.primary_weight, options.secondary_weight
    targets = fair_targets(instance, rot, options)
    holidays = set(rot.problem.holiday_weeks)
    rows = []
    weekly = weekly_view(sp)
    here = effective_weeks([sp])
    for pid, member in rot.members.items():
        mine = weekly.shifts_of(pid)
        held = here.get(pid, {})
        n = {layer: sum(s.layer is layer for s in mine) for layer in Layer}
        paged = [s.week for s in mine if s.layer in PAGED_LAYERS]
        rows.append(
            PersonFairness(
                person=pid,
                primary_weeks=n[Layer.PRIMARY],
                secondary_weeks=n[Layer.SECONDARY],
                shadow_weeks=n[Layer.SHADOW],
                holiday_weeks=sum(w in holidays for w in paged),
                load=round(
                    load(held.get(Layer.PRIMARY, 0.0), held.get(Layer.SECONDARY, 0.0), pw, sw),
                    3,
                ),
                fair_share=round(targets.get(pid, 0.0), 3),
                capacity=member.capacity,
                holiday_burden=round(_burden(instance, rot.index, paged), 3),
                org_primary_weeks=count.get((pid, Layer.PRIMARY), 0),
                org_secondary_weeks=count.get((pid, Layer.SECONDARY), 0),
                org_load=org_load(pid),
                org_fair_share=round(org.get(pid, 0.0), 3),
            )
        )
    return rows


def _windowed_rows(
    sp: SchedulePlan,
    rots: list[Rotation],
    instance: Instance,
    options: PlanOptions,
    count: dict[tuple[str, Layer], int],
    org: dict[str, float],
    org_load: Callable[[str], float],
) -> list[PersonFairness]:
    """Rows of a schedule with windows: window-weeks per layer, hours-weighted load, the fair
    share summed over the windows the person may hold; shadow weeks count distinct weeks."""
    pw, sw = options.primary_weight, options.secondary_weight
    cells = _window_cells(sp, rots)
    loads = effective_load([sp], pw, sw)
    rows = []
    for member in sorted(rots[0].schedule.participants.members, key=lambda m: m.id):
        pid = member.id
        mine = cells.get(pid, set())
        paged = [(rot, w) for rot, w, layer in mine if layer in PAGED_LAYERS]
        share = sum(fair_targets(instance, rot, options).get(pid, 0.0) for rot in rots)
        rows.append(
            PersonFairness(
                person=pid,
                primary_weeks=sum(layer is Layer.PRIMARY for _r, _w, layer in mine),
                secondary_weeks=sum(layer is Layer.SECONDARY for _r, _w, layer in mine),
                shadow_weeks=len({w for _r, w, layer in mine if layer is Layer.SHADOW}),
                holiday_weeks=sum(w in rot.problem.holiday_weeks for rot, w in paged),
                load=round(loads.get(pid, 0.0), 3),
                fair_share=round(share, 3),
                capacity=member.capacity,
                holiday_burden=round(
                    sum(rot.problem.holiday_share.get(w, 0.0) for rot, w in paged), 3
                ),
                org_primary_weeks=count.get((pid, Layer.PRIMARY), 0),
                org_secondary_weeks=count.get((pid, Layer.SECONDARY), 0),
                org_load=org_load(pid),
                org_fair_share=round(org.get(pid, 0.0), 3),
            )
        )
    return rows
