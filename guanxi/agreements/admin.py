"""Agreements in the admin: the agreement list and page with its documents, rates, amendments
and life-cycle steps, the agreement types (`admin_agreements`), the off-rate reviews
(`admin_rates`), the MICE room blocks and the agreements import page (`admin_blocks`), the
reviews and switching costs (`admin_reviews`), the volume commitments and rebate
schedules (`admin_terms`)."""

from guanxi.agreements import (  # noqa: F401
    admin_agreements,
    admin_blocks,
    admin_rates,
    admin_reviews,
    admin_terms,
)
