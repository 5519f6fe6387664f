"""Every row a merge re-points gets its own audit row (by the acting user, the merge as the
reason), and so does every row its undo puts back; written in bulk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.contacts.models import Contact
from guanxi.merging.services import merge_undo, records_merge
from guanxi.transactions.models import Transaction
from tests.support import make_account, make_contact, make_transaction

pytestmark = pytest.mark.django_db


def _loaded_dupe(cast, contacts: int):
    dupe = make_account(owner=cast.alice, name="华东会展集团有限公司")
    people = [make_contact(account=dupe, name=f"王{i}芳") for i in range(contacts)]
    sales = [make_transaction(account=dupe, amount="50.00") for _ in range(2)]
    return dupe, people, sales


def _latest(model, pk: int):
    return model.history.filter(id=pk).order_by("-history_date", "-history_id").first()


def test_moved_rows_have_an_audit_row_and_so_has_the_undo(cast, english):
    keep = cast.account
    dupe, people, sales = _loaded_dupe(cast, contacts=3)
    done = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=dupe.pk)
    merge = done.merge
    for model, rows in ((Contact, people), (Transaction, sales)):
        for row in rows:
            entry = _latest(model, row.pk)
            assert entry.history_type == "~"
            assert entry.history_user == cast.mia
            assert entry.history_change_reason == f"merge #{merge.pk}"
            assert entry.account_id == keep.pk
    merge_undo(actor=cast.lena, merge_id=merge.pk)
    for model, rows in ((Contact, people), (Transaction, sales)):
        for row in rows:
            entry = _latest(model, row.pk)
            assert (entry.history_type, entry.history_user) == ("~", cast.lena)
            assert entry.history_change_reason == f"undo of merge #{merge.pk}"
            assert entry.account_id == dupe.pk
            assert model.history.filter(id=row.pk).count() == 3  # created, merged, undone


def test_a_preview_writes_no_audit_rows(cast):
    dupe, people, _sales = _loaded_dupe(cast, contacts=2)
    before = Contact.history.count()
    records_merge(actor=cast.mia, kind="account", keep=cast.account.pk, other=dupe.pk,
                  dry_run=True)  # fmt: skip
    assert Contact.history.count() == before
    assert Contact.objects.get(pk=people[0].pk).account_id == dupe.pk


def _merge_queries(cast, contacts: int) -> int:
    dupe, _people, _sales = _loaded_dupe(cast, contacts)
    keep = make_account(owner=cast.alice, name=f"华东会展{contacts}")
    with CaptureQueriesContext(connection) as queries:
        merge = records_merge(actor=cast.mia, kind="account", keep=keep.pk, other=dupe.pk).merge
        merge_undo(actor=cast.mia, merge_id=merge.pk)
    return len(queries)


def test_the_audit_rows_are_written_in_bulk(cast):
    # Ten times the contacts: the same number of queries (one read and one insert per chunk).
    assert _merge_queries(cast, contacts=30) == _merge_queries(cast, contacts=3)
