"""Renewal risk of the agreements ending soon, scored and explained term by term.

An active agreement ending within `GUANXI_RENEWAL_WINDOW_DAYS` (default 90) days of ``as_of``
and not yet renewed gets a score 0–100, the sum of five terms, each stored with the numbers
that made it so a page can say why in the reader's language (`term_words`):

- **pace** (up to 35): the worst pace of its volume commitments (actual ÷ commitment pro-rated
  to ``as_of``, `performance.agreements_pace`): 0 points at pace ≥ 100 %, 35 at ≤ 50 %,
  linear between (pace 80 % → 14). No commitment: 0, said so.
- **p_alive** (up to 25): the account's P(alive) in the latest analysis run: 25 × (1 − P).
  Not scored: 0, said so.
- **segment** (up to 15): the account's RFM segment in the latest run against the run before:
  15 when it moved to a worse segment, 8 when it stays in a worrying one (need attention or
  worse), else 0.
- **relationships** (up to 25): the risks of its buying centre (`relationships.risks`): 8
  points per risk, at most 25; no buying centre mapped: 10 (nobody knows who decides).

- **complaints** (up to 20): the service cases (`guanxi.service`) of the accounts the
  agreement covers: 10 points per open complaint and 8 per complaint opened in the last 90 days
  whose SLA was breached, at most 20.

The sum is capped at 100. Level: high from 60, medium from 30, else low.

`renewal_risk_refresh` (a nightly step) stores one `RenewalRisk` per agreement in the window
and removes the rows of those that left it; `agreement_facts_refresh` hands the facts tier
rules read (active strategic agreement, commitment attained %) to tiers before tiering runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.agreements.coverage import covered_accounts_of
from guanxi.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    RenewalRisk,
    RiskLevel,
)
from guanxi.agreements.performance import agreement_performance, agreements_pace
from guanxi.insights.models import LATEST_ORDER, AccountScore, AnalysisRun, RunStatus, Segment
from guanxi.insights.selectors import latest_run
from guanxi.relationships.health import stored_health_for
from guanxi.service.selectors import complaint_facts
from guanxi.tiers.facts import agreement_facts_store

PACE_POINTS, ALIVE_POINTS, SEGMENT_POINTS, RELATIONSHIP_POINTS = 35, 25, 15, 25
COMPLAINT_POINTS, POINTS_PER_OPEN_COMPLAINT, POINTS_PER_BREACHED_COMPLAINT = 20, 10, 8
PACE_FULL_RISK = 0.5  # at or below this pace, every pace point
SEGMENT_WORSE, SEGMENT_WORRYING = 15, 8
POINTS_PER_RISK, NO_CENTRE_POINTS = 8, 10
HIGH_FROM, MEDIUM_FROM = 60, 30

#: RFM segments from best to worst; from NEED_ATTENTION on a segment is "worrying".
SEGMENT_ORDER = [
    Segment.CHAMPIONS,
    Segment.LOYAL,
    Segment.POTENTIAL_LOYALIST,
    Segment.NEW,
    Segment.PROMISING,
    Segment.NEED_ATTENTION,
    Segment.ABOUT_TO_SLEEP,
    Segment.AT_RISK,
    Segment.CANT_LOSE,
    Segment.HIBERNATING,
    Segment.LOST,
]
SEGMENT_RANK = {str(s): i for i, s in enumerate(SEGMENT_ORDER)}
WORRYING_FROM = SEGMENT_RANK[str(Segment.NEED_ATTENTION)]


def window_days() -> int:
    return settings.GUANXI_RENEWAL_WINDOW_DAYS


def agreements_ending(as_of: dt.date, days: int | None = None) -> QuerySet[Agreement]:
    """Active agreements not renewed yet whose last day is from ``as_of`` to ``as_of`` + days."""
    days = window_days() if days is None else days
    return Agreement.objects.filter(
        status=AgreementStatus.ACTIVE,
        successor__isnull=True,
        ends_on__gte=as_of,
        ends_on__lte=as_of + dt.timedelta(days=days),
    )


# --- The terms ----------------------------------------------------------------------------------


def _term(code: str, points: int, out_of: int, **values: Any) -> dict[str, Any]:
    return {"code": code, "points": int(points), "out_of": out_of, **values}


def pace_term(pace: float | None) -> dict[str, Any]:
    if pace is None:
        return _term("pace", 0, PACE_POINTS, pace=None)
    share = (1.0 - pace) / (1.0 - PACE_FULL_RISK)
    points = round(PACE_POINTS * min(max(share, 0.0), 1.0))
    return _term("pace", points, PACE_POINTS, pace=round(pace, 4))


def alive_term(p_alive: float | None) -> dict[str, Any]:
    if p_alive is None:
        return _term("p_alive", 0, ALIVE_POINTS, p_alive=None)
    points = round(ALIVE_POINTS * (1.0 - min(max(p_alive, 0.0), 1.0)))
    return _term("p_alive", points, ALIVE_POINTS, p_alive=round(p_alive, 4))


def segment_term(now: str | None, before: str | None) -> dict[str, Any]:
    rank_now, rank_before = SEGMENT_RANK.get(now or ""), SEGMENT_RANK.get(before or "")
    points = 0
    if rank_now is not None:
        if rank_before is not None and rank_now > rank_before:
            points = SEGMENT_WORSE
        elif rank_now >= WORRYING_FROM:
            points = SEGMENT_WORRYING
    return _term("segment", points, SEGMENT_POINTS, now=now or None, before=before or None)


def relationship_term(risk_codes: list[str] | None) -> dict[str, Any]:
    """``risk_codes``: the buying centre's risks; None when the account has no buying centre."""
    if risk_codes is None:
        return _term("relationships", NO_CENTRE_POINTS, RELATIONSHIP_POINTS, risks=None)
    points = min(POINTS_PER_RISK * len(risk_codes), RELATIONSHIP_POINTS)
    return _term("relationships", points, RELATIONSHIP_POINTS, risks=list(risk_codes))


