"""Today's renewals at risk (see `today.py`): the agreements the user OWNS that end within the
renewal window and whose stored renewal risk (`agreements.renewal`, scored each night) is high
or medium, the account's standing first, then the score; the reason names the days left and the
heaviest terms of the score."""

from __future__ import annotations

from typing import Any

from guanxi.agreements.models import RenewalRisk
from guanxi.agreements.renewal_reads import explained, renewals_at_risk_of, risk_reason
from guanxi.workspace.today_rows import RenewalRiskItem, Section, Standing, priority_key


def renewals_at_risk(ctx: Any, *, window: slice) -> Section:
    rows = list(
        renewals_at_risk_of(ctx.user, actor=ctx.actor).values_list(
            "id", "agreement__account_id", "score"
        )
    )
    stand = ctx.standings_for(a for _pk, a, _score in rows)

    def standing(account_id: int) -> Standing:
        return stand.get(account_id) or Standing()

    keys = sorted((priority_key(standing(a), score), pk, a) for pk, a, score in rows)
    shown = keys[window]
    risks = RenewalRisk.objects.select_related(
        "agreement", "agreement__account", "agreement__agreement_type"
    ).in_bulk([k[1] for k in shown])
    items = []
    for _p, pk, account_id in shown:
        risk = risks.get(pk)
        if risk is None:
            continue
        words = [risk_reason(risk), *standing(account_id).words()]
        items.append(
            RenewalRiskItem(
                risk=risk,
                agreement=risk.agreement,
                account=risk.agreement.account,
                standing=standing(account_id),
                terms=explained(risk),
                reason=" · ".join(words),
            )
        )
    return Section(items, total=len(keys), offset=window.start or 0)
