"""Readable audit entries ("最近变更"): values formatted for people, empty saves skipped."""

import datetime as dt

import time_machine
from django.utils import timezone, translation

from guanxi.contacts.models import ProfileFact
from guanxi.contacts.services import profile_fact_verify, profile_facts_update
from guanxi.core.history import history_entries
from guanxi.transactions.models import Channel, Transaction
from tests.support import make_contact, make_transaction


def _changes(entry):
    return {c.field: (c.old, c.new) for c in entry.changes}


def test_verification_shows_local_minutes_yes_no_and_the_user(cast):
    contact = make_contact(account=cast.account)
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)):
        profile_facts_update(
            contact=contact, group="taboos", values={"dietary": "猪肉, 海鲜"}, actor=cast.alice
        )
    fact = ProfileFact.objects.get(contact=contact, key="dietary")
    with time_machine.travel(dt.datetime(2026, 11, 23, 19, 19, 23, 920227, tzinfo=dt.UTC)):
        profile_fact_verify(fact=fact, actor=cast.lena)
    with translation.override("zh-hans"):
        entries = history_entries(
            ProfileFact.history.filter(contact_id=contact.pk), created_fields=("value",)
        )
        latest, created = _changes(entries[0]), _changes(entries[1])
    assert latest["已核实"] == ("否", "是")
    assert latest["核实人"] == ("—", str(cast.lena))
    assert latest["核实时间"] == ("—", "2026-11-24 03:19")  # Asia/Shanghai, no seconds
    assert created["值"] == ("—", "猪肉、海鲜")


def test_datetimes_choices_and_dates_are_formatted_and_empty_saves_skipped(cast):
    tx = make_transaction(account=cast.account, when=dt.datetime(2026, 5, 12, 4, 55, tzinfo=dt.UTC))
    tx.occurred_at = dt.datetime(2026, 11, 23, 19, 19, 23, 920227, tzinfo=dt.UTC)
    tx.channel = Channel.OTA
    tx._history_user = cast.alice
    tx.save()
    tx.save()  # nothing changed: no entry
    with translation.override("en"):
        entries = history_entries(Transaction.history.filter(id=tx.pk))
    assert [e.action for e in entries] == ["changed", "created"]
    changes = _changes(entries[0])
    occurred = next(v for k, v in changes.items() if k.lower().startswith("occurred"))
    assert occurred == ("2026-05-12 12:55", "2026-11-24 03:19")
    channel = next(v for k, v in changes.items() if k.lower().startswith("channel"))
    assert channel[1] == str(Channel.OTA.label)
    assert entries[0].user == cast.alice
    assert timezone.is_aware(entries[0].when)
