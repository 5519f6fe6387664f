"""Deal odds: the features of an opportunity, training on the closed deals, predicting the open.

The features (`FEATURES`) are what no other CRM has beside the usual ones: is a decision maker
or approver mapped on the account's buying centre, the best relationship stage reached with one
of them (好感 → 信任 → 利益 → 情感), whether the map is single-threaded (one person mapped, or
the relationship risks "one contact" / "one of our people"), an account plan for the year, the
account's tier in the default scheme, the P(alive) band of the latest value analysis, and the
deal's type, source, amount (binned by the model) and the furthest open stage it reached.
`deal_features` reads them for many deals in a fixed number of queries per 2,000 accounts.

As of when? A closed deal's features should be those it had while it was open. Where history is
stored and cheap, they are taken as of the close date: the relationship stage (stage events have
their day), the tier (tier changes have theirs), the plan (by the year of the close date) and
the stage reached (the stage log). The rest is read as it is now — who sits on the buying centre
and in which role, whether it is single-threaded, the P(alive) band of the latest analysis —
which leaks a little of the outcome into training (after a won deal a KAM maps more people, and
a lost account's P(alive) falls), so those effects may look stronger than they are.

Stage reached: an open deal in "propose" will still move on. A closed deal therefore gives one
training row per open stage it reached ("a deal that reached propose: did it win?"), so an open
deal is compared with every closed deal that got as far, not only with those that stopped there.
The holdout is the latest 20% of closed deals by close date; the stored model is then refitted
on all of them. Fewer than `MIN_DEALS` closed deals, or only won or only lost ones: no model, a
row saying why, and the predictions already written stay.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.bulk import chunks, update_rows
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.pipeline.models import OddsModel, OddsStatus, Opportunity, Outcome, Stage, StageChange
from guanxi.plans.models import AccountPlan, PlanStatus
from guanxi.relationships.health import stored_health_for
from guanxi.relationships.models import STAGE_ORDER, RelationshipStageEvent
from guanxi.relationships.risks import SINGLE_CONTACT, SINGLE_OWNER, RelationshipHealth
from guanxi.relationships.selectors import BuyingCentre, buying_centres
from guanxi.tiers.attendance import default_scheme
from guanxi.tiers.models import AccountTier, TierChange

FEATURES = (
    "decision_maker",
    "decision_maker_stage",
    "single_threaded",
    "account_plan",
    "tier",
    "p_alive",
    "opportunity_type",
    "source",
    "amount",
    "stage_reached",
)
NUMERIC = ("amount",)
MIN_DEALS = 30
HOLDOUT_SHARE = 0.2
RELIABILITY_BINS = 10
CHUNK = 2000  # ids per IN list (SQLite caps a query's parameters)
STAGE_NAMES = {rank: stage for stage, rank in STAGE_ORDER.items()}
# P(alive) bands: at least HIGH is "high", below LOW is "low".
P_ALIVE_HIGH, P_ALIVE_LOW = 0.7, 0.3


@dataclass
class DealRow:
    """One deal's features (``values`` in `FEATURES` order) and the open stages it reached."""

    opportunity_id: int
    outcome: str
    closed_on: dt.date | None
    values: dict[str, Any]
    reached: list[int] = field(default_factory=list)  # open stage ids, in pipeline order

    def row(self, stage_id: int | None) -> list[Any]:
        return [
            *(self.values[n] for n in FEATURES[:-1]),
            None if stage_id is None else str(stage_id),
        ]

    @property
    def current_row(self) -> list[Any]:
        """The row an open deal is predicted on: the furthest open stage it reached."""
        return self.row(self.reached[-1] if self.reached else None)


# --- reading the facts --------------------------------------------------------------------------


@dataclass
class _Facts:
    """What the features need about the deals' accounts, read once for all of them."""

    centres: dict[int, BuyingCentre]
    single: set[int]  # accounts whose map is single-threaded
    stage_events: dict[tuple[int, int], tuple[list[dt.date], list[int]]]
    plans: set[tuple[int, int]]  # (account id, year) with a plan that is not a draft
    tier_now: dict[int, int]
    tier_changes: dict[int, list[tuple[dt.date, int | None, int | None]]]
    p_alive: dict[int, float | None]
    stages: dict[int, tuple[int, str]]  # stage id → (position, outcome)
    stage_log: dict[int, set[int]] = field(default_factory=dict)  # deal id → stage ids


