"""Fixtures for the lead tests: the built-in sources and reasons, and a lead builder."""

from __future__ import annotations

import pytest

from guanxi.leads.models import (
    DisqualifyKind,
    DisqualifyReason,
    LeadSource,
    SelectionCriterion,
    SourceKind,
)
from guanxi.leads.services import lead_create, lead_man_set, lead_qualify


@pytest.fixture
def sources(db) -> dict[str, LeadSource]:
    # The migration seeds them, but a transactional test may have flushed them.
    return {
        kind: LeadSource.objects.get_or_create(builtin=kind, defaults={"kind": kind})[0]
        for kind in SourceKind.values
    }


@pytest.fixture
def reasons(db) -> dict[str, DisqualifyReason]:
    return {
        kind: DisqualifyReason.objects.get_or_create(builtin=kind)[0]
        for kind in DisqualifyKind.values
    }


@pytest.fixture
def new_lead(cast, sources):
    """new_lead(owner, company=…, …) → a lead created by its owner."""

    def make(owner=None, company="上海星辰会展服务有限公司", **fields):
        fields.setdefault("source", sources["exhibition"])
        lead, _ = lead_create(actor=owner or cast.alice, company=company, **fields)
        return lead

    return make


@pytest.fixture
def qualified(new_lead):
    """qualified(owner, …) → a lead whose MAN is all yes with evidence, qualified."""

    def make(owner=None, **fields):
        lead = new_lead(owner, **fields)
        lead_man_set(actor=lead.owner, lead=lead, money="yes", money_evidence="年预算80万",
                     authority="yes", authority_evidence="行政总监拍板",
                     need="yes", need_evidence="年会300人")  # fmt: skip
        return lead_qualify(actor=lead.owner, lead=lead)

    return make


GOOD = {"willingness": 5, "potential": 5, "strategic": 4, "social_value": 4}


@pytest.fixture
def criteria(db):
    # Seeded by migration 0004; a transactional test may have flushed them.
    if not SelectionCriterion.objects.exists():
        for position, (key, kind, weight) in enumerate(SEED):
            SelectionCriterion.objects.create(builtin=key, kind=kind, weight=weight,
                                              position=position)  # fmt: skip
    return {c.builtin: c for c in SelectionCriterion.objects.all()}


SEED = [("potential", "qualitative", 3), ("willingness", "qualitative", 2),
        ("strategic", "qualitative", 2), ("social_value", "qualitative", 2),
        ("clv", "quantitative", 3), ("revenue_12m", "quantitative", 2),
        ("p_alive", "quantitative", 2), ("annual_sales", "quantitative", 1),
        ("scale", "quantitative", 1), ("satisfaction", "quantitative", 1)]  # fmt: skip
