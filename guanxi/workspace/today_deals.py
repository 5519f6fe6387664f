"""Today's deal alerts (see `today.py`): the open deals the user owns that need a look.

- **large deals**: an amount over GUANXI_LARGE_DEAL, or over the 90th percentile of the account's
  own past deals (at least PERCENTILE_MIN_DEALS of them, so two small deals make no rule);
- **stale deals**: the next step's date has passed, or there is no next step date and the deal
  has not moved for its stage's `stale_after_days`;
- **decision-maker risks**: the account's buying centre has a relationship risk about a decision
  maker or approver (none at the stage the rules ask for, or one gone quiet) — the deal hangs on
  that person.

Each section reads the user's open deals once (a few columns per row, shared through the day's
memo), sorts their keys, and reads only the shown deals whole: a fixed number of queries.

A team lead's or a manager's own book is small or empty, and the deals they answer for are
their team's (a lead) or every one they see (a manager): their sections read those. So that a
director's Today stays fast, each section asks the database for its candidates only (an amount
over the threshold; a next step date passed or no move for the stage's days, stage by stage;
an account whose stored health has a risk), at most WIDE_READ of them in the section's order,
with the total counted there; the account's own 90th percentile is a KAM's signal and is left
out of this wider view. Each item names the deal's owner.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.selectors import visible_to
from guanxi.core.formatting import money
from guanxi.pipeline.models import Opportunity, Outcome, Stage
from guanxi.pipeline.selectors import opportunities_visible_to
from guanxi.relationships.health import at_risk, stored_health_for
from guanxi.workspace.today_rows import DealItem, Section, Standing

#: An account needs this many past deals before its own 90th percentile marks a deal as large.
PERCENTILE_MIN_DEALS = 5
PERCENTILE = 0.9

#: A wider Today (a team lead's, a manager's) reads at most this many candidates a section.
WIDE_READ = 1000

# (id, account id, stage id, amount, stage changed at, next step date)
_Key = tuple[int, int, int, Decimal, dt.datetime, dt.date | None]
_COLUMNS = ("id", "account_id", "stage_id", "amount", "stage_changed_at", "next_step_on")


def wide(ctx: Any) -> bool:
    """True when the user's deal sections read the deals they oversee, not only their own."""
    return bool(ctx.user.sees_all_accounts or ctx.user.leads_team)


def _overseen(ctx: Any) -> QuerySet:
    """The open deals the user oversees (their team's, or all they see) within the actor's
    sight."""
    deals = opportunities_visible_to(ctx.user).select_related(None).filter(outcome=Outcome.OPEN)
    return visible_to(deals, ctx.actor, prefix="account__").order_by()


def _candidates(ctx: Any, name: str, where: Q, order: tuple) -> list[_Key]:
    """The first WIDE_READ overseen deals matching ``where`` in ``order``, a few columns each;
    their total is kept in the memo under ``name``."""
    rows = _overseen(ctx).filter(where)
    keys = list(rows.order_by(*order).values_list(*_COLUMNS)[:WIDE_READ])
    ctx.memo[f"{name}_total"] = len(keys) if len(keys) < WIDE_READ else rows.count()
    return keys


def _open_deals(ctx: Any) -> list[_Key]:
    """The user's open deals the actor may see, a few columns each (read once per day)."""
    if "deals" not in ctx.memo:
        ctx.memo["deals"] = list(
            opportunities_visible_to(ctx.actor)
            .select_related(None)
            .filter(owner=ctx.user, outcome=Outcome.OPEN)
            .order_by()
            .values_list(
                "id", "account_id", "stage_id", "amount", "stage_changed_at", "next_step_on"
            )  # fmt: skip
        )
    return ctx.memo["deals"]


def _standing(ctx: Any, account_id: int) -> Standing:
    return ctx.stand.get(account_id) or Standing()


def _shown(ctx: Any, keys: list, window: slice, make: Any) -> Section:
    """Read the shown deals whole (one query) and make their items."""
    shown = keys[window]
    related = ("account", "stage", "owner")
    deals = Opportunity.objects.select_related(*related).in_bulk([k[-1] for k in shown])
    items = [make(deals[k[-1]], k) for k in shown if k[-1] in deals]
    total = max(ctx.memo.pop("section_total", len(keys)), len(keys))
    return Section(items, total=total, offset=window.start or 0)


def _item(ctx: Any, deal: Opportunity, words: list[str], risks: list | None = None) -> DealItem:
    standing = _standing(ctx, deal.account_id)
    if wide(ctx) and deal.owner_id != ctx.user.pk:
        words = [*words, str(deal.owner)]
    return DealItem(
        deal=deal,
        account=deal.account,
        standing=standing,
        reason=" · ".join([*words, *standing.words()]),
        risks=risks or [],
    )


# --- Large deals --------------------------------------------------------------------------------


