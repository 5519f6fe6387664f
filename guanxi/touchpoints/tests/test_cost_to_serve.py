"""Cost to serve: touchpoint costs per account, and the analytics' lifetime profit reading it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.activities.tests.conftest import policy_local, policy_touch
from guanxi.insights.services import analysis_run
from guanxi.insights.tests.conftest import AS_OF, book  # noqa: F401  (the analytics' fixture)
from guanxi.touchpoints.selectors import cost_to_serve
from tests.support import make_account

D = dt.date


def test_cost_to_serve_sums_costs_per_account_up_to_the_local_day(cast):
    policy_touch(cast.account, "gift", policy_local(2026, 3, 1), cost="100.00")
    policy_touch(cast.account, "banquet", policy_local(2026, 3, 10, 23, 30), cost="700.50")
    policy_touch(cast.account, "call", policy_local(2026, 3, 10))  # no cost
    policy_touch(cast.account, "gift", policy_local(2026, 3, 11, 0, 30), cost="50.00")  # next day
    policy_touch(cast.west_account, "trip", policy_local(2026, 2, 1), cost="2000.00")

    assert cost_to_serve(as_of=D(2026, 3, 10)) == {
        cast.account.pk: Decimal("800.50"),
        cast.west_account.pk: Decimal("2000.00"),
    }
    assert cost_to_serve(as_of=D(2026, 3, 11), since=D(2026, 3, 2)) == {
        cast.account.pk: Decimal("750.50")
    }
    assert cost_to_serve(as_of=D(2026, 1, 31)) == {}


def test_a_gift_lowers_the_historic_lifetime_profit(book, cast):  # noqa: F811
    one_off = book[9]
    # A cost on an account that never bought anything must not upset the run.
    policy_touch(make_account(owner=cast.alice), "gift", policy_local(2026, 5, 1), cost="80.00")
    baseline = analysis_run(as_of=AS_OF).scores.get(account=one_off)
    assert baseline.cost_to_serve == 0 and baseline.historic_clp == Decimal("3000.00")

    policy_touch(one_off, "gift", policy_local(2026, 5, 1), cost="250.00")
    policy_touch(one_off, "banquet", policy_local(2026, 7, 2), cost="900.00")  # after the run date
    score = analysis_run(as_of=AS_OF).scores.get(account=one_off)
    assert score.cost_to_serve == Decimal("250.00")
    assert score.historic_clp == Decimal("2750.00")
    # Passing the costs explicitly still wins (the analytics' own tests rely on it).
    explicit = analysis_run(as_of=AS_OF, cost_to_serve={one_off.pk: Decimal("10")})
    assert explicit.scores.get(account=one_off).cost_to_serve == Decimal("10.00")
