"""Agreements' writes: coverage of chosen subsidiaries (never a sister company), amendments with
before/after, the status life-cycle and its refusals, renewal with a successor, the nightly
expiry, documents."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.agreements.coverage import covered_account_ids
from guanxi.agreements.models import Agreement, AgreementDocument, Amendment
from guanxi.agreements.rates import rate_create
from guanxi.agreements.selectors import (
    active_agreements_covering,
    agreement_for_actor,
    agreement_list,
    renewal_date_of,
)
from guanxi.agreements.services import (
    agreement_create,
    agreement_negotiate,
    agreement_renew,
    agreement_sign,
    agreement_terminate,
    agreement_update,
    agreements_expire,
    document_add,
    document_delete,
)
from guanxi.core.errors import Conflict, InvalidInput, NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def test_a_group_agreement_covers_chosen_subsidiaries_and_not_sister_companies(
    cast, group, agreement
):
    assert covered_account_ids(agreement) == [cast.account.pk, group.sub.pk]
    agreement_sign(actor=cast.alice, agreement=agreement)
    on = dt.date(2026, 6, 1)
    assert list(active_agreements_covering(group.sub.pk, on=on)) == [agreement]
    assert list(active_agreements_covering(cast.account.pk, on=on)) == [agreement]
    assert list(active_agreements_covering(group.sister.pk, on=on)) == []
    assert list(active_agreements_covering(group.grandchild.pk, on=on)) == []  # not chosen
    assert list(active_agreements_covering(group.sub.pk, on=dt.date(2027, 1, 1))) == []
    # A grandchild may be chosen; a sister company may not, nor the parent holding.
    agreement_update(actor=cast.alice, agreement=agreement,
                     covered_accounts=[group.sub.pk, group.grandchild.pk])  # fmt: skip
    assert covered_account_ids(agreement) == [cast.account.pk, group.sub.pk, group.grandchild.pk]
    for outsider in (group.sister, group.holding):
        with pytest.raises(InvalidInput) as refused:
            agreement_update(actor=cast.alice, agreement=agreement, covered_accounts=[outsider.pk])
        assert refused.value.field == "covered_accounts"
        assert outsider.name in refused.value.message


def test_creating_checks_dates_signers_and_the_account(cast, group):
    base = dict(actor=cast.alice, account=cast.account, name="X", agreement_type="rebate",
                starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))  # fmt: skip
    with pytest.raises(InvalidInput) as bad:
        agreement_create(**{**base, "ends_on": dt.date(2025, 12, 31)})
    assert bad.value.field == "ends_on"
    with pytest.raises(InvalidInput) as bad:
        agreement_create(**base, renewal_date=dt.date(2027, 2, 1))
    assert bad.value.field == "renewal_date"
    with pytest.raises(InvalidInput) as bad:
        agreement_create(**base, their_signers=[group.sister_buyer])
    assert bad.value.field == "their_signers"
    with pytest.raises(InvalidInput) as bad:
        agreement_create(**{**base, "agreement_type": "bogus"})
    assert bad.value.field == "agreement_type"
    with pytest.raises(NotFound):
        agreement_create(**{**base, "actor": cast.charlie})
    made = agreement_create(**base, covered_accounts=[group.sub], their_signers=[group.sub_buyer])
    assert list(made.their_signers.all()) == [group.sub_buyer]
    assert made.status == "draft" and made.owner == cast.alice
    assert made.history.first().history_user == cast.alice


def test_changing_an_active_agreement_writes_versions_with_before_and_after(cast, group, agreement):
    agreement_update(actor=cast.alice, agreement=agreement, notes="draft terms")
    assert not Amendment.objects.exists()  # a draft changes freely
    agreement_sign(actor=cast.mia, agreement=agreement, signed_on=dt.date(2026, 1, 5))
    agreement_update(actor=cast.lena, agreement=agreement, ends_on=dt.date(2027, 3, 31),
                     notice_days=60, summary="Extended by a quarter",
                     effective_on=dt.date(2026, 7, 1))  # fmt: skip
    agreement_update(actor=cast.alice, agreement=agreement,
                     covered_accounts=[group.sub, group.grandchild])  # fmt: skip
    agreement_update(actor=cast.alice, agreement=agreement, notice_days=60)  # nothing changed
    v1, v2 = Amendment.objects.filter(agreement=agreement).order_by("version")
    assert (v1.version, v1.summary, v1.made_by, v1.effective_on) == (
        1, "Extended by a quarter", cast.lena, dt.date(2026, 7, 1))  # fmt: skip
    assert v1.changes == {"ends_on": ["2026-12-31", "2027-03-31"], "notice_days": [90, 60]}
    assert v2.version == 2 and v2.made_by == cast.alice
    both = sorted([group.sub.pk, group.grandchild.pk])
    assert v2.changes == {"covered_accounts": [[group.sub.pk], both]}
    assert "covered_accounts" in v2.summary
    latest = agreement.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == cast.alice
    entry = agreement.history.filter(ends_on=dt.date(2027, 3, 31)).last()
    assert entry.history_user == cast.lena
    # A rate change on an active agreement is a version too.
    rate_create(actor=cast.alice, agreement=agreement, category="rooms", value="680")
    v3 = Amendment.objects.get(agreement=agreement, version=3)
    assert list(v3.changes.values())[0][0] is None


def test_the_life_cycle_refuses_illegal_moves(cast, agreement):
    with pytest.raises(InvalidInput) as bad:
        agreement_update(actor=cast.alice, agreement=agreement, status="active")
    assert bad.value.field == "status"
    with pytest.raises(Conflict) as bad:
        agreement_terminate(actor=cast.alice, agreement=agreement, reason="x")
    assert "Draft" in bad.value.message and "Terminated" in bad.value.message
    with pytest.raises(Conflict):
        agreement_renew(actor=cast.alice, agreement=agreement)
    agreement_negotiate(actor=cast.alice, agreement=agreement)
    with pytest.raises(Conflict):
        agreement_negotiate(actor=cast.alice, agreement=agreement)
    signed = agreement_sign(actor=cast.alice, agreement=agreement)
    assert (signed.status, signed.signed_on, signed.our_signer) == (
        "active", dt.date(2026, 6, 15), cast.alice)  # fmt: skip
    with pytest.raises(Conflict):
        agreement_sign(actor=cast.alice, agreement=agreement)
    with pytest.raises(InvalidInput) as bad:
        agreement_terminate(actor=cast.alice, agreement=agreement, reason=" ")
    assert bad.value.field == "reason"
    with pytest.raises(InvalidInput) as bad:
        agreement_terminate(actor=cast.alice, agreement=agreement, reason="Sold",
                            terminated_on=dt.date(2027, 1, 5))  # fmt: skip
    assert bad.value.field == "terminated_on"
    done = agreement_terminate(actor=cast.alice, agreement=agreement, reason="Hotel sold")
    assert (done.status, done.terminated_on, done.termination_reason) == (
        "terminated", dt.date(2026, 6, 15), "Hotel sold")  # fmt: skip
    with pytest.raises(Conflict):
        agreement_update(actor=cast.alice, agreement=agreement, notes="too late")
    with pytest.raises(Conflict):
        agreement_sign(actor=cast.alice, agreement=agreement)
    # Terminated mid-year: in force until the day before, not after.
    assert list(active_agreements_covering(cast.account.pk, on=dt.date(2026, 6, 14)))
    assert not list(active_agreements_covering(cast.account.pk, on=dt.date(2026, 6, 15)))


def test_renewal_makes_a_draft_successor_and_signing_it_renews_the_old(cast, group, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement)
    rate_create(actor=cast.alice, agreement=agreement, category="rooms", value="680")
    assert renewal_date_of(agreement) == dt.date(2026, 10, 2)  # 31 Dec less 90 days
    successor = agreement_renew(actor=cast.alice, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.successor == successor and agreement.status == "active"
    assert (successor.status, successor.starts_on, successor.ends_on) == (
        "draft", dt.date(2027, 1, 1), dt.date(2027, 12, 31))  # fmt: skip
    assert covered_account_ids(successor) == [cast.account.pk, group.sub.pk]
    assert list(successor.their_signers.all()) == [group.buyer]
    assert [str(r.value) for r in successor.rates.all()] == ["680.000"]
    with pytest.raises(Conflict) as again:
        agreement_renew(actor=cast.alice, agreement=agreement)
    assert again.value.field == "successor"
    agreement_sign(actor=cast.alice, agreement=successor)
    agreement.refresh_from_db()
    assert agreement.status == "renewed"
    assert agreement.history.first().history_user == cast.alice


def test_the_nightly_step_expires_and_renews_automatically(cast, group, agreement, clock):
    agreement_sign(actor=cast.alice, agreement=agreement)
    auto = agreement_create(actor=cast.alice, account=group.sub, name="LNR", auto_renew=True,
                            agreement_type="negotiated_rate", starts_on=dt.date(2026, 1, 1),
                            ends_on=dt.date(2026, 12, 31))  # fmt: skip
    agreement_sign(actor=cast.alice, agreement=auto)
    assert agreements_expire(as_of=dt.date(2026, 12, 31)) == {"expired": 0, "renewed": 0}
    assert agreements_expire(as_of=dt.date(2027, 1, 1)) == {"expired": 1, "renewed": 1}
    agreement.refresh_from_db()
    auto.refresh_from_db()
    assert agreement.status == "expired"
    assert agreement.history.first().history_user is None  # the system
    assert auto.status == "renewed" and auto.successor.status == "active"
    assert auto.successor.signed_on == dt.date(2027, 1, 1)
    assert agreements_expire(as_of=dt.date(2027, 1, 2)) == {"expired": 0, "renewed": 0}


def test_reads_follow_the_access_rule(cast, agreement):
    assert agreement_for_actor(cast.lena, agreement.pk) == agreement
    for outsider in (cast.bob, cast.charlie):
        with pytest.raises(NotFound):
            agreement_for_actor(outsider, agreement.pk)
        with pytest.raises(NotFound):
            agreement_update(actor=outsider, agreement=agreement, notes="x")
    assert list(agreement_list(cast.mia, ending_within_days=200)) == [agreement]
    assert list(agreement_list(cast.mia, ending_within_days=30)) == []
    assert list(agreement_list(cast.alice, search="FA-2026")) == [agreement]
    assert list(agreement_list(cast.charlie)) == []


def test_documents_are_checked_stored_and_removed(cast, agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(InvalidInput) as bad:
        document_add(actor=cast.alice, agreement=agreement,
                     file=SimpleUploadedFile("run.exe", b"MZ"))  # fmt: skip
    assert bad.value.field == "file" and ".exe" in bad.value.message
    big = SimpleUploadedFile("big.pdf", b"x")
    big.size = 21 * 1024 * 1024
    with pytest.raises(InvalidInput) as bad:
        document_add(actor=cast.alice, agreement=agreement, file=big)
    assert "20 MB" in bad.value.message
    with pytest.raises(NotFound):
        document_add(actor=cast.bob, agreement=agreement, file=SimpleUploadedFile("a.pdf", b"%"))
    doc = document_add(actor=cast.alice, agreement=agreement,
                       file=SimpleUploadedFile("合同.pdf", b"%PDF-1.4"))  # fmt: skip
    path = tmp_path / doc.file.name
    assert path.exists() and doc.title == "合同" and doc.uploaded_by == cast.alice
    with pytest.raises(NotFound):
        document_delete(actor=cast.charlie, document=doc)
    document_delete(actor=cast.alice, document=doc)
    assert not AgreementDocument.objects.exists()
    assert Agreement.objects.filter(pk=agreement.pk).exists()
