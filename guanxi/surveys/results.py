"""Survey results for the results page and the API: NPS (promoters % − detractors %) and CSAT
(mean, % of 4–5) over time (months) and by tier, segment, KAM and account; the SERVQUAL gap
per dimension (perceived − expected: negative means the service falls short) with Cronbach's
α of each dimension. Counted in the database over the chosen period (the answers of the
accounts the user sees); the maths is `guanxi.analytics.surveys`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, AccountType
from guanxi.analytics.surveys import cronbach_alpha, nps_from_counts
from guanxi.core.dates import local_midnight
from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.surveys.models import Dimension, SurveyItemAnswer, SurveyResponse
from guanxi.surveys.selectors import responses_visible_to
from guanxi.tiers.models import AccountTier, Tier
from guanxi.tiers.selectors import active_schemes

GROUPS = ("month", "tier", "segment", "kam", "account")
ACCOUNTS_SHOWN = 50
#: Cronbach's α reads at most this many of the latest SERVQUAL answers in the period.
ALPHA_RESPONSES = 2000


@dataclass(frozen=True)
class ResultRow:
    key: str
    label: str
    answers: int
    nps: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_mean: float | None = None
    csat_satisfied_pct: float | None = None


@dataclass(frozen=True)
class DimensionGap:
    dimension: str
    label: str
    expected: float | None
    perceived: float | None
    gap: float | None  # perceived − expected; negative = falls short
    alpha_perceived: float | None
    alpha_expected: float | None
    answers: int


def responses_in(actor: User | None, first: dt.date, last: dt.date) -> QuerySet[SurveyResponse]:
    if first > last:
        raise InvalidInput(_("The period ends before it starts."), field="first")
    return responses_visible_to(actor).filter(
        answered_at__gte=local_midnight(first),
        answered_at__lt=local_midnight(last + dt.timedelta(days=1)),
    )


def _key_and_label(qs: QuerySet, group: str) -> tuple[QuerySet, dict[str, str]]:
    """The answers annotated with `g` (the group's key), and key → label where it needs one."""
    if group == "month":
        return qs.annotate(g=TruncMonth("answered_at", tzinfo=timezone.get_current_timezone())), {}
    if group == "segment":
        return qs.annotate(g=F("account__account_type")), dict(AccountType.choices)
    if group == "kam":
        return qs.annotate(g=F("account__owner")), {}
    if group == "account":
        return qs.annotate(g=F("account")), {}
    schemes = active_schemes("tiers")
    if not schemes:
        return qs.none().annotate(g=F("account")), {}
    tier = AccountTier.objects.filter(account=OuterRef("account"), scheme=schemes[0])
    labels = {str(t.pk): str(t) for t in Tier.objects.filter(scheme=schemes[0])}
    return qs.annotate(g=Subquery(tier.values("tier")[:1])), labels


def results_by(
    *, actor: User | None, group: str, first: dt.date, last: dt.date, template: str = ""
) -> list[ResultRow]:
    """NPS and CSAT per group (month, tier, segment, kam, account) over the period."""
    if group not in GROUPS:
        raise InvalidInput(_("Group by month, tier, segment, kam or account."), field="group")
    qs = responses_in(actor, first, last)
    if template:
        qs = qs.filter(template__code=template)
    qs, labels = _key_and_label(qs, group)
    rows = (
        qs.values("g")
        .annotate(
            answers=Count("id"),
            promoters=Count("id", filter=Q(nps_score__gte=9)),
            passives=Count("id", filter=Q(nps_score__gte=7, nps_score__lte=8)),
            detractors=Count("id", filter=Q(nps_score__lte=6)),
            csat_mean=Avg("csat_score"),
            satisfied=Count("id", filter=Q(csat_score__gte=4)),
            csat_answers=Count("csat_score"),
        )
        .order_by("g")
    )
    if group == "account":
        rows = rows.order_by("-answers", "g")[:ACCOUNTS_SHOWN]
    rows = list(rows)
    names = _names(group, [r["g"] for r in rows])
    return [_row(r, group, labels | names) for r in rows]


def _names(group: str, keys: list) -> dict[str, str]:
    if group == "kam":
        users = User.objects.filter(pk__in=[k for k in keys if k is not None])
        return {str(u.pk): u.get_full_name() or u.username for u in users}
    if group == "account":
        rows = Account.objects.filter(pk__in=keys).values_list("pk", "name")
        return {str(pk): name for pk, name in rows}
    return {}


def _row(r: dict, group: str, labels: dict[str, str]) -> ResultRow:
    key = r["g"]
    if group == "month" and key is not None:
        key_text = (
            timezone.localtime(key).strftime("%Y-%m")
            if isinstance(key, dt.datetime)
            else str(key)[:7]
        )
        label = key_text
    else:
        key_text = "" if key is None else str(key)
        label = str(labels.get(key_text) or (key_text or _("(none)")))
    scored = r["promoters"] + r["passives"] + r["detractors"]
    csat_n = r["csat_answers"]
    return ResultRow(
        key=key_text,
        label=label,
        answers=r["answers"],
        nps=nps_from_counts(r["promoters"], r["passives"], r["detractors"]) if scored else None,
        promoters=r["promoters"],
        passives=r["passives"],
        detractors=r["detractors"],
        csat_mean=float(r["csat_mean"]) if r["csat_mean"] is not None else None,
        csat_satisfied_pct=100.0 * r["satisfied"] / csat_n if csat_n else None,
    )


def servqual_gaps(*, actor: User | None, first: dt.date, last: dt.date) -> list[DimensionGap]:
    """Per dimension: mean expectation, perception and gap (perceived − expected) over the
    period's SERVQUAL answers, and Cronbach's α of the dimension's items (perceptions and
    expectations apart) over the latest answers that rated all of them."""
    responses = responses_in(actor, first, last).filter(servqual_gap__isnull=False)
    answers = SurveyItemAnswer.objects.filter(response__in=responses.values("id"))
    means = {
        row["item__dimension"]: row
        for row in answers.values("item__dimension").annotate(
            expected=Avg("expectation"),
            perceived=Avg("perception"),
            n=Count("response", distinct=True),
        )
    }
    latest = list(responses.order_by("-answered_at").values_list("id", flat=True)[:ALPHA_RESPONSES])
    tables: dict[str, dict[int, dict[int, tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    items_of: dict[str, set[int]] = defaultdict(set)
    rows = SurveyItemAnswer.objects.filter(response__in=latest).values_list(
        "item__dimension", "response_id", "item_id", "expectation", "perception"
    )
    for dimension, response_id, item_id, expected, perceived in rows:
        tables[dimension][response_id][item_id] = (expected, perceived)
        items_of[dimension].add(item_id)
    result = []
    for dimension, label in Dimension.choices:
        row = means.get(dimension)
        items = sorted(items_of[dimension])
        complete = [r for r in tables[dimension].values() if len(r) == len(items)]
        alpha_p = cronbach_alpha([[r[i][1] for i in items] for r in complete]) if complete else None
        alpha_e = cronbach_alpha([[r[i][0] for i in items] for r in complete]) if complete else None
        expected = float(row["expected"]) if row else None
        perceived = float(row["perceived"]) if row else None
        result.append(
            DimensionGap(
                dimension=dimension,
                label=str(label),
                expected=expected,
                perceived=perceived,
                gap=perceived - expected if row else None,
                alpha_perceived=alpha_p,
                alpha_expected=alpha_e,
                answers=row["n"] if row else 0,
            )
        )
    return result