def complaint_term(open_complaints: int, breached_recently: int) -> dict[str, Any]:
    points = min(
        POINTS_PER_OPEN_COMPLAINT * open_complaints
        + POINTS_PER_BREACHED_COMPLAINT * breached_recently,
        COMPLAINT_POINTS,
    )
    return _term(
        "complaints", points, COMPLAINT_POINTS, open=open_complaints, breached=breached_recently
    )


def level_of(score: int) -> str:
    if score >= HIGH_FROM:
        return RiskLevel.HIGH
    if score >= MEDIUM_FROM:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


def term_words(term: dict[str, Any]) -> str:
    """One stored term as a sentence in the active language."""
    code = term.get("code")
    pts = {"points": term.get("points", 0), "out_of": term.get("out_of", 0)}
    if code == "pace":
        if term.get("pace") is None:
            return _("Pace: no volume commitment to measure (%(points)s/%(out_of)s).") % pts
        return _("Pace: %(pace)s%% of the commitment due by now (%(points)s/%(out_of)s).") % {
            **pts,
            "pace": round(term["pace"] * 100),
        }
    if code == "p_alive":
        if term.get("p_alive") is None:
            return _("P(alive): not scored by the analysis (%(points)s/%(out_of)s).") % pts
        return _("P(alive): %(p)s%% (%(points)s/%(out_of)s).") % {
            **pts,
            "p": round(term["p_alive"] * 100),
        }
    if code == "segment":
        return _segment_words(term, pts)
    if code == "complaints":
        return _complaint_words(term, pts)
    if code == "relationships":
        risks = term.get("risks")
        if risks is None:
            return _("Relationships: no buying centre mapped (%(points)s/%(out_of)s).") % pts
        if not risks:
            return _("Relationships: no risk on the buying centre (%(points)s/%(out_of)s).") % pts
        return ngettext(
            "Relationships: %(n)s risk on the buying centre (%(points)s/%(out_of)s).",
            "Relationships: %(n)s risks on the buying centre (%(points)s/%(out_of)s).",
            len(risks),
        ) % {**pts, "n": len(risks)}
    return str(code)


def _complaint_words(term: dict[str, Any], pts: dict[str, Any]) -> str:
    n_open, n_late = term.get("open", 0), term.get("breached", 0)
    if not n_open and not n_late:
        return _("Complaints: none open, none late lately (%(points)s/%(out_of)s).") % pts
    return _(
        "Complaints: %(open)s open, %(late)s with a breached SLA in the last 90 days "
        "(%(points)s/%(out_of)s)."
    ) % {**pts, "open": n_open, "late": n_late}


def _segment_words(term: dict[str, Any], pts: dict[str, Any]) -> str:
    labels = dict(Segment.choices)
    now, before = term.get("now"), term.get("before")
    if now is None:
        return _("Segment: not scored by the analysis (%(points)s/%(out_of)s).") % pts
    words = {**pts, "now": labels.get(now, now), "before": labels.get(before or "", before)}
    if before is not None and before != now:
        return _("Segment: %(before)s → %(now)s (%(points)s/%(out_of)s).") % words
    return _("Segment: %(now)s (%(points)s/%(out_of)s).") % words


