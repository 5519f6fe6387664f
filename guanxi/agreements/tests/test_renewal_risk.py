"""Renewal risk: each term hand-checked, the stored rows the nightly step writes, and the
explanation in words."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.agreements import renewal
from guanxi.agreements.models import AgreementStatus, RenewalRisk
from guanxi.agreements.renewal import (
    alive_term,
    level_of,
    pace_term,
    relationship_term,
    renewal_risk_refresh,
    segment_term,
    term_words,
)
from guanxi.agreements.renewal_reads import explained
from guanxi.agreements.tests.renewal_support import AS_OF, make_agreement, make_run, make_score
from guanxi.relationships.services import buying_centre_member_set
from tests.support import make_account, make_contact

pytestmark = pytest.mark.django_db


def test_pace_term_is_zero_on_pace_full_below_half_and_linear_between():
    assert pace_term(1.1)["points"] == 0
    assert pace_term(1.0)["points"] == 0
    assert pace_term(0.8)["points"] == 14  # 35 × (1 − 0.8) / 0.5 = 14
    assert pace_term(0.5)["points"] == 35
    assert pace_term(0.1)["points"] == 35
    assert pace_term(None) == {"code": "pace", "points": 0, "out_of": 35, "pace": None}


def test_alive_segment_and_relationship_terms_by_hand():
    assert alive_term(0.6)["points"] == 10  # 25 × 0.4
    assert alive_term(None)["points"] == 0
    assert segment_term("At risk", "Loyal")["points"] == 15  # moved to a worse segment
    assert segment_term("At risk", "At risk")["points"] == 8  # stays worrying
    assert segment_term("Loyal", "At risk")["points"] == 0  # recovered
    assert segment_term("Champions", None)["points"] == 0
    assert segment_term(None, None)["points"] == 0
    assert relationship_term(None)["points"] == 10  # no buying centre mapped
    assert relationship_term([])["points"] == 0
    assert relationship_term(["a", "b"])["points"] == 16
    assert relationship_term(["a", "b", "c", "d"])["points"] == 25  # capped
    assert [level_of(s) for s in (59, 60, 29, 30)] == ["medium", "high", "low", "medium"]


def test_the_terms_read_as_sentences(english):
    assert term_words(pace_term(0.8)) == "Pace: 80% of the commitment due by now (14/35)."
    assert term_words(alive_term(0.6)) == "P(alive): 60% (10/25)."
    assert term_words(segment_term("At risk", "Loyal")) == (
        "Segment: Loyal customers → At risk of churn (15/15)."
    )
    assert term_words(relationship_term(None)) == (
        "Relationships: no buying centre mapped (10/25)."
    )
    assert term_words(relationship_term(["x"])) == (
        "Relationships: 1 risk on the buying centre (8/25)."
    )


def test_refresh_scores_agreements_in_the_window_only_and_explains(cast, monkeypatch, english):
    account = cast.account
    soon = make_agreement(account, ends_on=AS_OF + dt.timedelta(days=40))
    make_agreement(account, ends_on=AS_OF + dt.timedelta(days=120), name="later")
    make_agreement(account, ends_on=AS_OF + dt.timedelta(days=10), status=AgreementStatus.DRAFT)
    before = make_run(dt.date(2026, 5, 31))
    make_score(before, account, p_alive=0.9, segment="Loyal")
    now = make_run(dt.date(2026, 6, 14))
    make_score(now, account, p_alive=0.6, segment="At risk")
    warm = make_contact(account=account, name="李经理")
    buying_centre_member_set(account=account, contact=warm, actor=None, stance="supporter",
                             buying_roles=["approver", "decision_maker"])  # fmt: skip
    monkeypatch.setattr(renewal, "agreements_pace", lambda ids, as_of: {soon.pk: 0.8})

    summary = renewal_risk_refresh(as_of=AS_OF)

    risk = RenewalRisk.objects.get()
    assert risk.agreement == soon and risk.as_of == AS_OF
    by_code = {t["code"]: t for t in risk.terms}
    assert by_code["pace"]["points"] == 14
    assert by_code["p_alive"]["points"] == 10
    assert by_code["segment"]["points"] == 15
    relationships = by_code["relationships"]
    assert relationships["points"] == min(8 * len(relationships["risks"]), 25) > 0
    assert risk.score == 14 + 10 + 15 + relationships["points"]
    assert risk.level == level_of(risk.score)
    assert summary["agreements"] == 1 and summary[risk.level] == 1
    words = explained(risk)
    assert "Pace: 80% of the commitment due by now (14/35)." in words
    assert "Segment: Loyal customers → At risk of churn (15/15)." in words

    # The next night: the agreement was renewed, so its row goes.
    soon.status = AgreementStatus.RENEWED
    soon.save()
    assert renewal_risk_refresh(as_of=AS_OF)["removed"] == 1
    assert not RenewalRisk.objects.exists()


def test_the_window_follows_the_setting(cast, settings):
    settings.GUANXI_RENEWAL_WINDOW_DAYS = 150
    make_agreement(cast.account, ends_on=AS_OF + dt.timedelta(days=120))
    assert renewal_risk_refresh(as_of=AS_OF)["agreements"] == 1
    other = make_account(owner=cast.bob)
    make_agreement(other, ends_on=AS_OF - dt.timedelta(days=1))  # ended yesterday: out
    assert renewal_risk_refresh(as_of=AS_OF)["agreements"] == 1
