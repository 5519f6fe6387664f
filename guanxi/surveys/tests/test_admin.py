"""The survey pages: sending a link (the URL and its QR code), the access rule on links and
answers, the contacts' "send" action, and the results page."""

from __future__ import annotations

from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guanxi.core.models import Role
from guanxi.surveys.models import SurveyInvitation, SurveyResponse
from guanxi.surveys.services import Answers, invitation_token, response_submit
from tests.support import PASSWORD, make_contact, make_user


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


def test_the_account_page_has_a_send_survey_button(cast):
    client = login(cast.alice)
    url = reverse("admin:accounts_account_send_survey", args=(cast.account.pk,))
    page = client.get(url)
    assert page.status_code == 302
    assert page["Location"].endswith(f"/surveys/surveyinvitation/add/?account={cast.account.pk}")
    hidden = reverse("admin:accounts_account_send_survey", args=(cast.west_account.pk,))
    assert client.get(hidden).status_code == 404


def test_answers_are_imported_from_the_admin_page(cast, templates):
    client = login(cast.alice)
    url = reverse("admin:surveys_import")
    assert client.get(url).status_code == 200
    csv = f"template,account,answered_at,nps_score\nnps,{cast.account.code},2025-03-15,8\n"
    upload = SimpleUploadedFile("answers.csv", csv.encode(), content_type="text/csv")
    page = client.post(url, {"file": upload})
    assert page.status_code == 200
    assert SurveyResponse.objects.get().nps_score == 8


def test_templates_are_configuration_with_history(cast, templates):
    url = reverse("admin:surveys_surveytemplate_change", args=(templates["nps"].pk,))
    assert login(cast.alice).get(url).status_code == 200  # every user reads them
    history = reverse("admin:surveys_surveytemplate_history", args=(templates["nps"].pk,))
    assert login(cast.mia).get(history).status_code == 200


def test_the_360_page_shows_the_latest_scores_and_open_links(cast, invite):
    response_submit(token=invitation_token(invite("nps")), answers=Answers(nps_score=4))
    invite("csat")  # still open
    url = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    body = login(cast.alice).get(url).content.decode()
    assert 'data-card="surveys"' in body
    assert 'data-latest-nps="4"' in body and 'data-category="detractor"' in body
    assert 'data-open-links="1"' in body
    assert "data-send-survey" in body


def test_a_contact_of_another_account_is_refused_on_the_form(cast, templates):
    other = make_contact(account=cast.west_account)
    client = login(cast.mia)
    page = client.post(
        reverse("admin:surveys_surveyinvitation_add"),
        {
            "template": templates["nps"].pk,
            "account": cast.account.pk,
            "contact": other.pk,
            "language": "zh-hans",
            "expires_days": "30",
        },
    )
    assert page.status_code == 200
    assert "contact" in page.context["adminform"].form.errors
    assert not SurveyInvitation.objects.exists()


def test_answers_are_evidence_nobody_but_a_superuser_deletes_or_edits_them(cast, invite):
    invitation = invite("nps")
    response_submit(token=invitation_token(invitation), answers=Answers(nps_score=2))
    answer = SurveyResponse.objects.get()
    change = reverse("admin:surveys_surveyresponse_change", args=(answer.pk,))
    delete = reverse("admin:surveys_surveyresponse_delete", args=(answer.pk,))
    listing = reverse("admin:surveys_surveyresponse_changelist")
    for name in ("alice", "lena", "mia"):  # the KAM, her team lead, the manager
        client = login(getattr(cast, name))
        assert delete not in client.get(change).content.decode(), name
        assert client.get(delete).status_code == 403, name
        assert client.post(delete, {"post": "yes"}).status_code == 403, name
        bulk = {"action": "delete_selected", "_selected_action": [answer.pk], "post": "yes"}
        client.post(listing, bulk)
        assert 'value="delete_selected"' not in client.get(listing).content.decode(), name
        # Nor edited: the page is read-only and a hand-made POST is refused.
        assert client.post(change, {"nps_score": "10", "comment": "Great"}).status_code == 403
    answer.refresh_from_db()
    assert (answer.nps_score, answer.comment) == (2, "")
    # A superuser may delete one (a test answer), and the admin log names who did.
    root = make_user("root", role=Role.ADMIN, is_superuser=True)
    client = login(root)
    assert delete in client.get(change).content.decode()
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SurveyResponse.objects.filter(pk=answer.pk).exists()
    entry = LogEntry.objects.get(object_id=str(answer.pk), action_flag=DELETION)
    assert entry.user == root
