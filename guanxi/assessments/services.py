"""Filling in an assessment: the answers are checked against the active checklists (every
question answered with one of its own options), scored and kept; the account's newest
assessment is marked latest.

Scoring: a question counts its chosen option's points over the question's best points, times
its weight; a checklist's score is that weighted share of the best, 0–100 (one decimal), and
its band comes from the checklist's thresholds (high from 70, medium from 40 by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.services import check_account_visible
from guanxi.assessments.models import Answer, Assessment, Checklist, ChecklistKind, Option
from guanxi.core.errors import Conflict, InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import save_as

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Score:
    score: Decimal  # 0–100
    band: str


def active_checklists() -> dict[str, Checklist]:
    """The active checklist of each kind, with questions and options (prefetched)."""
    rows = Checklist.objects.filter(is_active=True).prefetch_related("questions__options")
    return {c.kind: c for c in rows}


def checklist_score(checklist: Checklist, chosen: Mapping[int, Option]) -> Score:
    """The score of ``checklist`` answered with ``chosen`` (question id → option); a question
    without an answer counts as its worst option."""
    got = best = Decimal(0)
    for question in checklist.questions.all():
        top = max((o.points for o in question.options.all()), default=0)
        if not top:
            continue
        option = chosen.get(question.pk)
        points = option.points if option is not None else 0
        got += Decimal(question.weight) * points / top
        best += question.weight
    score = (got / best * 100).quantize(TENTH, ROUND_HALF_UP) if best else Decimal(0)
    return Score(score=score, band=checklist.band_of(score))


def _chosen(checklists: Iterable[Checklist], answers: Mapping[int, int]) -> dict[int, Option]:
    """question id → option, every question of the checklists answered by one of its options;
    else InvalidInput naming the questions (``answers``: question id → option id)."""
    questions = {q.pk: q for c in checklists for q in c.questions.all()}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidInput(
            _("These questions are not on the active checklists: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown))},
            field="answers",
        )
    chosen, missing = {}, []
    for pk, question in questions.items():
        options = {o.pk: o for o in question.options.all()}
        if answers.get(pk) is None:
            missing.append(question.position)
        elif answers[pk] not in options:
            raise InvalidInput(
                _("Answer %(option)s is not an option of question %(question)s.")
                % {"option": answers[pk], "question": pk},
                field="answers",
            )
        else:
            chosen[pk] = options[answers[pk]]
    if missing:
        raise InvalidInput(_("Every question needs an answer."), field="answers")
    return chosen


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    account: Account,
    answers: Mapping[int, int],
    assessed_on: dt.date | None = None,
    note: str = "",
) -> Assessment:
    """Score and keep one assessment of ``account`` (both active checklists answered)."""
    if actor is None:
        raise NotFound(_("Account not found."))
    check_account_visible(actor=actor, account=account)
    today = timezone.localdate()
    assessed_on = assessed_on or today
    if assessed_on > today:
        raise InvalidInput(_("An assessment cannot be dated in the future."), field="assessed_on")
    checklists = active_checklists()
    if set(checklists) != set(ChecklistKind.values):
        raise Conflict(_("There is no active willingness and quality checklist to fill in."))
    chosen = _chosen(checklists.values(), answers)
    will = checklist_score(checklists[ChecklistKind.WILLINGNESS], chosen)
    quality = checklist_score(checklists[ChecklistKind.QUALITY], chosen)
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one latest at a time
    assessment = Assessment(
        account=account, assessed_on=assessed_on, assessed_by=actor, note=note,
        willingness_score=will.score, willingness_band=will.band,
        quality_score=quality.score, quality_band=quality.band,
    )  # fmt: skip
    save_as(assessment, actor=actor)
    Answer.objects.bulk_create(
        Answer(assessment=assessment, question_id=q, option=o) for q, o in chosen.items()
    )
    latest_mark(account=account, actor=actor)
    assessment.refresh_from_db()
    return assessment


def latest_mark(*, account: Account, actor: User | None) -> None:
    """Mark the account's newest assessment (by date, then entry) latest, and only it."""
    newest = Assessment.objects.filter(account=account).order_by("-assessed_on", "-id").first()
    for old in Assessment.objects.filter(account=account, is_latest=True).exclude(
        pk=getattr(newest, "pk", None)
    ):
        old.is_latest = False
        save_as(old, actor=actor)
    if newest is not None and not newest.is_latest:
        newest.is_latest = True
        save_as(newest, actor=actor)
