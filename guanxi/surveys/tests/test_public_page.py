"""The public answer page: no login, the questions only, one answer per link; used, expired,
tampered and unknown links refused with a 4xx; rate-limited per client address."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.surveys.models import SurveyInvitation, SurveyItem, SurveyResponse, SurveyTemplate
from guanxi.surveys.services import (
    Answers,
    LinkRefused,
    invitation_create,
    invitation_token,
    invitation_url,
    response_submit,
)


def _path(invitation) -> str:
    return invitation_url(invitation)


def test_the_page_shows_the_questions_and_nothing_about_the_customer(cast, invite, contact):
    invitation = invite("nps")
    page = Client().get(_path(invitation))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="survey-form"' in body
    for item in invitation.template.items.all():
        assert item.text in body
    for secret in (cast.account.name, cast.account.code, contact.name, cast.alice.username):
        assert secret not in body
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"


def test_english_switch_shows_the_english_template(invite):
    invitation = invite("nps")
    page = Client().get(_path(invitation) + "?lang=en")
    item = invitation.template.items.get(position=1)
    assert item.text_en in page.content.decode()
    assert item.text not in page.content.decode()
    assert 'lang="en"' in page.content.decode()


def test_a_link_sent_in_english_opens_in_english(invite):
    invitation = invite("csat", language="en")
    page = Client().get(_path(invitation))
    assert invitation.template.items.get(position=1).text_en in page.content.decode()


def test_answering_stores_one_response_and_marks_the_link(cast, invite, contact):
    invitation = invite("nps")
    page = Client().post(_path(invitation), {"nps_score": "9", "comment": "服务很好"})
    assert page.status_code == 200
    assert 'id="survey-thanks"' in page.content.decode()
    response = SurveyResponse.objects.get()
    assert (response.nps_score, response.comment) == (9, "服务很好")
    assert (response.account, response.contact, response.invitation) == (
        cast.account,
        contact,
        invitation,
    )
    invitation.refresh_from_db()
    assert invitation.answered_at == response.answered_at


def test_a_used_link_is_refused_and_cannot_be_answered_twice(invite):
    invitation = invite("nps")
    client = Client()
    assert client.post(_path(invitation), {"nps_score": "10"}).status_code == 200
    again = client.post(_path(invitation), {"nps_score": "0"})
    assert again.status_code == 409
    assert 'data-reason="answered"' in again.content.decode()
    assert client.get(_path(invitation)).status_code == 409
    assert list(SurveyResponse.objects.values_list("nps_score", flat=True)) == [10]


def test_an_expired_link_is_refused(invite):
    invitation = invite("nps", expires_days=7)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
        page = Client().get(_path(invitation))
        posted = Client().post(_path(invitation), {"nps_score": "8"})
    assert page.status_code == 410
    assert 'data-reason="expired"' in page.content.decode()
    assert posted.status_code == 410
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: str(int(t.split(".")[0]) + 1) + t[t.index(".") :],  # another id, same signature
        lambda t: "garbage",
        lambda t: t.split(".")[0] + ".x.y",
    ],
)
def test_a_tampered_link_is_refused_and_reveals_nothing(cast, invite, tamper):
    invitation = invite("nps")
    other = invite("csat")  # the id next door exists: a changed id must still fail
    assert other.pk == invitation.pk + 1
    token = tamper(invitation_token(invitation))
    page = Client().get(f"/s/{token}/")
    assert page.status_code == 404
    assert 'data-reason="invalid"' in page.content.decode()
    assert cast.account.name not in page.content.decode()
    assert Client().post(f"/s/{token}/", {"nps_score": "9"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_forged_token_without_the_secret_is_refused(settings, invite):
    invitation = invite("nps")
    token = invitation_token(invitation)
    settings.SECRET_KEY = "someone-elses-secret-key-that-is-long-enough-0123456789"
    assert Client().get(f"/s/{token}/").status_code == 404


def test_missing_or_bad_scores_are_shown_and_nothing_is_stored(invite):
    invitation = invite("nps")
    for bad in ({}, {"nps_score": "11"}, {"nps_score": "-1"}, {"nps_score": "七"}):
        page = Client().post(_path(invitation), bad)
        assert page.status_code == 422
        assert 'data-error="nps_score"' in page.content.decode()
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_servqual_answers_store_each_pair_and_the_gap(invite):
    invitation = invite("servqual")
    items = list(SurveyItem.objects.filter(template=invitation.template, answer="servqual"))
    data = {f"e_{item.pk}": "6" for item in items} | {f"p_{item.pk}": "5" for item in items}
    data[f"p_{items[0].pk}"] = "7"  # one item beats the expectation by 1
    assert Client().post(_path(invitation), data).status_code == 200
    response = SurveyResponse.objects.get()
    assert response.item_answers.count() == 22
    assert response.servqual_gap == pytest.approx((21 * -1 + 1) / 22)


def test_servqual_needs_every_item(invite):
    invitation = invite("servqual")
    item = SurveyItem.objects.filter(template=invitation.template, answer="servqual").first()
    page = Client().post(_path(invitation), {f"e_{item.pk}": "5", f"p_{item.pk}": "5"})
    assert page.status_code == 422
    assert not SurveyResponse.objects.exists()


def test_the_page_is_rate_limited_per_address(settings, invite):
    settings.GUANXI_SURVEY_RATE_LIMIT = 3
    invitation = invite("nps")
    client = Client(REMOTE_ADDR="10.0.0.7")
    assert [client.get(_path(invitation)).status_code for _ in range(3)] == [200] * 3
    refused = client.get(_path(invitation))
    assert refused.status_code == 429
    assert 'data-reason="rate"' in refused.content.decode()
    assert client.post(_path(invitation), {"nps_score": "9"}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.0.8").get(_path(invitation)).status_code == 200
    assert not SurveyResponse.objects.exists()


def test_no_login_needed_and_a_logged_in_user_sees_the_same(cast, invite):
    invitation = invite("csat")
    client = Client()
    client.force_login(cast.mia)
    assert client.get(_path(invitation)).status_code == 200


def test_a_stale_page_cannot_answer_after_the_link_was_used(invite):
    """The conditional update: the check passed, but another answer won in between."""
    invitation = invite("nps")
    token = invitation_token(invitation)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=timezone.now())
    with pytest.raises(LinkRefused) as refused:
        response_submit(token=token, answers=Answers(nps_score=3))
    assert refused.value.reason == "answered"
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_posts_racing_store_one_answer(cast):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs two connections (PostgreSQL)")
    invitation = invitation_create(
        actor=cast.alice, template=SurveyTemplate.objects.get(code="nps"), account=cast.account
    )
    token = invitation_token(invitation)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def answer(score: int) -> None:
        barrier.wait()
        try:
            response_submit(token=token, answers=Answers(nps_score=score))
            outcomes.append("stored")
        except LinkRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(n,)) for n in (10, 9, 8, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["stored"]
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1


def test_a_detractor_gives_the_kam_one_recovery_task(cast, invite, contact):
    invitation = invite("nps")
    Client().post(_path(invitation), {"nps_score": "4", "comment": "响应太慢"})
    response = SurveyResponse.objects.get()
    task = response.recovery_task
    assert task is not None
    assert (task.account, task.assignee, task.contact, task.kind) == (
        cast.account,
        cast.alice,
        contact,
        "follow_up",
    )
    assert task.notes == "响应太慢"
    assert task.due_date == timezone.localdate(response.answered_at) + dt.timedelta(days=2)
    assert Task.objects.count() == 1


@pytest.mark.parametrize("score", ["7", "10"])
def test_no_recovery_task_for_passives_and_promoters(invite, score):
    Client().post(_path(invite("nps")), {"nps_score": score})
    assert SurveyResponse.objects.get().recovery_task is None
    assert not Task.objects.filter(source="recovery").exists()  # a promoter is asked to refer