# --- Scoring many agreements --------------------------------------------------------------------


def _previous_run(latest: AnalysisRun | None) -> AnalysisRun | None:
    if latest is None:
        return None
    runs = AnalysisRun.objects.filter(
        status=RunStatus.SUCCEEDED, scores_pruned_at__isnull=True
    ).exclude(pk=latest.pk)
    return runs.filter(observation_end__lte=latest.observation_end).order_by(*LATEST_ORDER).first()


def _scores(run: AnalysisRun | None, account_ids: list[int]) -> dict[int, tuple]:
    if run is None or not account_ids:
        return {}
    rows = AccountScore.objects.filter(run=run, account_id__in=account_ids)
    return {a: (p, s) for a, p, s in rows.values_list("account_id", "p_alive", "segment")}


def risk_terms(agreements: list[Agreement], *, as_of: dt.date) -> dict[int, list[dict]]:
    """agreement id → its five terms, for many agreements in a fixed number of queries (the
    relationship term reads the agreement's own account's buying centre; the complaints term
    every covered account's cases)."""
    if not agreements:
        return {}
    account_ids = sorted({a.account_id for a in agreements})
    covered = covered_accounts_of(agreements)
    complaints = complaint_facts(sorted({c for ids in covered.values() for c in ids}), on=as_of)
    paces = agreements_pace([a.pk for a in agreements], as_of=as_of)
    latest = latest_run()
    now, before = _scores(latest, account_ids), _scores(_previous_run(latest), account_ids)
    healths = stored_health_for(account_ids)  # the stored rollup, refreshed before this step
    result = {}
    for a in agreements:
        p_alive, segment = now.get(a.account_id, (None, None))
        health = healths.get(a.account_id)
        codes = None if health is None or health.score is None else [r.code for r in health.risks]
        result[a.pk] = [
            pace_term(paces.get(a.pk)),
            alive_term(p_alive),
            segment_term(segment, before.get(a.account_id, (None, None))[1]),
            relationship_term(codes),
            complaint_term(
                sum(complaints[c].open_complaints for c in covered[a.pk] if c in complaints),
                sum(complaints[c].breached_recently for c in covered[a.pk] if c in complaints),
            ),
        ]
    return result


def renewal_risk_refresh(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """Score every agreement in the renewal window and store it (nightly step)."""
    as_of = as_of or timezone.localdate()
    agreements = list(agreements_ending(as_of).order_by("id"))
    terms = risk_terms(agreements, as_of=as_of)
    rows = []
    for a in agreements:
        score = min(sum(t["points"] for t in terms[a.pk]), 100)
        rows.append(
            RenewalRisk(
                agreement=a, score=score, level=level_of(score), terms=terms[a.pk], as_of=as_of
            )
        )
    with transaction.atomic():
        removed, _detail = RenewalRisk.objects.exclude(
            agreement__in=[a.pk for a in agreements]
        ).delete()
        RenewalRisk.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["agreement"],
            update_fields=["score", "level", "terms", "as_of"],
        )
    levels = {lvl: sum(1 for r in rows if r.level == lvl) for lvl in RiskLevel.values}
    return {"as_of": as_of, "agreements": len(rows), "removed": removed, **levels}


# --- Agreement facts for tier rules and plans ---------------------------------------------------


def in_force_q(as_of: dt.date) -> Q:
    return Q(status=AgreementStatus.ACTIVE, starts_on__lte=as_of, ends_on__gte=as_of)


def _current(performances: list, as_of: dt.date) -> list:
    """The commitment periods running on ``as_of`` (a commitment may have several periods)."""
    return [p for p in performances if p.starts_on <= as_of <= p.ends_on]


def attained_pct(agreement: Agreement, *, as_of: dt.date) -> Decimal | None:
    """The lowest share of a commitment attained so far (actual ÷ committed, %) over the
    agreement's volume commitments; None without one."""
    shares = [
        Decimal(str(p.actual)) * 100 / Decimal(str(p.committed))
        for p in _current(agreement_performance(agreement, as_of=as_of), as_of)
        if p.committed
    ]
    if not shares:
        return None
    return min(shares).quantize(Decimal("0.01"), ROUND_HALF_UP)


