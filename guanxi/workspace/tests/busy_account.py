"""A busy account for the 360° page's query bound: ``n`` rows of every kind its cards read
(contacts, transactions over months and categories, payments, tasks, touchpoints, deals,
cases, lights, agreements, switching costs, survey answers and links, assessments, a plan
with goals of every source, actions and reviews, tiers and lifecycle stages with their moves,
scores, co-owners, tags, a buying centre and subsidiaries). `grow` adds ``n`` more of each:
the page must ask the same number of queries."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from guanxi.accounts.models import Account, Tag
from guanxi.activities.models import Task
from guanxi.agreements.models import Agreement, AgreementType, SwitchingCost
from guanxi.assessments.models import Assessment
from guanxi.core.dates import add_months
from guanxi.insights.models import AccountScore, AnalysisRun
from guanxi.loyalty.models import AccountLight, LightRule
from guanxi.pipeline.models import Opportunity, Pipeline
from guanxi.plans.models import AccountPlan, PlanAction, PlanGoal, PlanReview
from guanxi.relationships.services import buying_centre_member_set
from guanxi.service.models import Case
from guanxi.surveys.models import SurveyInvitation, SurveyResponse, SurveyTemplate
from guanxi.tiers.models import AccountTier, Tier, TierChange, TierCondition, TierPolicy, TierScheme
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import ProductCategory, Transaction
from guanxi.transactions.rollups import ledger_rollups_refresh
from tests.support import make_account, make_contact, make_payment

_seq = itertools.count(1)


def _schemes() -> tuple[TierScheme, TierScheme]:
    tiers = TierScheme.objects.create(code=f"value{next(_seq)}", name="价值")
    gold = Tier.objects.create(scheme=tiers, code="gold", name="金", rank=1)
    TierPolicy.objects.create(tier=gold, visit_every_days=14, discount_floor=Decimal("0.85"))
    Tier.objects.create(scheme=tiers, code="silver", name="银", rank=2)
    life = TierScheme.objects.create(code=f"life{next(_seq)}", name="生命周期",
                                     purpose="lifecycle")  # fmt: skip
    for rank, code in enumerate(("decline", "mature", "growth", "new"), start=1):
        stage = Tier.objects.create(scheme=life, code=code, name=code, rank=rank)
        TierCondition.objects.create(tier=stage, metric="revenue_12m", min_value=rank * 100)
    return tiers, life


def busy_account(cast, n: int = 6) -> Account:
    account = cast.account
    account.co_owners.add(cast.bob)
    tiers, life = _schemes()
    for scheme in (tiers, life):
        top = scheme.tiers.order_by("rank").first()
        AccountTier.objects.create(account=account, scheme=scheme, tier=top, computed_tier=top,
                                   evaluated_on=timezone.localdate())  # fmt: skip
    grow(cast, account, n)
    return account


def grow(cast, account: Account, n: int) -> None:
    """``n`` more rows of every kind on the account."""
    now, today = timezone.now(), timezone.localdate()
    categories = list(ProductCategory.objects.all()[:3]) or [
        ProductCategory.objects.create(code=f"c{next(_seq)}", name="客房", name_en="Rooms")
    ]
    contacts = [make_contact(account=account) for _ in range(n)]
    for i in range(n):
        k = next(_seq)
        when = now - dt.timedelta(days=35 * i + 1)
        Transaction.objects.create(account=account, amount=Decimal(100 + i), cost=Decimal(60),
                                   occurred_at=when, category=categories[i % len(categories)],
                                   external_id=f"B{k}", contact=contacts[i])  # fmt: skip
        make_payment(account=account, amount="50.00", received_at=when)
        Task.objects.create(account=account, assignee=cast.alice, kind="call", due_date=today,
                            title=f"回访 {k}", source="referral_ask",
                            key=f"referral:9:{k}")  # fmt: skip
        tp = Touchpoint.objects.create(account=account, kind="visit", occurred_at=when,
                                       logged_by=cast.alice)  # fmt: skip
        tp.contacts.add(contacts[i])
        Account.objects.filter(pk=make_account(owner=cast.alice).pk).update(parent=account)
        account.tags.add(Tag.objects.create(name=f"标签{k}"))
        _deal(cast, account, k)
        Case.objects.create(account=account, kind="complaint", subject=f"投诉 {k}",
                            owner=cast.alice, opened_at=when)  # fmt: skip
        rule = LightRule.objects.order_by("pk")[i % LightRule.objects.count()]
        AccountLight.objects.create(account=account, rule=rule, colour="red", raised_at=when,
                                    last_seen_on=today, cleared_at=now)  # fmt: skip
        Agreement.objects.create(name=f"协议{k}", agreement_type=AgreementType.objects.first(),
                                 account=account, owner=cast.alice, starts_on=today,
                                 ends_on=add_months(today, 12))  # fmt: skip
        SwitchingCost.objects.create(account=account, kind="search", strength=3)
        _survey(account, contacts[i], when, k)
        Assessment.objects.create(account=account, assessed_on=today - dt.timedelta(days=k),
                                  assessed_by=cast.alice, willingness_score=50,
                                  willingness_band="medium", quality_score=60,
                                  quality_band="medium")  # fmt: skip
        buying_centre_member_set(account=account, contact=contacts[i], actor=cast.alice,
                                 buying_roles=["user"], influence=3)  # fmt: skip
        for row in AccountTier.objects.filter(account=account).select_related("scheme"):
            scheme = row.scheme
            TierChange.objects.create(account=account, scheme=scheme, reason="rules",
                                      effective_on=today - dt.timedelta(days=k),
                                      to_tier=row.tier_id and row.tier)  # fmt: skip
        _score(account, today - dt.timedelta(days=30 * k))
    _plan(cast, account, contacts, n)
    ledger_rollups_refresh([account.pk])


def _deal(cast, account: Account, k: int) -> None:
    pipeline = Pipeline.objects.order_by("pk").first()
    stage = pipeline.stages.order_by("position").first()
    Opportunity.objects.create(account=account, name=f"商机{k}", pipeline=pipeline, stage=stage,
                               probability=stage.probability, owner=cast.alice,
                               expected_close=timezone.localdate(), code=f"D{k}",
                               stage_changed_at=timezone.now())  # fmt: skip


def _survey(account: Account, contact, when: dt.datetime, k: int) -> None:
    template = SurveyTemplate.objects.filter(kind="nps").first()
    SurveyResponse.objects.create(template=template, account=account, contact=contact,
                                  answered_at=when, nps_score=9)  # fmt: skip
    now = timezone.now()
    SurveyInvitation.objects.create(template=template, account=account, contact=contact,
                                    token_nonce=f"t{k}", sent_at=when,
                                    expires_at=now + dt.timedelta(days=30))  # fmt: skip


def _score(account: Account, end: dt.date) -> None:
    run = AnalysisRun.objects.create(observation_end=end, status="succeeded")
    AccountScore.objects.create(run=run, account=account, frequency=3, recency=10, age=100,
                                periods_since_last=2, monetary=100, total_revenue=1000,
                                total_cost=600, r_score=3, f_score=3, m_score=3, rfm_cell="333",
                                segment="Loyal", abc_class="A", revenue_rank=1, cost_to_serve=10,
                                historic_clp=400, p_alive=0.9, clv=1000)  # fmt: skip


def _plan(cast, account: Account, contacts: list, n: int) -> None:
    year = timezone.localdate().year
    plan, _ = AccountPlan.objects.get_or_create(account=account, year=year,
                                                defaults={"owner": cast.alice})  # fmt: skip
    for i in range(n):
        k = next(_seq)
        for measure in ("revenue", "coverage", "contact_stage", "supplier_stage",
                        "strategic_agreements", "commitment_attained", "manual"):  # fmt: skip
            stage = "trust" if measure == "contact_stage" else ""
            PlanGoal.objects.create(plan=plan, description=f"目标{k}{measure}", measure=measure,
                                    target_value=10, contact=contacts[i],
                                    target_stage=stage)  # fmt: skip
        PlanAction.objects.create(plan=plan, title=f"行动{k}", owner=cast.alice,
                                  due_on=timezone.localdate() + dt.timedelta(days=i))  # fmt: skip
        PlanReview.objects.create(plan=plan, held_on=timezone.localdate() - dt.timedelta(days=k))
