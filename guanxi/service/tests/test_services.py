"""Case services: the life-cycle and its refusals, what each step records, the LSPCAS
checklist, compensation as cost to serve, the rating, access and the audit history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, InvalidInput, NotFound
from guanxi.service.models import Case, CaseEvent, CaseStep, EventKind
from guanxi.service.selectors import checklist, complaint_facts, suggested_solutions
from guanxi.service.services import (
    case_compensation_set,
    case_open,
    case_step_mark,
    case_transition,
    case_update,
)
from guanxi.service.tests.conftest import local
from guanxi.surveys.models import SurveyInvitation
from guanxi.touchpoints.models import ServeCost
from tests.support import make_account, make_contact, make_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "policies")]


@pytest.fixture
def case(cast, travel):
    travel(local(2025, 6, 16, 9))
    return case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Noise")


def test_opening_logs_the_event_and_the_audit_names_the_actor(cast, case):
    assert case.owner == cast.alice and case.status == "new"
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.to_status, event.actor) == (EventKind.OPENED, "new", cast.alice)
    assert case.history.first().history_user == cast.alice


def test_the_whole_life_cycle(cast, case, travel):
    steps = ["acknowledged", "in_progress", "waiting", "in_progress", "resolved", "closed"]
    for to in steps:
        case = case_transition(actor=cast.alice, case=case, to=to, resolution="Moved room")
    assert case.status == "closed" and case.resolved_at and case.closed_at
    moves = CaseEvent.objects.filter(case=case, kind=EventKind.STATUS)
    assert list(moves.values_list("to_status", flat=True)) == steps
    case = case_transition(actor=cast.alice, case=case, to="reopened", note="Still noisy")
    assert case.resolved_at is None and case.closed_at is None
    assert moves.last().note == "Still noisy"


@pytest.mark.parametrize("path", [["resolved"], ["closed"], ["acknowledged", "new"]])
def test_illegal_moves_are_a_conflict(cast, case, path):
    with pytest.raises(Conflict) as err:
        for to in path:
            case = case_transition(actor=cast.alice, case=case, to=to)
    assert err.value.field == "to"


def test_unknown_status_is_invalid(cast, case):
    with pytest.raises(InvalidInput):
        case_transition(actor=cast.alice, case=case, to="done")


def test_resolving_needs_a_resolution(cast, case):
    case_transition(actor=cast.alice, case=case, to="in_progress")
    with pytest.raises(InvalidInput) as err:
        case_transition(actor=cast.alice, case=case, to="resolved")
    assert err.value.field == "resolution"
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_the_rating_on_close(cast, case):
    case_transition(actor=cast.alice, case=case, to="in_progress")
    case_transition(actor=cast.alice, case=case, to="resolved", resolution="Refund")
    with pytest.raises(InvalidInput):
        case_transition(actor=cast.alice, case=case, to="closed", rating=6)
    case = case_transition(actor=cast.alice, case=case, to="closed", rating=4)
    assert case.rating == 4
    assert CaseEvent.objects.filter(case=case, kind=EventKind.RATED, note="4").exists()


def test_lspcas_steps_are_ticked_and_unticked(cast, case):
    case_step_mark(actor=cast.alice, case=case, step="listen")
    case_step_mark(actor=cast.alice, case=case, step="listen")  # twice: one row
    case_step_mark(actor=cast.alice, case=case, step="clarify", note="Room 1203")
    rows = checklist(case)
    assert [r.step for r in rows] == ["listen", "share", "clarify", "present", "ask", "follow_up"]
    assert [bool(r.done) for r in rows] == [True, False, True, False, False, False]
    assert rows[0].done.done_by == cast.alice
    case_step_mark(actor=cast.alice, case=case, step="listen", done=False)
    assert list(CaseStep.objects.filter(case=case).values_list("step", flat=True)) == ["clarify"]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.STEP).count() == 3
    with pytest.raises(InvalidInput):
        case_step_mark(actor=cast.alice, case=case, step="pray")


def test_compensation_is_a_cost_to_serve(cast, case):
    case_compensation_set(actor=cast.alice, case=case, amount="880")
    case_compensation_set(actor=cast.alice, case=case, amount="1200.5")
    row = ServeCost.objects.get(kind="compensation")
    assert (row.account, row.amount, row.reference) == (
        cast.account,
        Decimal("1200.50"),
        f"case:{case.pk}",
    )
    with pytest.raises(InvalidInput):
        case_compensation_set(actor=cast.alice, case=case, amount="-1")
    case_compensation_set(actor=cast.alice, case=case, amount="0")
    assert not ServeCost.objects.filter(kind="compensation").exists()


def test_a_case_out_of_sight_is_not_found(cast, case):
    with pytest.raises(NotFound):
        case_transition(actor=cast.bob, case=case, to="acknowledged")
    with pytest.raises(NotFound):
        case_open(actor=cast.bob, account=cast.account, kind="request", subject="x")
    case_transition(actor=cast.lena, case=case, to="acknowledged")  # alice's team lead


def test_open_checks_its_inputs(cast, travel):
    travel(local(2025, 6, 16, 9))
    other = make_contact(account=cast.west_account)
    with pytest.raises(InvalidInput) as err:
        case_open(
            actor=cast.mia, account=cast.account, kind="complaint", subject="x", contact=other
        )
    assert err.value.field == "contact"
    with pytest.raises(InvalidInput) as err:
        case_open(actor=cast.alice, account=cast.account, kind="moan", subject="x")
    assert err.value.field == "kind"
    with pytest.raises(InvalidInput) as err:
        case_open(actor=cast.alice, account=cast.account, kind="request", subject=" ")
    assert err.value.field == "subject"


def test_update_changes_words_not_status(cast, case):
    case = case_update(actor=cast.alice, case=case, root_cause="Renovation", severity="high")
    assert (case.root_cause, case.severity) == ("Renovation", "high")
    with pytest.raises(InvalidInput):
        case_update(actor=cast.alice, case=case, status="closed")


def test_solutions_of_the_category_come_first(cast, room, travel):
    travel(local(2025, 6, 16, 9))
    case = case_open(
        actor=cast.alice, account=cast.account, kind="complaint", subject="x", category=room
    )
    assert [s.title_en for s in suggested_solutions(case)] == [
        "Upgrade the room",
        "Letter of apology",
    ]


def test_complaint_facts_count_open_and_recently_breached(cast, case, travel):
    other = make_account(owner=cast.alice)
    facts = complaint_facts([cast.account.pk, other.pk])
    assert facts[cast.account.pk].open_complaints == 1 and other.pk not in facts


def test_resolving_sends_the_contact_a_csat_link_once(cast, travel):
    travel(local(2025, 6, 16, 9))
    contact = make_contact(account=cast.account)
    case = case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Cold",
                     contact=contact)  # fmt: skip
    case_transition(actor=cast.alice, case=case, to="in_progress")
    case = case_transition(actor=cast.alice, case=case, to="resolved", resolution="Fixed")
    invitation = case.survey
    assert invitation is not None
    assert (invitation.template.code, invitation.contact, invitation.account) == (
        "csat",
        contact,
        cast.account,
    )
    assert (invitation.source, invitation.reference, invitation.sent_by) == (
        "case",
        f"case:{case.pk}",
        cast.alice,
    )
    case_transition(actor=cast.alice, case=case, to="reopened")
    case = case_transition(actor=cast.alice, case=case, to="resolved", resolution="Fixed again")
    assert case.survey == invitation
    assert SurveyInvitation.objects.filter(reference=f"case:{case.pk}").count() == 1


def test_no_link_without_a_contact_or_for_praise(cast, travel):
    travel(local(2025, 6, 16, 9))
    contact = make_contact(account=cast.account)
    plain = case_open(actor=cast.alice, account=cast.account, kind="request", subject="x")
    praise = case_open(actor=cast.alice, account=cast.account, kind="praise", subject="y",
                       contact=contact)  # fmt: skip
    for case in (plain, praise):
        case_transition(actor=cast.alice, case=case, to="acknowledged")
        case = case_transition(actor=cast.alice, case=case, to="resolved", resolution="ok")
        assert case.survey is None
    assert not SurveyInvitation.objects.exists()


def test_the_transaction_or_stay_belongs_to_the_account(cast, travel):
    travel(local(2025, 6, 16, 9))
    stay = make_transaction(account=cast.account)
    other = make_transaction(account=cast.west_account)
    case = case_open(actor=cast.alice, account=cast.account, kind="complaint", subject="Bill",
                     transaction=stay.pk)  # fmt: skip
    assert Case.objects.get(pk=case.pk).transaction == stay
    with pytest.raises(InvalidInput) as err:
        case_open(actor=cast.mia, account=cast.account, kind="complaint", subject="Bill",
                  transaction=other)  # fmt: skip
    assert err.value.field == "transaction"
