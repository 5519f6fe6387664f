"""Agreements (协议) and their terms, one module per concern (seed 000: 框架、返点、战略协议).

- `agreement`: the agreement itself, its type, the accounts it covers, documents and amendments.
- `terms`: negotiated rates and volume commitments.
- `rebates`: rebate schedules, their brackets, settlements and payments.
- `blocks`: MICE room blocks, their nights and attrition rules.
- `reviews`: agreement reviews (协议复盘) and the switching costs recorded per account.
"""

from guanxi.agreements.models.agreement import (  # noqa: F401
    Agreement,
    AgreementDocument,
    AgreementKind,
    AgreementStatus,
    AgreementType,
    Amendment,
    ReviewCadence,
)
from guanxi.agreements.models.blocks import PenaltyRule, RoomBlock, RoomBlockNight  # noqa: F401
from guanxi.agreements.models.rates import NegotiatedRate, RateBasis, RateReview, RateReviewStatus  # noqa: F401
from guanxi.agreements.models.rebates import (  # noqa: F401
    RebateBracket,
    RebateMethod,
    RebatePayment,
    RebateSchedule,
    RebateSettlement,
    SettlementFrequency,
    SettlementStatus,
)
from guanxi.agreements.models.reviews import (  # noqa: F401
    AgreementReview,
    RenewalRisk,
    ReviewDecision,
    RiskLevel,
    SwitchingCost,
    SwitchingCostKind,
)
from guanxi.agreements.models.terms import VolumeBasis, VolumeCommitment  # noqa: F401
