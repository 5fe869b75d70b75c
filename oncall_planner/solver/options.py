"""Planner settings: time limit, workers, seed and the soft-goal weights."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PlanOptions"]


class PlanOptions(BaseModel):
    """How the planner solves. The defaults give deterministic, proven-optimal plans for teams.

    The soft goals are ranked (fair load, then holidays, spacing, stability, preferences) and the
    planner derives the weights between ranks itself, so no setting here can reorder them; the
    weights below only shape the measures inside a rank.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_limit_s: float = Field(
        default=10.0, gt=0, description="Wall-clock limit of the solve, in seconds."
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="CP-SAT workers, or processes for an org of several independent components "
        "(each then solved with one worker). 1 is deterministic; more use interleaved search, "
        "which is deterministic too on OR-Tools 9.15.",
    )
    seed: int = Field(default=0, ge=0, description="Random seed of the solver.")
    primary_weight: int = Field(
        default=2, ge=1, le=10, description="Load of a primary week (secondary weighs 1 unit)."
    )
    secondary_weight: int = Field(default=1, ge=0, le=10, description="Load of a secondary week.")
    history_weight: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="How much of the members' past imbalance this plan tries to repay "
        "(0 ignores history, 1 repays all of it that the plan can).",
    )
    spacing_weeks: int = Field(
        default=3,
        ge=2,
        le=8,
        description="Stints closer than this many weeks (start to start) are penalised; "
        "2 only penalises back-to-back weeks.",
    )
    presolve: bool = Field(
        default=False,
        description="CP-SAT presolve. Off is faster when members differ (time off, history); "
        "on helps when many members are identical.",
    )
    hint: bool = Field(
        default=False,
        description="Hint the solver with the greedy plan. The first plan then comes at once, "
        "but proofs took up to 3× longer in our measurements; the greedy plan is the fallback "
        "on a time-out either way.",
    )
    lexicographic: bool | None = Field(
        default=None,
        description="Solve the soft goals one at a time, each locking its optimum, instead of "
        "one weighted solve (same optimum). None: by stages for orgs and for rotations with "
        "more than 8000 decision variables, weighted otherwise.",
    )
    explain: bool = Field(
        default=True,
        description="On infeasibility, compute which rules, people and weeks conflict.",
    )
    explain_time_limit_s: float = Field(
        default=10.0, gt=0, description="Time limit of each infeasibility-explanation solve."
    )
    max_changes: int = Field(
        default=0,
        ge=0,
        le=10_000,
        description="In a re-plan (with a previous plan), how many shifts beyond those the "
        "hard rules force may change to honour avoid_weeks/prefer_weeks. 0: only forced "
        "changes, so unchanged inputs give the previous plan back.",
    )
    split: bool = Field(
        default=True,
        description="Plan an org's independent components (schedules linked by shared people) "
        "separately, in parallel processes when workers > 1. False: one model for the whole org "
        "(the benchmarks compare the two).",
    )