def account_facts(
    agreements: Iterable[Agreement], *, as_of: dt.date
) -> dict[int, tuple[bool, Decimal | None]]:
    """account id → (an active strategic agreement covers it, the lowest commitment attained %
    of the agreements in force covering it), over ``agreements`` (those in force)."""
    agreements = list(agreements)
    covered = covered_accounts_of(agreements)
    facts: dict[int, tuple[bool, Decimal | None]] = {}
    for a in agreements:
        strategic = a.agreement_type.kind == AgreementKind.STRATEGIC
        pct = attained_pct(a, as_of=as_of)
        for account_id in covered[a.pk]:
            was_strategic, was_pct = facts.get(account_id, (False, None))
            low = pct if was_pct is None else (was_pct if pct is None else min(pct, was_pct))
            facts[account_id] = (was_strategic or strategic, low)
    return facts


def agreements_covering(account_id: int, as_of: dt.date) -> QuerySet[Agreement]:
    """The agreements in force on ``as_of`` whose account is ``account_id`` or that chose it as
    a covered subsidiary."""
    covering = Q(account_id=account_id) | Q(covered_accounts__id=account_id)
    return (
        Agreement.objects.filter(in_force_q(as_of))
        .filter(covering)
        .select_related("agreement_type")
        .distinct()
        .order_by("id")
    )


@dataclass
class AccountFacts:
    """What one account's agreements in force say (plan goals read it)."""

    strategic: int  # active strategic agreements covering it
    attained_pct: Decimal | None  # the lowest commitment attained %, None without one


def account_agreement_facts(account_id: int, *, as_of: dt.date) -> AccountFacts:
    agreements = list(agreements_covering(account_id, as_of))
    strategic = sum(1 for a in agreements if a.agreement_type.kind == AgreementKind.STRATEGIC)
    shares = [p for a in agreements if (p := attained_pct(a, as_of=as_of)) is not None]
    return AccountFacts(strategic=strategic, attained_pct=min(shares) if shares else None)


def agreement_facts_refresh(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """Hand tiers the agreement facts as of ``as_of`` (nightly step, before tiering)."""
    as_of = as_of or timezone.localdate()
    agreements = Agreement.objects.filter(in_force_q(as_of)).select_related("agreement_type")
    facts = account_facts(agreements.order_by("id"), as_of=as_of)
    agreement_facts_store(facts, as_of=as_of)
    strategic = sum(1 for s, _p in facts.values() if s)
    return {"as_of": as_of, "accounts": len(facts), "strategic": strategic}


# --- A commitment proposed at renewal -----------------------------------------------------------


@dataclass
class CommitmentProposal:
    label: str  # what is committed (the commitment's category or "revenue")
    committed: Decimal | None  # this period's commitment (None: none)
    proposed: Decimal
    basis: str  # where the figure comes from, in words


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("1"), ROUND_HALF_UP)


def _period_days(agreement: Agreement) -> int:
    return (agreement.ends_on - agreement.starts_on).days + 1


def commitment_proposal(agreement: Agreement, *, as_of: dt.date) -> list[CommitmentProposal]:
    """What to commit to in the next period, one line per volume commitment of this one: the
    analytics model's projection to the period end where there is one, else the run-rate
    projection (`performance.agreement_performance`). An agreement without a commitment gets
    one revenue line from the analysis: the covered accounts' expected purchases × expected
    spend per purchase of the latest run, scaled from 90 days to the agreement's length; []
    when the analysis has no expectation either."""
    proposals = []
    for p in _current(agreement_performance(agreement, as_of=as_of), as_of):
        if p.projected_model is not None:
            figure, basis = p.projected_model, _("the analytics model's projection to the end")
        elif p.projected is not None:
            figure, basis = p.projected, _("the run-rate projection to the end")
        else:
            continue
        proposals.append(
            CommitmentProposal(
                label=str(p.commitment),
                committed=Decimal(str(p.committed)) if p.committed is not None else None,
                proposed=_money(figure),
                basis=basis,
            )
        )
    if proposals:
        return proposals
    return _proposal_from_analysis(agreement)


def _proposal_from_analysis(agreement: Agreement) -> list[CommitmentProposal]:
    run = latest_run()
    if run is None:
        return []
    account_ids = covered_accounts_of([agreement])[agreement.pk]
    rows = AccountScore.objects.filter(
        run=run,
        account_id__in=account_ids,
        expected_purchases_90d__isnull=False,
        expected_spend__isnull=False,
    ).values_list("expected_purchases_90d", "expected_spend")
    expected = sum((Decimal(str(n)) * spend for n, spend in rows), Decimal(0))
    if not expected:
        return []
    scaled = expected * _period_days(agreement) / 90
    return [
        CommitmentProposal(
            label=_("Revenue"),
            committed=None,
            proposed=_money(scaled),
            basis=_("expected purchases × spend per purchase (analysis of %(day)s), per period")
            % {"day": run.observation_end.isoformat()},
        )
    ]
