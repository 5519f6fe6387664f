"""The agreements' admin pages, one module per concern."""

from guanxi.agreements import admin_blocks  # noqa: F401  (room blocks; the agreements import page)
