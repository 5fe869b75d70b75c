"""The per-person fairness summary of a plan: per schedule, and org totals beside it.

Every number comes from :mod:`oncall_planner.fairness` (load, holiday burden) or from the
objective's own fair shares, so the summary shows what the planner balanced. Weeks per layer
count whole weekly shifts (a week an override hands entirely to someone is theirs); the load
counts the effective roster, override time included as hours ÷ 168
(:func:`oncall_planner.fairness.effective_weeks`), so a plan carrying a cover shows it.
"""

from __future__ import annotations

from oncall_planner.fairness import effective_weeks, load
from oncall_planner.plans import PAGED_LAYERS, Layer, PersonFairness, Plan
from oncall_planner.roster import weekly_view
from oncall_planner.solver.instance import Instance
from oncall_planner.solver.objective import fair_targets, person_targets
from oncall_planner.solver.options import PlanOptions

__all__ = ["fairness_summary"]


def _burden(instance: Instance, r: int, weeks: list[int]) -> float:
    rot = instance.rotations[r]
    return sum(rot.problem.holiday_share.get(w, 0.0) for w in weeks)


def fairness_summary(result: Plan, instance: Instance, options: PlanOptions) -> Plan:
    """The plan with each schedule's per-person summary: weeks per layer, load, fair share,
    holiday burden, and the person's org totals."""
    pw, sw = options.primary_weight, options.secondary_weight
    org = person_targets(instance, options)
    count: dict[tuple[str, Layer], int] = {}
    for sp in result.schedules:
        for s in weekly_view(sp).shifts:
            count[(s.person, s.layer)] = count.get((s.person, s.layer), 0) + 1
    org_weeks = effective_weeks(result.schedules)
    updated = []
    for rot in instance.rotations:
        sp = result.schedule(rot.name)
        targets = fair_targets(instance, rot, options)
        holidays = set(rot.problem.holiday_weeks)
        rows = []
        weekly = weekly_view(sp)
        here = effective_weeks([sp])
        for pid, member in rot.members.items():
            mine = weekly.shifts_of(pid)
            held = here.get(pid, {})
            org_held = org_weeks.get(pid, {})
            n = {layer: sum(s.layer is layer for s in mine) for layer in Layer}
            paged = [s.week for s in mine if s.layer in PAGED_LAYERS]
            op, osec = count.get((pid, Layer.PRIMARY), 0), count.get((pid, Layer.SECONDARY), 0)
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
                    org_primary_weeks=op,
                    org_secondary_weeks=osec,
                    org_load=round(
                        load(
                            org_held.get(Layer.PRIMARY, 0.0),
                            org_held.get(Layer.SECONDARY, 0.0),
                            pw,
                            sw,
                        ),
                        3,
                    ),
                    org_fair_share=round(org.get(pid, 0.0), 3),
                )
            )
        updated.append(
            sp.model_copy(update={"fairness": tuple(sorted(rows, key=lambda r: r.person))})
        )
    return result.model_copy(update={"schedules": tuple(updated)})