def _is_single(centre: BuyingCentre, health: RelationshipHealth | None) -> bool:
    active = [s for s in centre.seats if s.is_active]
    if len(active) == 1:
        return True
    return health is not None and bool(health.codes & {SINGLE_CONTACT, SINGLE_OWNER})


def _read_facts(account_ids: list[int], deal_ids: list[int], today: dt.date) -> _Facts:
    centres = buying_centres(account_ids)
    healths = stored_health_for(account_ids, with_risks=True)  # the stored rollup (nightly)
    scheme = default_scheme()
    run = latest_run()
    facts = _Facts(
        centres=centres,
        single={pk for pk, c in centres.items() if c.seats and _is_single(c, healths.get(pk))},
        stage_events={},
        plans=set(),
        tier_now={},
        tier_changes=defaultdict(list),
        p_alive={},
        stages={pk: (pos, out) for pk, pos, out in Stage.objects.values_list(
            "pk", "position", "outcome")},
    )  # fmt: skip
    events: dict[tuple[int, int], tuple[list[dt.date], list[int]]] = defaultdict(lambda: ([], []))
    for chunk in chunks(account_ids, CHUNK):
        for account_id, contact_id, stage, day in (
            RelationshipStageEvent.objects.filter(account_id__in=chunk)
            .order_by("reached_on", "id")
            .values_list("account_id", "contact_id", "stage", "reached_on")
        ):
            days, ranks = events[(account_id, contact_id)]
            days.append(day)
            ranks.append(STAGE_ORDER.get(stage, 0))
        facts.plans.update(
            AccountPlan.objects.filter(account_id__in=chunk)
            .exclude(status=PlanStatus.DRAFT)
            .values_list("account_id", "year")
        )
        if scheme is not None:
            facts.tier_now.update(
                AccountTier.objects.filter(scheme=scheme, account_id__in=chunk)
                .exclude(tier=None)
                .values_list("account_id", "tier_id")
            )
            for account_id, day, from_id, to_id in (
                TierChange.objects.filter(scheme=scheme, account_id__in=chunk)
                .order_by("effective_on", "changed_at", "id")
                .values_list("account_id", "effective_on", "from_tier_id", "to_tier_id")
            ):
                facts.tier_changes[account_id].append((day, from_id, to_id))
        if run is not None:
            facts.p_alive.update(
                AccountScore.objects.filter(run=run, account_id__in=chunk).values_list(
                    "account_id", "p_alive"
                )
            )
    facts.stage_events = dict(events)
    log: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(deal_ids, CHUNK):
        for deal_id, from_id, to_id in StageChange.objects.filter(
            opportunity_id__in=chunk
        ).values_list("opportunity_id", "from_stage_id", "to_stage_id"):
            log[deal_id].update(pk for pk in (from_id, to_id) if pk is not None)
    facts.stage_log = dict(log)
    return facts


# --- the features -------------------------------------------------------------------------------


def _stage_on(facts: _Facts, account_id: int, contact_id: int, day: dt.date) -> int:
    """The relationship stage (rank) the person had reached on ``day``: the latest event then."""
    found = facts.stage_events.get((account_id, contact_id))
    if not found:
        return 0
    days, ranks = found
    i = bisect.bisect_right(days, day)
    return ranks[i - 1] if i else 0


def _tier_on(facts: _Facts, account_id: int, day: dt.date, today: dt.date) -> int | None:
    """The tier in force on ``day``: the last change up to then, else the tier the first later
    change moved from, else the tier now."""
    changes = facts.tier_changes.get(account_id, [])
    if day >= today or not changes:
        return facts.tier_now.get(account_id)
    before = [c for c in changes if c[0] <= day]
    return before[-1][2] if before else changes[0][1]


