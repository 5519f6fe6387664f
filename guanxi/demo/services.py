"""`guanxi demo`: build, describe and reset the demo data set of a hotel/MICE group.

`demo_build` generates the rows in memory (`generator.DemoGenerator`, seeded, deterministic),
then bulk-inserts them in one transaction together with their audit rows (`writer.demo_write`):
every demo object has a "created" history record by the demo administrator with the change reason
"demo data". `demo_nightly` runs the nightly chain on it once, after months of tier history.

Running it again keeps what is there. `reset=True` first deletes *all* CRM data in the database
(accounts, tags, contacts and their facts, transactions, payments, anything else hanging off an
account, and their audit history), then rebuilds; so it is refused while any account exists that
the demo did not create. Users and teams are kept; the demo users are (re)created with the
documented demo password.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from guanxi.accounts.models import Account, Tag
from guanxi.core.errors import ApplicationError
from guanxi.core.jobs import job_record
from guanxi.core.models import JobRun, JobStatus, Role, Team, User
from guanxi.demo import catalog
from guanxi.demo.agreements import demo_agreements
from guanxi.demo.assessments import demo_assessments
from guanxi.demo.bulk import bulk_insert
from guanxi.demo.catalog import CHANGE_REASON, CODE_PREFIX, DEMO_SOURCE
from guanxi.demo.deals import demo_pipeline
from guanxi.demo.dining import MEMBER_TAG
from guanxi.demo.generator import DemoGenerator
from guanxi.demo.loyalty import demo_light_feedback, demo_loyalty
from guanxi.demo.readback import DemoSummary, demo_digest, demo_summary
from guanxi.demo.scenarios import TAG_PREFIX
from guanxi.demo.service import demo_service
from guanxi.demo.surveys import demo_surveys
from guanxi.demo.writer import demo_write
from guanxi.pipeline.models import SalesTarget
from guanxi.tiers.models import AccountTier, Metric, Tier, TierCondition
from guanxi.tiers.presets import PRESETS
from guanxi.tiers.services import scheme_load_preset, tiering_run
from guanxi.tiers.tasks import tier_changes_by_scheme
from guanxi.workspace.tasks import nightly_job

DEFAULT_ACCOUNTS = 300
DEFAULT_SEED = 2026


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


def _demo_password_hash() -> str:
    # One hash shared by all demo users: hashing is deliberately slow, a demo load should not be.
    # Kept per hasher in use: a hash made before the hashers changed may not verify after it.
    return _password_hash(settings.PASSWORD_HASHERS[0])


@lru_cache(maxsize=4)
def _password_hash(hasher: str) -> str:
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
    """Whether the database holds demo accounts."""
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
        demo_write(plan, users=users, progress=progress)
        demo_pipeline(seed=seed, as_of=as_of)
        demo_agreements(as_of=as_of)
        demo_surveys(as_of=as_of, seed=seed)
        demo_service(seed=seed, as_of=as_of)
        demo_loyalty(as_of=as_of)
        demo_assessments(as_of=as_of, seed=seed)
    summary = demo_summary(built=True)
    summary.seconds = time.perf_counter() - started
    summary.as_of, summary.seed = as_of, seed
    return summary


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
    lifecycles = {code: on for code, on in DEMO_LIFECYCLES.items() if code in PRESETS}
    for code, active in {**DEMO_SCHEMES, **lifecycles}.items():
        scheme = scheme_load_preset(code=code)
        if active and not scheme.is_active:
            scheme.is_active = True
            scheme.save(update_fields=["is_active", "updated_at"])
    tiers = Tier.objects.filter(scheme__code=MEMBERS_ONLY_SCHEME).exclude(
        conditions__metric=Metric.TAG
    )
    bulk_insert(
        TierCondition,
        [TierCondition(tier=t, metric=Metric.TAG, values=[MEMBER_TAG]) for t in tiers],
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
    as_of = as_of or timezone.localdate()
    history: list[dict[str, Any]] = []
    fresh = not AccountTier.objects.exists()

    def after(name: str, _summary: dict[str, Any]) -> None:
        if name == "analytics" and fresh:
            history.extend(demo_tier_history(as_of=as_of, progress=progress))
        if name == "warning_lights":  # the stories' lights: the KAMs' feedback, countermeasures
            demo_light_feedback(as_of=as_of)

    summary = job_record("nightly", nightly_job, as_of=as_of, progress=progress, on_step=after)
    summary["history"] = history
    return summary


def demo_nightly_due() -> bool:
    """Whether today's chain has not run yet (running `guanxi demo` again is quick)."""
    last = JobRun.objects.filter(name="nightly", status=JobStatus.SUCCEEDED).first()
    return last is None or timezone.localdate(last.started_at) != timezone.localdate()


# --------------------------------------------------------------------------- reset


def _crm_models() -> list[type[models.Model]]:
    """Account, Tag and every model that (transitively) points at them, including audit tables
    and m2m link tables, ordered so that referencing tables come first."""
    # Targets name users and teams, not accounts, but they are the demo's CRM data too.
    roots: list[type[models.Model]] = [Account, Tag, SalesTarget, SalesTarget.history.model]
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


__all__ = [  # with the names other modules keep here, though they live in the demo's parts
    "CHANGE_REASON",
    "CODE_PREFIX",
    "DEMO_SOURCE",
    "TAG_PREFIX",
    "DemoSummary",
    "demo_admin_ensure",
    "demo_build",
    "demo_digest",
    "demo_exists",
    "demo_logins_hint",
    "demo_nightly",
    "demo_nightly_due",
    "demo_schemes_ensure",
    "demo_summary",
    "demo_tier_history",
    "demo_tier_history_days",
    "demo_wipe",
]
