"""The demo's agreements (协议), one of every type, each with a story read from its ledger:

- a **rebate** agreement on a large corporate account whose cumulative spend crossed into the
  second bracket in Q3 of the last completed third quarter (the bracket is set between what it
  had spent by the end of June and by the end of September);
- a **MICE** event contract with a room block whose pickup fell short of the 80 % allowance,
  so attrition is owed (the block is the event's rooms as billed, contracted at half as many
  again);
- a **negotiated-rate** (LNR) agreement on an account that books rooms: its negotiated rate is
  the account's usual discount, and its few most unusual bookings this year are off it, flagged
  for review (`rates.rate_check_many`, as a recorded sale is checked);
- a **strategic** agreement ending within two months whose volume commitment is well behind
  pace: a renewal at risk;
- a **framework** and an **annual frame** agreement in good standing.

Rows are written directly (as the other demo modules write theirs) with a "created" audit row
by the demo administrator; the MICE events' room lines get their room nights as quantity.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    NegotiatedRate,
    RateBasis,
    RebateBracket,
    RebateSchedule,
    RoomBlock,
    RoomBlockNight,
    VolumeCommitment,
)
from guanxi.agreements.rates import actual_for, rate_check_many
from guanxi.core.dates import local_midnight
from guanxi.core.models import User
from guanxi.demo.bulk import bulk_insert, bulk_insert_with_history
from guanxi.demo.catalog import ADMIN_USERNAME, CHANGE_REASON, DEMO_SOURCE
from guanxi.transactions.models import Transaction

EVENT_ROOMS = " · 客房 "  # a MICE event's room line: one night, head_count rooms
REF = "DEMO-{year}-{n:03d}"
OFF_RATE = 3  # the LNR's bookings left off its rate, at most (ties aside)


def _spend(account_ids: list[int], start: dt.date, end: dt.date) -> Decimal:
    """What the accounts spent from ``start`` up to (not including) ``end``."""
    total = Transaction.objects.filter(
        account_id__in=account_ids,
        occurred_at__gte=local_midnight(start),
        occurred_at__lt=local_midnight(end),
    ).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def _round(value: Decimal, step: int = 10_000) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def _top_accounts(as_of: dt.date, *, types: tuple[str, ...], skip: set[int]) -> list[Account]:
    """Owned organisations of these types by last year's spend, biggest first."""
    since = local_midnight(as_of - dt.timedelta(days=365))
    ids = (
        Transaction.objects.filter(
            occurred_at__gte=since,
            account__account_type__in=types,
            account__owner__isnull=False,
            account__parent__isnull=True,
        )
        .values("account")
        .annotate(s=Sum("amount"))
        .order_by("-s", "account")
        .values_list("account", flat=True)[:20]
    )
    found = {a.pk: a for a in Account.objects.filter(pk__in=list(ids))}
    return [found[pk] for pk in ids if pk in found and pk not in skip]


#: What a room line needs to be checked against a rate of each basis, the first preferred.
CHECKABLE = (
    (RateBasis.UNIT_PRICE, {"quantity__gt": 0}),
    (RateBasis.DISCOUNT, {"discount_rate__isnull": False}),
)


def _most_booked(rooms):
    """(basis, filter, {account_id, category_id, n}) of the account with the most room lines
    that can be checked, by the first basis any line can be checked against; None if none."""
    for basis, checkable in CHECKABLE:
        top = (
            rooms.filter(**checkable)
            .values("account_id", "category_id")
            .annotate(n=Count("id"))
            .order_by("-n", "account_id")
            .first()
        )
        if top is not None:
            return basis, checkable, top
    return None


