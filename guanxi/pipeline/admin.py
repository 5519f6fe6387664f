"""The pipeline's admin pages. The deal-odds pages live in `admin_odds` (imported here so Django
registers them)."""

from guanxi.pipeline import admin_odds  # noqa: F401
