"""The demo's service cases (客诉与服务请求): two years of complaints, requests and praise, with
their SLA (the green channel for key accounts), late answers and resolutions, escalations to
the team lead and the director, pauses while waiting on the customer, the LSPCAS steps,
compensation (a cost to serve) and the customer's rating; a knowledge base of solutions.

Stories among them:
- **the noisy conference**: a key account's guests could not sleep during its conference (works
  on the floor above): the resolution was late, the case went to the team lead and the director,
  the guests were moved and the account got ¥1,200 in compensation; rated 3 of 5;
- **a complaint past due now**: a key account's complaint opened yesterday is still unanswered
  past its resolution time: escalated to the director, with a task on the team lead's and the
  director's Today;
- **waiting on the customer**: a request paused until the customer confirms the rooms;
- **reopened**: a wrong invoice reissued, wrong again, reopened.

Rows are written directly (as the other demo modules write theirs), with a "created" audit row
by the demo administrator; due times come from the real SLA maths (`service.sla`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskKind, TaskSource
from guanxi.contacts.models import Contact
from guanxi.core.dates import local_midnight
from guanxi.core.models import Role, User
from guanxi.demo.bulk import bulk_insert, bulk_insert_with_history
from guanxi.demo.catalog import ADMIN_USERNAME, CHANGE_REASON, CODE_PREFIX
from guanxi.demo.service_words import COMPLAINTS, GENERAL_SOLUTION, PRAISE, REQUESTS, SOLUTIONS
from guanxi.service import sla
from guanxi.service.calendar import add_working_time
from guanxi.service.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    CaseStep,
    EventKind,
    LspcasStep,
    SlaPolicy,
    Solution,
)
from guanxi.service.services import compensation_reference
from guanxi.tiers.models import Tier
from guanxi.touchpoints.models import ServeCostKind
from guanxi.touchpoints.services import serve_costs_replace

DAYS = 730
CHANNELS = ["phone", "wechat", "email", "kam", "in_person", "online"]
COMPENSATIONS = [Decimal(v) for v in (200, 380, 500, 880, 1200, 2000)]
S = CaseStatus


@dataclass
class Plan:
    """One case to write, with its events and steps (ids filled in on writing)."""

    case: Case
    events: list[CaseEvent] = field(default_factory=list)
    steps: list[CaseStep] = field(default_factory=list)
    task_for: list[User] = field(default_factory=list)


class Cases:
    def __init__(self, *, seed: int, as_of: dt.date, now: dt.datetime) -> None:
        self.rng = random.Random(seed * 7919 + 15)
        self.as_of, self.now = as_of, now
        self.categories = {c.code: c for c in CaseCategory.objects.all()}
        self.green, self.standard = _policies()
        self.managers = list(User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id"))
        self.leads = {
            u.team_id: u for u in User.objects.filter(role=Role.TEAM_LEAD).order_by("-id")
        }
        self.plans: list[Plan] = []

    # --- one case --------------------------------------------------------------------------

    def make(self, account: Account, key: bool, *, kind: str, category: str, words: tuple,
             opened: dt.datetime, answer: float, solve: float, pause_hours: int = 0,
             stay_open: str | None = None, compensation: Decimal = Decimal(0),
             rating: int | None = None, contact_id: int | None = None) -> Plan:  # fmt: skip
        """A case opened at ``opened``, answered after ``answer`` and resolved after ``solve``
        of the time its policy allows (above 1: late), paused ``pause_hours`` working hours;
        ``stay_open`` leaves it in that status (the moves after it not yet made)."""
        policy = self.green if key else self.standard
        terms = sla.terms_of(policy)
        case = Case(account=account, owner_id=account.owner_id, kind=kind,
                    category=self.categories.get(category), channel=self.rng.choice(CHANNELS),
                    severity=self._severity(kind),
                    subject=words[0], description=words[1], sla_policy=policy, opened_at=opened,
                    contact_id=contact_id)  # fmt: skip
        sla.set_due_times(case, terms)
        plan = Plan(case)
        ev = plan.events
        ev.append(CaseEvent(kind=EventKind.OPENED, at=opened, to_status=S.NEW))
        if kind == "praise":
            self._praise(plan, opened)
            return self._keep(plan)
        answered = add_working_time(opened, terms.first_response * answer, terms.hours)
        resolved = add_working_time(opened, terms.resolution * solve, terms.hours)
        resolved = max(resolved, answered + dt.timedelta(hours=1))
        if pause_hours:
            resolved = add_working_time(resolved, dt.timedelta(hours=pause_hours), terms.hours)
            case.resolution_due_at = add_working_time(
                case.resolution_due_at, dt.timedelta(hours=pause_hours), terms.hours
            )
        closed = resolved + dt.timedelta(days=self.rng.randint(1, 5))
        moves = [(answered, S.ACKNOWLEDGED), (answered + dt.timedelta(minutes=30), S.IN_PROGRESS)]
        if pause_hours:
            paused_at = answered + dt.timedelta(hours=1)
            moves += [(paused_at, S.WAITING), (resolved - dt.timedelta(hours=1), S.IN_PROGRESS)]
        moves += [(resolved, S.RESOLVED), (closed, S.CLOSED)]
        status = S.NEW
        for at, to in moves:
            if at > self.now or status == stay_open:
                break
            ev.append(CaseEvent(kind=EventKind.STATUS, at=at, from_status=status, to_status=to))
            if to == S.WAITING:
                ev.append(CaseEvent(kind=EventKind.PAUSED, at=at))
                case.paused_at = at
            if status == S.WAITING:
                ev.append(CaseEvent(kind=EventKind.RESUMED, at=at))
                case.paused_at = None
            status = to
        case.status = status
        case.first_responded_at = answered if status != S.NEW else None
        case.resolved_at = resolved if status in (S.RESOLVED, S.CLOSED) else None
        case.closed_at = closed if status == S.CLOSED else None
        if case.resolved_at:
            case.root_cause, case.resolution = (
                (words[2], words[3]) if len(words) > 3 else ("", words[2])
            )
        if status == S.CLOSED:
            case.rating = rating or self._rating(case)
        if compensation and case.resolved_at:
            case.compensation_cost = compensation
        self._breaches_and_escalation(plan, terms)
        self._steps(plan)
        return self._keep(plan)

    def _keep(self, plan: Plan) -> Plan:
        self.plans.append(plan)
        return plan

    def _praise(self, plan: Plan, opened: dt.datetime) -> None:
        case = plan.case
        times = [opened + dt.timedelta(hours=h) for h in (2, 3, 26)]
        prev = S.NEW
        for at, to in zip(times, (S.ACKNOWLEDGED, S.RESOLVED, S.CLOSED), strict=True):
            if at > self.now:
                break
            plan.events.append(
                CaseEvent(kind=EventKind.STATUS, at=at, from_status=prev, to_status=to)
            )
            prev = to
        case.status = prev
        case.first_responded_at = times[0] if prev != S.NEW else None
        case.resolved_at = times[1] if prev in (S.RESOLVED, S.CLOSED) else None
        case.closed_at = times[2] if prev == S.CLOSED else None
        case.rating = 5 if prev == S.CLOSED else None

    def _severity(self, kind: str) -> str:
        if kind != "complaint":
            return "low" if self.rng.random() < 0.5 else "normal"
        return self.rng.choices(["normal", "high", "critical"], weights=[6, 3, 1])[0]

    def _rating(self, case: Case) -> int:
        late = case.first_response_breached or case.resolution_breached
        weights = [1, 3, 4, 2, 0] if late else [0, 1, 2, 5, 4]
        return self.rng.choices([1, 2, 3, 4, 5], weights=weights)[0]

    def _breaches_and_escalation(self, plan: Plan, terms: sla.Terms) -> None:
        case = plan.case
        now = self.now
        late_answer = sla.first_response_late(case, now)
        late_fix = case.status != S.WAITING and sla.resolution_late(case, now)
        # The job's escalation: the lead at the near share, the director at the due time.
        due, allowed = (
            (case.first_response_due_at, terms.first_response)
            if late_answer
            else (case.resolution_due_at, terms.resolution)
        )
        if late_answer or late_fix:
            near = due - allowed * (1 - terms.near_share)  # wall-clock: close enough here
            lead = self.leads.get(case.owner.team_id) if case.owner_id else None
            director = self.managers[0] if self.managers else None
            for level, at, person in ((1, near, lead), (2, due, director)):
                plan.events.append(CaseEvent(kind=EventKind.ESCALATED, at=at, level=level,
                                             assignee=person))  # fmt: skip
                case.escalation_level, case.escalated_to, case.escalated_at = level, person, at
                if case.is_open and person is not None:
                    plan.task_for.append(person)
            if late_answer:
                case.first_response_breached = True
                plan.events.append(CaseEvent(kind=EventKind.BREACHED, at=case.first_response_due_at,
                                             note="first_response"))  # fmt: skip
            if late_fix:
                case.resolution_breached = True
                plan.events.append(CaseEvent(kind=EventKind.BREACHED, at=case.resolution_due_at,
                                             note="resolution"))  # fmt: skip
        plan.events.sort(key=lambda e: e.at)

    def _steps(self, plan: Plan) -> None:
        case = plan.case
        if case.kind != "complaint" or case.first_responded_at is None:
            return
        end = case.resolved_at or self.now
        steps = list(LspcasStep.values)
        done = steps if case.closed_at else steps[: self.rng.randint(2, 4)]
        span = (end - case.opened_at) / (len(steps) + 1)
        for i, step in enumerate(done):
            at = case.opened_at + span * (i + 1)
            plan.steps.append(CaseStep(step=step, done_at=at, done_by_id=case.owner_id))
            plan.events.append(CaseEvent(kind=EventKind.STEP, at=at, note=step))
        plan.events.sort(key=lambda e: e.at)


def _policies() -> tuple[SlaPolicy, SlaPolicy]:
    """The green channel (linked to the CLP levels' top tier, so cases opened from now on
    follow the tiers) and the standard policy; made if a test emptied the table."""
    standard = SlaPolicy.objects.filter(is_default=True).first() or SlaPolicy.objects.create(
        name="标准服务", name_en="Standard service", is_default=True,
        first_response_hours=Decimal(4), resolution_hours=Decimal(72),
    )  # fmt: skip
    green = SlaPolicy.objects.filter(name_en="Green channel").first() or SlaPolicy.objects.create(
        name="绿色通道", name_en="Green channel", around_the_clock=True,
        first_response_hours=Decimal(1), resolution_hours=Decimal(24),
    )  # fmt: skip
    top = Tier.objects.filter(scheme__code="clp-levels").order_by("rank").first()
    if top is not None and green.tier_id is None:
        green.tier = top
        green.save(update_fields=["tier"])
    return green, standard


# --- the two years -----------------------------------------------------------------------------


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=rng.randint(8, 21), minutes=rng.randint(0, 59))


def _pick(rng: random.Random, table: dict) -> tuple[str, tuple]:
    category = rng.choice(sorted(table))
    return category, rng.choice(table[category])


def _random_case(cases: Cases, account: Account, key: bool, contact_id: int | None) -> None:
    rng = cases.rng
    day = cases.as_of - dt.timedelta(days=rng.randint(0, DAYS - 1))
    opened = _moment(rng, day)
    if opened > cases.now:
        opened = cases.now - dt.timedelta(hours=rng.randint(1, 6))
    kind = rng.choices(["complaint", "request", "praise"], weights=[55, 35, 10])[0]
    table = {"complaint": COMPLAINTS, "request": REQUESTS, "praise": PRAISE}[kind]
    category, words = _pick(rng, table)
    late_answer = rng.random() < 0.12
    late_fix = rng.random() < 0.10
    compensation = Decimal(0)
    if kind == "complaint" and rng.random() < 0.3:
        compensation = rng.choice(COMPENSATIONS)
    cases.make(
        account, key, kind=kind, category=category, words=words, opened=opened,
        answer=rng.uniform(1.2, 3.0) if late_answer else rng.uniform(0.1, 0.9),
        solve=rng.uniform(1.1, 2.0) if late_fix else rng.uniform(0.2, 0.95),
        pause_hours=rng.choice([0, 0, 0, 0, 6, 12, 30]), compensation=compensation,
        contact_id=contact_id,
    )  # fmt: skip


def _stories(cases: Cases, keys: list[Account], others: list[Account]) -> None:
    """The cases the module docstring tells of, on the first key accounts."""
    if not keys:
        return
    now, as_of = cases.now, cases.as_of
    noisy = COMPLAINTS["room"][0]
    cases.make(keys[0], True, kind="complaint", category="room", words=noisy,
               opened=_moment(cases.rng, as_of - dt.timedelta(days=40)), answer=0.5, solve=1.6,
               compensation=Decimal(1200), rating=3)  # fmt: skip
    late = keys[1 % len(keys)]
    cases.make(late, True, kind="complaint", category="event", words=COMPLAINTS["event"][0],
               opened=now - dt.timedelta(hours=30), answer=0.4, solve=5.0,
               stay_open=S.IN_PROGRESS)  # fmt: skip
    waiting = (others or keys)[0]
    cases.make(waiting, False, kind="request", category="reservation",
               words=REQUESTS["reservation"][0], opened=now - dt.timedelta(days=2), answer=0.3,
               solve=0.8, pause_hours=60, stay_open=S.WAITING)  # fmt: skip
    plan = cases.make(keys[2 % len(keys)], True, kind="complaint", category="billing",
                      words=COMPLAINTS["billing"][0], opened=now - dt.timedelta(days=12),
                      answer=0.5, solve=0.6)  # fmt: skip
    case = plan.case
    if case.status == S.CLOSED:
        # Reopened this morning (or the day after closing, if later): as case_transition does,
        # the resolution clock restarts from the reopening, so the case is not overdue yet.
        at = max(case.closed_at + dt.timedelta(days=1), now - dt.timedelta(hours=3))
        if at < now:
            plan.events.append(CaseEvent(kind=EventKind.STATUS, at=at, from_status=S.CLOSED,
                                         to_status=S.REOPENED, note="发票仍有错误"))  # fmt: skip
            case.status, case.resolved_at, case.closed_at, case.rating = (
                S.REOPENED,
                None,
                None,
                None,
            )
            sla.reset_resolution_due(case, sla.terms_of(case.sla_policy), at)


def _solutions() -> int:
    if Solution.objects.exists():
        return 0
    categories = {c.code: c for c in CaseCategory.objects.all()}
    rows = [
        Solution(
            category=categories.get(code), title=t, title_en=te, body=b, body_en=be, position=i
        )  # fmt: skip
        for code, items in SOLUTIONS.items()
        for i, (t, te, b, be) in enumerate(items)
    ]
    rows.append(
        Solution(
            title=GENERAL_SOLUTION[0],
            title_en=GENERAL_SOLUTION[1],
            body=GENERAL_SOLUTION[2],
            body_en=GENERAL_SOLUTION[3],
            position=99,
        )
    )
    return len(bulk_insert(Solution, rows))


def _write(cases: Cases, *, admin: User, now: dt.datetime) -> None:
    plans = sorted(cases.plans, key=lambda p: p.case.opened_at)
    for plan in plans:
        plan.case.created_by = admin
    bulk_insert_with_history(Case, [p.case for p in plans], user=admin, date=now,
                             reason=CHANGE_REASON)  # fmt: skip
    events, steps, tasks = [], [], []
    for plan in plans:
        for e in plan.events:
            e.case_id = plan.case.pk
            events.append(e)
        for st in plan.steps:
            st.case_id = plan.case.pk
            steps.append(st)
        for level, person in enumerate(plan.task_for, start=1):
            title = f"升级案例 #{plan.case.pk}：{plan.case.subject}"
            key = f"escalation:{plan.case.pk}:{level}:{person.pk}"  # read by system_title
            tasks.append(Task(account_id=plan.case.account_id, assignee=person,
                              kind=TaskKind.FOLLOW_UP, title=title[:200], due_date=cases.as_of,
                              source=TaskSource.ESCALATION, key=key))  # fmt: skip
    bulk_insert(CaseEvent, events)
    bulk_insert(CaseStep, steps)
    bulk_insert(Task, tasks)
    paid = [p.case for p in plans if p.case.compensation_cost]
    serve_costs_replace(
        kind=ServeCostKind.COMPENSATION,
        references=None,
        rows=[(c.account_id, timezone.localdate(c.resolved_at or c.opened_at), c.compensation_cost,
               compensation_reference(c)) for c in paid],
    )  # fmt: skip


def demo_service(*, seed: int, as_of: dt.date) -> dict[str, int]:
    """The demo's cases and their stories (module docstring), and the knowledge base."""
    now = min(timezone.now(), local_midnight(as_of) + dt.timedelta(hours=18))
    cases = Cases(seed=seed, as_of=as_of, now=now)
    accounts = list(
        Account.objects.filter(code__startswith=CODE_PREFIX, owner__isnull=False)
        .select_related("owner")
        .order_by("id")
    )
    centred = set(Account.objects.filter(buying_centre__isnull=False).values_list("id", flat=True))
    contacts = dict(
        Contact.objects.filter(Q(is_primary=True), account__in=[a.pk for a in accounts])
        .order_by("account_id", "id")
        .values_list("account_id", "id")
    )
    keys = [a for a in accounts if a.pk in centred]
    others = [a for a in accounts if a.pk not in centred]
    _stories(cases, keys, others)
    for account in accounts:
        key = account.pk in centred
        for _n in range(
            cases.rng.choices([0, 1, 2, 3], weights=[5, 3, 1, 1] if not key else [1, 2, 3, 2])[0]
        ):
            _random_case(cases, account, key, contacts.get(account.pk))
    admin = User.objects.get(username=ADMIN_USERNAME)
    _write(cases, admin=admin, now=timezone.now())
    plans = cases.plans
    return {
        "cases": len(plans),
        "breached": sum(
            p.case.first_response_breached or p.case.resolution_breached for p in plans
        ),
        "escalated": sum(p.case.escalation_level > 0 for p in plans),
        "open": sum(p.case.is_open for p in plans),
        "solutions": _solutions(),
    }
