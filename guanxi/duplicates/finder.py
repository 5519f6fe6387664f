"""The job that finds candidate pairs (`candidates_find`): blocking, then scoring.

Blocking keeps it linear: only rows that share a key are compared — accounts by the pinyin of
the name's matching key (which also joins 华彩 and 華彩 and the homophone typo 华采) or by the
credit code; contacts by mobile, by e-mail or by the pinyin of the name within an account. The
database groups the keys (``GROUP BY … HAVING COUNT(*) > 1``) and streams the rows of the
shared keys in key order, so memory holds one block at a time plus the pairs found. A block
larger than `MAX_BLOCK` is a generic key (科技, a switchboard number) and is skipped. Pinyin
initials are not a block: "hcyy" is shared by too many companies to compare them all.

Incremental: with ``since``, only blocks holding a row changed since then are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations, groupby

from django.db import transaction
from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.functions import Cast, Concat, Upper
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.bulk import analyze
from guanxi.core.idlists import ids_in
from guanxi.duplicates.matching import (
    THRESHOLD,
    AccountFacts,
    ContactFacts,
    score_accounts,
    score_contacts,
)
from guanxi.duplicates.models import Candidate, Kind, Status

MAX_BLOCK = 50
CHUNK = 5000
ACCOUNT_COLUMNS = (
    "id", "name", "name_key", "key_pinyin", "credit_code", "phone", "city", "address", "parent_id",
)  # fmt: skip
CONTACT_COLUMNS = ("id", "account_id", "name", "name_pinyin", "mobile_key", "email")


@dataclass
class Found:
    accounts: int = 0
    contacts: int = 0
    skipped_blocks: int = 0
    #: Open pairs an incremental run scored again and found below the threshold.
    rescored_away: int = 0
    pairs: dict = field(default_factory=dict)  # (kind, a, b) → (score, reasons)


def _shared_keys(qs: QuerySet, key: str, since: dt.datetime | None) -> QuerySet:
    """The keys held by more than one row; with ``since`` only the keys of the rows created or
    changed since then (the nightly run reads a few blocks, not the whole table grouped)."""
    source = qs.exclude(**{key: ""})
    if since is not None:
        changed = source.filter(updated_at__gte=since).values(key)
        source = source.filter(**{f"{key}__in": changed})
    keys = source.values(key).annotate(n=Count("id")).filter(n__gt=1)
    return keys.values(key)


def _blocks(qs: QuerySet, key: str, columns: tuple, since: dt.datetime | None) -> Iterator[list]:
    rows = (
        qs.filter(**{f"{key}__in": _shared_keys(qs, key, since)})
        .order_by(key, "id")
        .values_list(key, *columns)
        .iterator(chunk_size=CHUNK)
    )
    for _key, block in groupby(rows, key=lambda r: r[0]):
        yield [r[1:] for r in block]


#: Per kind: the rows' model, the columns its facts are read from, the facts and the scorer.
SCORING = {
    Kind.ACCOUNT: (Account, ACCOUNT_COLUMNS, AccountFacts, score_accounts),
    Kind.CONTACT: (Contact, CONTACT_COLUMNS, ContactFacts, score_contacts),
}


def _score_block(block: list, kind: str, found: Found) -> None:
    _model, _columns, facts, scorer = SCORING[kind]
    if len(block) > MAX_BLOCK:
        found.skipped_blocks += 1
        return
    items = [facts(*row) for row in block]
    for a, b in combinations(items, 2):
        pair = (kind, a.id, b.id) if a.id < b.id else (kind, b.id, a.id)
        if pair in found.pairs:
            continue
        score, reasons = scorer(a, b)
        if score >= THRESHOLD:
            found.pairs[pair] = (score, reasons)


def account_pairs(found: Found, since: dt.datetime | None = None) -> None:
    qs = Account.objects.all()
    for key in ("credit_code", "key_pinyin"):
        for block in _blocks(qs, key, ACCOUNT_COLUMNS, since):
            _score_block(block, Kind.ACCOUNT, found)


def contact_pairs(found: Found, since: dt.datetime | None = None) -> None:
    qs = Contact.objects.all()
    by_email = qs.annotate(email_upper=Upper("email"))
    by_name = qs.exclude(name_pinyin="").annotate(
        account_name=Concat(Cast("account_id", CharField()), Value(":"), "name_pinyin")
    )
    for source, key in ((qs, "mobile_key"), (by_email, "email_upper"), (by_name, "account_name")):
        for block in _blocks(source, key, CONTACT_COLUMNS, since):
            _score_block(block, Kind.CONTACT, found)


def _candidate(kind: str, a: int, b: int, score: int, reasons: list, now) -> Candidate:
    ids = {"account_a_id": a, "account_b_id": b} if kind == Kind.ACCOUNT else {
        "contact_a_id": a, "contact_b_id": b,
    }  # fmt: skip
    return Candidate(kind=kind, score=score, reasons=reasons, found_at=now, **ids)


def pairs_store(pairs: dict, now: dt.datetime) -> None:
    """Insert new pairs, refresh the score and reasons of known ones (a decided pair keeps its
    decision: the status is not touched)."""
    for kind, unique in ((Kind.ACCOUNT, ["account_a", "account_b"]),
                         (Kind.CONTACT, ["contact_a", "contact_b"])):  # fmt: skip
        rows = [
            _candidate(k, a, b, score, [list(r) for r in reasons], now)
            for (k, a, b), (score, reasons) in pairs.items()
            if k == kind
        ]
        Candidate.objects.bulk_create(
            rows,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=["score", "reasons", "found_at"],
        )


def open_pairs_rescore(before: dt.datetime) -> int:
    """Score the open pairs found before ``before`` again, by today's rules: a pair now below
    the threshold leaves the queue (the rules learned to tell such names apart: 深圳市财政局 and
    青岛市财政局 were proposed before places were read), the others get today's score and
    reasons. The queue is small beside the book; the incremental nightly run reads only the
    changed blocks, so without this an old pair would stay until a full run. A pair no block
    would bring together any more (both names edited apart, still alike) stays until a full
    run, which drops what it does not find. Returns how many pairs left."""
    dropped = 0
    for kind, (model, columns, facts, scorer) in SCORING.items():
        a_id, b_id = (f"{kind}_a_id", f"{kind}_b_id")
        queue = Candidate.objects.filter(kind=kind, status=Status.OPEN, found_at__lt=before)
        rows = list(queue.order_by("pk").values_list("pk", a_id, b_id, "score", "reasons"))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            ids = {i for _pk, a, b, *_ in chunk for i in (a, b)}
            read = model.objects.filter(ids_in("pk", ids)).values_list(*columns)
            known = {row[0]: facts(*row) for row in read}
            gone, changed = [], []
            for pk, a, b, old_score, old_reasons in chunk:
                if a not in known or b not in known:
                    continue  # merged or deleted since the queue was read: its cascade goes
                score, reasons = scorer(known[a], known[b])
                reasons = [list(r) for r in reasons]
                if score < THRESHOLD:
                    gone.append(pk)
                elif (score, reasons) != (old_score, old_reasons):
                    changed.append(Candidate(pk=pk, score=score, reasons=reasons))
            Candidate.objects.filter(ids_in("pk", gone)).delete()
            # Small batches: each is one UPDATE with a CASE per field over its rows.
            Candidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=500)
            dropped += len(gone)
    return dropped


@transaction.atomic
def candidates_find(*, since: dt.datetime | None = None) -> Found:
    """Find and store the candidate pairs; a full run (no ``since``) also drops the open pairs
    it no longer finds (the names were corrected), an incremental one scores the open pairs
    it did not read again (`open_pairs_rescore`)."""
    now = timezone.now()
    found = Found()
    account_pairs(found, since)
    contact_pairs(found, since)
    pairs_store(found.pairs, now)
    if since is None:
        Candidate.objects.filter(status=Status.OPEN, found_at__lt=now).delete()
    else:
        found.rescored_away = open_pairs_rescore(now)
    found.accounts = sum(1 for k in found.pairs if k[0] == Kind.ACCOUNT)
    found.contacts = len(found.pairs) - found.accounts
    analyze(Candidate)
    return found


def pairs_only(kind: str, since: dt.datetime | None = None) -> Iterable[tuple]:
    """The pairs without storing them (the benchmark)."""
    found = Found()
    (account_pairs if kind == Kind.ACCOUNT else contact_pairs)(found, since)
    return found.pairs
