"""The CP-SAT model: decision variables behind a small container, and the builder that lets
each hard rule and soft goal add its own part.

The same builder makes two models. The *planning* model creates a Boolean only for cells no
rule rules out (no variable at all for a time-off week) and adds every constraint as is. The
*explanation* model creates every cell and guards each rule's constraints of one schedule-week
with one assumption literal, named ``H006 time off | backend-primary | week 9``, so that an
infeasibility core reads as rules and weeks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from oncall_planner.plans import Layer
from oncall_planner.solver.instance import Cell, Instance, Rotation

__all__ = ["Decisions", "Group", "ModelBuilder"]


class Decisions:
    """The Boolean decision variables, one per (rotation, person, week, layer) cell.

    Variable names are human readable (``backend-primary:alice:w3:primary``) so that a solver
    log or a core reads like the plan it is about.
    """

    def __init__(self, model: cp_model.CpModel, instance: Instance, *, every_cell: bool) -> None:
        self.instance = instance
        self._x: dict[Cell, cp_model.IntVar] = {}
        self._by_slot: dict[tuple[int, int, Layer], list[tuple[str, cp_model.IntVar]]] = {}
        self._by_person: dict[tuple[int, str], dict[int, list[cp_model.IntVar]]] = {}
        for cell in instance.cells(ineligible=every_cell):
            r, p, w, layer = cell
            if not every_cell and not instance.allowed(*cell):
                continue
            name = f"{instance.rotations[r].name}:{p}:w{w}:{layer.value}"
            var = model.new_bool_var(name)
            self._x[cell] = var
            self._by_slot.setdefault((r, w, layer), []).append((p, var))
            self._by_person.setdefault((r, p), {}).setdefault(w, []).append(var)

    def __len__(self) -> int:
        return len(self._x)

    def items(self) -> Iterable[tuple[Cell, cp_model.IntVar]]:
        """Every (cell, variable), in a fixed order."""
        return self._x.items()

    def get(self, r: int, person: str, week: int, layer: Layer) -> cp_model.IntVar | None:
        """The variable of a cell, or None when the cell has none."""
        return self._x.get((r, person, week, layer))

    def people_on(self, r: int, week: int, layer: Layer) -> list[tuple[str, cp_model.IntVar]]:
        """(person, variable) for everyone who could hold a layer in a week."""
        return self._by_slot.get((r, week, layer), [])

    def on_call(self, r: int, person: str, week: int) -> list[cp_model.IntVar]:
        """The person's variables (primary, secondary) in a week of a rotation."""
        return self._by_person.get((r, person), {}).get(week, [])

    def on_call_weeks(self, r: int, person: str) -> dict[int, list[cp_model.IntVar]]:
        """Week → the person's variables in that week of a rotation."""
        return self._by_person.get((r, person), {})

    def in_layer(self, r: int, person: str, layer: Layer) -> list[cp_model.IntVar]:
        """The person's variables of one layer over the horizon."""
        rot = self.instance.rotations[r]
        found = []
        for w in range(rot.n_weeks):
            var = self._x.get((r, person, w, layer))
            if var is not None:
                found.append(var)
        return found


@dataclass(frozen=True)
class Group:
    """One assumption of the explanation model: a rule's constraints in one schedule-week."""

    code: str
    rotation: int
    week: int

    def label(self, instance: Instance) -> str:
        """``H006 | backend-primary | week 9``, ``H011 min rest | support/weekend | week 3``."""
        return (
            f"{self.code}{_TITLES.get(self.code, '')} | {self.where(instance)} | week {self.week}"
        )

    def where(self, instance: Instance) -> str:
        """The rotation's name; the schedule's for rules about a whole schedule-week (H003,
        H012), which span its windows."""
        rot = instance.rotations[self.rotation]
        return rot.schedule.name if self.code in SCHEDULE_WEEK_CODES else rot.name


#: Rules whose constraints are about a week of a schedule, whatever window (see Group.where).
SCHEDULE_WEEK_CODES = frozenset({"H003", "H012"})

