"""Automatic sending: the yearly NPS link of the key accounts and the CSAT link after a MICE
event, each once (a night run twice sends nothing twice)."""

from __future__ import annotations

import datetime as dt

from guanxi.pipeline.models import Outcome
from guanxi.pipeline.services import opportunity_create
from guanxi.pipeline.tasks import event_surveys_job
from guanxi.surveys.models import SurveyInvitation
from guanxi.surveys.tasks import survey_yearly_job
from guanxi.tiers.models import AccountTier, Tier, TierScheme
from tests.support import make_account, make_contact


def test_yearly_survey_goes_to_key_accounts_once_a_year(cast, templates):
    scheme = TierScheme.objects.create(code="value", name="价值分级")
    top = Tier.objects.create(scheme=scheme, code="key", name="重点客户", rank=1)
    other = Tier.objects.create(scheme=scheme, code="std", name="普通客户", rank=2)
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=top)
    AccountTier.objects.create(account=cast.west_account, scheme=scheme, tier=other)
    make_contact(account=cast.account, name="李总")
    primary = make_contact(account=cast.account, name="王经理", is_primary=True)
    first = survey_yearly_job(as_of=dt.date(2026, 3, 1))
    assert (first["key_accounts"], first["sent"]) == (1, 1)
    invitation = SurveyInvitation.objects.get()
    assert (invitation.account, invitation.contact, invitation.source) == (
        cast.account,
        primary,
        "yearly",
    )
    assert invitation.reference == "yearly:2026" and invitation.sent_by is None
    assert invitation.template.code == "nps"
    again = survey_yearly_job(as_of=dt.date(2026, 11, 1))
    assert (again["sent"], again["already"]) == (0, 1)
    assert survey_yearly_job(as_of=dt.date(2027, 1, 2))["sent"] == 1
    assert SurveyInvitation.objects.count() == 2


def test_no_active_scheme_no_key_accounts(db, templates):
    assert survey_yearly_job(as_of=dt.date(2026, 3, 1))["sent"] == 0


def _won_event(cast, contact, end):
    deal = opportunity_create(
        actor=cast.alice,
        account=cast.account,
        name="年会",
        opportunity_type="mice",
        expected_close=end - dt.timedelta(days=30),
        contacts=[contact],
        event_start=end - dt.timedelta(days=1),
        event_end=end,
    )
    type(deal).objects.filter(pk=deal.pk).update(outcome=Outcome.WON, closed_on=end)
    return deal


def test_after_a_mice_event_a_csat_link_once(cast, templates, contact):
    deal = _won_event(cast, contact, dt.date(2026, 5, 20))
    assert event_surveys_job(as_of=dt.date(2026, 5, 20))["sent"] == 0  # not over yet
    summary = event_surveys_job(as_of=dt.date(2026, 5, 21))
    assert (summary["events"], summary["sent"]) == (1, 1)
    invitation = SurveyInvitation.objects.get()
    assert (invitation.source, invitation.reference) == ("event", f"event:{deal.pk}")
    assert (invitation.contact, invitation.template.code) == (contact, "csat")
    assert event_surveys_job(as_of=dt.date(2026, 5, 22))["sent"] == 0
    assert event_surveys_job(as_of=dt.date(2026, 6, 30))["events"] == 0
    assert SurveyInvitation.objects.count() == 1


def test_a_deal_contact_is_preferred_over_the_primary_unless_inactive(cast, templates):
    primary = make_contact(account=cast.account, name="李总", is_primary=True)
    guest = make_contact(account=cast.account, name="王经理")
    deal = _won_event(cast, guest, dt.date(2026, 5, 20))
    event_surveys_job(as_of=dt.date(2026, 5, 21))
    assert SurveyInvitation.objects.get(reference=f"event:{deal.pk}").contact == guest
    left = make_contact(account=cast.account, name="赵经理")
    type(left).objects.filter(pk=left.pk).update(is_active=False)
    later = _won_event(cast, left, dt.date(2026, 6, 20))
    event_surveys_job(as_of=dt.date(2026, 6, 21))
    assert SurveyInvitation.objects.get(reference=f"event:{later.pk}").contact == primary


def test_the_yearly_send_writes_in_batches(cast, templates, django_assert_max_num_queries):
    scheme = TierScheme.objects.create(code="value", name="价值分级")
    top = Tier.objects.create(scheme=scheme, code="key", name="重点客户", rank=1)
    accounts = [make_account(code=f"K{i:03}", owner=cast.alice) for i in range(30)]
    AccountTier.objects.bulk_create(
        AccountTier(account=a, scheme=scheme, tier=top) for a in accounts
    )
    contacts = {a.pk: make_contact(account=a, name=f"联系人{i}") for i, a in enumerate(accounts)}
    with django_assert_max_num_queries(12):
        summary = survey_yearly_job(as_of=dt.date(2026, 3, 1))
    assert summary["sent"] == 30
    links = SurveyInvitation.objects.filter(reference="yearly:2026")
    assert {(i.account_id, i.contact_id) for i in links} == {
        (pk, c.pk) for pk, c in contacts.items()
    }
    assert len({i.token_nonce for i in links}) == 30
