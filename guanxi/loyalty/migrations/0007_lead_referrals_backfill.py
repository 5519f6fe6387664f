"""Leads that named who referred them before a lead's referrer made a referral (转介绍) row get
theirs now, as `loyalty.services.lead_referral_follow` writes it: the referring account (the
person's account when only a person was named), the person if they work there, the lead, and
the account it became once converted (unless it became the referrer itself). A lead that
already has a referral row, or whose account already has one from that referrer entered by hand,
is left alone. The rows' audit history starts with this backfill."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    Referral = apps.get_model("loyalty", "Referral")
    leads = Lead.objects.filter(referred_by_account__isnull=False) | Lead.objects.filter(
        referred_by_contact__isnull=False
    )
    leads = leads.exclude(
        pk__in=Referral.objects.filter(referred_lead__isnull=False).values("referred_lead_id")
    ).select_related("referred_by_contact")
    rows = []
    for lead in leads.iterator(chunk_size=2000):
        contact = lead.referred_by_contact
        account_id = lead.referred_by_account_id or (contact.account_id if contact else None)
        if account_id is None:
            continue
        contact_id = (
            contact.pk if contact is not None and contact.account_id == account_id else None
        )
        became = lead.account_id if lead.status == "converted" else None
        if became == account_id:
            became = None
        if (
            became
            and Referral.objects.filter(
                referred_account_id=became, referrer_account_id=account_id, referred_lead=None
            ).exists()
        ):
            continue
        rows.append(Referral(
            referrer_account_id=account_id, referrer_contact_id=contact_id,
            referred_lead_id=lead.pk, referred_account_id=became,
            referred_on=timezone.localdate(lead.created_at),
        ))  # fmt: skip
    saved = Referral.objects.bulk_create(rows, batch_size=2000)
    # Their audit history starts here, as a row written by a service's would.
    History = apps.get_model("loyalty", "HistoricalReferral")
    fields = [f.attname for f in Referral._meta.concrete_fields]
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(
                **{name: getattr(row, name) for name in fields},
                history_date=now,
                history_type="+",
                history_change_reason="backfill: the lead's referrer",
            )  # fmt: skip
            for row in saved
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0005_lead_search_trigram"),
        ("loyalty", "0006_light_list_red_first"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
