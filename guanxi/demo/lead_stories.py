"""Two years of the demo's leads (线索): the customers won in that time were leads first, and
others are still being worked, were qualified and wait to be converted, or were dropped.

A customer who came in the last two years was a lead one to three months before: converted,
with all three of MAN met and its account and first contact attached. Other leads are companies
of the city that are not customers: new ones from the last fortnight, leads being worked with
some of MAN answered, qualified ones ready to convert, and disqualified ones with a reason.
Referrals name the key account and the person who referred them (转介绍).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from faker import Faker

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.models import User
from guanxi.demo import deal_words as W
from guanxi.demo.bulk import bulk_insert_with_history
from guanxi.demo.catalog import CHANGE_REASON
from guanxi.demo.draw import Dice
from guanxi.leads.models import Answer, DisqualifyReason, Lead, LeadSource, LeadStatus

HISTORY_DAYS = 730
SOURCE_WEIGHTS = (("bd", 5), ("exhibition", 3), ("referral", 3), ("website", 2),
                  ("content", 2), ("ota", 1), ("walk_in", 1))  # fmt: skip
OPEN_STATUS = ((LeadStatus.NEW, 2), (LeadStatus.WORKING, 4), (LeadStatus.QUALIFIED, 2),
               (LeadStatus.DISQUALIFIED, 5))  # fmt: skip


class LeadStories:
    def __init__(self, dice: Dice, fake: Faker, as_of: dt.date):
        self.dice, self.fake, self.as_of = dice, fake, as_of
        self.tz = timezone.get_current_timezone()
        self.sources = {s.builtin: s for s in LeadSource.objects.exclude(builtin="")}
        self.reasons = {r.builtin: r for r in DisqualifyReason.objects.exclude(builtin="")}
        self.kams = list(User.objects.filter(role="kam", is_active=True).order_by("id"))
        self.referrers = list(
            Contact.objects.filter(is_primary=True, account__owner__isnull=False)
            .order_by("id")
            .values_list("account_id", "id")[:40]
        )

    def leads(self) -> list[Lead]:
        since = self.as_of - dt.timedelta(days=HISTORY_DAYS)
        won = (
            Account.objects.filter(customer_since__gte=since, owner__isnull=False)
            .exclude(account_type__in=("individual", "ota"))
            .order_by("id")
        )
        primary = dict(Contact.objects.filter(is_primary=True).values_list("account_id", "id"))
        names = dict(Contact.objects.filter(is_primary=True).values_list("account_id", "name"))
        out = [self._converted(a, primary.get(a.pk), names.get(a.pk, "")) for a in won]
        out += [self._open() for _ in range(max(20, len(out) * 2))]
        return out

    def _converted(self, account: Account, contact_id: int | None, person: str) -> Lead:
        d = self.dice
        lead = self._lead(account.name, person, account.owner, account.city)
        lead.created_at = self._at(account.customer_since - dt.timedelta(days=d.randint(20, 90)))
        lead.status = LeadStatus.CONVERTED
        lead.account_id, lead.contact_id = account.pk, contact_id
        lead.converted_at = self._at(account.customer_since - dt.timedelta(days=d.randint(1, 15)))
        lead.industry = account.industry
        self._man(lead, 3)
        return lead

    def _open(self) -> Lead:
        d = self.dice
        status = d.pick_weighted(OPEN_STATUS)
        back = d.randint(0, 14) if status == LeadStatus.NEW else d.randint(15, HISTORY_DAYS)
        trade, form, city = d.pick(W.LEAD_INDUSTRIES), d.pick(W.LEAD_FORMS), self.fake.city_name()
        company = f"{city}{self.fake.last_name()}{trade}{form}"
        lead = self._lead(company, self.fake.name(), d.pick(self.kams), city)
        lead.created_at = self._at(self.as_of - dt.timedelta(days=back))
        lead.status = status
        if status == LeadStatus.WORKING:
            self._man(lead, d.randint(0, 2))
        elif status == LeadStatus.QUALIFIED:
            self._man(lead, 3)
        elif status == LeadStatus.DISQUALIFIED:
            key = d.pick(tuple(W.DISQUALIFY_NOTES))
            lead.disqualify_reason = self.reasons[key]
            lead.disqualify_note = W.DISQUALIFY_NOTES[key]
            self._man(lead, d.randint(0, 2))
        return lead

    def _lead(self, company: str, person: str, owner: User, city: str) -> Lead:
        d = self.dice
        source = d.pick_weighted(SOURCE_WEIGHTS)
        lead = Lead(
            company=company[:200],
            person_name=person[:100],
            job_title=d.pick(("行政总监", "办公室主任", "采购经理", "总经理助理", "市场部经理")),
            mobile=self.fake.phone_number(),
            city=city[:50],
            source=self.sources[source],
            campaign=d.pick(W.CAMPAIGNS) if source in ("exhibition", "content") else "",
            owner=owner,
            team_id=owner.team_id,
        )
        if source == "referral" and self.referrers:
            lead.referred_by_account_id, lead.referred_by_contact_id = d.pick(self.referrers)
        return lead

    def _man(self, lead: Lead, answered: int) -> None:
        """Answer the first ``answered`` of money, authority and need (yes, with evidence)."""
        d = self.dice
        evidence = (W.MONEY_EVIDENCE, W.AUTHORITY_EVIDENCE, W.NEED_EVIDENCE)
        for i, name in enumerate(("money", "authority", "need")[:answered]):
            setattr(lead, name, Answer.YES)
            setattr(lead, f"{name}_evidence", d.pick(evidence[i]))

    def _at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.dice.randint(9, 17), 0), self.tz)


def write_leads(leads: list[Lead], *, admin: User, now: dt.datetime) -> list[Lead]:
    created = {id(lead): lead.created_at for lead in leads}
    saved = bulk_insert_with_history(Lead, leads, user=admin, date=now, reason=CHANGE_REASON)
    for lead in saved:  # auto_now_add stamped them now; they came in over two years
        lead.created_at = created.get(id(lead)) or lead.created_at
    Lead.objects.bulk_update(saved, ["created_at"], batch_size=500)
    return saved