class AgreementStories:
    def __init__(self, as_of: dt.date):
        self.as_of = as_of
        self.types = {t.kind: t for t in AgreementType.objects.exclude(builtin="")}
        self.used: set[int] = set()
        self.agreements: list[Agreement] = []
        self.commitments: list[VolumeCommitment] = []
        self.schedules: list[tuple[RebateSchedule, list[RebateBracket]]] = []
        self.blocks: list[tuple[RoomBlock, list[RoomBlockNight]]] = []
        self.rates: list[NegotiatedRate] = []
        self.checked: list[int] = []  # sales to check against the negotiated rates

    def _agreement(
        self, account: Account, kind: str, name: str, start: dt.date, end: dt.date, **fields
    ) -> Agreement:
        self.used.add(account.pk)
        status = AgreementStatus.ACTIVE if start <= self.as_of <= end else AgreementStatus.EXPIRED
        agreement = Agreement(
            reference=REF.format(year=start.year, n=len(self.agreements) + 1),
            name=name,
            agreement_type=self.types[kind],
            account=account,
            owner_id=account.owner_id,
            starts_on=start,
            ends_on=end,
            status=fields.pop("status", status),
            signed_on=start - dt.timedelta(days=20),
            **fields,
        )
        self.agreements.append(agreement)
        return agreement

    def rebate_crossing_in_q3(self) -> None:
        year = (
            self.as_of.year
            if self.as_of >= dt.date(self.as_of.year, 10, 1)
            else (self.as_of.year - 1)
        )
        for account in _top_accounts(self.as_of, types=("corporate", "gov_ent"), skip=self.used):
            start = dt.date(year, 1, 1)
            by_june = _spend([account.pk], start, dt.date(year, 7, 1))
            by_sept = _spend([account.pk], start, dt.date(year, 10, 1))
            if by_june > 0 and by_sept > by_june * Decimal("1.2"):
                break
        else:
            return
        crossing = _round((by_june + by_sept) / 2)
        agreement = self._agreement(
            account,
            "rebate",
            f"{year}年度返点协议",
            start,
            dt.date(year, 12, 31),
            notes="Q3 跨入第二档（3%）。",
        )
        schedule = RebateSchedule(agreement=agreement, name=f"{year}年度返点")
        brackets = [(Decimal(0), Decimal(2)), (crossing, Decimal(3)), (crossing * 2, Decimal(5))]
        self.schedules.append(
            (schedule, [RebateBracket(from_value=v, rate=r) for v, r in brackets])
        )
        self.commitments.append(VolumeCommitment(agreement=agreement, committed=crossing))

    def mice_block_with_attrition(self) -> None:
        """The latest past event whose rooms ran over at least two nights, its block contracted
        at half as many again as the rooms it filled."""
        lines = (
            Transaction.objects.filter(
                description__contains=EVENT_ROOMS,
                account__owner__isnull=False,
                occurred_at__lt=local_midnight(self.as_of - dt.timedelta(days=7)),
            )
            .exclude(account_id__in=self.used)
            .order_by("-occurred_at", "id")
        )
        for line in lines[:200]:
            name = line.description.split(EVENT_ROOMS)[0]
            nights = list(
                lines.filter(
                    account_id=line.account_id,
                    description__startswith=f"{name}{EVENT_ROOMS}",
                    occurred_at__gte=line.occurred_at - dt.timedelta(days=5),
                )
            )
            if len(nights) >= 2:
                break
        else:
            return
        days = sorted(timezone.localdate(tx.occurred_at) for tx in nights)
        agreement = self._agreement(
            line.account,
            "mice",
            f"{name} 会议合同",
            days[0] - dt.timedelta(days=90),
            days[-1] + dt.timedelta(days=1),
        )
        rate = (line.amount / line.head_count).quantize(Decimal(1))
        block = RoomBlock(
            agreement=agreement,
            name=f"{name} 房间保留",
            group_rate=rate,
            cutoff_on=days[0] - dt.timedelta(days=21),
            notes="实际入住不足合同房量的80%，需支付违约金。",
        )
        rows = [
            RoomBlockNight(
                night=timezone.localdate(tx.occurred_at), rooms=int(tx.head_count * 3 / 2) + 2
            )
            for tx in nights
        ]
        self.blocks.append((block, rows))

    def lnr_with_off_rate_bookings(self) -> None:
        """The account that booked the most room nights this year: its negotiated rate is its
        usual price per room night (or its usual discount where the ledger has no room nights),
        with a tolerance that leaves its few most unusual bookings off the rate (flagged for
        review once written)."""
        start = dt.date(self.as_of.year, 1, 1)
        rooms = Transaction.objects.filter(
            category__code="rooms",
            account__owner__isnull=False,
            account__parent__isnull=True,
            account__kind="organisation",
            amount__gt=0,
            occurred_at__gte=local_midnight(start),
            occurred_at__lt=local_midnight(self.as_of + dt.timedelta(days=1)),
        ).exclude(account_id__in=self.used)
        found = _most_booked(rooms)
        if found is None:
            return
        basis, checkable, top = found
        lines = rooms.filter(account_id=top["account_id"], **checkable)
        actual = {
            tx: actual_for(basis, amount, quantity, discount)
            for tx, amount, quantity, discount in lines.values_list(
                "id", "amount", "quantity", "discount_rate"
            )
        }
        agreement = self._agreement(
            Account.objects.get(pk=top["account_id"]),
            "negotiated_rate",
            f"{start.year}年协议价（客房）",
            start,
            dt.date(start.year, 12, 31),
            notes="协议价：客房按协议价入账；部分预订偏离协议价，待复核。",
        )
        usual = sorted(actual.values())[len(actual) // 2]
        gaps = sorted((abs(a - usual) for a in actual.values()), reverse=True)
        tolerance = gaps[OFF_RATE] if len(gaps) > OFF_RATE else Decimal(0)
        self.rates.append(
            NegotiatedRate(agreement=agreement, category_id=top["category_id"], basis=basis,
                           value=usual, tolerance=tolerance)
        )  # fmt: skip
        self.checked.extend(actual)

    def strategic_at_renewal_risk(self) -> None:
        accounts = _top_accounts(self.as_of, types=("corporate", "gov_ent", "mice"), skip=self.used)
        if not accounts:
            return
        account = accounts[0]
        end = self.as_of + dt.timedelta(days=45)
        start = end - dt.timedelta(days=364)
        spent = _spend([account.pk], start, self.as_of)
        agreement = self._agreement(
            account,
            "strategic",
            "战略合作协议",
            start,
            end,
            notice_days=60,
            auto_renew=False,
            notes="承诺量进度落后，续约存在风险。",
        )
        self.commitments.append(
            VolumeCommitment(agreement=agreement, committed=_round(max(spent, Decimal(1)) * 2))
        )

    def frames(self) -> None:
        accounts = _top_accounts(self.as_of, types=("corporate", "mice", "gov_ent"), skip=self.used)
        start = dt.date(self.as_of.year, 1, 1)
        for account, kind, name in zip(
            accounts[:2],
            ("framework", "annual_frame"),
            ("框架合作协议", f"{start.year}年框协议"),
            strict=False,
        ):
            self._agreement(
                account,
                kind,
                name,
                start,
                dt.date(start.year + 1, 12, 31)
                if kind == "framework"
                else dt.date(start.year, 12, 31),
            )


def _write(stories: AgreementStories, *, admin: User, now: dt.datetime) -> None:
    def saved(model, objs):
        return bulk_insert_with_history(model, objs, user=admin, date=now, reason=CHANGE_REASON)

    saved(Agreement, stories.agreements)
    for row in stories.commitments:
        row.agreement_id = row.agreement.pk
    saved(VolumeCommitment, stories.commitments)
    for schedule, _brackets in stories.schedules:
        schedule.agreement_id = schedule.agreement.pk
    saved(RebateSchedule, [s for s, _b in stories.schedules])
    brackets = [b for s, rows in stories.schedules for b in rows]
    for schedule, rows in stories.schedules:
        for bracket in rows:
            bracket.schedule_id = schedule.pk
    bulk_insert(RebateBracket, brackets)
    for block, _nights in stories.blocks:
        block.agreement_id = block.agreement.pk
        block.category_id = RoomBlock._meta.get_field("category").get_default()
    saved(RoomBlock, [b for b, _n in stories.blocks])
    for block, rows in stories.blocks:
        for night in rows:
            night.block_id = block.pk
    saved(RoomBlockNight, [n for _b, rows in stories.blocks for n in rows])
    for rate in stories.rates:
        rate.agreement_id = rate.agreement.pk
    saved(NegotiatedRate, stories.rates)


def demo_agreements(*, as_of: dt.date) -> dict[str, int]:
    """The demo's agreements and their stories (module docstring), on top of its ledger."""
    # The MICE events' room lines are one night of head_count rooms each: their room nights.
    Transaction.objects.filter(
        source=DEMO_SOURCE, description__contains=EVENT_ROOMS, quantity__isnull=True
    ).update(quantity=F("head_count"))
    stories = AgreementStories(as_of)
    stories.mice_block_with_attrition()
    stories.rebate_crossing_in_q3()
    stories.strategic_at_renewal_risk()
    stories.lnr_with_off_rate_bookings()
    stories.frames()
    admin = User.objects.get(username=ADMIN_USERNAME)
    _write(stories, admin=admin, now=timezone.now())
    # The LNR's bookings checked against its rates as a sale recorded is: off-rate ones wait
    # for review.
    reviews = rate_check_many(stories.checked)
    return {
        "agreements": len(stories.agreements),
        "room_blocks": len(stories.blocks),
        "rate_reviews": reviews,
    }