#: Short titles of the window rules in assumption names (older rules keep their names).
_TITLES = {"H011": " min rest", "H012": " max night hours", "H013": " eligibility"}


@dataclass
class ModelBuilder:
    """Holds the model while the rules add to it.

    Attributes:
        instance: What is planned.
        explain: True for the explanation model (every cell, guarded constraints).
        model: The CP-SAT model.
        x: The decision variables.
        groups: Assumption literal index → its group (explanation model only).
    """

    instance: Instance
    explain: bool = False
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: Decisions = field(init=False)
    groups: dict[int, Group] = field(default_factory=dict)
    _literals: dict[Group, cp_model.IntVar] = field(default_factory=dict)
    _week_on: dict[tuple[int, str, int], cp_model.IntVar] = field(default_factory=dict)
    _group_of: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.x = Decisions(self.model, self.instance, every_cell=self.explain)
        for group in self.instance.schedule_groups():
            for r in group:
                self._group_of[r] = group

    def siblings(self, r: int) -> list[int]:
        """The rotations of the schedule rotation ``r`` belongs to (its windows, or itself)."""
        return self._group_of[r]

    def week_on(self, r: int, person: str, week: int) -> list[cp_model.IntVar]:
        """Variables whose sum is 1 exactly when the person is on call in that week of the
        schedule of rotation ``r``, in any window and layer (a week counts once: H003, H009,
        H010).

        Without windows: the person's variables of the week (one role per week, H002). With
        windows held in more than one window of the week: one Boolean at least each of them
        (``≤`` constraints and minimised goals need no more).
        """
        group = self._group_of[r]
        held = [(k, self.x.on_call(k, person, week)) for k in group]
        held = [(k, v) for k, v in held if v]
        if len(held) <= 1:
            return held[0][1] if held else []
        key = (group[0], person, week)
        on = self._week_on.get(key)
        if on is None:
            name = f"{self.rotations[group[0]].schedule.name}:{person}:w{week}:on"
            on = self._week_on[key] = self.model.new_bool_var(name)
            for _, variables in held:
                for v in variables:
                    self.model.add_implication(v, on)
        return [on]

    def schedule_weeks(self, r: int, person: str) -> dict[int, list[cp_model.IntVar]]:
        """Week → :meth:`week_on` for every week the person may be on call in the schedule of
        rotation ``r``."""
        group = self._group_of[r]
        if len(group) == 1:
            return self.x.on_call_weeks(r, person)
        weeks = sorted({w for k in group for w in self.x.on_call_weeks(k, person)})
        return {w: self.week_on(r, person, w) for w in weeks}

    @property
    def rotations(self) -> list[Rotation]:
        """The rotations planned."""
        return self.instance.rotations

    def literal(self, code: str, r: int, week: int) -> cp_model.IntVar:
        """The assumption literal of a rule in one schedule-week (created on first use)."""
        group = Group(code, r, week)
        lit = self._literals.get(group)
        if lit is None:
            lit = self.model.new_bool_var(group.label(self.instance))
            self._literals[group] = lit
            self.groups[lit.index] = group
        return lit

    def require(self, code: str, r: int, week: int, constraint: cp_model.Constraint) -> None:
        """Register a hard constraint just added to the model under its rule and week.

        In the explanation model it is guarded by the group's assumption literal; in the
        planning model it stays as it is.
        """
        if self.explain:
            constraint.only_enforce_if(self.literal(code, r, week))

    def forbid(self, code: str, predicate: Callable[[Cell], bool]) -> None:
        """The explanation model's form of a rule that rules cells out before the search.

        The planning model has no variable for such cells; here they exist, and one guarded
        constraint per schedule-week sets them to 0.
        """
        if not self.explain:
            return
        by_group: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for cell, var in self.x.items():
            if predicate(cell):
                by_group.setdefault((cell[0], cell[2]), []).append(var)
        for (r, w), variables in sorted(by_group.items()):
            self.require(code, r, w, self.model.add(sum(variables) == 0))

    def assumptions(self) -> list[cp_model.IntVar]:
        """Every assumption literal, in creation order."""
        return list(self._literals.values())
