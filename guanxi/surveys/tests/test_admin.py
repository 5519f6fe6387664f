"""The survey pages: sending a link (the URL and its QR code), the access rule on links and
answers, the contacts' "send" action, and the results page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from guanxi.surveys.models import SurveyInvitation, SurveyResponse
from guanxi.surveys.services import Answers, invitation_token, response_submit
from tests.support import PASSWORD, make_contact


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_send_a_survey_from_the_add_page_shows_the_url_and_qr(cast, templates, contact):
    client = login(cast.alice)
    add = reverse("admin:surveys_surveyinvitation_add")
    assert client.get(add + f"?account={cast.account.pk}").status_code == 200
    page = client.post(
        add,
        {
            "template": templates["nps"].pk,
            "account": cast.account.pk,
            "contact": contact.pk,
            "language": "zh-hans",
            "expires_days": "14",
        },
        follow=True,
    )
    assert page.status_code == 200
    invitation = SurveyInvitation.objects.get()
    assert (invitation.sent_by, invitation.contact, invitation.source) == (
        cast.alice,
        contact,
        "manual",
    )
    assert (invitation.expires_at - invitation.sent_at).days == 14
    body = page.content.decode()
    token = invitation_token(invitation)
    assert f'data-url="http://testserver/s/{token}/"' in body
    assert 'id="survey-qr"' in body and "<svg" in body


def test_an_invisible_account_cannot_be_surveyed(cast, templates):
    client = login(cast.alice)
    page = client.post(
        reverse("admin:surveys_surveyinvitation_add"),
        {
            "template": templates["nps"].pk,
            "account": cast.west_account.pk,
            "language": "zh-hans",
            "expires_days": "30",
        },
    )
    assert page.status_code == 200  # the form again, with the error
    assert not SurveyInvitation.objects.exists()


def test_links_and_answers_follow_the_account_rule(cast, invite):
    invitation = invite("nps")
    response_submit(token=invitation_token(invitation), answers=Answers(nps_score=9))
    response = SurveyResponse.objects.get()
    for name, status in [
        ("alice", 200),
        ("bob", 404),
        ("charlie", 404),
        ("lena", 200),
        ("mia", 200),
    ]:
        client = login(getattr(cast, name))
        inv_url = reverse("admin:surveys_surveyinvitation_change", args=(invitation.pk,))
        resp_url = reverse("admin:surveys_surveyresponse_change", args=(response.pk,))
        assert client.get(inv_url).status_code == status, name
        assert client.get(resp_url).status_code == status, name
        listing = client.get(reverse("admin:surveys_surveyinvitation_changelist"))
        assert (f"/{invitation.pk}/change/" in listing.content.decode()) == (status == 200)


def test_contacts_send_action_makes_a_link_each(cast, templates):
    first = make_contact(account=cast.account)
    second = make_contact(account=cast.account)
    client = login(cast.alice)
    page = client.post(
        reverse("admin:contacts_contact_changelist"),
        {"action": "send_nps_survey", "_selected_action": [first.pk, second.pk]},
    )
    assert page.status_code == 302
    assert set(SurveyInvitation.objects.values_list("contact", flat=True)) == {first.pk, second.pk}
    assert set(SurveyInvitation.objects.values_list("template__code", flat=True)) == {"nps"}


def test_results_page_renders_for_everyone(cast, invite):
    response_submit(token=invitation_token(invite("nps")), answers=Answers(nps_score=3))
    for name in ("alice", "charlie", "mia"):
        client = login(getattr(cast, name))
        for group in ("tier", "segment", "kam", "account"):
            page = client.get(reverse("admin:surveys_results") + f"?group={group}")
            assert page.status_code == 200
            body = page.content.decode()
            assert 'id="servqual-sign"' in body
            # charlie does not see alice's account: no answers for him.
            assert ('data-answers="1"' in body) == (name != "charlie"), (name, group)
