"""The stored relationship health (a rollup): each mapped account's coverage score and risks.

Computing the risks reads every seat, stage and last touchpoint of a buying centre; a KAM's
Today page, the account list's risk filter, renewal risk and the deal odds need them for
hundreds of accounts at once. So `AccountRelationshipHealth` keeps the answer per account, and:

- every write that changes an input refreshes the accounts it touches: the buying-centre seats
  and relationship stages (this app's services call `health_refresh`), a contact who leaves,
  is renamed or deleted, and a touchpoint with people on a buying centre (the flows in
  `workspace.flows` call `health_follow_contacts`; the rules page calls `health_refresh_all`);
- the nightly run refreshes every row (`relationship_health_job`), because time alone changes
  the answer ("no touchpoint for 60 days").

`stored_health_for(account_ids)` reads the rows back as `RelationshipHealth` (score and risks;
the score's parts are said on one account's pages, which compute live). Both ways say the same,
which the tests check after each kind of write.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from guanxi.core.bulk import analyze, chunks, delete_where_in, insert_rows
from guanxi.core.idlists import ids_in
from guanxi.relationships.models import AccountRelationshipHealth, BuyingCentreMember
from guanxi.relationships.risks import RelationshipHealth, Risk, relationship_health_for

CHUNK = 2000  # accounts computed and written at a time (SQLite's parameter limit, memory)
_TABLE = AccountRelationshipHealth._meta.db_table
_COLUMNS = ("account_id", "score", "risk_count", "risk_codes", "risks", "as_of", "computed_at")


def _stored_risk(risk: Risk) -> dict:
    return {
        "code": risk.code,
        "params": risk.params,
        "contacts": risk.contact_ids,
        "decider": risk.concerns_decider,
    }


def _row(health: RelationshipHealth, as_of: dt.date, now: dt.datetime) -> tuple:
    return (
        health.account_id,
        health.score,
        len(health.risks),
        " ".join(dict.fromkeys(r.code for r in health.risks)),
        json.dumps([_stored_risk(r) for r in health.risks], ensure_ascii=False),
        as_of.isoformat(),  # sqlite3's date adapter is deprecated; both read ISO text
        now,
    )


def _write(account_ids: list[int], as_of: dt.date, *, replace: bool = True) -> int:
    """Recompute the rows of ``account_ids`` and write them (``replace``: deleting theirs
    first; those without a seat then have none)."""
    now = timezone.now()
    rows = [
        _row(h, as_of, now)
        for h in relationship_health_for(account_ids, today=as_of, words=False).values()
        if h.score is not None
    ]
    if replace:
        delete_where_in(_TABLE, "account_id", account_ids)
    insert_rows(_TABLE, _COLUMNS, rows)
    return len(rows)


@transaction.atomic
def health_refresh(account_ids: Collection[int], *, as_of: dt.date | None = None) -> int:
    """Recompute the stored health of these accounts (after a write); returns the rows kept."""
    ids = sorted(set(account_ids))
    as_of = as_of or timezone.localdate()
    return sum(_write(list(chunk), as_of) for chunk in chunks(ids, CHUNK))


def seated_accounts(contact_ids: Collection[int]) -> set[int]:
    """The accounts whose buying centre seats one of these people (an external influencer sits
    on other accounts' maps too)."""
    ids = list(set(contact_ids))
    accounts: set[int] = set()
    for chunk in chunks(ids, CHUNK):
        accounts.update(
            BuyingCentreMember.objects.filter(contact_id__in=chunk).values_list(
                "account_id", flat=True
            )
        )
    return accounts


def health_follow_contacts(contact_ids: Collection[int]) -> int:
    """After a write about people (a touchpoint with them, one leaving or renamed): refresh
    every account whose buying centre seats one of them."""
    accounts = seated_accounts(contact_ids)
    return health_refresh(accounts) if accounts else 0


@transaction.atomic
def health_refresh_all(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """Recompute every mapped account's row as of ``as_of`` and drop the rows of accounts no
    longer mapped (the nightly step; also after the rules change)."""
    as_of = as_of or timezone.localdate()
    mapped = sorted(set(BuyingCentreMember.objects.values_list("account_id", flat=True)))
    unmapped = AccountRelationshipHealth.objects.exclude(
        account_id__in=BuyingCentreMember.objects.values("account_id")
    )
    dropped = unmapped.count()
    # Every row is rewritten: one DELETE of them all, not one per chunk of ids.
    AccountRelationshipHealth.objects.all().delete()
    kept = 0
    for i, chunk in enumerate(chunks(mapped, CHUNK)):
        kept += _write(list(chunk), as_of, replace=False)
        if progress:
            print(f"  relationship health: {min((i + 1) * CHUNK, len(mapped))}/{len(mapped)}")
    analyze(AccountRelationshipHealth)
    with_risks = AccountRelationshipHealth.objects.filter(risk_count__gt=0).count()
    return {"as_of": as_of, "accounts": kept, "with_risks": with_risks, "dropped": dropped}


def _health(row: AccountRelationshipHealth) -> RelationshipHealth:
    risks = [
        Risk(r["code"], r["params"], list(r["contacts"]), bool(r["decider"])) for r in row.risks
    ]
    return RelationshipHealth(account_id=row.account_id, score=row.score, risks=risks)


def stored_health(row: AccountRelationshipHealth) -> RelationshipHealth:
    """One stored row as a RelationshipHealth (score and risks, no parts)."""
    return _health(row)


def stored_health_for(
    account_ids: Collection[int], *, with_risks: bool = False
) -> dict[int, RelationshipHealth]:
    """account id → its stored RelationshipHealth (score and risks, no parts); accounts without
    a seat are absent. ``with_risks``: only those with at least one risk.

    The caller applies the access rule (pass only ids the user may see)."""
    ids = list(dict.fromkeys(account_ids))
    rows = AccountRelationshipHealth.objects.only("account_id", "score", "risks")
    if with_risks:
        rows = rows.filter(risk_count__gt=0)
    result: dict[int, RelationshipHealth] = {}
    for chunk in chunks(ids, CHUNK):
        result.update(
            (row.account_id, _health(row)) for row in rows.filter(ids_in("account_id", chunk))
        )
    return result


def stored_risk_counts(account_ids: Collection[int]) -> dict[int, tuple[int | None, int]]:
    """account id → (score, number of risks), for the accounts with a risk: a few columns per
    row, for sorting many accounts before reading the shown ones whole."""
    ids = list(dict.fromkeys(account_ids))
    result: dict[int, tuple[int | None, int]] = {}
    rows = AccountRelationshipHealth.objects.filter(risk_count__gt=0)
    for chunk in chunks(ids, CHUNK):
        result.update(
            (pk, (score, n))
            for pk, score, n in rows.filter(ids_in("account_id", chunk)).values_list(
                "account_id", "score", "risk_count"
            )
        )
    return result


def at_risk(code: str | None = None) -> QuerySet:
    """The ids (a subquery) of the accounts whose stored health has a risk (of ``code`` when
    given); the caller filters its own, checked, queryset with it."""
    rows = AccountRelationshipHealth.objects.filter(risk_count__gt=0)
    if code is not None:
        rows = rows.filter(risk_codes__contains=code)  # no code is part of another
    return rows.values("account_id")


#: Bands of the stored coverage score (0–100) the dashboard and the account list group by.
COVERAGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-19", 0, 19), ("20-39", 20, 39), ("40-59", 40, 59), ("60-79", 60, 79), ("80-100", 80, 100),
)  # fmt: skip
#: Accounts without a coverage score: no buying centre mapped yet (no stored row, or none scored).
NO_SCORE = "none"


def coverage_band_q(band: str) -> Q | None:
    """The stored-health rows of one band (None for an unknown band)."""
    for key, low, high in COVERAGE_BANDS:
        if key == band:
            return Q(score__gte=low, score__lte=high)
    return None


def coverage_band_ids(band: str) -> QuerySet | None:
    """The ids (a subquery) of the accounts in one band; for ``NO_SCORE`` those of the accounts
    that have a score, to exclude. None for an unknown band."""
    rows = AccountRelationshipHealth.objects.filter(score__isnull=False)
    if band == NO_SCORE:
        return rows.values("account_id")
    q = coverage_band_q(band)
    return None if q is None else rows.filter(q).values("account_id")


def coverage_distribution(accounts: QuerySet) -> dict[str, int]:
    """How many of ``accounts`` (a checked queryset) fall in each coverage band, and how many
    have no score (``NO_SCORE``: no buying centre mapped yet), so the counts add up to the
    accounts: read from the stored rows, one query for the bands and one count."""
    rows = AccountRelationshipHealth.objects.filter(account_id__in=accounts.values("pk"))
    counts = rows.aggregate(
        **{key: Count("pk", filter=coverage_band_q(key)) for key, _l, _h in COVERAGE_BANDS}
    )
    result = {key: counts[key] for key, _l, _h in COVERAGE_BANDS}
    result[NO_SCORE] = accounts.order_by().count() - sum(result.values())
    return result
