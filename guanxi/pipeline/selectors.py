"""Reads of opportunities (商机). Access follows the accounts app: a deal is seen by whoever sees
its account (a KAM their own and co-owned accounts, a team lead their team's, managers all);
a deal out of sight is NotFound, never a refusal that tells it exists.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.pipeline.models import (
    Opportunity,
    OpportunityLine,
    Outcome,
    Pipeline,
    Stage,
    StageChange,
)


def opportunities_visible_to(actor: User | None) -> QuerySet[Opportunity]:
    """The opportunities of the accounts `actor` may see."""
    return visible_to(
        Opportunity.objects.select_related("account", "stage", "owner"),
        actor,
        prefix="account__",
    )


def opportunity_for_actor(actor: User | None, pk: int | Opportunity) -> Opportunity:
    """The opportunity if `actor` may see it; missing and out of sight alike are NotFound."""
    pk = pk.pk if isinstance(pk, Opportunity) else pk
    found = opportunities_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Opportunity %(id)s not found.") % {"id": pk}, field="opportunity")
    return found


def default_pipeline() -> Pipeline:
    """The pipeline a new deal goes into when none is named (the first if none is marked)."""
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "position", "id")
    found = pipeline.first()
    if found is None:
        raise NotFound(_("No active pipeline is set up."), field="stage")
    return found


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = (
        pipeline.stages.filter(active=True, outcome=Outcome.OPEN).order_by("position", "id").first()
    )
    if stage is None:
        raise NotFound(
            _("The pipeline %(pipeline)s has no open stage.") % {"pipeline": pipeline},
            field="stage",
        )
    return stage


# --- Lists ----------------------------------------------------------------------------------


def opportunity_list(
    actor: User | None,
    *,
    owner: int | None = None,
    stage: int | None = None,
    pipeline: int | None = None,
    opportunity_type: str | None = None,
    outcome: str | None = None,
    close_from: dt.date | None = None,
    close_to: dt.date | None = None,
    account: int | None = None,
    search: str = "",
) -> QuerySet[Opportunity]:
    """The deals `actor` sees, narrowed by each filter given (None or "": not given), by
    expected close date. Each filter has an index that starts with it (models.Meta.indexes)."""
    qs = opportunities_visible_to(actor)
    lookups = {
        "owner_id": owner,
        "stage_id": stage,
        "pipeline_id": pipeline,
        "opportunity_type": opportunity_type,
        "outcome": outcome,
        "expected_close__gte": close_from,
        "expected_close__lte": close_to,
        "account_id": account,
    }
    qs = qs.filter(**{k: v for k, v in lookups.items() if v is not None and v != ""})
    if search and search.strip():
        qs = qs.filter(name__icontains=search.strip())
    return qs.order_by("expected_close", "id")


def open_deals_of_account(account_id: int) -> QuerySet[Opportunity]:
    """An account's open deals (the caller checked the account is visible)."""
    return (
        Opportunity.objects.filter(account_id=account_id, outcome=Outcome.OPEN)
        .select_related("stage", "owner")
        .order_by("expected_close", "id")
    )


def outcome_counts(account_id: int) -> dict[str, int]:
    """How many of the account's deals are open, won and lost (one indexed count)."""
    rows = (
        Opportunity.objects.filter(account_id=account_id)
        .values("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Outcome.values, 0)
    counts.update({row["outcome"]: row["n"] for row in rows})
    return counts


# --- Cycle time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTime:
    """The time one deal spent in one stage: over every visit, and whether it is there now."""

    stage: Stage
    seconds: int
    visits: int
    current: bool

    @property
    def days(self) -> float:
        return round(self.seconds / 86400, 1)


def stage_times(opportunity: Opportunity, *, now: dt.datetime | None = None) -> list[StageTime]:
    """Cycle time per stage of one deal, from its stage log (plus the time so far in the stage
    it is in, while it is open), in the pipeline's stage order."""
    now = now or timezone.now()
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for change in opportunity.stage_changes.all().order_by("changed_at", "id"):
        totals[change.to_stage_id][1] += 1
        if change.from_stage_id is not None:
            totals[change.from_stage_id][0] += change.seconds_in_from_stage or 0
    current = opportunity.stage_id
    if opportunity.outcome == Outcome.OPEN:
        totals[current][0] += max(int((now - opportunity.stage_changed_at).total_seconds()), 0)
    stages = Stage.objects.filter(pk__in=list(totals)).order_by("position", "id")
    return [
        StageTime(
            stage=s, seconds=totals[s.pk][0], visits=totals[s.pk][1], current=s.pk == current
        )  # fmt: skip
        for s in stages
    ]


def lines_of(opportunity: Opportunity) -> QuerySet[OpportunityLine]:
    """A deal's event lines by day (lines without a day last, on every database), kind, id."""
    return opportunity.lines.select_related("category").order_by(
        F("day").asc(nulls_last=True), "kind", "id"
    )


def stage_log(opportunity: Opportunity) -> QuerySet[StageChange]:
    return opportunity.stage_changes.select_related("from_stage", "to_stage", "actor").order_by(
        "changed_at", "id"
    )


def pipelines_with_stages() -> list[Pipeline]:
    """The active pipelines, each with its active stages in order (two queries)."""
    return list(
        Pipeline.objects.filter(active=True).prefetch_related(
            Prefetch("stages", queryset=Stage.objects.filter(active=True).order_by("position"))
        )
    )
