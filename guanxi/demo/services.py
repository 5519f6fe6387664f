"""`guanxi demo`: build, describe and reset the demo data set of a hotel/MICE group.

`demo_build` generates the rows in memory (`generator.DemoGenerator`, seeded, deterministic),
then bulk-inserts them in one transaction together with their audit rows: every demo object has
a "created" history record by the demo administrator with the change reason "demo data".

Running it again keeps what is there. `reset=True` first deletes *all* CRM data in the database
(accounts, tags, contacts and their facts, transactions, payments, anything else hanging off an
account, and their audit history), then rebuilds; so it is refused while any account exists that
the demo did not create. Users and teams are kept; the demo users are (re)created with the
documented demo password.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from tqdm import tqdm

from guanxi.accounts.models import Account, Tag
from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.profile_schema import get_field
from guanxi.core.errors import ApplicationError
from guanxi.core.models import Role, Team, User
from guanxi.demo import catalog
from guanxi.demo.generator import DemoGenerator
from guanxi.demo.relations import MEMBER_TAG, MEMBER_TAG_DESCRIPTION
from guanxi.demo.rows import DemoPlan, KeyAccountsPlan
from guanxi.demo.scenarios import DESCRIPTIONS, TAG_PREFIX, Pattern
from guanxi.touchpoints.models import Touchpoint
from guanxi.transactions.models import Payment, ProductCategory, Transaction

DEMO_SOURCE = "demo"
CHANGE_REASON = "demo data"
CODE_PREFIX = "DM-"
DEFAULT_ACCOUNTS = 300
DEFAULT_SEED = 2026
BATCH = 2000


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
        if self.group:
            lines.append(f"  largest relationship map: {self.group} ({self.group_seats} people)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- users


def demo_logins_hint(password: str) -> str:
    """One line per role naming demo users to try, so access rules can be seen at work."""
    by_role: dict[str, list[str]] = {}
    for username, _family, _given, role, _team, _phone in catalog.STAFF:
        by_role.setdefault(role, []).append(username)
    labels = {"manager": "manager (sees all)", "team_lead": "team leads (see their team)",
              "kam": "KAMs (see own accounts)"}  # fmt: skip
    lines = [f"Other demo users, same password {password}:"]
    lines += [f"  {labels[role]}: {', '.join(names)}" for role, names in by_role.items()]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # One hash shared by all demo users: hashing is deliberately slow, a demo load should not be.
    return make_password(catalog.DEMO_PASSWORD)


@transaction.atomic
def demo_admin_ensure() -> tuple[str, str]:
    """Make sure the demo superuser exists and can log in with the documented demo password."""
    user, _created = User.objects.get_or_create(username=catalog.ADMIN_USERNAME)
    user.is_superuser = True
    user.is_staff = True
    user.is_active = True
    user.role = Role.ADMIN
    user.password = _demo_password_hash()
    user.save()
    return catalog.ADMIN_USERNAME, catalog.DEMO_PASSWORD


def _staff_ensure() -> tuple[list[Team], dict[str, User]]:
    teams = []
    for name, description in catalog.TEAMS:
        team, _ = Team.objects.update_or_create(name=name, defaults={"description": description})
        teams.append(team)
    users: dict[str, User] = {}
    for username, family, given, role, team_idx, phone in catalog.STAFF:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": given,
                "last_name": family,
                "role": role,
                "team": teams[team_idx] if team_idx is not None else None,
                "is_staff": True,
                "is_active": True,
                "phone": phone,
                "email": f"{username}@guanxi-demo.example",
                "password": _demo_password_hash(),
            },
        )
        users[username] = user
    return teams, users


# --------------------------------------------------------------------------- build


def demo_exists() -> bool:
    return Account.objects.filter(code__startswith=CODE_PREFIX).exists()


def demo_build(
    *,
    accounts: int = DEFAULT_ACCOUNTS,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
    reset: bool = False,
    as_of: dt.date | None = None,
) -> DemoSummary:
    """Load the demo data set unless it is already there; `reset` wipes CRM data first."""
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    started = time.perf_counter()
    if reset:
        others = Account.objects.exclude(code__startswith=CODE_PREFIX).count()
        if others:
            # A reset wipes all CRM data; never let the demo take real accounts with it.
            raise ApplicationError(
                f"--reset refused: the database holds {others} account(s) that the demo did not "
                "create, and a reset would delete them. Run the demo against its own database "
                "(e.g. GUANXI_DATA_DIR=./demo-data) instead."
            )
    if demo_exists() and not reset:
        demo_admin_ensure()
        return demo_summary(built=False)
    as_of = as_of or timezone.localdate()
    generator = DemoGenerator(accounts=accounts, seed=seed, as_of=as_of, tz=settings.TIME_ZONE)
    with tqdm(
        total=accounts, desc="demo: generating", unit=" accounts", disable=not progress
    ) as bar:
        plan = generator.generate(progress=bar.update)
    with transaction.atomic():
        if reset:
            demo_wipe()
        demo_admin_ensure()
        _teams, users = _staff_ensure()
        demo_schemes_ensure()  # first: the restaurant's no-discount categories come with it
        _write(plan, users=users, progress=progress)
    summary = demo_summary(built=True)
    summary.seconds = time.perf_counter() - started
    summary.as_of, summary.seed = as_of, seed
    return summary


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _write(plan: DemoPlan, *, users: dict[str, User], progress: bool) -> None:
    admin = User.objects.get(username=catalog.ADMIN_USERNAME)
    now = timezone.now()
    total = (
        len(plan.accounts)
        + len(plan.contacts)
        + len(plan.facts)
        + len(plan.related)
        + len(plan.key_dates)
        + len(plan.transactions)
        + len(plan.payments)
        + len(plan.touchpoints)
        + (_key_account_rows(plan.key_accounts) if plan.key_accounts is not None else 0)
    )
    bar = tqdm(total=total, desc="demo: writing", unit=" rows", disable=not progress)

    def insert(model: type[models.Model], objs: list[models.Model]) -> list[models.Model]:
        saved: list[models.Model] = []
        for chunk in _chunks(objs):
            rows = model._default_manager.bulk_create(list(chunk), batch_size=BATCH)
            _history_insert(model, rows, user=admin, date=now)
            saved.extend(rows)
            bar.update(len(chunk))
        return saved

    try:
        account_ids = _write_accounts(plan, users=users, admin=admin, now=now)
        bar.update(len(plan.accounts))

        contacts = [
            Contact(
                code=c.code,
                account_id=account_ids[c.account_idx],
                name=c.name,
                english_name=c.english_name,
                nickname=c.nickname,
                gender=c.gender,
                birthday=c.birthday,
                title=c.title,
                department=c.department,
                mobile=c.mobile,
                phone=c.phone,
                email=c.email,
                wechat=c.wechat,
                is_primary=c.is_primary,
                is_active=c.is_active,
                notes=c.notes,
            )
            for c in plan.contacts
        ]
        contact_ids = [c.pk for c in insert(Contact, contacts)]

        def uid(username: str | None) -> int | None:
            return users[username].pk if username else None

        facts = []
        for f in plan.facts:
            # the same validation as the service: only schema-valid values get in
            value = get_field(f.group, f.key).parse(f.value)
            facts.append(
                ProfileFact(
                    contact_id=contact_ids[f.contact_idx],
                    group=f.group,
                    key=f.key,
                    value=value,
                    source=f.source,
                    recorded_by_id=uid(f.recorded_by),
                    recorded_at=f.recorded_at,
                    verified=f.verified_at is not None,
                    verified_by_id=uid(f.verified_by),
                    verified_at=f.verified_at,
                )
            )
        insert(ProfileFact, facts)
        insert(
            RelatedPerson,
            [
                RelatedPerson(
                    contact_id=contact_ids[r.contact_idx],
                    relation=r.relation,
                    name=r.name,
                    phone=r.phone,
                    birthday=r.birthday,
                    notes=r.notes,
                )
                for r in plan.related
            ],
        )
        insert(
            KeyDate,
            [
                KeyDate(
                    contact_id=contact_ids[k.contact_idx], kind=k.kind, date=k.date, label=k.label
                )
                for k in plan.key_dates
            ],
        )
        categories = dict(ProductCategory.objects.values_list("code", "pk"))
        insert(
            Transaction,
            [
                Transaction(
                    account_id=account_ids[t.account_idx],
                    contact_id=contact_ids[t.contact_idx] if t.contact_idx is not None else None,
                    occurred_at=t.occurred_at,
                    category_id=categories[t.category],
                    amount=t.amount,
                    cost=t.cost,
                    head_count=t.head_count,
                    channel=t.channel,
                    source=DEMO_SOURCE,
                    external_id=t.external_id,
                    description=t.description,
                    discount_rate=t.discount_rate,
                )
                for t in plan.transactions
            ],
        )
        insert(
            Payment,
            [
                Payment(
                    account_id=account_ids[p.account_idx],
                    received_at=p.received_at,
                    amount=p.amount,
                    method=p.method,
                    reference=p.reference,
                    source=DEMO_SOURCE,
                    external_id=p.external_id,
                    notes=p.notes,
                )
                for p in plan.payments
            ],
        )
        touchpoints = insert(
            Touchpoint,
            [
                Touchpoint(
                    account_id=account_ids[t.account_idx],
                    kind=t.kind,
                    occurred_at=t.occurred_at,
                    logged_by_id=uid(t.logged_by),
                    subject=t.subject,
                    notes=t.notes,
                    cost=t.cost,
                )
                for t in plan.touchpoints
            ],
        )
        # A group invitation fulfilled the policy's once-only task: record that task as done,
        # so the policy engine does not ask for the invitation again.
        invited = [
            (t, obj) for obj, t in zip(touchpoints, plan.touchpoints, strict=True) if t.group
        ]
        Task.objects.bulk_create(
            [
                Task(
                    account_id=account_ids[t.account_idx],
                    assignee_id=uid(t.logged_by),
                    kind=TaskKind.GROUP_INVITE,
                    title=t.subject,
                    due_date=timezone.localdate(t.occurred_at),
                    status=TaskStatus.DONE,
                    source=TaskSource.POLICY,
                    key=f"group:{t.group}",
                    completed_at=t.occurred_at,
                    touchpoint_id=obj.pk,
                )
                for t, obj in invited
            ],
            batch_size=BATCH,
        )
        Link = Touchpoint.contacts.through
        Link.objects.bulk_create(
            [
                Link(touchpoint_id=obj.pk, contact_id=contact_ids[c])
                for obj, t in zip(touchpoints, plan.touchpoints, strict=True)
                for c in dict.fromkeys((t.contact_idx, *t.others))
                if c is not None
            ],
            batch_size=BATCH,
        )
        if plan.key_accounts is not None:
            touchpoint_pk = {
                id(t): obj.pk for obj, t in zip(touchpoints, plan.touchpoints, strict=True)
            }
            _write_key_accounts(
                plan.key_accounts,
                account_ids=account_ids,
                contact_ids=contact_ids,
                touchpoint_pk=touchpoint_pk,
                users=users,
                admin=admin,
                now=now,
            )
            bar.update(_key_account_rows(plan.key_accounts))
    finally:
        bar.close()


def _key_account_rows(ka: KeyAccountsPlan) -> int:
    return len(ka.seats) + len(ka.stages) + len(ka.relationships) + len(ka.plans)


def _write_key_accounts(
    ka: KeyAccountsPlan,
    *,
    account_ids: list[int],
    contact_ids: list[int],
    touchpoint_pk: dict[int, int],
    users: dict[str, User],
    admin: User,
    now: dt.datetime,
) -> None:
    """Buying centres, stage events, organisation relationships and account plans of the key
    accounts (see `keyaccounts`), bulk-inserted with "created" audit rows where the model keeps
    history. The planner guarantees what the services would check: reporting lines form a tree,
    each stage's evidence is a touchpoint on that account involving the person, nothing is dated
    after `as_of`."""
    from guanxi.plans.models import (
        AccountPlan,
        PlanAction,
        PlanCompetitor,
        PlanGoal,
        PlanReview,
    )
    from guanxi.relationships.models import (
        AccountRelationship,
        BuyingCentreMember,
        RelationshipStageEvent,
    )

    def uid(username: str | None) -> int | None:
        return users[username].pk if username else None

    def cid(idx: int | None) -> int | None:
        return contact_ids[idx] if idx is not None else None

    members = BuyingCentreMember.objects.bulk_create(
        [
            BuyingCentreMember(
                account_id=account_ids[s.account_idx],
                contact_id=contact_ids[s.contact_idx],
                buying_roles=s.roles,
                stance=s.stance,
                influence=s.influence,
                reports_to_id=cid(s.reports_to_idx),
                rising_star=s.rising_star,
                relationship_owner_id=uid(s.owner),
                notes=s.notes,
            )
            for s in ka.seats
        ],
        batch_size=BATCH,
    )
    _history_insert(BuyingCentreMember, members, user=admin, date=now)
    RelationshipStageEvent.objects.bulk_create(
        [
            RelationshipStageEvent(
                account_id=account_ids[st.account_idx],
                contact_id=contact_ids[st.contact_idx],
                stage=st.stage,
                reached_on=st.reached_on,
                evidence_id=touchpoint_pk[id(st.evidence)] if st.evidence is not None else None,
                note=st.note,
                recorded_by_id=uid(st.recorded_by),
            )
            for st in ka.stages
        ],
        batch_size=BATCH,
    )
    relationships = AccountRelationship.objects.bulk_create(
        [
            AccountRelationship(
                account_id=account_ids[r.account_idx],
                supplier_stage=r.supplier_stage,
                kotler_level=r.kotler_level,
                notes=r.notes,
            )
            for r in ka.relationships
        ],
        batch_size=BATCH,
    )
    _history_insert(AccountRelationship, relationships, user=admin, date=now)
    plans = AccountPlan.objects.bulk_create(
        [
            AccountPlan(
                account_id=account_ids[p.account_idx],
                year=p.year,
                title=p.title,
                status=p.status,
                owner_id=uid(p.owner),
                challenges_macro=p.challenges_macro,
                challenges_business=p.challenges_business,
                challenges_suppliers=p.challenges_suppliers,
                challenges_competitors=p.challenges_competitors,
                challenges_customers=p.challenges_customers,
                customer_strategy=p.customer_strategy,
                decision_factors=p.decision_factors,
                strategy=p.strategy,
                wallet_size=p.wallet_size,
                review_cadence=p.review_cadence,
                created_by_id=uid(p.owner),
            )
            for p in ka.plans
        ]
    )
    _history_insert(AccountPlan, plans, user=admin, date=now)
    PlanCompetitor.objects.bulk_create(
        [
            PlanCompetitor(plan_id=obj.pk, **vars(c))
            for obj, p in zip(plans, ka.plans, strict=True)
            for c in p.competitors
        ]
    )
    goal_rows = [(obj, i, g) for obj, p in zip(plans, ka.plans, strict=True)
                 for i, g in enumerate(p.goals)]  # fmt: skip
    goals = PlanGoal.objects.bulk_create(
        [
            PlanGoal(
                plan_id=obj.pk,
                description=g.description,
                measure=g.measure,
                target_value=g.target_value,
                target_stage=g.target_stage,
                contact_id=cid(g.contact_idx),
                manual_value=g.manual_value,
                position=i,
            )
            for obj, i, g in goal_rows
        ]
    )
    goal_pk = {(obj.pk, i): goal.pk for (obj, i, _g), goal in zip(goal_rows, goals, strict=True)}
    PlanAction.objects.bulk_create(
        [
            PlanAction(
                plan_id=obj.pk,
                goal_id=goal_pk.get((obj.pk, a.goal)) if a.goal is not None else None,
                title=a.title,
                owner_id=uid(a.owner),
                due_on=a.due_on,
                status=a.status,
                done_on=a.done_on,
                notes=a.notes,
            )
            for obj, p in zip(plans, ka.plans, strict=True)
            for a in p.actions
        ]
    )
    PlanReview.objects.bulk_create(
        [
            PlanReview(
                plan_id=obj.pk,
                held_on=r.held_on,
                period=r.period,
                attendees=r.attendees,
                minutes=r.minutes,
                decisions=r.decisions,
                recorded_by_id=uid(r.recorded_by),
            )
            for obj, p in zip(plans, ka.plans, strict=True)
            for r in p.reviews
        ]
    )


def _history_insert(
    model: type[models.Model], objs: Sequence[models.Model], *, user: User, date: dt.datetime
) -> None:
    """The "created" audit rows of `objs`, as simple_history's bulk_history_create writes them
    (history_type "+", the loader as user, reason "demo data"), inserted with executemany: the
    ORM's per-value SQL compilation would double the load time."""
    history_model = model.history.model  # type: ignore[attr-defined]
    tracked = history_model.tracked_fields
    ops = connection.ops

    def adapter(f: models.Field) -> Any:
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(f, models.DecimalField):
            return lambda v: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
        if isinstance(f, models.JSONField):
            return lambda v: f.get_db_prep_save(v, connection)
        return None

    adapters = [(f.attname, adapter(f)) for f in tracked]
    columns = [history_model._meta.get_field(f.name).column for f in tracked]
    columns += ["history_date", "history_change_reason", "history_type", "history_user_id"]
    tail = (ops.adapt_datetimefield_value(date), CHANGE_REASON, "+", user.pk)
    rows = []
    for obj in objs:
        values = []
        for attname, adapt in adapters:
            value = getattr(obj, attname)
            values.append(adapt(value) if adapt is not None and value is not None else value)
        rows.append((*values, *tail))
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(history_model._meta.db_table),
        ", ".join(ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_accounts(
    plan: DemoPlan, *, users: dict[str, User], admin: User, now: dt.datetime
) -> list[int]:
    """Accounts with parents before children, then tags and co-owners, then the audit rows
    (after the m2m rows, so the "created" record shows the tags it was created with)."""
    tags = {}
    for name, description in catalog.TAGS:
        tags[name], _ = Tag.objects.get_or_create(name=name, defaults={"description": description})
    tags[MEMBER_TAG], _ = Tag.objects.get_or_create(
        name=MEMBER_TAG, defaults={"description": MEMBER_TAG_DESCRIPTION}
    )
    for pattern in Pattern:
        tags[pattern.tag], _ = Tag.objects.get_or_create(
            name=pattern.tag, defaults={"description": DESCRIPTIONS[pattern]}
        )
    teams = {i: users[lead].team_id for i, lead in _leads().items()}
    objs: dict[int, Account] = {}
    ids: list[int] = [0] * len(plan.accounts)
    parents_first = sorted(plan.accounts, key=lambda a: (a.parent_idx is not None, a.idx))
    for generation in (False, True):
        batch = []
        for a in parents_first:
            if (a.parent_idx is not None) != generation:
                continue
            obj = Account(
                code=a.code,
                name=a.name,
                short_name=a.short_name,
                english_name=a.english_name,
                kind=a.kind,
                organisation_form=a.organisation_form,
                account_type=a.account_type,
                status=a.status,
                industry=a.industry,
                enterprise_nature=a.enterprise_nature,
                scale=a.scale,
                province=a.province,
                city=a.city,
                address=a.address,
                website=a.website,
                phone=a.phone,
                organisation_structure=a.organisation_structure,
                credit_rating=a.credit_rating,
                annual_sales=a.annual_sales,
                price_system=a.price_system,
                sales_policy=a.sales_policy,
                attitude=a.attitude,
                customer_since=a.customer_since,
                parent_id=ids[a.parent_idx] if a.parent_idx is not None else None,
                owner_id=users[a.owner].pk,
                team_id=teams[a.team],
                notes=a.notes,
            )
            objs[a.idx] = obj
            batch.append(obj)
        for chunk in _chunks(batch):
            Account.objects.bulk_create(chunk)
        for a in plan.accounts:
            if a.idx in objs and objs[a.idx].pk:
                ids[a.idx] = objs[a.idx].pk

    TagLink = Account.tags.through
    OwnerLink = Account.co_owners.through
    tag_links = TagLink.objects.bulk_create(
        [TagLink(account_id=ids[a.idx], tag_id=tags[t].pk) for a in plan.accounts for t in a.tags],
        batch_size=BATCH,
    )
    owner_links = OwnerLink.objects.bulk_create(
        [
            OwnerLink(account_id=ids[a.idx], user_id=users[u].pk)
            for a in plan.accounts
            for u in a.co_owners
        ],
        batch_size=BATCH,
    )
    ordered = [objs[a.idx] for a in plan.accounts]
    records = Account.history.bulk_history_create(
        ordered,
        batch_size=BATCH,
        default_user=admin,
        default_change_reason=CHANGE_REASON,
        default_date=now,
    )
    record_of = {r.id: r for r in records}
    HistTag = apps.get_model("accounts", "HistoricalAccount_tags")
    HistOwner = apps.get_model("accounts", "HistoricalAccount_co_owners")
    HistTag.objects.bulk_create(
        [
            HistTag(history=record_of[link.account_id], id=link.pk, account_id=link.account_id,
                    tag_id=link.tag_id)
            for link in tag_links
        ],
        batch_size=BATCH,
    )  # fmt: skip
    HistOwner.objects.bulk_create(
        [
            HistOwner(history=record_of[link.account_id], id=link.pk,
                      account_id=link.account_id, user_id=link.user_id)
            for link in owner_links
        ],
        batch_size=BATCH,
    )  # fmt: skip
    return ids


def _leads() -> dict[int, str]:
    return {team: username for username, _f, _g, role, team, _p in catalog.STAFF
            if role == "team_lead"}  # fmt: skip


# --------------------------------------------------------------------------- tiers


# The schemes the demo runs with. The CLP levels tier the whole group by predicted profit; the
# restaurant's monthly scheme tiers the restaurant's members (its regulars, tagged 餐饮会员): a
# conference that books meeting rooms, rooms and meals for three days is not a regular diner,
# though its nine bills would count as nine visits. The pyramid is loaded but left inactive: two
# value ladders side by side (CLP and CLV) would ask the KAMs for the same work twice.
DEMO_SCHEMES = {"restaurant-monthly": True, "clp-levels": True, "pyramid": False}
# Lifecycle stage sets (tier schemes with purpose "lifecycle"), evaluated by the same runs: seed
# 004's prospect → advocate and seed 001's exploration → decline.
DEMO_LIFECYCLES = {"lifecycle-004": True, "lifecycle-001": True}
MEMBERS_ONLY_SCHEME = "restaurant-monthly"


def demo_schemes_ensure() -> None:
    """Load the shipped tier schemes, limit the restaurant's to its members, activate them."""
    from guanxi.tiers.models import Metric, Tier, TierCondition
    from guanxi.tiers.presets import PRESETS
    from guanxi.tiers.services import scheme_load_preset

    lifecycles = {code: on for code, on in DEMO_LIFECYCLES.items() if code in PRESETS}
    for code, active in {**DEMO_SCHEMES, **lifecycles}.items():
        scheme = scheme_load_preset(code=code)
        if active and not scheme.is_active:
            scheme.is_active = True
            scheme.save(update_fields=["is_active", "updated_at"])
    tiers = Tier.objects.filter(scheme__code=MEMBERS_ONLY_SCHEME).exclude(
        conditions__metric=Metric.TAG
    )
    TierCondition.objects.bulk_create(
        [TierCondition(tier=t, metric=Metric.TAG, values=[MEMBER_TAG]) for t in tiers]
    )


# Months of tier history the demo opens with: the tiers are evaluated as of the first day of each
# of these months, oldest first, before today's run.
TIER_HISTORY_MONTHS = 6


def demo_tier_history_days(as_of: dt.date) -> list[dt.date]:
    """The last ``TIER_HISTORY_MONTHS`` first days of a month before ``as_of``, oldest first
    (``as_of`` itself is today's run, not part of the history)."""
    days = []
    year, month = as_of.year, as_of.month
    while len(days) < TIER_HISTORY_MONTHS:
        if dt.date(year, month, 1) < as_of:
            days.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return days[::-1]


def demo_tier_history(*, as_of: dt.date, progress: bool = False) -> list[dict[str, Any]]:
    """Tier runs as of the first day of each of the last months, oldest first: a month's run
    tiers each restaurant member by the month before it, so the demo opens with half a year of
    real monthly moves up and down, first assignments months back, and a Today page that lists
    this month's moves rather than every account's first tier. Tasks are not synced here: the
    nightly run syncs them once, as of today."""
    from guanxi.tiers.services import tiering_run
    from guanxi.tiers.tasks import tier_changes_by_scheme

    out = []
    for day in demo_tier_history_days(as_of):
        run = tiering_run(as_of=day)
        moved = tier_changes_by_scheme(run.pk)
        out.append({"as_of": day, "changes": run.n_changes, "by_scheme": moved})
        if progress:
            moves = "; ".join(
                f"{code} " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
                for code, counts in moved.items()
            )
            print(
                f"tier history as of {day}: {run.n_changes} changes ({moves or 'none'})",
                file=sys.stderr,
                flush=True,
            )
    return out


def demo_nightly(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Run the nightly chain once (analytics → tiering → discount reviews → policy tasks), recorded
    like the scheduled run, so the demo opens with scores, tiers, reviews and each KAM's Today.

    On a demo without tiers yet, the months of tier history run right after analytics (the CLP
    levels need the scores), before today's tiering."""
    from guanxi.core.jobs import job_record
    from guanxi.tiers.models import AccountTier
    from guanxi.workspace.tasks import nightly_job

    as_of = as_of or timezone.localdate()
    history: list[dict[str, Any]] = []
    fresh = not AccountTier.objects.exists()

    def after(name: str, _summary: dict[str, Any]) -> None:
        if name == "analytics" and fresh:
            history.extend(demo_tier_history(as_of=as_of, progress=progress))

    summary = job_record("nightly", nightly_job, as_of=as_of, progress=progress, on_step=after)
    summary["history"] = history
    return summary


def demo_nightly_due() -> bool:
    """Whether today's chain has not run yet (running `guanxi demo` again is quick)."""
    from guanxi.core.models import JobRun, JobStatus

    last = JobRun.objects.filter(name="nightly", status=JobStatus.SUCCEEDED).first()
    return last is None or timezone.localdate(last.started_at) != timezone.localdate()


# --------------------------------------------------------------------------- reset


def _crm_models() -> list[type[models.Model]]:
    """Account, Tag and every model that (transitively) points at them, including audit tables
    and m2m link tables, ordered so that referencing tables come first."""
    roots: list[type[models.Model]] = [Account, Tag]
    everything = apps.get_models(include_auto_created=True)
    found = list(roots)
    changed = True
    while changed:
        changed = False
        for model in everything:
            if model in found or model is User:
                continue
            if any(
                f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in found
                for f in model._meta.concrete_fields
            ):
                found.append(model)
                changed = True
    ordered: list[type[models.Model]] = []

    def visit(model: type[models.Model], path: tuple[type[models.Model], ...]) -> None:
        if model in ordered or model in path:
            return
        for other in found:
            if other is not model and any(
                f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is model
                for f in other._meta.concrete_fields
            ):
                visit(other, (*path, model))
        ordered.append(model)

    for model in found:
        visit(model, ())
    return ordered


@transaction.atomic
def demo_wipe() -> None:
    """Delete all CRM data (see the module docstring). Raw DELETEs: no per-row signals, so no
    "deleted" audit rows for tens of thousands of demo objects; the audit tables go as well."""
    with connection.cursor() as cursor:
        for model in _crm_models():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


# --------------------------------------------------------------------------- reading back


def demo_summary(*, built: bool = False) -> DemoSummary:
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
    from guanxi.plans.models import AccountPlan
    from guanxi.relationships.models import BuyingCentreMember

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
    from guanxi.plans.models import PlanAction, PlanGoal
    from guanxi.relationships.models import BuyingCentreMember, RelationshipStageEvent

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


__all__ = [
    "TAG_PREFIX",
    "DemoSummary",
    "demo_admin_ensure",
    "demo_build",
    "demo_digest",
    "demo_exists",
    "demo_summary",
    "demo_wipe",
]
