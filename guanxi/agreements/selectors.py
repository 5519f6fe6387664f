"""Reads of agreements (协议). Access follows the accounts app: an agreement is seen by whoever
sees its account (a KAM their own and co-owned accounts, a team lead their team's, managers
all); an agreement out of sight is NotFound, never a refusal that tells it exists.

"Covering" means the agreement's account or one of the subsidiaries chosen on it
(`coverage.py`); an agreement is "in force" on a day between its first and last day once signed
(active, or since expired or renewed; a terminated one until its termination date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.agreements.models import Agreement, AgreementStatus, Amendment
from guanxi.core.errors import NotFound
from guanxi.core.models import User

#: Statuses of an agreement that was signed: its terms bound the days of its period.
SIGNED = (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED, AgreementStatus.RENEWED)
#: Statuses an agreement can still leave.
OPEN = (AgreementStatus.DRAFT, AgreementStatus.NEGOTIATING, AgreementStatus.ACTIVE)


def agreements_visible_to(actor: User | None) -> QuerySet[Agreement]:
    """The agreements of the accounts `actor` may see."""
    return visible_to(
        Agreement.objects.select_related("account", "agreement_type", "owner"),
        actor,
        prefix="account__",
    )


def agreement_for_actor(actor: User | None, agreement_id: int | Agreement) -> Agreement:
    """The agreement if `actor` may see it; missing and out of sight alike are NotFound."""
    pk = agreement_id.pk if isinstance(agreement_id, Agreement) else agreement_id
    found = agreements_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Agreement %(id)s not found.") % {"id": pk}, field="agreement")
    return found


def agreement_list(
    actor: User | None,
    *,
    status: str | None = None,
    agreement_type: int | None = None,
    account: int | None = None,
    owner: int | None = None,
    ending_within_days: int | None = None,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[Agreement]:
    """The agreements `actor` sees, narrowed by each filter given, soonest end first.
    `ending_within_days`: open agreements ending from today to today + n days."""
    qs = agreements_visible_to(actor)
    lookups = {
        "status": status,
        "agreement_type_id": agreement_type,
        "account_id": account,
        "owner_id": owner,
    }
    qs = qs.filter(**{k: v for k, v in lookups.items() if v is not None and v != ""})
    if ending_within_days is not None:
        qs = ending_within(qs, ending_within_days, today=today)
    if search and search.strip():
        term = search.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(reference__icontains=term)
            | Q(account__name__icontains=term)
        )
    return qs.order_by("ends_on", "id")


def ending_within(
    qs: QuerySet[Agreement], days: int, *, today: dt.date | None = None
) -> QuerySet[Agreement]:
    """Agreements still open (not expired, terminated or renewed) whose last day falls within
    the next `days` days (on the status+end index)."""
    today = today or timezone.localdate()
    return qs.filter(
        status__in=OPEN, ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days)
    )


def agreements_of_account(account_ids: Iterable[int]) -> QuerySet[Agreement]:
    """The agreements made with these accounts or covering them as chosen subsidiaries (the
    caller checked the accounts are visible)."""
    ids = list(account_ids)
    return (
        Agreement.objects.filter(Q(account_id__in=ids) | Q(covered_accounts__in=ids))
        .distinct()
        .select_related("account", "agreement_type", "owner")
        .order_by("-starts_on", "-id")
    )


def in_force_on(qs: QuerySet[Agreement], on: dt.date) -> QuerySet[Agreement]:
    """Agreements whose terms bind `on`: signed, `on` within their period, and not terminated
    before that day."""
    signed = Q(status__in=SIGNED) | Q(status=AgreementStatus.TERMINATED, terminated_on__gt=on)
    return qs.filter(signed, starts_on__lte=on, ends_on__gte=on)


def is_in_force(agreement: Agreement, on: dt.date) -> bool:
    """`in_force_on` for one agreement already read."""
    signed = agreement.status in SIGNED or (
        agreement.status == AgreementStatus.TERMINATED
        and agreement.terminated_on is not None
        and agreement.terminated_on > on
    )
    return signed and agreement.starts_on <= on <= agreement.ends_on


def active_agreements_covering(
    account_id: int, *, on: dt.date | None = None
) -> QuerySet[Agreement]:
    """The agreements in force on `on` (today if not given) that cover the account, as its own
    agreement or as a group agreement that chose it."""
    on = on or timezone.localdate()
    return in_force_on(agreements_of_account([account_id]), on)


def covering_agreement_ids(account_ids: Iterable[int]) -> dict[int, set[int]]:
    """account id → ids of the agreements that cover it (own or as a chosen subsidiary), for
    many accounts at once (two indexed queries)."""
    ids = list(account_ids)
    result: dict[int, set[int]] = {i: set() for i in ids}
    for agreement_id, account_id in Agreement.objects.filter(account_id__in=ids).values_list(
        "id", "account_id"
    ):
        result[account_id].add(agreement_id)
    through = Agreement.covered_accounts.through.objects.filter(account_id__in=ids)
    for agreement_id, account_id in through.values_list("agreement_id", "account_id"):
        result[account_id].add(agreement_id)
    return result


def amendments_of(agreement: Agreement) -> QuerySet[Amendment]:
    """The versions of an agreement, newest first (the caller checked the agreement)."""
    return agreement.amendments.select_related("made_by").order_by("-version")


def renewal_date_of(agreement: Agreement) -> dt.date:
    """When renewal must be settled: the date set, else the end date less the notice period."""
    if agreement.renewal_date:
        return agreement.renewal_date
    return agreement.ends_on - dt.timedelta(days=agreement.notice_days or 0)
