"""The dashboard tests' book: four accounts, two tiers, a move, scores and sales over three
months (shared by the page tests and the browser test)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from guanxi.core.dates import add_months
from guanxi.insights.models import AccountScore
from guanxi.loyalty.tests.support import make_run, make_score
from guanxi.tiers.models import AccountTier, Tier, TierChange, TierScheme
from tests.support import Cast, make_account, make_transaction


def _on(day: dt.date, amount: str, account) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    make_transaction(account=account, amount=amount, when=moment)


def build_book(cast: Cast) -> dict:
    """alice: 華东 (2 sales, tier A) and two more accounts; charlie: 西部 (tier B)."""
    TierScheme.objects.update(is_active=False)
    scheme = TierScheme.objects.create(code="aaa-dash", name="客户等级", name_en="Account tiers")
    a = Tier.objects.create(scheme=scheme, code="a", name="A级", name_en="A", rank=1)
    b = Tier.objects.create(scheme=scheme, code="b", name="B级", name_en="B", rank=2)
    alice2 = make_account(owner=cast.alice, name="华东二号")
    alice3 = make_account(owner=cast.alice, name="华东三号")
    month = timezone.localdate().replace(day=1)
    _on(add_months(month, -2), "8000.00", cast.account)
    _on(month, "2000.00", cast.account)
    _on(month, "1000.00", alice2)
    _on(add_months(month, -1), "5000.00", cast.west_account)
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=a)
    AccountTier.objects.create(account=alice2, scheme=scheme, tier=b)
    AccountTier.objects.create(account=cast.west_account, scheme=scheme, tier=b)
    TierChange.objects.create(account=alice2, scheme=scheme, from_tier=a, to_tier=b,
                              effective_on=month, reason="rules")  # fmt: skip
    run = make_run(timezone.localdate())
    for account, cell in ((cast.account, "543"), (alice2, "541"), (cast.west_account, "213")):
        score = make_score(run, account)
        AccountScore.objects.filter(pk=score.pk).update(
            r_score=int(cell[0]), f_score=int(cell[1]), rfm_cell=cell
        )
    return {"scheme": scheme, "a": a, "b": b, "alice2": alice2, "alice3": alice3}
