"""The light rules that read complaints and surveys: each raises and clears (frozen clock)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.loyalty.lights import lights_evaluate
from guanxi.loyalty.tests.support import at, complaint, lit, nps, visit
from guanxi.loyalty.words import reason_words
from guanxi.service.models import Case
from guanxi.service.services import case_open, case_transition

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


@time_machine.travel(NOON, tick=False)
def test_a_complaint_past_its_sla_raises_red_and_clears_when_resolved(cast, english):
    late = complaint(cast.account, opened=at(TODAY - dt.timedelta(days=3)),
                     due=at(TODAY - dt.timedelta(days=1)))  # fmt: skip
    on_time = complaint(cast.west_account, opened=at(TODAY), due=at(TODAY + dt.timedelta(days=1)))

    lights_evaluate(as_of=TODAY)

    light = lit(cast.account, "complaint-overdue")
    assert light is not None and light.colour == "red"
    assert light.facts["case"] == late.pk and f"#{late.pk}" in reason_words(light)
    assert lit(cast.west_account, "complaint-overdue") is None
    assert on_time.pk

    Case.objects.filter(pk=late.pk).update(status="resolved", resolved_at=at(TODAY))
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "complaint-overdue") is None


@time_machine.travel(NOON, tick=False)
def test_a_case_marked_late_counts_even_without_a_due_time(cast):
    complaint(cast.account, opened=at(TODAY - dt.timedelta(days=2)), resolution_breached=True)
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "complaint-overdue") is not None


@time_machine.travel(NOON, tick=False)
def test_a_detractor_score_raises_yellow_and_a_later_good_score_clears_it(cast, english):
    nps(cast.account, 9, on=TODAY - dt.timedelta(days=40))
    nps(cast.account, 4, on=TODAY - dt.timedelta(days=5))
    nps(cast.west_account, 3, on=TODAY - dt.timedelta(days=40))
    nps(cast.west_account, 8, on=TODAY - dt.timedelta(days=5))

    lights_evaluate(as_of=TODAY)

    light = lit(cast.account, "detractor")
    assert light is not None and light.colour == "yellow" and light.facts["score"] == 4
    assert "NPS of 4" in reason_words(light)
    assert lit(cast.west_account, "detractor") is None  # its latest score is a passive's

    nps(cast.account, 10, on=TODAY)
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "detractor") is None


@time_machine.travel(NOON, tick=False)
def test_no_visit_after_a_complaint_raises_red_and_a_visit_clears_it(cast, english):
    failure = TODAY - dt.timedelta(days=20)
    complaint(cast.account, opened=at(failure), status="resolved")
    visit(cast.account, on=failure - dt.timedelta(days=3))  # before the failure: does not count
    complaint(cast.west_account, opened=at(TODAY - dt.timedelta(days=2)))  # within the grace

    lights_evaluate(as_of=TODAY)

    light = lit(cast.account, "no-visit-after-failure")
    assert light is not None and light.colour == "red" and light.facts["opened"] == "2026-05-26"
    assert "20 days" in reason_words(light)
    assert lit(cast.west_account, "no-visit-after-failure") is None

    visit(cast.account, on=TODAY - dt.timedelta(days=1))
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "no-visit-after-failure") is None


@time_machine.travel(NOON, tick=False)
def test_an_old_complaint_no_longer_lights_the_no_visit_rule(cast):
    complaint(cast.account, opened=at(TODAY - dt.timedelta(days=61)), status="closed")
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "no-visit-after-failure") is None


def _case_list_late(user, case) -> tuple[bool, bool]:
    """(the case list's "late" filter holds the case, its "within SLA" filter does)."""
    client = Client()
    client.force_login(user)
    link = f"/{case.pk}/change/".encode()
    url = reverse("admin:service_case_changelist")
    late = link in client.get(url + "?breached=yes").content
    on_time = link in client.get(url + "?breached=no").content
    return late, on_time


def test_a_reopened_complaint_gets_a_new_due_time_and_the_list_and_light_agree(cast, english):
    opened = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
    with time_machine.travel(opened, tick=False):
        case = case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Bill")
    for to, hours in (("acknowledged", 1), ("resolved", 3), ("closed", 26)):
        with time_machine.travel(opened + dt.timedelta(hours=hours), tick=False):
            case = case_transition(actor=cast.alice, case=case, to=to, resolution="Refunded")
    assert not case.resolution_breached
    reopened = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)  # two weeks later
    with time_machine.travel(reopened, tick=False):
        case = case_transition(actor=cast.alice, case=case, to="reopened")
        # The resolution clock restarts from the reopening: not late now, anywhere.
        assert case.resolution_due_at > reopened
        lights_evaluate(as_of=reopened.date())
        assert lit(cast.account, "complaint-overdue") is None
        assert _case_list_late(cast.alice, case) == (False, True)
    after_due = case.resolution_due_at + dt.timedelta(hours=1)
    with time_machine.travel(after_due, tick=False):
        # Past the new due time and before the job records the breach: late everywhere.
        lights_evaluate(as_of=timezone.localdate())
        assert lit(cast.account, "complaint-overdue") is not None
        assert _case_list_late(cast.alice, case) == (True, False)


@time_machine.travel(NOON, tick=False)
def test_an_open_complaint_past_due_is_late_in_the_case_list_as_the_light_says(cast, english):
    # As the demo used to write its reopened case: due time in the past, no breach recorded.
    case = complaint(cast.account, opened=at(TODAY - dt.timedelta(days=12)),
                     due=at(TODAY - dt.timedelta(days=9)), status="reopened")  # fmt: skip
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "complaint-overdue") is not None
    assert _case_list_late(cast.alice, case) == (True, False)
    # Waiting on the customer the clock stops: neither the light nor the list calls it late.
    Case.objects.filter(pk=case.pk).update(status="waiting")
    lights_evaluate(as_of=TODAY)
    assert lit(cast.account, "complaint-overdue") is None
    assert _case_list_late(cast.alice, case) == (False, True)
