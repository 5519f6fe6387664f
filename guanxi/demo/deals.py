"""Two years of the demo's deals (商机), read back from its ledger, and the KAMs' targets.

Won deals are the events the ledger already holds: every conference, government meeting, wedding
and annual party of the last two years becomes a won opportunity whose lines (room nights per
night, the hall per day, F&B covers) were quoted before the event at a little more or less than
what was billed — so expected and booked revenue can be compared — and whose stage log walks the
SOP (identify → contact → propose → negotiate → won) in the weeks before it. Lost deals go to the
same kind of customers, more often where no decision maker is close to us (so the deal odds learn
something true), with reasons and rivals. Open deals sit in every stage with next steps, some
overdue, some stale, a few large. Targets are each KAM's monthly revenue of the past year with a
stretch, and the teams' quarters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from django.utils import timezone
from faker import Faker

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.models import Role, User
from guanxi.demo import deal_words as W
from guanxi.demo.bulk import bulk_insert, bulk_insert_with_history
from guanxi.demo.catalog import ADMIN_USERNAME, CHANGE_REASON
from guanxi.demo.draw import Dice
from guanxi.demo.lead_stories import LeadStories, write_leads
from guanxi.leads.models import LeadSource
from guanxi.loyalty.services import lead_referral_follow
from guanxi.pipeline.models import (
    ExpectedRevenue,
    LineKind,
    LostReason,
    Opportunity,
    OpportunityLine,
    Outcome,
    Pipeline,
    SalesTarget,
    Stage,
    StageChange,
    TargetPeriod,
)
from guanxi.pipeline.rules import expected_revenue_rows
from guanxi.pipeline.stage_rollup import stage_rollup_rebuild
from guanxi.relationships.models import BuyingCentreMember, RelationshipStageEvent
from guanxi.transactions.models import ProductCategory, Transaction

HISTORY_DAYS = 730
SMALL_MEETINGS = ("季度会议", "内部培训", "客户交流会")
OPEN_STEPS = ("identify", "contact", "propose", "negotiate")
# A meeting's first hall day names the event ("2025年经销商大会 · 会场 第1天"); weddings and
# annual parties are one-day events named by their banquet line.
EVENT_STARTS = (
    (re.compile(r"^(.+?) · 会场 第1天$"), "mice"),
    (re.compile(r"^(\d{4}年会) · 宴会厅$"), "banquet"),
    (re.compile(r"^(婚宴) \d+桌$"), "banquet"),
)
LINE_KIND = {"rooms": LineKind.ROOMS, "meeting": LineKind.MEETING_SPACE, "fnb": LineKind.FNB}
SOURCE_WEIGHTS = {  # won deals come more often from referrals and existing customers' BD
    True: (("referral", 4), ("bd", 4), ("exhibition", 2), ("website", 1), ("content", 1)),
    False: (("bd", 4), ("exhibition", 3), ("website", 2), ("content", 2), ("referral", 1)),
}
LOST_WEIGHTS = (("price", 5), ("competitor", 4), ("dates", 2), ("budget", 2),
                ("no_decision", 2), ("relationship", 2), ("other", 1))  # fmt: skip
CLOSE_ENOUGH = {"trust", "interest", "emotion"}


@dataclass
class Deal:
    """One opportunity to write, with its lines and its stage log (stage key, when)."""

    opp: Opportunity
    lines: list[OpportunityLine] = field(default_factory=list)
    log: list[tuple[str, dt.datetime]] = field(default_factory=list)
    contact_id: int | None = None


class DealsPlanner:
    def __init__(self, dice: Dice, as_of: dt.date):
        self.dice = dice
        self.as_of = as_of
        self.tz = timezone.get_current_timezone()
        pipeline = Pipeline.objects.get(is_default=True)
        self.pipeline = pipeline
        self.stages = {s.builtin: s for s in Stage.objects.filter(pipeline=pipeline)}
        self.sources = {s.builtin: s for s in LeadSource.objects.exclude(builtin="")}
        self.lost = {r.builtin: r for r in LostReason.objects.exclude(builtin="")}
        self.categories = dict(ProductCategory.objects.values_list("code", "pk"))

    def at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, self.dice.randint(0, 59)), self.tz)

    # ------------------------------------------------------------------ won: the ledger's events

    def won(self) -> list[Deal]:
        since = self.at(self.as_of - dt.timedelta(days=HISTORY_DAYS), 0)
        rows = (
            Transaction.objects.filter(occurred_at__gte=since - dt.timedelta(days=2))
            .select_related("account", "category")
            .order_by("account_id", "occurred_at", "id")
        )
        by_account: dict[int, list[Transaction]] = defaultdict(list)
        for tx in rows:
            by_account[tx.account_id].append(tx)
        deals = []
        for txs in by_account.values():
            for i, tx in enumerate(txs):
                for pattern, kind in EVENT_STARTS:
                    match = pattern.match(tx.description)
                    if match and tx.occurred_at >= since and self._tracked(match.group(1), tx):
                        near = txs[max(0, i - 3) : i + 12]
                        deals.append(self._won_deal(match.group(1), kind, tx, near))
        return deals

    def _tracked(self, name: str, tx: Transaction) -> bool:
        """Whether an event of the ledger was won as a deal in the pipeline: a share of the
        conferences and banquets of owned accounts; internal meetings and repeat bookings that
        came in directly were not."""
        if not tx.account.owner_id or name.endswith(SMALL_MEETINGS):
            return False
        return self.dice.chance(0.5 if name.startswith("婚宴") or "年会" in name else 0.2)

    def _won_deal(self, name: str, kind: str, first: Transaction, near: list[Transaction]) -> Deal:
        d = self.dice
        day0 = timezone.localdate(first.occurred_at)
        same = [
            tx
            for tx in near
            if (
                tx.description.startswith(f"{name} · ")
                or tx is first
                or tx.description == "宴会厅场地布置"
            )
            and abs((timezone.localdate(tx.occurred_at) - day0).days) <= 5
        ]
        quoted = d.uniform(0.88, 1.12)  # the quote was a little off what was billed
        lines = [self._line(tx, quoted) for tx in same]
        days = [ln.day for ln in lines]
        won_on = day0 - dt.timedelta(days=d.randint(15, 60))
        title = (
            name if kind == "mice" else f"{first.account.short_name or first.account.name}{name}"
        )
        opp = self._opportunity(
            first.account, title, "mice" if kind == "mice" else "banquet", Outcome.WON, won_on
        )
        opp.amount = sum((ln.total for ln in lines), Decimal(0)).quantize(Decimal("1"))
        opp.amount_from_lines = True
        opp.event_start, opp.event_end = min(days), max(days)
        opp.attendees = first.head_count
        opp.source = self.sources[d.pick_weighted(SOURCE_WEIGHTS[True])]
        return Deal(opp, lines, self._walk(won_on, "won"), first.contact_id)

    def _line(self, tx: Transaction, quoted: float) -> OpportunityLine:
        kind = LINE_KIND.get(tx.category.code, LineKind.OTHER)
        quantity = tx.head_count if kind in (LineKind.ROOMS, LineKind.FNB) and tx.head_count else 1
        price = (tx.amount * Decimal(str(round(quoted, 3))) / quantity).quantize(Decimal("0.01"))
        return OpportunityLine(
            kind=kind,
            category_id=tx.category_id,
            day=timezone.localdate(tx.occurred_at),
            quantity=quantity,
            unit_price=price,
            description=tx.description[:200],
        )

    def _walk(self, last_day: dt.date, last: str, reached: str | None = None) -> list:
        """The stage log up to ``last`` on ``last_day``: from identify through ``reached`` (the
        last open stage the deal got to), a week or three per stage."""
        steps = list(OPEN_STEPS[: OPEN_STEPS.index(reached or "negotiate") + 1]) + [last]
        day, log = last_day, []
        for key in reversed(steps):
            log.append((key, self.at(day)))
            day -= dt.timedelta(days=self.dice.randint(5, 25))
        return log[::-1]

    def _opportunity(self, account: Account, name: str, kind: str, outcome: str,
                     closed: dt.date | None) -> Opportunity:  # fmt: skip
        return Opportunity(
            account=account,
            name=name[:200],
            opportunity_type=kind,
            pipeline=self.pipeline,
            outcome=outcome,
            expected_close=closed or self.as_of,
            owner_id=account.owner_id,
            closed_on=closed,
            notes=W.DEAL_NOTES.get(kind, ""),
        )

    # ------------------------------------------------------------------ lost and open

    def lost_and_open(self, won: list[Deal]) -> list[Deal]:
        """Lost deals at customers like the won ones (more where no decision maker is close to
        us), and open deals in every stage."""
        close = _close_to_a_decision_maker()
        buyers = list(
            Account.objects.filter(kind="organisation", owner__isnull=False)
            .exclude(account_type__in=("individual", "ota", "travel_agency"))
            .order_by("id")
        )
        primary = dict(
            Contact.objects.filter(is_primary=True).order_by("id").values_list("account_id", "id")
        )
        deals = []
        for account in buyers:
            if self.dice.chance(0.3 if account.pk in close else 0.7):
                deals += [self._lost_deal(account) for _ in range(self.dice.randint(1, 2))]
            if self.dice.chance(0.2):
                deals.append(self._open_deal(account))
        for deal in deals:
            deal.contact_id = primary.get(deal.opp.account_id)
        return deals

    def _lost_deal(self, account: Account) -> Deal:
        d = self.dice
        kind, names = d.pick(W.OPEN_DEALS)
        closed = self.as_of - dt.timedelta(days=d.randint(10, HISTORY_DAYS - 60))
        reason = d.pick_weighted(LOST_WEIGHTS)
        opp = self._opportunity(
            account, f"{closed.year}年{d.pick(names)}", kind, Outcome.LOST, closed
        )
        opp.amount = Decimal(round(d.rng.lognormal(11.8, 0.8), -3))
        opp.lost_reason = self.lost[reason]
        opp.lost_note = d.pick(W.LOST_NOTES[reason])
        if reason in ("price", "competitor"):
            opp.competitor = d.pick(W.COMPETITORS)
        opp.source = self.sources[d.pick_weighted(SOURCE_WEIGHTS[False])]
        return Deal(opp, [], self._walk(closed, "lost", d.pick(OPEN_STEPS)))

    def _open_deal(self, account: Account) -> Deal:
        d = self.dice
        kind, names = d.pick(W.OPEN_DEALS)
        step = d.pick_weighted((("identify", 3), ("contact", 3), ("propose", 3), ("negotiate", 2)))
        close = self.as_of + dt.timedelta(days=d.randint(7, 150))
        opp = self._opportunity(account, f"{close.year}年{d.pick(names)}", kind, Outcome.OPEN, None)
        opp.expected_close = close
        opp.amount = Decimal(round(d.rng.lognormal(11.6 if d.chance(0.9) else 13.5, 0.6), -3))
        opp.next_step = d.pick(W.NEXT_STEPS[step])
        if d.chance(0.85):  # some overdue, some with none at all (stale)
            opp.next_step_on = self.as_of + dt.timedelta(days=d.randint(-20, 30))
        opp.source = self.sources[d.pick_weighted(SOURCE_WEIGHTS[False])]
        if d.chance(0.2):
            opp.competitor = d.pick(W.COMPETITORS)
        moved = self.as_of - dt.timedelta(days=d.randint(1, 45))
        log = self._walk(moved, step, step)[:-1]  # ends at ``step``, entered on ``moved``
        lines = self._event_lines(opp, close) if kind == "mice" else []
        return Deal(opp, lines, log)

    def _event_lines(self, opp: Opportunity, close: dt.date) -> list[OpportunityLine]:
        """An open MICE deal's quote: the hall and meals per day, rooms per night."""
        d = self.dice
        start = close + dt.timedelta(days=d.randint(14, 60))
        people, days = d.randint(60, 300), d.randint(1, 3)
        opp.event_start, opp.event_end = start, start + dt.timedelta(days=days - 1)
        opp.attendees, opp.amount_from_lines = people, True
        rooms, rate = max(10, people // 3), Decimal(round(d.uniform(420, 800), -1))
        lines = []
        for i in range(days):
            day = start + dt.timedelta(days=i)
            hall = Decimal(round(people * d.uniform(70, 140), -2))
            cat = self.categories.get
            lines += [
                OpportunityLine(kind=LineKind.MEETING_SPACE, category_id=cat("meeting"), day=day,
                                quantity=1, unit_price=hall),
                OpportunityLine(kind=LineKind.FNB, category_id=cat("fnb"), day=day,
                                quantity=people, unit_price=Decimal(round(d.uniform(100, 240)))),
                OpportunityLine(kind=LineKind.ROOMS, category_id=cat("rooms"),
                                day=day - dt.timedelta(days=1), quantity=rooms, unit_price=rate),
            ]  # fmt: skip
        opp.amount = sum((ln.quantity * ln.unit_price for ln in lines), Decimal(0))
        return lines


def _close_to_a_decision_maker() -> set[int]:
    """Accounts where a decision maker or approver has reached trust or beyond with us."""
    deciders = {
        (m.account_id, m.contact_id)
        for m in BuyingCentreMember.objects.only("account_id", "contact_id", "buying_roles")
        if {"decision_maker", "approver"} & set(m.buying_roles or [])
    }
    return {
        account
        for account, contact in RelationshipStageEvent.objects.filter(
            stage__in=CLOSE_ENOUGH
        ).values_list("account_id", "contact_id")
        if (account, contact) in deciders
    }


# --------------------------------------------------------------------------- writing


def write_deals(deals: list[Deal], planner: DealsPlanner, *, admin: User, now: dt.datetime) -> None:
    """The deals, their contacts, lines, stage logs and (for won ones) expected revenue."""
    stages = planner.stages
    for deal in deals:
        last_key, last_at = deal.log[-1]
        deal.opp.stage = stages[last_key]
        deal.opp.probability = stages[last_key].probability
        deal.opp.stage_changed_at = last_at
    opps = bulk_insert_with_history(
        Opportunity, [x.opp for x in deals], user=admin, date=now, reason=CHANGE_REASON
    )
    for deal in deals:  # created when first identified (auto_now_add set it to now)
        deal.opp.created_at = deal.log[0][1]
    Opportunity.objects.bulk_update(opps, ["created_at"], batch_size=500)
    links = Opportunity.contacts.through
    bulk_insert(links, [
        links(opportunity_id=x.opp.pk, contact_id=x.contact_id) for x in deals if x.contact_id
    ])  # fmt: skip
    lines, changes = [], []
    for deal in deals:
        for line in deal.lines:
            line.opportunity_id = deal.opp.pk
            lines.append(line)
        previous = None
        for key, at in deal.log:
            changes.append(StageChange(
                opportunity_id=deal.opp.pk, from_stage=previous and stages[previous[0]],
                to_stage=stages[key], changed_at=at, actor_id=deal.opp.owner_id,
                seconds_in_from_stage=int((at - previous[1]).total_seconds()) if previous else None,
            ))  # fmt: skip
            previous = (key, at)
    bulk_insert(OpportunityLine, lines)
    bulk_insert(StageChange, changes)
    stage_rollup_rebuild()  # the funnel's and win/loss's rollups of the log written here
    # The won deals' expected revenue by the pipeline's own rule (as winning one by hand keeps it).
    won = [deal.opp for deal in deals if deal.opp.outcome == Outcome.WON]
    bulk_insert(ExpectedRevenue, [row for opp in won for row in expected_revenue_rows(opp)])


def write_targets(as_of: dt.date, *, admin: User, now: dt.datetime) -> int:
    """Each KAM's monthly target (their accounts' average month last year, +10 %, rounded to
    ¥10k) for the past twelve months and the next three, and each team's quarters."""
    since = dt.datetime.combine(
        as_of - dt.timedelta(days=365), dt.time(), timezone.get_current_timezone()
    )
    per_owner = dict(
        Transaction.objects.filter(occurred_at__gte=since, account__owner__role=Role.KAM)
        .values_list("account__owner")
        .annotate(total=Sum("amount"))
        .values_list("account__owner", "total")
    )
    kams = {u.pk: u for u in User.objects.filter(pk__in=per_owner)}
    months = [_month(as_of, back) for back in range(-3, 12)]
    targets, by_team = [], defaultdict(Decimal)
    for pk, total in sorted(per_owner.items()):
        monthly = (Decimal(total) / 12 * Decimal("1.1") / 10_000).quantize(Decimal("1")) * 10_000
        for month in months:
            targets.append(
                SalesTarget(user_id=pk, period=TargetPeriod.MONTH, starts_on=month, amount=monthly)
            )
            if kams[pk].team_id:
                by_team[(kams[pk].team_id, _quarter(month))] += monthly
    targets += [
        SalesTarget(team_id=team, period=TargetPeriod.QUARTER, starts_on=quarter, amount=amount)
        for (team, quarter), amount in sorted(by_team.items())
    ]  # fmt: skip
    bulk_insert_with_history(SalesTarget, targets, user=admin, date=now, reason=CHANGE_REASON)
    return len(targets)


def _month(as_of: dt.date, back: int) -> dt.date:
    index = as_of.year * 12 + as_of.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _quarter(month: dt.date) -> dt.date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1)


def demo_pipeline(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """The leads, deals and targets of the demo, on top of its accounts and ledger."""
    dice = Dice(np.random.default_rng(seed + 13))
    fake = Faker("zh_CN")
    fake.seed_instance(seed + 13)
    admin = User.objects.get(username=ADMIN_USERNAME)
    now = timezone.now()
    leads = write_leads(LeadStories(dice, fake, as_of).leads(), admin=admin, now=now)
    for lead in leads:  # a referred lead is a referral (转介绍) on the referrals page
        if lead.referred_by_account_id or lead.referred_by_contact_id:
            lead_referral_follow(actor=admin, lead=lead)
    planner = DealsPlanner(dice, as_of)
    won = planner.won()
    converted = {x.account_id: x for x in leads if x.account_id}
    for deal in won:  # a customer's first won deal came from the lead that brought it in
        lead = converted.pop(deal.opp.account_id, None)
        if lead is not None:
            deal.opp.lead, deal.opp.source_id = lead, lead.source_id
    deals = won + planner.lost_and_open(won)
    write_deals(deals, planner, admin=admin, now=now)
    targets = write_targets(as_of, admin=admin, now=now)
    return {"leads": len(leads), "opportunities": len(deals), "won": len(won), "targets": targets}
