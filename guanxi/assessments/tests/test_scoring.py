"""Filling in a 客户状态分析表: the seeded checklists, the scoring of a filled questionnaire and
its bands, every assessment kept with the latest marked, the access rule and bad answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.assessments.models import Assessment, Band, Checklist, ChecklistKind, Question
from guanxi.assessments.services import assessment_create, checklist_score
from guanxi.assessments.tests.support import answers_where, best, worst
from guanxi.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def test_the_seed_has_ten_questions_each_in_both_languages():
    for kind in ChecklistKind.values:
        checklist = Checklist.objects.get(kind=kind, is_active=True)
        questions = list(checklist.questions.all())
        assert len(questions) == 10
        for q in questions:
            assert q.text and q.text_en and q.options.count() >= 3
            assert all(o.label and o.label_en for o in q.options.all())


def test_a_filled_questionnaire_is_scored_by_points_and_weights(cast):
    willingness = Checklist.objects.get(kind=ChecklistKind.WILLINGNESS, is_active=True)
    questions = list(willingness.questions.all())
    options = {q.pk: sorted(q.options.all(), key=lambda o: -o.points) for q in questions}
    # Best answers everywhere but the decision makers' count (weight 2 of 12), the worst there.
    headcount = next(q for q in questions if q.weight == 2 and q.position == 10)
    chosen = {q.pk: options[q.pk][0] for q in questions}
    chosen[headcount.pk] = options[headcount.pk][-1]
    score = checklist_score(willingness, chosen)
    assert score.score == Decimal("83.3")  # 10 of 12 weighted points
    assert score.band == Band.HIGH
    # A middle answer to a 0–3 question scores its share: 2/3 of its weight.
    influence = next(q for q in questions if q.position == 9)
    chosen = {q.pk: options[q.pk][-1] for q in questions}
    chosen[influence.pk] = options[influence.pk][1]  # 2 of 3 points, weight 2
    assert checklist_score(willingness, chosen).score == Decimal("11.1")
    assert checklist_score(willingness, chosen).band == Band.LOW


def test_the_bands_follow_the_checklists_thresholds(cast):
    middle = answers_where(lambda options: options[1])  # the second-best answer everywhere
    a = assessment_create(actor=cast.alice, account=cast.account, answers=middle)
    assert Decimal(40) <= a.willingness_score < Decimal(70)
    assert a.willingness_band == Band.MEDIUM and a.quality_band == Band.MEDIUM
    Checklist.objects.filter(kind=ChecklistKind.QUALITY).update(high_from=50)
    b = assessment_create(actor=cast.alice, account=cast.account, answers=middle)
    assert b.quality_band == Band.HIGH and b.willingness_band == Band.MEDIUM


def test_every_assessment_is_kept_and_the_newest_is_the_latest(cast):
    today = timezone.localdate()
    first = assessment_create(actor=cast.alice, account=cast.account, answers=worst())
    assert first.is_latest and first.assessed_by == cast.alice and first.assessed_on == today
    assert first.willingness_score == 0 and first.willingness_band == Band.LOW
    second = assessment_create(
        actor=cast.lena, account=cast.account, answers=best(), note="回访后更新"
    )
    assert second.willingness_score == 100 and second.quality_band == Band.HIGH
    first.refresh_from_db()
    assert not first.is_latest and second.is_latest
    # An assessment dated earlier is kept without taking the latest's place.
    older = assessment_create(
        actor=cast.alice, account=cast.account, answers=best(),
        assessed_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    assert not older.is_latest
    assert Assessment.objects.filter(account=cast.account).count() == 3
    assert list(Assessment.objects.filter(account=cast.account, is_latest=True)) == [second]
    assert second.answers.count() == 20
    entry = second.history.earliest()
    assert entry.history_user == cast.lena
    assert first.history.latest().history_user == cast.lena  # unmarked by lena's entry


def test_only_those_who_see_the_account_may_assess_it(cast):
    with pytest.raises(NotFound):
        assessment_create(actor=cast.charlie, account=cast.account, answers=best())
    with pytest.raises(NotFound):
        assessment_create(actor=cast.bob, account=cast.account, answers=best())
    assert not Assessment.objects.exists()


def test_bad_answers_are_refused_and_nothing_is_kept(cast, english):
    answers = best()
    missing = dict(list(answers.items())[1:])
    with pytest.raises(InvalidInput, match="Every question needs an answer"):
        assessment_create(actor=cast.alice, account=cast.account, answers=missing)
    questions = list(Question.objects.order_by("pk")[:2])
    wrong = {**answers, questions[0].pk: questions[1].options.first().pk}
    with pytest.raises(InvalidInput, match="is not an option of question"):
        assessment_create(actor=cast.alice, account=cast.account, answers=wrong)
    with pytest.raises(InvalidInput, match="not on the active checklists"):
        assessment_create(actor=cast.alice, account=cast.account, answers={**answers, 99999: 1})
    with pytest.raises(InvalidInput, match="future"):
        assessment_create(
            actor=cast.alice, account=cast.account, answers=answers,
            assessed_on=timezone.localdate() + dt.timedelta(days=1),
        )  # fmt: skip
    assert not Assessment.objects.exists()
