"""SLA on cases, on a frozen clock: the policy by tier, due times across a weekend, a public
holiday and a make-up Saturday (调休), pauses shifting the due times, breaches recorded once."""

from __future__ import annotations

import pytest

from guanxi.service import sla
from guanxi.service.escalation import case_escalation
from guanxi.service.models import CalendarDay, CaseEvent, EventKind, SlaPolicy
from guanxi.service.services import case_open, case_transition
from guanxi.service.tests.conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def open_case(actor, account, **kw):
    kw.setdefault("kind", "complaint")
    return case_open(actor=actor, account=account, subject="Noisy room", **kw)


def test_the_key_accounts_tier_gets_the_green_channel(cast, key_account, policies):
    assert sla.policy_for(key_account) == policies.green
    assert sla.policy_for(cast.west_account) == policies.standard


def test_without_any_policy_the_built_in_standard_applies(cast, travel):
    SlaPolicy.objects.all().delete()
    travel(local(2025, 6, 16, 9))
    case = open_case(cast.alice, cast.account)
    assert case.sla_policy is None
    assert case.first_response_due_at == local(2025, 6, 16, 13)


def test_due_times_skip_the_weekend(cast, key_account, travel):
    travel(local(2025, 6, 13, 17, 30))  # a Friday
    case = open_case(cast.alice, key_account)
    assert case.sla_policy.tier.code == "key"
    assert case.first_response_due_at == local(2025, 6, 16, 9, 30)  # Monday
    # 24 working hours: ½ h Friday, 9 h Monday, 9 h Tuesday, 5½ h Wednesday.
    assert case.resolution_due_at == local(2025, 6, 18, 14, 30)


def test_due_times_skip_a_public_holiday(cast, policies, travel):
    travel(local(2025, 9, 30, 17))  # the eve of National Day (1–8 October 2025)
    case = open_case(cast.alice, cast.account)
    assert case.sla_policy == policies.standard
    assert case.first_response_due_at == local(2025, 10, 9, 12)


def test_a_make_up_saturday_is_a_working_day(cast, policies, travel):
    travel(local(2025, 10, 10, 17))  # Friday; Saturday 11 October is worked (调休)
    case = open_case(cast.alice, cast.account)
    assert case.first_response_due_at == local(2025, 10, 11, 12)


def test_the_company_s_calendar_days_move_due_times(cast, policies, travel):
    """A company holiday on a Monday and a make-up Sunday entered by hand: the clock skips the
    one and counts the other, before the holiday package's view of those days."""
    CalendarDay.objects.create(day=local(2025, 6, 16).date(), name="Company day")  # Monday off
    CalendarDay.objects.create(day=local(2025, 6, 15).date(), is_working=True)  # Sunday worked
    travel(local(2025, 6, 13, 17))  # Friday 17:00; 4 working hours
    case = open_case(cast.alice, cast.account)
    assert case.sla_policy == policies.standard
    assert case.first_response_due_at == local(2025, 6, 15, 12)  # Friday 1 h + Sunday 3 h
    CalendarDay.objects.filter(is_working=True).delete()
    travel(local(2025, 6, 13, 17))
    later = open_case(cast.alice, cast.account)
    assert later.first_response_due_at == local(2025, 6, 17, 12)  # Tuesday: Monday is off
    travel(local(2025, 6, 17, 12, 30))
    assert case_escalation()["breached"] >= 1  # the job reads the same calendar
    later.refresh_from_db()
    assert later.first_response_breached


def test_round_the_clock_policies_ignore_the_calendar(cast, key_account, policies, travel):
    policies.green.around_the_clock = True
    policies.green.save()
    travel(local(2025, 9, 30, 17))
    case = open_case(cast.alice, key_account)
    assert case.first_response_due_at == local(2025, 9, 30, 18)
    assert case.resolution_due_at == local(2025, 10, 1, 17)


def test_praise_has_no_due_times(cast, policies, travel):
    travel(local(2025, 6, 16, 9))
    case = open_case(cast.alice, cast.account, kind="praise")
    assert case.first_response_due_at is None and case.resolution_due_at is None


def test_waiting_on_the_customer_shifts_the_due_time(cast, policies, travel):
    travel(local(2025, 6, 16, 9))  # Monday
    case = open_case(cast.alice, cast.account)
    assert case.resolution_due_at == local(2025, 6, 25, 18)  # 72 h = eight working days
    travel(local(2025, 6, 16, 10))
    case_transition(actor=cast.alice, case=case, to="acknowledged")
    travel(local(2025, 6, 16, 11))
    case = case_transition(actor=cast.alice, case=case, to="waiting")
    assert case.paused_at == local(2025, 6, 16, 11)
    travel(local(2025, 6, 17, 11))  # 9 working hours later (7 h Monday, 2 h Tuesday)
    case = case_transition(actor=cast.alice, case=case, to="in_progress")
    assert case.paused_at is None
    assert case.resolution_due_at == local(2025, 6, 26, 18)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.PAUSED) == 1 and kinds.count(EventKind.RESUMED) == 1
    resumed = case.events.get(kind=EventKind.RESUMED)
    assert resumed.note == "540 min"


def test_a_late_first_response_is_recorded_once(cast, key_account, travel):
    travel(local(2025, 6, 16, 9))
    case = open_case(cast.alice, key_account)
    travel(local(2025, 6, 16, 10, 30))  # due at 10:00
    case = case_transition(actor=cast.alice, case=case, to="acknowledged")
    assert case.first_response_breached and not case.resolution_breached
    assert case.first_responded_at == local(2025, 6, 16, 10, 30)
    case = case_transition(actor=cast.alice, case=case, to="in_progress")
    breaches = CaseEvent.objects.filter(case=case, kind=EventKind.BREACHED)
    assert list(breaches.values_list("note", flat=True)) == ["first_response"]


def test_a_late_resolution_is_recorded(cast, key_account, travel):
    travel(local(2025, 6, 16, 9))
    case = open_case(cast.alice, key_account)
    case = case_transition(actor=cast.alice, case=case, to="in_progress")
    assert not case.first_response_breached
    travel(local(2025, 6, 19, 9))  # due Wednesday 15:00 (24 working hours)
    case = case_transition(actor=cast.alice, case=case, to="resolved", resolution="Refunded")
    assert case.resolution_breached


def test_on_time_is_no_breach(cast, key_account, travel):
    travel(local(2025, 6, 16, 9))
    case = open_case(cast.alice, key_account)
    travel(local(2025, 6, 16, 9, 45))
    case = case_transition(actor=cast.alice, case=case, to="acknowledged")
    travel(local(2025, 6, 17, 9))
    case = case_transition(actor=cast.alice, case=case, to="resolved", resolution="Moved room")
    assert not case.first_response_breached and not case.resolution_breached
