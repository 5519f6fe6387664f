"""Reading the demo back from the database: what it holds (`DemoSummary`, printed after a build)
and a digest of its rows that tests compare between builds.

Both count and read; neither remembers what the build wrote, so they describe any database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.agreements.models import Agreement, RateReview, RoomBlock
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.core.models import Team, User
from guanxi.demo.catalog import CODE_PREFIX, DEMO_SOURCE
from guanxi.demo.scenarios import Pattern
from guanxi.leads.models import Lead
from guanxi.pipeline.models import Opportunity
from guanxi.plans.models import AccountPlan, PlanAction, PlanGoal
from guanxi.relationships.models import BuyingCentreMember, RelationshipStageEvent
from guanxi.service.models import Case
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import Payment, Transaction


@dataclass
class DemoSummary:
    """What the database holds after `demo_build` (counted, not remembered)."""

    built: bool
    users: int
    teams: int
    accounts_by_type: dict[str, int]
    contacts: int
    facts: int
    verified_facts: int
    related_people: int
    key_dates: int
    transactions: int
    payments: int
    touchpoints: int
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    revenue: Decimal
    received: Decimal
    top20_share: float | None
    patterns: dict[str, int] = field(default_factory=dict)
    buying_centres: int = 0
    seats: int = 0
    plans: int = 0
    leads: dict[str, int] = field(default_factory=dict)  # by status
    deals: dict[str, int] = field(default_factory=dict)  # by outcome
    agreements: dict[str, int] = field(default_factory=dict)  # by type
    room_blocks: int = 0
    rate_reviews: int = 0  # off-rate bookings waiting for review
    cases: dict[str, int] = field(default_factory=dict)  # service cases by kind
    cases_breached: int = 0
    cases_escalated: int = 0
    group: str | None = None  # the account with the largest buying centre (the map benchmark)
    group_seats: int = 0
    seconds: float | None = None
    as_of: dt.date | None = None
    seed: int | None = None

    @property
    def accounts(self) -> int:
        return sum(self.accounts_by_type.values())

    def describe(self) -> str:
        state = (
            f"Demo data built in {self.seconds:.1f} s (seed {self.seed}, as of {self.as_of})."
            if self.built and self.seconds is not None
            else "Demo data already present; kept it (use --reset to rebuild)."
        )
        types = ", ".join(f"{k} {v}" for k, v in sorted(self.accounts_by_type.items()))
        lines = [
            state,
            f"  users {self.users}, teams {self.teams}",
            f"  accounts {self.accounts}: {types}",
            f"  contacts {self.contacts}, profile facts {self.facts} "
            f"({self.verified_facts} verified), related people {self.related_people}, "
            f"key dates {self.key_dates}",
            f"  transactions {self.transactions}, payments {self.payments}, "
            f"touchpoints {self.touchpoints}",
        ]
        if self.first_at and self.last_at:
            lines.append(
                f"  period {timezone.localdate(self.first_at)} – {timezone.localdate(self.last_at)}"
            )
        share = f", top 20% of accounts = {self.top20_share:.0%}" if self.top20_share else ""
        lines.append(f"  revenue ¥{self.revenue:,.0f}, received ¥{self.received:,.0f}{share}")
        if self.patterns:
            mix = ", ".join(f"{k} {v}" for k, v in self.patterns.items())
            lines.append(f"  lifecycle patterns: {mix}")
        if self.buying_centres:
            lines.append(
                f"  buying centres {self.buying_centres} ({self.seats} people), "
                f"account plans {self.plans}"
            )
        if self.deals:
            leads = ", ".join(f"{k} {v}" for k, v in sorted(self.leads.items()))
            deals = ", ".join(f"{k} {v}" for k, v in sorted(self.deals.items()))
            lines.append(f"  leads {sum(self.leads.values())} ({leads}); deals: {deals}")
        if self.agreements:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.agreements.items()))
            lines.append(f"  agreements {sum(self.agreements.values())} ({kinds}); "
                         f"room blocks {self.room_blocks}, off-rate reviews "
                         f"{self.rate_reviews}")  # fmt: skip
        if self.cases:
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.cases.items()))
            lines.append(f"  service cases {sum(self.cases.values())} ({kinds}); SLA breached "
                         f"{self.cases_breached}, escalated {self.cases_escalated}")  # fmt: skip
        if self.group:
            lines.append(f"  largest relationship map: {self.group} ({self.group_seats} people)")
        return "\n".join(lines)


def _counts(manager, field_name: str) -> dict[str, int]:
    return dict(
        manager.values_list(field_name).annotate(n=Count("id")).values_list(field_name, "n")
    )


def demo_summary(*, built: bool = False) -> DemoSummary:
    """What the database holds now; ``built`` says whether this run built it."""
    by_type = dict(
        Account.objects.values_list("account_type").annotate(n=Count("id")).order_by("account_type")
    )
    tx = Transaction.objects.aggregate(first=Min("occurred_at"), last=Max("occurred_at"),
                                       revenue=Sum("amount"))  # fmt: skip
    per_account = sorted(
        (
            v or Decimal(0)
            for v in Transaction.objects.values("account")
            .annotate(v=Sum("amount"))
            .values_list("v", flat=True)
        ),
        reverse=True,
    )
    n_accounts = sum(by_type.values())
    top20 = None
    if per_account and tx["revenue"]:
        top = per_account[: max(1, n_accounts // 5)]
        top20 = float(sum(top, Decimal(0)) / tx["revenue"])
    patterns = {
        p.value: n for p in Pattern if (n := Account.objects.filter(tags__name=p.tag).count())
    }
    seats = dict(
        BuyingCentreMember.objects.values_list("account_id")
        .annotate(n=Count("id"))
        .values_list("account_id", "n")
    )
    largest = max(seats, key=lambda pk: (seats[pk], -pk)) if seats else None
    return DemoSummary(
        buying_centres=len(seats),
        seats=sum(seats.values()),
        plans=AccountPlan.objects.count(),
        leads=_counts(Lead.objects, "status"),
        deals=_counts(Opportunity.objects, "outcome"),
        agreements=_counts(Agreement.objects, "agreement_type__kind"),
        room_blocks=RoomBlock.objects.count(),
        rate_reviews=RateReview.objects.count(),
        cases=_counts(Case.objects, "kind"),
        cases_breached=Case.objects.filter(
            Q(first_response_breached=True) | Q(resolution_breached=True)
        ).count(),
        cases_escalated=Case.objects.filter(escalation_level__gt=0).count(),
        group=Account.objects.get(pk=largest).name if largest else None,
        group_seats=seats.get(largest, 0),
        built=built,
        users=User.objects.count(),
        teams=Team.objects.count(),
        accounts_by_type=by_type,
        contacts=Contact.objects.count(),
        facts=ProfileFact.objects.count(),
        verified_facts=ProfileFact.objects.filter(verified=True).count(),
        related_people=RelatedPerson.objects.count(),
        key_dates=KeyDate.objects.count(),
        transactions=Transaction.objects.count(),
        payments=Payment.objects.count(),
        touchpoints=Touchpoint.objects.count(),
        first_at=tx["first"],
        last_at=tx["last"],
        revenue=tx["revenue"] or Decimal(0),
        received=Payment.objects.aggregate(s=Sum("amount"))["s"] or Decimal(0),
        top20_share=top20,
        patterns=patterns,
    )


def demo_digest() -> str:
    """SHA-256 over the demo rows in a database-independent form (no ids, no load times)."""
    h = hashlib.sha256()

    def feed(*values: Any) -> None:
        h.update(json.dumps(values, ensure_ascii=False, default=_plain).encode())
        h.update(b"\n")

    accounts = Account.objects.filter(code__startswith=CODE_PREFIX)
    tags: dict[str, list[str]] = {}
    for code, tag in accounts.values_list("code", "tags__name"):
        if tag:
            tags.setdefault(code, []).append(tag)
    owners: dict[str, list[str]] = {}
    for code, user in accounts.values_list("code", "co_owners__username"):
        if user:
            owners.setdefault(code, []).append(user)
    skip = {"id", "created_at", "updated_at", "owner", "team", "parent"}
    names = [f.attname for f in Account._meta.concrete_fields if f.name not in skip]
    for row in accounts.order_by("code").values(
        *names, "owner__username", "team__name", "parent__code"
    ):
        feed(row, sorted(tags.get(row["code"], [])), sorted(owners.get(row["code"], [])))
    for row in Contact.objects.filter(code__startswith=CODE_PREFIX).order_by("code").values_list(
        "code", "account__code", "name", "gender", "birthday", "title", "mobile", "email",
        "wechat", "is_primary", "is_active",
    ):  # fmt: skip
        feed(*row)
    for row in (
        ProfileFact.objects.filter(contact__code__startswith=CODE_PREFIX)
        .order_by("contact__code", "group", "key")
        .values_list("contact__code", "group", "key", "value", "source",
                     "recorded_by__username", "recorded_at", "verified", "verified_at")
    ):  # fmt: skip
        feed(*row)
    for model, fields in (
        (RelatedPerson, ("relation", "name", "phone", "birthday", "notes")),
        (KeyDate, ("kind", "date", "label")),
    ):
        rows = model.objects.filter(contact__code__startswith=CODE_PREFIX).values_list(
            "contact__code", *fields
        )
        for row in sorted(rows, key=lambda r: json.dumps(r, default=_plain)):
            feed(*row)
    for row in Transaction.objects.filter(source=DEMO_SOURCE).order_by("external_id").values_list(
        "external_id", "account__code", "contact__code", "occurred_at", "category__code",
        "amount", "cost", "head_count", "channel", "description", "discount_rate",
    ):  # fmt: skip
        feed(*row)
    rows = Touchpoint.objects.filter(account__code__startswith=CODE_PREFIX).values_list(
        "account__code", "kind", "occurred_at", "logged_by__username", "subject", "cost",
        "fulfilled_task__key",
    )  # fmt: skip
    for row in sorted(rows, key=lambda r: json.dumps(r, default=_plain)):
        feed(*row)
    for model, fields in (
        (BuyingCentreMember, ("account__code", "contact__code", "buying_roles", "stance",
                              "influence", "reports_to__code", "rising_star",
                              "relationship_owner__username")),
        (RelationshipStageEvent, ("account__code", "contact__code", "stage", "reached_on",
                                  "evidence__subject", "recorded_by__username")),
        (PlanGoal, ("plan__account__code", "plan__year", "measure", "description",
                    "target_value", "target_stage", "contact__code")),
        (PlanAction, ("plan__account__code", "title", "owner__username", "due_on", "status",
                      "done_on")),
    ):  # fmt: skip
        rows = model.objects.values_list(*fields)
        for row in sorted(rows, key=lambda r: json.dumps(r, default=_plain, ensure_ascii=False)):
            feed(*row)
    for row in Payment.objects.filter(source=DEMO_SOURCE).order_by("external_id").values_list(
        "external_id", "account__code", "received_at", "amount", "method", "reference",
    ):  # fmt: skip
        feed(*row)
    return h.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    raise TypeError(type(value))
