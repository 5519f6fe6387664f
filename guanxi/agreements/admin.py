"""The agreements' admin pages. agr-core's agreement admin joins this module; the reviews and
switching costs live in `admin_reviews` (loaded here, as Django looks for `admin` only)."""

from guanxi.agreements import admin_reviews  # noqa: F401