def percentile(values: list[Decimal], share: float = PERCENTILE) -> Decimal:
    """The nearest-rank percentile of a non-empty list (the smallest value with at least
    `share` of the values at or below it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _account_marks(account_ids: set[int]) -> dict[int, Decimal]:
    """account id → the 90th percentile of its past deals (the ones not open now), for the
    accounts with enough of them: one query."""
    past: dict[int, list[Decimal]] = defaultdict(list)
    rows = (
        Opportunity.objects.filter(account_id__in=list(account_ids))
        .exclude(outcome=Outcome.OPEN)
        .values_list("account_id", "amount")
    )
    for account_id, amount in rows:
        past[account_id].append(amount)
    return {
        pk: percentile(amounts)
        for pk, amounts in past.items()
        if len(amounts) >= PERCENTILE_MIN_DEALS
    }


def large_deals(ctx: Any, *, window: slice) -> Section:
    """Open deals over the site's threshold or the account's own 90th percentile, largest
    first."""
    threshold = Decimal(settings.GUANXI_LARGE_DEAL)
    if wide(ctx):
        deals = []
        if threshold > 0:
            deals = _candidates(ctx, "large", Q(amount__gte=threshold), ("-amount", "id"))
            ctx.memo["section_total"] = ctx.memo.pop("large_total")
        marks: dict[int, Decimal] = {}
    else:
        deals = _open_deals(ctx)
        marks = _account_marks({d[1] for d in deals}) if deals else {}
    keys = []
    for pk, account_id, _stage, amount, _moved, _next in deals:
        mark = marks.get(account_id)
        over_threshold = threshold > 0 and amount >= threshold
        over_mark = mark is not None and amount > mark
        if over_threshold or over_mark:
            keys.append((-amount, over_threshold, mark, pk))
    keys.sort(key=lambda k: (k[0], k[-1]))

    def make(deal: Opportunity, key: tuple) -> DealItem:
        words = [money(deal.amount)]
        if key[1]:
            words.append(_("over %(threshold)s") % {"threshold": money(threshold)})
        if key[2] is not None and deal.amount > key[2]:
            words.append(
                _("over this account's usual (90%% of its deals up to %(mark)s)")
                % {"mark": money(key[2])}
            )
        return _item(ctx, deal, words)

    return _shown(ctx, keys, window, make)


# --- Stale deals --------------------------------------------------------------------------------


def _stale_candidates(ctx: Any, today: dt.date) -> list[_Key]:
    """The overseen deals the rule below calls stale, chosen by the database stage by stage
    (idle for N days: moved before the start of the local day N - 1 days ago), the oldest
    date first."""
    idle = Q()
    for pk, days in Stage.objects.filter(outcome=Outcome.OPEN).values_list("id",
                                                                          "stale_after_days"):
        start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time.min)
        idle |= Q(stage_id=pk, stage_changed_at__lt=timezone.make_aware(start))
    where = Q(next_step_on__lt=today) | (Q(next_step_on__isnull=True) & idle)
    since = Coalesce(F("next_step_on"), TruncDate("stage_changed_at"))
    return _candidates(ctx, "stale", where, (since.asc(), "id"))


def stale_deals(ctx: Any, *, window: slice) -> Section:
    """Open deals whose next step date has passed, or with no next step date that have not
    moved for their stage's `stale_after_days`; the longest overdue first."""
    today = ctx.as_of
    if wide(ctx):
        deals = _stale_candidates(ctx, today)
        ctx.memo["section_total"] = ctx.memo.pop("stale_total")
    else:
        deals = _open_deals(ctx)
    stale_after = dict(
        Stage.objects.filter(pk__in={d[2] for d in deals}).values_list("id", "stale_after_days")
    )
    keys = []
    for pk, _account, stage_id, _amount, moved_at, next_on in deals:
        idle = (today - timezone.localtime(moved_at).date()).days
        if next_on is not None and next_on < today:
            keys.append((-(today - next_on).days, "step", idle, pk))
        elif next_on is None and idle >= stale_after.get(stage_id, 30):
            keys.append((-(idle - stale_after.get(stage_id, 30)), "idle", idle, pk))
    keys.sort(key=lambda k: (k[0], k[-1]))

    def make(deal: Opportunity, key: tuple) -> DealItem:
        if key[1] == "step":
            late = (today - deal.next_step_on).days
            words = [
                ngettext("next step %(n)s day overdue", "next step %(n)s days overdue", late)
                % {"n": late}  # fmt: skip
            ]
        else:
            words = [
                ngettext(
                    "no move and no next step for %(n)s day",
                    "no move and no next step for %(n)s days",
                    key[2],
                )
                % {"n": key[2]}
            ]
        return _item(ctx, deal, [str(deal.stage), *words])

    return _shown(ctx, keys, window, make)


# --- Decision-maker risks -----------------------------------------------------------------------


def decision_maker_risks(account_ids: list[int]) -> dict[int, list]:
    """account id → the risks of its buying centre that concern a decision maker or approver:
    none at the stage the rules ask for, or a risk naming one of them. Only accounts with a
    mapped buying centre are read."""
    result = {}
    for pk, health in stored_health_for(account_ids, with_risks=True).items():
        risks = [r for r in health.risks if r.concerns_decider]
        if risks:
            result[pk] = risks
    return result


def deal_risks(ctx: Any, *, window: slice) -> Section:
    """Open deals on accounts whose decision maker carries a relationship risk, largest
    first."""
    if wide(ctx):
        deals = _candidates(ctx, "risks", Q(account_id__in=at_risk()), ("-amount", "id"))
        ctx.memo.pop("risks_total")  # not all of them concern a decision maker: counted below
    else:
        deals = _open_deals(ctx)
    risks = decision_maker_risks(sorted({d[1] for d in deals})) if deals else {}
    keys = [(-d[3], d[1], d[0]) for d in deals if d[1] in risks]
    keys.sort(key=lambda k: (k[0], k[-1]))

    def make(deal: Opportunity, key: tuple) -> DealItem:
        found = risks[key[1]]
        words = [
            money(deal.amount),
            ngettext("%(n)s decision-maker risk", "%(n)s decision-maker risks", len(found))
            % {"n": len(found)},
        ]
        return _item(ctx, deal, words, found)

    return _shown(ctx, keys, window, make)
