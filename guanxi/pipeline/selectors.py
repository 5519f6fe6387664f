"""Reads of opportunities (商机). Access follows the accounts app: a deal is seen by whoever sees
its account (a KAM their own and co-owned accounts, a team lead their team's, managers all);
a deal out of sight is NotFound, never a refusal that tells it exists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.pipeline.models import Opportunity, Outcome, Pipeline, Stage


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
