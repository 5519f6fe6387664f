"""Reading deals: the list's filters under the access rule, and cycle time per stage."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.pipeline.selectors import opportunity_list, outcome_counts, stage_times
from guanxi.pipeline.services import opportunity_create, opportunity_move
from tests.support import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def test_the_list_filters_within_what_the_actor_sees(cast, stages, price):
    other = make_account(owner=cast.bob, team=cast.east)
    a = opportunity_create(actor=cast.alice, account=cast.account, name="Annual meeting",
                           expected_close=dt.date(2026, 7, 10),
                           opportunity_type="mice")  # fmt: skip
    b = opportunity_create(actor=cast.bob, account=other, name="Rate 2027",
                           expected_close=dt.date(2026, 8, 10), opportunity_type="corporate_rate",
                           stage=stages["propose"])  # fmt: skip
    c = opportunity_create(actor=cast.charlie, account=cast.west_account, name="Tour",
                           expected_close=dt.date(2026, 9, 10))  # fmt: skip
    opportunity_move(actor=cast.bob, opportunity=b, stage=stages["lost"], lost_reason=price)

    def ids(actor, **filters):
        return [o.pk for o in opportunity_list(actor, **filters)]

    assert ids(cast.alice) == [a.pk]
    assert ids(cast.bob) == [b.pk]
    assert ids(cast.lena) == [a.pk, b.pk]
    assert ids(cast.mia) == [a.pk, b.pk, c.pk]
    assert ids(cast.mia, owner=cast.bob.pk) == [b.pk]
    assert ids(cast.mia, outcome="open") == [a.pk, c.pk]
    assert ids(cast.mia, stage=stages["identify"].pk) == [a.pk, c.pk]
    assert ids(cast.mia, opportunity_type="mice") == [a.pk]
    assert ids(cast.mia, close_from=dt.date(2026, 8, 1), close_to=dt.date(2026, 8, 31)) == [b.pk]
    assert ids(cast.mia, account=cast.west_account.pk) == [c.pk]
    assert ids(cast.mia, search="rate") == [b.pk]
    assert ids(cast.alice, account=cast.west_account.pk) == []
    assert outcome_counts(other.pk) == {"open": 0, "won": 0, "lost": 1}


def test_cycle_time_per_stage_adds_every_visit_and_the_time_so_far(cast, deal, stages, clock):
    clock.shift(dt.timedelta(days=2))
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["contact"])
    clock.shift(dt.timedelta(days=4))
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["identify"])
    clock.shift(dt.timedelta(days=1))
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["contact"])
    clock.shift(dt.timedelta(hours=12))
    deal.refresh_from_db()
    times = {t.stage.builtin: (t.days, t.visits, t.current) for t in stage_times(deal)}
    assert times == {"identify": (3.0, 2, False), "contact": (4.5, 2, True)}
    # Once closed, the clock stops: no time accrues in won.
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    clock.shift(dt.timedelta(days=30))
    deal.refresh_from_db()
    times = {t.stage.builtin: (t.days, t.visits, t.current) for t in stage_times(deal)}
    assert times["won"] == (0.0, 1, True) and times["contact"] == (4.5, 2, False)