def _p_alive_band(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value >= P_ALIVE_HIGH:
        return "high"
    return "low" if value < P_ALIVE_LOW else "medium"


def _relationship_values(facts: _Facts, account_id: int, day: dt.date) -> dict[str, Any]:
    centre = facts.centres.get(account_id)
    active = [s for s in centre.seats if s.is_active] if centre is not None else []
    if not active:
        return {"decision_maker": "no_map", "decision_maker_stage": "none",
                "single_threaded": "no_map"}  # fmt: skip
    deciders = [s for s in active if s.decides]
    best = max((_stage_on(facts, account_id, s.contact_id, day) for s in deciders), default=0)
    return {
        "decision_maker": "mapped" if deciders else "not_mapped",
        "decision_maker_stage": STAGE_NAMES.get(best, "none"),
        "single_threaded": "yes" if account_id in facts.single else "no",
    }


def _reached(facts: _Facts, deal_id: int, stage_id: int, outcome: str) -> list[int]:
    ids = set(facts.stage_log.get(deal_id, ()))
    if outcome == Outcome.OPEN:
        ids.add(stage_id)
    open_ids = [pk for pk in ids if pk in facts.stages and facts.stages[pk][1] == Outcome.OPEN]
    return sorted(open_ids, key=lambda pk: (facts.stages[pk][0], pk))


def deal_features(
    opportunities: Iterable[Opportunity] | Collection[int], *, today: dt.date | None = None
) -> list[DealRow]:
    """The features of many deals, read together (no query per deal): a closed deal's as of its
    close date where the history allows (see the module's note), an open deal's as of today."""
    today = today or timezone.localdate()
    items = list(opportunities)
    ids = [o if isinstance(o, int) else o.pk for o in items]
    deals = []
    for chunk in chunks(ids, CHUNK):
        deals += Opportunity.objects.filter(pk__in=chunk).values(
            "pk", "account_id", "opportunity_type", "source_id", "amount", "stage_id",
            "outcome", "closed_on",
        )  # fmt: skip
    if not deals:
        return []
    account_ids = sorted({d["account_id"] for d in deals})
    facts = _read_facts(account_ids, [d["pk"] for d in deals], today)
    rows = []
    for d in sorted(deals, key=lambda d: d["pk"]):
        account_id = d["account_id"]
        day = d["closed_on"] if d["outcome"] != Outcome.OPEN and d["closed_on"] else today
        tier = _tier_on(facts, account_id, day, today)
        values = {
            **_relationship_values(facts, account_id, day),
            "account_plan": "active" if (account_id, day.year) in facts.plans else "none",
            "tier": None if tier is None else str(tier),
            "p_alive": _p_alive_band(facts.p_alive.get(account_id)),
            "opportunity_type": d["opportunity_type"],
            "source": None if d["source_id"] is None else str(d["source_id"]),
            "amount": float(d["amount"]),
        }
        rows.append(
            DealRow(
                opportunity_id=d["pk"],
                outcome=d["outcome"],
                closed_on=d["closed_on"],
                values=values,
                reached=_reached(facts, d["pk"], d["stage_id"], d["outcome"]),
            )
        )
    return rows


# --- training -----------------------------------------------------------------------------------


def _training_rows(deals: list[DealRow]) -> tuple[list[list[Any]], list[int]]:
    """One row per open stage each closed deal reached (one row without a stage when the log
    shows none), labelled 1 for won."""
    X, y = [], []
    for deal in deals:
        won = 1 if deal.outcome == Outcome.WON else 0
        for stage_id in deal.reached or [None]:
            X.append(deal.row(stage_id))
            y.append(won)
    return X, y


def _holdout_split(deals: list[DealRow]) -> tuple[list[DealRow], list[DealRow]]:
    """The latest HOLDOUT_SHARE of closed deals by close date: trained on the past, tested on
    what came after, as the model is used."""
    ordered = sorted(deals, key=lambda d: (d.closed_on or dt.date.min, d.opportunity_id))
    cut = len(ordered) - max(1, round(len(ordered) * HOLDOUT_SHARE))
    return ordered[:cut], ordered[cut:]


def _both_outcomes(deals: list[DealRow]) -> bool:
    return len({d.outcome for d in deals}) == 2


def status_message(record: OddsModel) -> str:
    """Why a training made no model, in the active language ("" when it made one)."""
    if record.status != OddsStatus.INSUFFICIENT:
        return ""
    return _(
        "Not enough closed deals to learn from: %(won)s won and %(lost)s lost. The deal "
        "odds need at least %(min)s closed deals, both won and lost ones."
    ) % {"won": record.n_won, "lost": record.n_lost, "min": MIN_DEALS}


def _insufficient(n_won: int, n_lost: int, started: float) -> OddsModel:
    return OddsModel.objects.create(
        trained_at=timezone.now(),
        status=OddsStatus.INSUFFICIENT,
        n_deals=n_won + n_lost,
        n_won=n_won,
        n_lost=n_lost,
        duration_seconds=time.perf_counter() - started,
    )


def _fit(deals: list[DealRow]) -> Any:
    # deferred: guanxi.analytics loads scipy, which pages and commands would otherwise pay for
    from guanxi.analytics.deal_odds import DealOdds

    X, y = _training_rows(deals)
    return DealOdds(numeric=NUMERIC).fit(X, y, feature_names=FEATURES)


def _calibration(train: list[DealRow], holdout: list[DealRow]) -> dict[str, Any]:
    """Brier score and reliability table on the holdout of a model fitted on the rest."""
    # deferred: as in _fit
    from guanxi.analytics.deal_odds import brier_score, reliability_table

    if not _both_outcomes(train):
        return {}
    model = _fit(train)
    X, y = _training_rows(holdout)
    p = model.predict_proba(X)
    return {
        "n_holdout": len(holdout),
        "brier_score": brier_score(y, p),
        "baseline_brier_score": brier_score(y, [model.base_rate_] * len(y)),
        "reliability": [
            {"low": b.low, "high": b.high, "predicted": b.predicted, "observed": b.observed,
             "count": b.count}
            for b in reliability_table(y, p, n_bins=RELIABILITY_BINS)
        ],
    }  # fmt: skip


def odds_train(*, today: dt.date | None = None) -> OddsModel:
    """Train on every closed deal, measure on the holdout, store the model and write the
    predicted probability (in %, like the stage's) of every open deal."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    closed_ids = list(
        Opportunity.objects.exclude(outcome=Outcome.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deals = deal_features(closed_ids, today=today)
    n_won = sum(1 for d in deals if d.outcome == Outcome.WON)
    n_lost = len(deals) - n_won
    if len(deals) < MIN_DEALS or not n_won or not n_lost:
        return _insufficient(n_won, n_lost, started)
    train, holdout = _holdout_split(deals)
    calibration = _calibration(train, holdout)
    model = _fit(deals)
    record = OddsModel.objects.create(
        trained_at=timezone.now(),
        status=OddsStatus.TRAINED,
        n_deals=len(deals),
        n_won=n_won,
        n_lost=n_lost,
        base_rate=model.base_rate_,
        model=model.to_dict(),
        **calibration,
    )
    record.n_predicted = _predict_open(model, today=today)
    record.duration_seconds = time.perf_counter() - started
    record.save(update_fields=["n_predicted", "duration_seconds"])
    return record


def _predict_open(model: Any, *, today: dt.date) -> int:
    """Write predicted_probability (%) of every open deal, in batches, without history rows (a
    nightly estimate, not an edit)."""
    open_ids = list(
        Opportunity.objects.filter(outcome=Outcome.OPEN).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for chunk in chunks(open_ids, 10 * CHUNK):
        deals = deal_features(chunk, today=today)
        if not deals:
            continue
        p = model.predict_proba([d.current_row for d in deals])
        update_rows(
            Opportunity._meta.db_table,
            ["id", "predicted_probability"],
            [(d.opportunity_id, round(float(v) * 100, 1)) for d, v in zip(deals, p, strict=True)],
        )
        written += len(deals)
    return written


# --- reading the stored model -------------------------------------------------------------------


def latest_odds_model() -> OddsModel | None:
    """The newest training that produced a model."""
    return (
        OddsModel.objects.filter(status=OddsStatus.TRAINED).order_by("-trained_at", "-id").first()
    )


def latest_odds_attempt() -> OddsModel | None:
    """The newest training, whether it produced a model or found too few deals."""
    return OddsModel.objects.order_by("-trained_at", "-id").first()


def stored_model(record: OddsModel) -> Any:
    """The `DealOdds` a stored training holds."""
    # deferred: as in _fit
    from guanxi.analytics.deal_odds import DealOdds

    return DealOdds.from_dict(record.model)
