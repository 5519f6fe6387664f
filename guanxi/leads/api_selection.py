"""/api/selection: the key-account selection score (选择标准) — the criteria and their weights,
the ranking of the accounts the caller sees by their latest assessment, an account's assessments
(newest first) with every term explained, and assessing an account (the KAM's 1–5 for each
qualitative criterion; the data's for the rest, read at that moment). Errors: 404 an account out
of sight, 422 a missing, out-of-range or unknown criterion score (the field names the
criterion's key)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from guanxi.accounts.services import account_for_actor
from guanxi.core.schemas import MAX_ID, InputSchema
from guanxi.leads.models import SelectionAssessment
from guanxi.leads.selection import active_criteria, explain
from guanxi.leads.selectors import (
    RANKING_CAP,
    criteria_by_id,
    selection_history,
    selection_ranking,
)
from guanxi.leads.services import selection_assess

router = Router(tags=["leads"])

AccountId = Path(..., ge=1, le=MAX_ID)


class SelectionCriterionOut(Schema):
    key: str = Field(..., description="The key an assessment's scores use")
    name: str = Field(..., description="In the language of the request")
    kind: str = Field(..., description="qualitative (the KAM scores it) or measured from data")
    weight: int
    description: str


class SelectionTermOut(Schema):
    key: str
    criterion: str = Field(..., description="The criterion's name")
    weight: int
    score: int | None = Field(..., description="1–5; null: no data, left out of the total")
    basis: str = Field(..., description="given, percentile, band or no_data")
    value: str
    explanation: str = Field(..., description="Where the score came from, in words")


class SelectionAssessmentOut(Schema):
    id: int
    account: int
    account_name: str
    assessed_by: str
    assessed_at: dt.datetime
    total: Decimal = Field(..., description="The weighted mean of the scored terms, 1–5")
    value_score: Decimal | None = Field(
        ..., description="The same without the size terms (annual sales, scale): 大不一定好"
    )
    is_latest: bool
    notes: str
    terms: list[SelectionTermOut]


class SelectionAssessmentIn(InputSchema):
    scores: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(
        ...,
        max_length=50,
        description="criterion key → 1–5, for every active qualitative criterion",
    )
    notes: str = Field("", max_length=2000)


class SelectionRankingQuery(InputSchema):
    limit: int = Field(RANKING_CAP, ge=1, le=RANKING_CAP)


def _out(assessment: SelectionAssessment, names: dict[int, str]) -> dict:
    return {
        "id": assessment.pk,
        "account": assessment.account_id,
        "account_name": assessment.account.name,
        "assessed_by": str(assessment.assessed_by),
        "assessed_at": assessment.assessed_at,
        "total": assessment.total,
        "value_score": assessment.value_score,
        "is_latest": assessment.is_latest,
        "notes": assessment.notes,
        "terms": [
            {
                "key": term["key"],
                "criterion": names.get(term["criterion"], term["key"]),
                "weight": term["weight"],
                "score": term["score"],
                "basis": term["basis"],
                "value": term.get("value", ""),
                "explanation": explain(term),
            }
            for term in assessment.terms
        ],
    }


def _names() -> dict[int, str]:
    return {pk: str(c) for pk, c in criteria_by_id().items()}


@router.get(
    "/criteria", response=list[SelectionCriterionOut], summary="The active selection criteria"
)
def list_criteria(request: HttpRequest):
    return [
        {"key": c.key, "name": str(c), "kind": c.kind, "weight": c.weight,
         "description": c.description}
        for c in active_criteria()
    ]  # fmt: skip


@router.get(
    "/ranking",
    response=list[SelectionAssessmentOut],
    summary=f"The accounts you see by their latest selection score, best first (top {RANKING_CAP})",
)
def ranking(request: HttpRequest, query: Query[SelectionRankingQuery]):
    names = _names()
    return [_out(a, names) for a in selection_ranking(actor=request.auth, limit=query.limit)]


@router.get(
    "/accounts/{account_id}",
    response=list[SelectionAssessmentOut],
    summary="An account's selection assessments, newest first (the last 50)",
)
def account_assessments(request: HttpRequest, account_id: int = AccountId):
    account = account_for_actor(actor=request.auth, account_id=account_id)
    names = _names()
    history = selection_history(actor=request.auth, account=account.pk)
    for assessment in history:
        assessment.account = account
    return [_out(a, names) for a in history]


@router.post(
    "/accounts/{account_id}",
    response={201: SelectionAssessmentOut},
    summary="Assess an account: your 1–5 per qualitative criterion, the data's for the rest",
)
def assess(request: HttpRequest, payload: SelectionAssessmentIn, account_id: int = AccountId):
    assessment = selection_assess(
        actor=request.auth, account=account_id, scores=payload.scores, notes=payload.notes
    )
    return Status(201, _out(assessment, _names()))
