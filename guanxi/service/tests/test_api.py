"""/api/cases: list with filters, open, detail with checklist, timeline and solutions, the
life-cycle (409 on an illegal move), steps, compensation; access (404 out of sight)."""

from __future__ import annotations

import pytest

from guanxi.service.models import Case
from guanxi.service.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "policies")]


@pytest.fixture
def opened(as_user, cast, room, travel):
    travel(local(2025, 6, 16, 9))
    response = as_user("alice").post(
        "/api/cases",
        {
            "account": cast.account.pk,
            "kind": "complaint",
            "subject": "Noisy room",
            "category": room.pk,
            "channel": "wechat",
        },  # fmt: skip
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_open_and_read(opened, cast):
    assert opened["owner"] == cast.alice.pk and opened["status"] == "new"
    assert opened["first_response_due_at"] == "2025-06-16T05:00:00Z"  # 13:00 in Shanghai
    assert [s["step"] for s in opened["checklist"]][:2] == ["listen", "share"]
    assert [e["kind"] for e in opened["timeline"]] == ["opened"]
    assert [s["title"] for s in opened["solutions"]] == ["Upgrade the room", "Letter of apology"]


def test_transition_and_the_illegal_move(as_user, opened):
    url = f"/api/cases/{opened['id']}/transition"
    client = as_user("alice")
    bad = client.post(url, {"to": "closed"}, content_type="application/json")
    assert bad.status_code == 409 and bad.json()["field"] == "to"
    ok = client.post(url, {"to": "acknowledged"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "acknowledged"
    missing = client.post(url, {"to": "resolved"}, content_type="application/json")
    assert missing.status_code == 422
    done = client.post(
        url, {"to": "resolved", "resolution": "Moved"}, content_type="application/json"
    )
    assert done.json()["status"] == "resolved"
    closed = client.post(url, {"to": "closed", "rating": 5}, content_type="application/json")
    assert closed.json()["rating"] == 5


def test_steps_and_compensation(as_user, opened):
    client = as_user("alice")
    r = client.post(f"/api/cases/{opened['id']}/steps", {"step": "listen"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 200
    assert r.json()["checklist"][0]["done_at"] is not None
    r = client.post(f"/api/cases/{opened['id']}/compensation", {"amount": "300.00"},
                    content_type="application/json")  # fmt: skip
    assert r.json()["compensation_cost"] == "300.00"


def test_list_filters(as_user, opened, cast):
    client = as_user("alice")
    assert [c["id"] for c in client.get("/api/cases?open=true").json()["items"]] == [opened["id"]]
    assert client.get("/api/cases?breached=true").json()["count"] == 0
    assert client.get("/api/cases?kind=praise").json()["count"] == 0
    Case.objects.filter(pk=opened["id"]).update(resolution_breached=True)
    assert client.get("/api/cases?breached=true").json()["count"] == 1
    assert client.get("/api/cases?q=noisy").json()["count"] == 1


def test_out_of_sight_is_404(as_user, opened, cast):
    client = as_user("bob")
    assert client.get(f"/api/cases/{opened['id']}").status_code == 404
    assert client.get("/api/cases").json()["count"] == 0
    r = client.post(f"/api/cases/{opened['id']}/transition", {"to": "acknowledged"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 404
    r = client.post("/api/cases", {"account": cast.account.pk, "kind": "request", "subject": "x"},
                    content_type="application/json")  # fmt: skip
    assert r.status_code == 404
