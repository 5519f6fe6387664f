"""/api/surveys: templates, links (list, send, one with its URL), answers and results; the
access rule; errors as the OpenAPI says."""

from __future__ import annotations

import json

from guanxi.surveys.models import SurveyInvitation
from guanxi.surveys.services import Answers, invitation_token, response_submit
from tests.support import JSON, make_contact


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type=JSON)


def test_templates_list_the_three_with_items(as_user):
    body = as_user("alice").get("/api/surveys/templates").json()
    by_code = {t["code"]: t for t in body}
    assert set(by_code) == {"nps", "csat", "servqual"}
    assert len([i for i in by_code["servqual"]["items"] if i["answer"] == "servqual"]) == 22


def test_send_a_survey_and_read_its_url(as_user, cast, contact):
    client = as_user("alice")
    made = post(
        client,
        "/api/surveys/invitations",
        {"template": "nps", "account": cast.account.pk, "contact": contact.pk, "expires_days": 7},
    )
    assert made.status_code == 201, made.content
    invitation = SurveyInvitation.objects.get()
    assert made.json()["url"] == f"http://testserver/s/{invitation_token(invitation)}/"
    assert made.json()["sent_by"] == cast.alice.pk
    listed = client.get(f"/api/surveys/invitations?account={cast.account.pk}").json()
    assert [row["id"] for row in listed["items"]] == [invitation.pk]
    one = client.get(f"/api/surveys/invitations/{invitation.pk}")
    assert one.status_code == 200
    assert as_user("bob").get(f"/api/surveys/invitations/{invitation.pk}").status_code == 404
    assert as_user("bob").get("/api/surveys/invitations").json()["count"] == 0


def test_sending_refuses_what_is_out_of_sight_or_wrong(as_user, cast, contact):
    client = as_user("alice")
    hidden = post(
        client, "/api/surveys/invitations", {"template": "nps", "account": cast.west_account.pk}
    )
    assert hidden.status_code == 404
    unknown = post(
        client, "/api/surveys/invitations", {"template": "nope", "account": cast.account.pk}
    )
    assert unknown.status_code == 404
    assert unknown.json()["field"] == "template"
    other = make_contact(account=cast.west_account)
    wrong = post(
        client,
        "/api/surveys/invitations",
        {"template": "nps", "account": cast.account.pk, "contact": other.pk},
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "contact"
    too_long = post(
        client,
        "/api/surveys/invitations",
        {"template": "nps", "account": cast.account.pk, "expires_days": 400},
    )
    assert too_long.status_code == 422
    assert not SurveyInvitation.objects.exists()


def test_responses_and_results(as_user, invite):
    response_submit(token=invitation_token(invite("nps")), answers=Answers(nps_score=10))
    response_submit(token=invitation_token(invite("nps")), answers=Answers(nps_score=2))
    rows = as_user("alice").get("/api/surveys/responses").json()["items"]
    assert sorted(r["nps_category"] for r in rows) == ["detractor", "promoter"]
    assert as_user("charlie").get("/api/surveys/responses").json()["count"] == 0
    results = as_user("alice").get("/api/surveys/results?group=month").json()
    assert results["rows"][0]["nps"] == 0.0
    assert results["rows"][0]["promoters"] == 1
    assert {g["dimension"] for g in results["servqual"]} >= {"tangibles", "empathy"}
    for group in ("tier", "segment", "kam", "account"):
        rows = as_user("alice").get(f"/api/surveys/results?group={group}").json()["rows"]
        assert sum(r["answers"] for r in rows) == (2 if group != "tier" else 0), group
    segment = as_user("alice").get("/api/surveys/results?group=segment").json()["rows"][0]
    assert (segment["key"], segment["label"]) == ("corporate", "Corporate")
    assert as_user("alice").get("/api/surveys/results?group=colour").status_code == 422
    bad = as_user("alice").get("/api/surveys/results?first=2025-02-01&last=2025-01-01")
    assert bad.status_code == 422
