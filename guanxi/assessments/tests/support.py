"""Builders for the assessment tests: the seeded checklists answered by a rule."""

from __future__ import annotations

from guanxi.assessments.models import Checklist


def answers_where(pick) -> dict[int, int]:
    """question id → option id over the active checklists, ``pick(options)`` choosing one
    option of each question's options (ordered best first, as seeded)."""
    chosen = {}
    for checklist in Checklist.objects.filter(is_active=True).prefetch_related(
        "questions__options"
    ):
        for question in checklist.questions.all():
            options = sorted(question.options.all(), key=lambda o: -o.points)
            chosen[question.pk] = pick(options).pk
    return chosen


def best() -> dict[int, int]:
    return answers_where(lambda options: options[0])


def worst() -> dict[int, int]:
    return answers_where(lambda options: options[-1])
