"""The demo's leads, deals and targets: won events that became the ledger's transactions, lost
deals with reasons, open deals in every stage, leads in every status, KAMs' and teams' targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from guanxi.demo.services import demo_build
from guanxi.leads.models import Lead, LeadStatus
from guanxi.loyalty.models import Referral
from guanxi.pipeline.models import (
    ExpectedRevenue,
    Opportunity,
    OpportunityType,
    Outcome,
    SalesTarget,
    StageChange,
)
from guanxi.transactions.models import Transaction

AS_OF = dt.date(2026, 6, 30)
N = 120
SEED = 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        transaction.set_rollback(True)


def test_won_mice_deals_are_events_the_ledger_billed_quoted_close_to_the_bill(demo, db):
    won = Opportunity.objects.filter(outcome=Outcome.WON, opportunity_type=OpportunityType.MICE)
    assert won.count() >= 5
    for opp in won[:10]:
        billed = Transaction.objects.filter(
            account=opp.account,
            description__startswith=f"{opp.name} · ",
            occurred_at__date__gte=opp.event_start - dt.timedelta(days=1),
            occurred_at__date__lte=opp.event_end,
        ).aggregate(s=Sum("amount"))["s"]
        assert billed and Decimal("0.8") * billed <= opp.amount <= Decimal("1.25") * billed
        assert opp.closed_on < opp.event_start
        expected = ExpectedRevenue.objects.filter(opportunity=opp).aggregate(s=Sum("amount"))["s"]
        assert abs(expected - opp.amount) <= 1  # the quote's lines, kept by month and category


def test_every_deal_walks_the_sop_in_its_stage_log(demo, db):
    for opp in Opportunity.objects.all()[:50]:
        log = list(StageChange.objects.filter(opportunity=opp).order_by("changed_at", "id"))
        assert log[0].from_stage is None and log[-1].to_stage_id == opp.stage_id
        assert all(b.from_stage_id == a.to_stage_id for a, b in zip(log, log[1:], strict=False))
        assert all(c.seconds_in_from_stage > 0 for c in log[1:])
        assert opp.stage_changed_at == log[-1].changed_at
        assert opp.created_at == log[0].changed_at


def test_lost_deals_have_reasons_and_open_ones_fill_the_board(demo, db):
    lost = Opportunity.objects.filter(outcome=Outcome.LOST)
    assert lost.exists() and not lost.filter(lost_reason__isnull=True).exists()
    assert lost.exclude(competitor="").exists()
    open_deals = Opportunity.objects.filter(outcome=Outcome.OPEN)
    assert open_deals.values("stage").distinct().count() == 4
    assert not open_deals.filter(expected_close__lt=AS_OF).exists()
    assert open_deals.filter(next_step_on__lt=AS_OF).exists()  # overdue next steps
    assert open_deals.filter(next_step_on__isnull=True).exists()  # no next step at all


def test_leads_in_every_status_and_converted_ones_brought_their_customer(demo, db):
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert statuses == set(LeadStatus.values)
    for lead in Lead.objects.filter(status=LeadStatus.CONVERTED)[:10]:
        assert lead.account and lead.man_met
        assert timezone.localdate(lead.created_at) < lead.account.customer_since
    assert not Lead.objects.filter(status=LeadStatus.QUALIFIED).exclude(money="yes").exists()
    assert not Lead.objects.filter(
        status=LeadStatus.DISQUALIFIED, disqualify_reason__isnull=True
    ).exists()
    referred = Lead.objects.filter(referred_by_account__isnull=False)
    assert referred.exists()
    # each is a referral on the referrals page, pointing at its account once converted
    rows = Referral.objects.filter(referred_lead__isnull=False)
    assert set(rows.values_list("referred_lead", flat=True)) == set(
        referred.values_list("pk", flat=True)
    )
    for row in rows.select_related("referred_lead"):
        assert row.referrer_account_id == row.referred_lead.referred_by_account_id
        if row.referred_lead.status == LeadStatus.CONVERTED:
            assert row.referred_account_id == row.referred_lead.account_id


def test_kams_and_teams_have_targets_for_the_past_year_and_next_quarter(demo, db):
    kams = SalesTarget.objects.filter(user__isnull=False)
    assert kams.filter(starts_on=dt.date(2026, 9, 1)).exists()
    assert kams.filter(starts_on=dt.date(2025, 7, 1)).exists()
    assert SalesTarget.objects.filter(team__isnull=False, period="quarter").exists()
