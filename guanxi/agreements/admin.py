"""Agreements in the admin: the agreement list and page with its documents, rates, amendments
and life-cycle steps, the agreement types (`admin_agreements`), the off-rate reviews
(`admin_rates`), the MICE room blocks and the agreements import page (`admin_blocks`)."""

from guanxi.agreements import admin_agreements, admin_blocks, admin_rates  # noqa: F401
