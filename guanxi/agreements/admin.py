"""Agreements in the admin: the agreement list and page with its documents, rates, amendments
and life-cycle steps, the agreement types (`admin_agreements`), the off-rate reviews
(`admin_rates`)."""

from guanxi.agreements import admin_agreements, admin_rates  # noqa: F401
