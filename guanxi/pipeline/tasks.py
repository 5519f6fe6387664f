"""Background jobs of the nightly chain: train the deal odds on the closed deals and predict the
open ones (after the tiers and the policy tasks it reads); send the satisfaction survey after a
MICE event (`survey_events`, through `surveys.sending`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.core.jobs import recorded_task
from guanxi.pipeline.models import Opportunity, OpportunityType, Outcome
from guanxi.pipeline.odds import odds_train, status_message
from guanxi.surveys.models import InvitationSource
from guanxi.surveys.sending import EVENT_TEMPLATE, surveys_send_once

#: A missed night still sends: events that ended up to this many days ago.
EVENT_SURVEY_DAYS = 7


def odds_train_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Train as of ``as_of`` (default today, local time): open deals' features are read as of
    that day. Too few closed deals is not a failure: the summary says so and the chain goes on."""
    record = odds_train(today=as_of)
    return {
        "model": record.pk,
        "status": record.status,
        "deals": record.n_deals,
        "won": record.n_won,
        "lost": record.n_lost,
        "holdout": record.n_holdout,
        "brier_score": record.brier_score,
        "baseline_brier_score": record.baseline_brier_score,
        "predicted": record.n_predicted,
        "message": status_message(record),
    }


odds_train_task = recorded_task("odds_train")(odds_train_job)


def event_surveys_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """After a MICE event: the day after a won MICE deal's event ended (or up to a week later,
    should a night be missed), a CSAT link to the account, once per deal ("event:<id>"), to
    the deal's contact (its primary one first)."""
    as_of = as_of or timezone.localdate()
    deals = Opportunity.objects.filter(
        opportunity_type=OpportunityType.MICE,
        outcome=Outcome.WON,
        event_end__lt=as_of,
        event_end__gte=as_of - dt.timedelta(days=EVENT_SURVEY_DAYS),
    ).prefetch_related("contacts")
    sent = already = 0
    for deal in deals:
        summary = surveys_send_once(
            template_code=EVENT_TEMPLATE,
            source=InvitationSource.EVENT,
            reference=f"event:{deal.pk}",
            account_ids=[deal.account_id],
            contacts={deal.account_id: [c.pk for c in deal.contacts.all()]},
        )
        sent += summary["sent"]
        already += summary["already"]
    return {"as_of": as_of, "events": len(deals), "sent": sent, "already": already}


event_surveys_task = recorded_task("survey_events")(event_surveys_job)
