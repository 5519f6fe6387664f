"""The seeded templates and the NPS categories."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from guanxi.core.errors import InvalidInput
from guanxi.surveys.models import (
    Dimension,
    SurveyItem,
    SurveyResponse,
    SurveyTemplate,
    nps_category,
)


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
        (None, None),
    ],
)
def test_nps_category(score, category):
    assert nps_category(score) == category


@pytest.mark.parametrize("score", [-1, 11, 7.5, True, "9"])
def test_nps_category_refuses_what_is_no_score(score):
    with pytest.raises(InvalidInput):
        nps_category(score)


@pytest.mark.django_db
def test_three_templates_are_seeded_in_both_languages():
    kinds = dict(SurveyTemplate.objects.values_list("code", "kind"))
    assert kinds == {"nps": "nps", "csat": "csat", "servqual": "servqual"}
    servqual = SurveyItem.objects.filter(template__code="servqual", answer="servqual")
    assert servqual.count() == 22
    per_dimension = {d: servqual.filter(dimension=d).count() for d in Dimension.values}
    assert per_dimension == {
        "tangibles": 4,
        "reliability": 5,
        "responsiveness": 4,
        "assurance": 4,
        "empathy": 5,
    }
    assert not SurveyItem.objects.filter(text_en="").exists()
    assert SurveyItem.objects.filter(template__code="nps", answer="nps").count() == 1


@pytest.mark.django_db
def test_scores_out_of_range_are_refused_by_the_database(cast):
    template = SurveyTemplate.objects.get(code="csat")
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            template=template, account=cast.account, answered_at=timezone.now(), csat_score=6
        )
