"""Converting a lead (C2): the lead becomes an account and a contact (`leads.services.
lead_convert_records`, which never makes a second copy of either) and, when opportunity fields
are given, an opportunity on that account (`pipeline.services.opportunity_create`), in one
transaction: a refused opportunity leaves the lead unconverted; the lead's referrals (转介绍)
then point at the account it became (`loyalty.services.lead_referral_follow`, the follow-up the
lead flows use). Here, not in a flow, because pipeline stands above leads and loyalty
(ARCHITECTURE.md: the higher service does the writes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.leads.models import Lead
from guanxi.leads.services import lead_convert_records
from guanxi.loyalty.services import lead_referral_follow
from guanxi.pipeline.models import Opportunity
from guanxi.pipeline.services import opportunity_create

#: Set from the lead, whatever the caller passes.
FROM_LEAD = frozenset({"account", "lead", "source", "campaign"})


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: int | Lead,
    account: int | Account | None = None,
    contact: int | Contact | None = None,
    opportunity: Mapping[str, Any] | None = None,
) -> tuple[Account, Contact | None, Opportunity | None]:
    """Convert `lead`; with `opportunity` (opportunity_create's fields: name, expected_close,
    opportunity_type, amount, …) also open a deal carrying the lead, its source and campaign,
    with the contact on it."""
    found, person = lead_convert_records(actor=actor, lead=lead, account=account, contact=contact)
    lead_referral_follow(actor=actor, lead=lead)  # the lead's referral names the account now
    if not opportunity:
        return found, person, None
    fields = dict(opportunity)
    clash = sorted(FROM_LEAD & set(fields))
    if clash:
        raise InvalidInput(
            _("'%(name)s' comes from the lead.") % {"name": clash[0]}, field=clash[0]
        )
    for required in ("name", "expected_close"):
        if not fields.get(required):
            raise InvalidInput(_("An opportunity needs a name and an expected close date."),
                               field=required)  # fmt: skip
    converted = Lead.objects.get(pk=lead.pk if isinstance(lead, Lead) else lead)
    contacts = list(fields.pop("contacts", ()))
    if person is not None and person.pk not in {getattr(c, "pk", c) for c in contacts}:
        contacts.insert(0, person)
    deal = opportunity_create(
        actor=actor,
        account=found,
        lead=converted,
        source=converted.source,
        campaign=converted.campaign,
        contacts=contacts,
        **fields,
    )
    return found, person, deal
