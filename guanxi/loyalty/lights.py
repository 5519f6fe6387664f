"""Raising and clearing the warning lights (the nightly step `warning_lights`).

For every rule, its evaluator (`evaluators.EVALUATORS`) names the accounts whose reason holds now,
with the facts of the reason. Against the rule's lit lights that gives three sets, each written
in bulk: new reasons raise a light (status open); lights whose reason is gone are cleared
(`cleared_at` set, status resolved; the row and its history stay); lights still lit are
confirmed (`last_seen_on`) and take the new facts. Running it twice changes nothing the second
time. A rule switched off clears its lights. The light's colour follows its rule.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.db import transaction as db_transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from guanxi.core.bulk import analyze, chunks
from guanxi.core.dates import local_midnight
from guanxi.loyalty.evaluators import EVALUATORS, Facts
from guanxi.loyalty.models import AccountLight, LightColour, LightRule, LightStatus

#: Rows per statement (SQLite caps the parameters of one query).
CHUNK = 900
#: Rows per bulk statement (Django caps it on SQLite).
BATCH = 5000


def _moment(as_of: dt.date) -> dt.datetime:
    """When a light raised or cleared for ``as_of`` happened: now, or that day's end if past."""
    now = timezone.now()
    if as_of >= timezone.localdate(now):
        return now
    return local_midnight(as_of + dt.timedelta(days=1)) - dt.timedelta(seconds=1)


def _reconcile(rule: LightRule, hits: Facts, *, as_of: dt.date, moment: dt.datetime) -> dict:
    lit = {
        account_id: (pk, facts, colour)
        for pk, account_id, facts, colour in AccountLight.objects.filter(
            rule=rule, cleared_at__isnull=True
        )
        .values_list("pk", "account_id", "facts", "colour")
        .order_by()
    }
    gone = [pk for account_id, (pk, _f, _c) in lit.items() if account_id not in hits]
    changed = {
        pk: hits[account_id]
        for account_id, (pk, facts, colour) in lit.items()
        if account_id in hits and (facts != hits[account_id] or colour != rule.colour)
    }
    new = [
        AccountLight(
            account_id=account_id,
            rule=rule,
            colour=rule.colour,
            facts=facts,
            raised_at=moment,
            last_seen_on=as_of,
            status=LightStatus.OPEN,
        )
        for account_id, facts in hits.items()
        if account_id not in lit
    ]
    for part in chunks(gone, CHUNK):
        rows = list(AccountLight.objects.filter(pk__in=part))
        for row in rows:
            row.cleared_at, row.status, row.last_seen_on = moment, LightStatus.RESOLVED, as_of
        bulk_update_with_history(
            rows, AccountLight, ["cleared_at", "status", "last_seen_on"], batch_size=BATCH
        )
    for part in chunks(list(changed), CHUNK):
        rows = list(AccountLight.objects.filter(pk__in=part))
        for row in rows:
            row.facts, row.colour, row.last_seen_on = changed[row.pk], rule.colour, as_of
        bulk_update_with_history(
            rows, AccountLight, ["facts", "colour", "last_seen_on"], batch_size=BATCH
        )
    AccountLight.objects.filter(rule=rule, cleared_at__isnull=True, last_seen_on__lt=as_of).update(
        last_seen_on=as_of
    )
    if new:
        bulk_create_with_history(new, AccountLight, batch_size=BATCH, default_date=moment)
    return {"raised": len(new), "cleared": len(gone), "updated": len(changed)}


def rule_evaluate(rule: LightRule, *, as_of: dt.date, moment: dt.datetime | None = None) -> dict:
    """Raise and clear one rule's lights as of ``as_of`` (an inactive rule clears them all)."""
    evaluator = EVALUATORS.get(rule.kind)
    started = time.perf_counter()
    hits = evaluator(rule, as_of) if rule.active and evaluator is not None else {}
    read = time.perf_counter() - started
    with db_transaction.atomic():
        done = _reconcile(rule, hits, as_of=as_of, moment=moment or _moment(as_of))
    done["seconds_read"] = round(read, 3)
    done["seconds_write"] = round(time.perf_counter() - started - read, 3)
    return done


def lights_evaluate(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Every rule, as of ``as_of`` (default today): what was raised and cleared, and what is lit."""
    as_of = as_of or timezone.localdate()
    moment = _moment(as_of)
    summary: dict[str, Any] = {"as_of": as_of, "raised": 0, "cleared": 0, "rules": {}}
    for rule in LightRule.objects.order_by("position", "id"):
        done = rule_evaluate(rule, as_of=as_of, moment=moment)
        summary["rules"][rule.code] = done
        summary["raised"] += done["raised"]
        summary["cleared"] += done["cleared"]
        if progress:
            message = f"lights: {rule.code} +{done['raised']} -{done['cleared']}"
            print(message, file=sys.stderr, flush=True)
    if summary["raised"] or summary["cleared"]:
        # The pages filter lit lights by account: without fresh statistics the planner takes
        # 50,000 new lights for a few hundred and loops over them (3.5 s for a KAM's list).
        analyze(AccountLight)
    lit = AccountLight.objects.filter(cleared_at__isnull=True)
    summary["red"] = lit.filter(colour=LightColour.RED).count()
    summary["yellow"] = lit.filter(colour=LightColour.YELLOW).count()
    return summary
