"""Renewal risk's complaints term: open complaints and recently breached ones of the accounts an
agreement covers raise the risk, said in words; old, praise and uncovered cases do not."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.agreements.models import RenewalRisk
from guanxi.agreements.renewal import complaint_term, renewal_risk_refresh, term_words
from guanxi.agreements.renewal_reads import explained
from guanxi.agreements.tests.renewal_support import AS_OF, make_agreement
from guanxi.core.dates import local_midnight
from guanxi.service.models import Case
from tests.support import make_account

pytestmark = pytest.mark.django_db


def make_case(account, *, days_ago: int, kind="complaint", status="new", breached=False):
    opened = local_midnight(AS_OF - dt.timedelta(days=days_ago)) + dt.timedelta(hours=10)
    return Case.objects.create(account=account, owner=account.owner, kind=kind, status=status,
                               subject="x", opened_at=opened,
                               resolution_breached=breached)  # fmt: skip


def test_the_term_by_hand(english):
    assert complaint_term(0, 0)["points"] == 0
    assert complaint_term(1, 0)["points"] == 10
    assert complaint_term(1, 1)["points"] == 18
    assert complaint_term(3, 2)["points"] == 20  # capped
    assert term_words(complaint_term(1, 1)) == (
        "Complaints: 1 open, 1 with a breached SLA in the last 90 days (18/20)."
    )
    assert term_words(complaint_term(0, 0)) == ("Complaints: none open, none late lately (0/20).")


def test_complaints_of_covered_accounts_raise_the_risk(cast, english):
    sub = make_account(owner=cast.alice, name="分公司", parent=cast.account)
    sister = make_account(owner=cast.alice, name="姐妹公司")
    agreement = make_agreement(cast.account, ends_on=AS_OF + dt.timedelta(days=40))
    agreement.covered_accounts.add(sub)
    make_case(sub, days_ago=3)  # open complaint on a covered subsidiary
    make_case(cast.account, days_ago=20, status="closed", breached=True)  # late, recent
    make_case(cast.account, days_ago=200, status="closed", breached=True)  # late, too old
    make_case(cast.account, days_ago=2, kind="praise")  # not a complaint
    make_case(sister, days_ago=1)  # not covered
    renewal_risk_refresh(as_of=AS_OF)
    risk = RenewalRisk.objects.get(agreement=agreement)
    term = {t["code"]: t for t in risk.terms}["complaints"]
    assert (term["open"], term["breached"], term["points"]) == (1, 1, 18)
    assert "Complaints: 1 open, 1 with a breached SLA in the last 90 days (18/20)." in explained(
        risk
    )
