"""The terms of a signed agreement are part of it: adding, changing or removing a volume
commitment or a rebate schedule on an active agreement writes an amendment (version + 1,
term → [before, after], by whom), as a change of its own fields or of a rate does; a draft's
terms change freely."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from guanxi.agreements.services import agreement_sign
from guanxi.agreements.terms import (
    commitment_create,
    commitment_delete,
    commitment_update,
    schedule_create,
    schedule_delete,
    schedule_update,
)

pytestmark = pytest.mark.django_db


def test_a_draft_s_terms_change_without_an_amendment(cast, agreement):
    commitment = commitment_create(actor=cast.alice, agreement=agreement, basis="amount",
                                   committed=D(1_000_000))  # fmt: skip
    commitment_update(actor=cast.alice, commitment=commitment, committed=D(2_000_000))
    assert not agreement.amendments.exists()


def test_each_change_of_an_active_agreement_s_commitment_is_an_amendment(cast, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement, signed_on=dt.date(2026, 1, 1))
    commitment = commitment_create(actor=cast.alice, agreement=agreement, basis="amount",
                                   committed=D(1_000_000))  # fmt: skip
    commitment_update(actor=cast.alice, commitment=commitment, committed=D(1_200_000))
    commitment_update(actor=cast.alice, commitment=commitment, committed=D(1_200_000))  # no change
    key = f"commitment {commitment.pk}"
    commitment_delete(actor=cast.alice, commitment=commitment)
    added, changed, removed = agreement.amendments.order_by("version")
    assert [a.version for a in (added, changed, removed)] == [1, 2, 3]
    assert added.changes[key][0] is None and added.changes[key][1]["committed"] == "1000000"
    before, after = changed.changes[key]
    assert (before["committed"], after["committed"]) == ("1000000", "1200000")
    assert removed.changes[key][1] is None and removed.made_by == cast.alice


def test_a_rebate_schedule_s_ladder_change_on_an_active_agreement_is_an_amendment(cast, agreement):
    agreement_sign(actor=cast.alice, agreement=agreement, signed_on=dt.date(2026, 1, 1))
    schedule = schedule_create(actor=cast.alice, agreement=agreement, name="年度返点",
                               brackets=[(0, 1), (1_000_000, 2)])  # fmt: skip
    schedule_update(actor=cast.alice, schedule=schedule, brackets=[(0, 1), (1_000_000, 3)])
    schedule_delete(actor=cast.alice, schedule=schedule)
    added, changed, removed = agreement.amendments.order_by("version")
    key = f"rebate {schedule.pk}"
    assert added.changes[key][1]["brackets"] == [["0", "1"], ["1000000", "2"]]
    assert changed.changes[key][1]["brackets"][1] == ["1000000", "3"]
    assert removed.changes[key] == [changed.changes[key][1], None]
