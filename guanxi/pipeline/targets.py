"""Writes for sales targets (目标): what a KAM or a team should bring in a month or a quarter.

Who sets them: managers and admins for anyone and any team; a team lead for the KAMs of their
own team (not for the team itself, nor for themselves: a team's target, and its lead's, is the
manager's call). KAMs set none. Each write is in the target's audit history under the actor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import Role, Team, User
from guanxi.core.services import delete_as, save_as
from guanxi.pipeline.models import SalesTarget, TargetPeriod
from guanxi.pipeline.rules import money

QUARTER_MONTHS = {1, 4, 7, 10}


def may_set_target(actor: User, *, user: User | None, team: Team | None) -> bool:
    """The rule in the module doc, for one target's subject."""
    if actor.sees_all_accounts:
        return True
    if not actor.leads_team or team is not None or user is None:
        return False
    return user.team_id == actor.team_id and user.pk != actor.pk and user.role == Role.KAM


def targets_settable_by(actor: User):
    """The targets `actor` may change (for the admin's list and the API)."""
    if actor.sees_all_accounts:
        return SalesTarget.objects.all()
    if actor.leads_team:
        return SalesTarget.objects.filter(user__team_id=actor.team_id, user__role=Role.KAM).exclude(
            user=actor
        )
    return SalesTarget.objects.none()


def check_period_start(period: str, starts_on: dt.date) -> None:
    if period not in TargetPeriod.values:
        raise InvalidInput(_("Choose a month or a quarter."), field="period")
    if starts_on.day != 1 or (period == TargetPeriod.QUARTER and starts_on.month not in
                              QUARTER_MONTHS):  # fmt: skip
        raise InvalidInput(
            _("A target starts on the first day of its month or quarter."), field="starts_on"
        )


@transaction.atomic
def sales_target_set(
    *,
    actor: User,
    amount: Decimal | int | str,
    starts_on: dt.date,
    period: str = TargetPeriod.MONTH,
    user: User | None = None,
    team: Team | None = None,
    target: SalesTarget | None = None,
) -> SalesTarget:
    """Set the target of a KAM (`user`) or a `team` for the period starting on `starts_on`:
    the existing one is changed, so there is one per subject and period. `target`: change that
    one (its subject or period too), refused if another holds the new subject and period."""
    if (user is None) == (team is None):
        raise InvalidInput(_("Set a target for a person or for a team."), field="user")
    if not may_set_target(actor, user=user, team=team):
        raise PermissionDenied(
            _("Only managers set targets; a team lead sets them for the KAMs of the team."),
            field="user" if user is not None else "team",
        )
    check_period_start(period, starts_on)
    subject = {"user": user, "team": None} if user is not None else {"user": None, "team": team}
    same = SalesTarget.objects.filter(period=period, starts_on=starts_on, **subject)
    if target is None:
        target = same.first() or SalesTarget()
    else:
        if not targets_settable_by(actor).filter(pk=target.pk).exists():
            raise NotFound(_("Target %(id)s not found.") % {"id": target.pk}, field="target")
        if same.exclude(pk=target.pk).exists():
            raise Conflict(_("There is already a target for them in that period."),
                           field="starts_on")  # fmt: skip
    target.period, target.starts_on = period, starts_on
    target.user, target.team = subject["user"], subject["team"]
    target.amount = money(amount, "amount")
    return save_as(target, actor=actor, validate_unique=False)


@transaction.atomic
def sales_target_delete(*, actor: User, target: SalesTarget | int) -> None:
    pk = target.pk if isinstance(target, SalesTarget) else target
    found = targets_settable_by(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Target %(id)s not found.") % {"id": pk}, field="target")
    delete_as(found, actor=actor)


def targets_visible_to(actor: User):
    """The targets `actor` may read: those they may set, their own and their team's (a KAM
    sees what is asked of them)."""
    own = Q(user=actor)
    if actor.team_id is not None:
        own |= Q(team_id=actor.team_id)
    settable = targets_settable_by(actor).values("pk")
    return SalesTarget.objects.filter(own | Q(pk__in=settable))
