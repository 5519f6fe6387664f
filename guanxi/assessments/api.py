"""/api/assessments/…: the active checklists (questions, options, weights), the assessments
the caller may see (of one account with ``?account=``) and filling one in. Access as for
accounts: an account the caller may not see is a 404."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from guanxi.accounts.services import account_for_actor
from guanxi.assessments.selectors import assessments_visible_to
from guanxi.assessments.services import active_checklists, assessment_create
from guanxi.core.schemas import MAX_ID, Day, Id, InputSchema, Pagination

router = Router(tags=["assessments"])


class OptionOut(Schema):
    id: int
    position: int
    label: str
    label_en: str
    points: int


class QuestionOut(Schema):
    id: int
    position: int
    text: str
    text_en: str
    weight: int
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj) -> list:
        return list(obj.options.all())


class ChecklistOut(Schema):
    id: int
    code: str
    kind: str = Field(..., description="willingness or quality")
    name: str
    name_en: str
    high_from: int = Field(..., description="A score from this is high")
    medium_from: int = Field(..., description="A score from this (below high) is medium")
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.all())


class AnswerIn(InputSchema):
    question: Id
    option: Id


class AssessmentIn(InputSchema):
    account: Id
    assessed_on: Day | None = Field(None, description="Default: today")
    note: str = Field("", max_length=4000)
    answers: list[AnswerIn] = Field(
        ..., min_length=1, max_length=200,
        description="One answer for every question of the active checklists",
    )  # fmt: skip


class AssessmentOut(Schema):
    id: int
    account: int = Field(..., alias="account_id")
    assessed_on: dt.date
    assessed_by: int = Field(..., alias="assessed_by_id")
    note: str
    willingness_score: float = Field(..., description="0–100")
    willingness_band: str = Field(..., description="high, medium or low")
    quality_score: float = Field(..., description="0–100")
    quality_band: str = Field(..., description="high, medium or low")
    is_latest: bool
    created_at: dt.datetime


class AssessmentFilters(InputSchema):
    account: int | None = Field(None, ge=1, le=MAX_ID)
    latest: bool | None = Field(None, description="Only each account's latest assessment")


@router.get("/checklists", response=list[ChecklistOut], summary="The active checklists")
def list_checklists(request: HttpRequest):
    return sorted(active_checklists().values(), key=lambda c: c.kind, reverse=True)


@router.get("", response=list[AssessmentOut], summary="Assessments you can see, newest first")
@paginate(Pagination)
def list_assessments(request: HttpRequest, filters: Query[AssessmentFilters]):
    qs = assessments_visible_to(request.auth)
    if filters.account is not None:
        account_for_actor(actor=request.auth, account_id=filters.account)
        qs = qs.filter(account_id=filters.account)
    if filters.latest is not None:
        qs = qs.filter(is_latest=filters.latest)
    return qs.order_by("-assessed_on", "-id")


@router.post("", response={201: AssessmentOut}, summary="Fill in an assessment of an account")
def create_assessment(request: HttpRequest, payload: AssessmentIn):
    account = account_for_actor(actor=request.auth, account_id=payload.account)
    answers: dict[int, int] = {}
    for answer in payload.answers:
        answers[answer.question] = answer.option
    assessment = assessment_create(
        actor=request.auth, account=account, answers=answers,
        assessed_on=payload.assessed_on, note=payload.note,
    )  # fmt: skip
    return Status(201, assessment)
