"""What a goal measures: a number (money, a count, a percentage, a score) or a stage of a
relationship. The rules (what a goal needs, `plans.rules`) and the progress (what it has
reached, `plans.selectors`) both read these groups, so they live apart from either."""

from __future__ import annotations

from typing import Any

from guanxi.plans.models import GoalMeasure
from guanxi.relationships.models import KotlerLevel, RelationshipStage, SupplierStage

NUMERIC_MEASURES = frozenset(
    {
        GoalMeasure.REVENUE,
        GoalMeasure.MARGIN,
        GoalMeasure.TRANSACTIONS,
        GoalMeasure.SHARE_OF_WALLET,
        GoalMeasure.COVERAGE,
        GoalMeasure.MANUAL,
        GoalMeasure.STRATEGIC_AGREEMENTS,
        GoalMeasure.COMMITMENT_ATTAINED,
    }
)
#: Measures read from the account's agreements in force.
AGREEMENT_MEASURES = frozenset({GoalMeasure.STRATEGIC_AGREEMENTS, GoalMeasure.COMMITMENT_ATTAINED})
PERCENT_MEASURES = frozenset({GoalMeasure.SHARE_OF_WALLET, GoalMeasure.COVERAGE})
MONEY_MEASURES = frozenset({GoalMeasure.REVENUE, GoalMeasure.MARGIN})
STAGE_MEASURES = frozenset(
    {GoalMeasure.CONTACT_STAGE, GoalMeasure.SUPPLIER_STAGE, GoalMeasure.KOTLER_LEVEL}
)
#: Stage measures → the choices their target is one of, in order (lowest first).
STAGE_CHOICES: dict[str, Any] = {
    GoalMeasure.CONTACT_STAGE: RelationshipStage,
    GoalMeasure.SUPPLIER_STAGE: SupplierStage,
    GoalMeasure.KOTLER_LEVEL: KotlerLevel,
}
