"""Reads of surveys, through the access rule: a user sees the invitations and answers of the
accounts they see (`accounts.selectors.visible_to`). `latest_scores` is for pages and apps that
already checked the accounts (loyalty, the 360° page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.core.models import User
from guanxi.surveys.models import SurveyInvitation, SurveyResponse, SurveyTemplate

CHUNK = 2000


def templates_active() -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.filter(active=True).order_by("code")


def invitations_visible_to(actor: User | None) -> QuerySet[SurveyInvitation]:
    return visible_to(SurveyInvitation.objects.all(), actor, prefix="account__").select_related(
        "template", "account", "contact", "sent_by"
    )


def responses_visible_to(actor: User | None) -> QuerySet[SurveyResponse]:
    return visible_to(SurveyResponse.objects.all(), actor, prefix="account__").select_related(
        "template", "account", "contact"
    )


@dataclass(frozen=True)
class LatestScores:
    """An account's latest answers: NPS 0–10, CSAT 1–5, SERVQUAL gap (perceived − expected,
    negative = falls short), each with the local day it was given."""

    nps: int | None = None
    nps_at: dt.date | None = None
    csat: float | None = None
    csat_at: dt.date | None = None
    servqual_gap: float | None = None
    servqual_at: dt.date | None = None


def _latest(field: str) -> tuple[Subquery, Subquery]:
    rows = SurveyResponse.objects.filter(
        account=OuterRef("pk"), **{f"{field}__isnull": False}
    ).order_by("-answered_at", "-id")
    return Subquery(rows.values(field)[:1]), Subquery(rows.values("answered_at")[:1])


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


#: The annotations `latest_score_annotations` adds to accounts, in `LatestScores`' order.
SCORE_COLUMNS = ("s_nps", "s_nps_at", "s_csat", "s_csat_at", "s_gap", "s_gap_at")


def latest_score_annotations() -> dict[str, Subquery]:
    """The account's latest scores as annotations of an account queryset (`SCORE_COLUMNS`;
    the 360° page reads them with the account), for `scores_from`."""
    nps, nps_at = _latest("nps_score")
    csat, csat_at = _latest("csat_score")
    gap, gap_at = _latest("servqual_gap")
    return dict(zip(SCORE_COLUMNS, (nps, nps_at, csat, csat_at, gap, gap_at), strict=True))


def scores_from(values: tuple) -> LatestScores | None:
    """`LatestScores` from the annotations' values (`SCORE_COLUMNS` order); None: never
    surveyed."""
    n, n_at, c, c_at, g, g_at = values
    if n_at is None and c_at is None and g_at is None:
        return None
    return LatestScores(
        nps=n,
        nps_at=_day(n_at),
        csat=float(c) if c is not None else None,
        csat_at=_day(c_at),
        servqual_gap=g,
        servqual_at=_day(g_at),
    )


def latest_scores(account_ids: list[int]) -> dict[int, LatestScores]:
    """account id → its latest scores; accounts never surveyed are left out. One query per
    2,000 accounts, each score read from the (account, answered_at) index."""
    annotations = latest_score_annotations()
    result: dict[int, LatestScores] = {}
    ids = list(dict.fromkeys(account_ids))
    for start in range(0, len(ids), CHUNK):
        rows = (
            Account.objects.filter(pk__in=ids[start : start + CHUNK])
            .annotate(**annotations)
            .values_list("pk", *SCORE_COLUMNS)
        )
        for pk, *values in rows:
            scores = scores_from(tuple(values))
            if scores is not None:
                result[pk] = scores
    return result
