"""/api/assessments: the checklists, list and fill in for an account, the access rule and
4xx on bad input (the OpenAPI shapes)."""

from __future__ import annotations

import pytest

from guanxi.assessments.models import Assessment
from guanxi.assessments.services import assessment_create
from guanxi.assessments.tests.support import best
from tests.support import JSON

pytestmark = pytest.mark.django_db
URL = "/api/assessments"


def _body(account_id: int, answers: dict[int, int], **extra) -> dict:
    items = [{"question": q, "option": o} for q, o in answers.items()]
    return {"account": account_id, "answers": items, **extra}


def test_the_checklists_list_questions_and_options(as_user):
    data = as_user("alice").get(f"{URL}/checklists").json()
    assert [c["kind"] for c in data] == ["willingness", "quality"]
    assert len(data[0]["questions"]) == 10 and data[0]["questions"][0]["options"]


def test_a_kam_fills_in_and_lists_the_assessments_of_an_account(as_user, cast):
    alice = as_user("alice")
    response = alice.post(URL, _body(cast.account.pk, best(), note="季度评估"), content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["willingness_score"] == 100 and data["quality_band"] == "high"
    assert data["is_latest"] and data["assessed_by"] == cast.alice.pk
    row = Assessment.objects.get(pk=data["id"])
    assert row.note == "季度评估" and row.history.earliest().history_user == cast.alice
    listed = alice.get(URL, {"account": cast.account.pk}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]


@pytest.mark.parametrize(("name", "status"), [("alice", 201), ("bob", 404), ("charlie", 404),
                                                ("lena", 201), ("mia", 201)])  # fmt: skip
def test_the_access_rule(as_user, cast, name, status):
    response = as_user(name).post(URL, _body(cast.account.pk, best()), content_type=JSON)
    assert response.status_code == status
    listed = as_user(name).get(URL, {"account": cast.account.pk})
    assert listed.status_code == (200 if status == 201 else 404)


def test_the_list_shows_only_visible_accounts_assessments(as_user, cast):
    assessment_create(actor=cast.alice, account=cast.account, answers=best())
    theirs = assessment_create(actor=cast.charlie, account=cast.west_account, answers=best())
    data = as_user("alice").get(URL).json()
    assert theirs.pk not in [row["id"] for row in data["items"]]
    assert data["count"] == 1
    assert as_user("mia").get(URL, {"latest": True}).json()["count"] == 2


def test_bad_input_is_a_4xx_with_a_message(as_user, cast):
    alice = as_user("alice")
    answers = best()
    partial = dict(list(answers.items())[:-1])
    response = alice.post(URL, _body(cast.account.pk, partial), content_type=JSON)
    assert response.status_code == 422 and "Every question" in response.json()["message"]
    response = alice.post(URL, _body(cast.account.pk, {**answers, 99999: 1}), content_type=JSON)
    assert response.status_code == 422
    response = alice.post(URL, {"account": cast.account.pk, "answers": []}, content_type=JSON)
    assert response.status_code == 422
    response = alice.post(
        URL, _body(cast.account.pk, answers, assessed_on="2099-01-01"), content_type=JSON
    )
    assert response.status_code == 422 and response.json()["message"]
    response = alice.post(URL, _body(cast.account.pk, answers, extra=1), content_type=JSON)
    assert response.status_code == 422
    response = alice.post(URL, _body(0, answers), content_type=JSON)
    assert response.status_code == 422
    assert alice.get(URL, {"account": "x"}).status_code == 422
    assert not Assessment.objects.exists()
