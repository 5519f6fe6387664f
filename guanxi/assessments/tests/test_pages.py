"""The assessment pages: the form reached from the 360° page (scored, kept, back to the 360°
page), its card there, the account list's filters on the latest bands, and the checklists'
admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.assessments.forms import question_field
from guanxi.assessments.models import Assessment, Band
from guanxi.assessments.services import assessment_create
from guanxi.assessments.tests.support import best, worst
from tests.support import make_account

pytestmark = pytest.mark.django_db


def _post_data(answers: dict[int, int], **extra) -> dict:
    return {**{question_field(q): o for q, o in answers.items()}, "note": "", **extra}


def test_the_kam_fills_in_the_form_and_returns_to_the_360_page(client, cast):
    url = reverse("admin:assessments_assessment_fill", args=(cast.account.pk,))
    client.force_login(cast.alice)
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("data-question=") == 20
    response = client.post(url, _post_data(best(), assessed_on="2026-12-01", note="初评"))
    assert response.status_code == 302
    back = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    assert response["Location"] == back
    assessment = Assessment.objects.get(account=cast.account)
    assert assessment.willingness_band == Band.HIGH and assessment.assessed_by == cast.alice
    assert assessment.note == "初评" and str(assessment.assessed_on) == "2026-12-01"


def test_a_form_with_a_question_unanswered_is_shown_again(client, cast):
    url = reverse("admin:assessments_assessment_fill", args=(cast.account.pk,))
    client.force_login(cast.alice)
    answers = best()
    answers.pop(next(iter(answers)))
    response = client.post(url, _post_data(answers, assessed_on="2026-12-01"))
    assert response.status_code == 400
    assert not Assessment.objects.exists()


def test_the_form_of_an_account_out_of_sight_is_a_404(client, cast):
    client.force_login(cast.charlie)
    url = reverse("admin:assessments_assessment_fill", args=(cast.account.pk,))
    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(best(), assessed_on="2026-12-01")).status_code == 404


def test_the_360_page_shows_the_latest_scores_and_the_trend(client, cast):
    url = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    client.force_login(cast.alice)
    text = client.get(url).content.decode()
    assert 'data-card="assessments"' in text and "data-no-assessment" in text
    assessment_create(actor=cast.alice, account=cast.account, answers=worst())
    latest = assessment_create(actor=cast.alice, account=cast.account, answers=best())
    text = client.get(url).content.decode()
    assert 'data-latest-willingness="100.0" data-band="high"' in text
    assert 'data-list="assessment-trend"' in text and f'data-assessment="{latest.pk}"' in text
    assert reverse("admin:assessments_assessment_fill", args=(cast.account.pk,)) in text


def test_the_account_list_filters_by_the_latest_bands(client, cast):
    other = make_account(owner=cast.alice)
    assessment_create(actor=cast.alice, account=cast.account, answers=worst())
    assessment_create(actor=cast.alice, account=cast.account, answers=best())
    assessment_create(actor=cast.alice, account=other, answers=worst())
    changelist = reverse("admin:accounts_account_changelist")
    client.force_login(cast.alice)
    high = client.get(changelist, {"willingness": "high"})
    assert [a.pk for a in high.context["cl"].result_list] == [cast.account.pk]
    low = client.get(changelist, {"quality": "low"})
    assert [a.pk for a in low.context["cl"].result_list] == [other.pk]  # not alice's older one


def test_the_history_lists_only_visible_assessments(client, cast):
    mine = assessment_create(actor=cast.alice, account=cast.account, answers=best())
    theirs = assessment_create(actor=cast.charlie, account=cast.west_account, answers=best())
    client.force_login(cast.alice)
    response = client.get(
        reverse("admin:assessments_assessment_changelist"),
        {"account__id__exact": cast.account.pk},
    )
    assert [a.pk for a in response.context["cl"].result_list] == [mine.pk]
    url = reverse("admin:assessments_assessment_change", args=(theirs.pk,))
    assert client.get(url).status_code == 404


def test_only_managers_edit_the_checklists(client, cast):
    url = reverse("admin:assessments_checklist_changelist")
    client.force_login(cast.alice)
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:assessments_checklist_add")).status_code == 403
    client.force_login(cast.mia)
    assert client.get(reverse("admin:assessments_checklist_add")).status_code == 200
