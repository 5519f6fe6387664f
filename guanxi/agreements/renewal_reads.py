"""Reads of renewal: the stored renewal risks (Today, the report, the API) and the renewal rate
per KAM and team.

Renewal rate of a period = the agreements that ended in it and were renewed ÷ all that ended in
it (expired, terminated or renewed). An agreement "ends in" the period on its last day, or on its
termination day when it was terminated early. Access as for accounts (`visible_to`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.agreements.models import Agreement, AgreementStatus, RenewalRisk, RiskLevel
from guanxi.agreements.renewal import term_words
from guanxi.core.models import User

ENDED = (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED, AgreementStatus.RENEWED)
LEVEL_ORDER = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}


def renewal_risks_visible_to(actor: User | None) -> QuerySet[RenewalRisk]:
    """The stored renewal risks of the agreements `actor` may see, highest score first, of
    agreements still open for renewal (a renewal recorded since the night drops out)."""
    qs = RenewalRisk.objects.select_related(
        "agreement", "agreement__account", "agreement__owner", "agreement__agreement_type"
    ).filter(agreement__status=AgreementStatus.ACTIVE, agreement__successor__isnull=True)
    return visible_to(qs, actor, prefix="agreement__account__").order_by(
        "-score", "agreement__ends_on", "agreement_id"
    )


def renewals_at_risk_of(
    user: User, *, actor: User | None = None, levels: tuple[str, ...] = ("high", "medium")
) -> QuerySet[RenewalRisk]:
    """The renewal risks of the agreements `user` owns (Today's "renewals at risk"), limited to
    what `actor` sees, of the given levels."""
    return renewal_risks_visible_to(actor or user).filter(
        agreement__owner=user, level__in=list(levels)
    )


def explained(risk: RenewalRisk) -> list[str]:
    """The risk's terms as sentences in the active language, the heaviest first."""
    terms = sorted(risk.terms or [], key=lambda t: -int(t.get("points", 0)))
    return [term_words(t) for t in terms]


def risk_reason(risk: RenewalRisk) -> str:
    """A one-line reason: the days left and the terms that carry points."""
    days = (risk.agreement.ends_on - risk.as_of).days
    words = [_("ends in %(n)s days") % {"n": days}] if days > 0 else [_("ends today")]
    heavy = sorted((t for t in risk.terms or [] if t.get("points")), key=lambda t: -t["points"])
    words += [term_words(t) for t in heavy[:2]]
    return " · ".join(words)


# --- Renewal rate -------------------------------------------------------------------------------


@dataclass
class RateRow:
    key: int | None  # the owner's or team's id (None: no team)
    name: str
    ended: int = 0
    renewed: int = 0
    members: list[RateRow] = field(default_factory=list)  # a team's KAMs

    @property
    def rate(self) -> Decimal | None:
        """Renewed ÷ ended, as a percentage (1 decimal); None when nothing ended."""
        if not self.ended:
            return None
        return (Decimal(self.renewed) * 100 / self.ended).quantize(Decimal("0.1"), ROUND_HALF_UP)


def ended_between(actor: User | None, first: dt.date, last: dt.date) -> QuerySet[Agreement]:
    """The agreements `actor` sees that ended from ``first`` to ``last`` (both counted)."""
    qs = visible_to(Agreement.objects.filter(status__in=ENDED), actor, prefix="account__")
    qs = qs.annotate(ended_on=Coalesce(F("terminated_on"), F("ends_on")))
    return qs.filter(ended_on__gte=first, ended_on__lte=last)


def renewal_rate(
    actor: User | None, *, first: dt.date, last: dt.date
) -> tuple[RateRow, list[RateRow]]:
    """(the total, one row per team with its KAMs) of the agreements ended in the period."""
    renewed = Q(status=AgreementStatus.RENEWED) | Q(successor__isnull=False)
    counts = (
        ended_between(actor, first, last)
        .values("owner_id")
        .annotate(n=Count("id"), won=Count("id", filter=renewed))
        .values_list("owner_id", "n", "won")
    )
    counts = {pk: (n, won) for pk, n, won in counts}
    owners = User.objects.filter(pk__in=list(counts)).select_related("team")
    total = RateRow(key=None, name=_("All"))
    teams: dict[int | None, RateRow] = {}
    for owner in owners:
        n, won = counts[owner.pk]
        team = teams.setdefault(
            owner.team_id,
            RateRow(key=owner.team_id, name=str(owner.team) if owner.team_id else _("No team")),
        )
        team.members.append(RateRow(key=owner.pk, name=str(owner), ended=n, renewed=won))
        team.ended += n
        team.renewed += won
        total.ended += n
        total.renewed += won
    ordered = sorted(teams.values(), key=lambda t: (t.key is None, t.name))
    for team in ordered:
        team.members.sort(key=lambda m: m.name)
    return total, ordered
