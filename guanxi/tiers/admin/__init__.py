"""Tier pages: schemes and their tiers (rules and privileges), account tiers with overrides, the
tier history, migration counts, the monthly attendance sheet (客户考勤表), discount reviews, and
the same pages for lifecycle stages under stage words.

Schemes are configuration: every staff user may read them, only managers and admins change
them. Account tiers, tier changes and discount reviews are customer data and follow the account
access rule (what a user may not see is a 404).

One module per concern (importing them registers the pages):

- `schemes`: tier schemes with their tiers, conditions and privileges, presets;
- `sheets`: the attendance sheet and the tier migration matrix of a scheme;
- `account_tiers`: each account's tier, set by hand (手动设置) and cleared;
- `history`: the tier history;
- `discounts`: discount reviews;
- `lifecycle`: the pages above as lifecycle pages (stage sets, account stages, history);
- `reevaluate`: re-evaluate now; `shared`: badges, dates, columns, the label map, filters.
"""

from guanxi.tiers.admin import account_tiers, discounts, history, lifecycle, schemes
from guanxi.tiers.admin.lifecycle import LIFECYCLE_PRESETS
from guanxi.tiers.admin.schemes import PRESETS

__all__ = [
    "LIFECYCLE_PRESETS",
    "PRESETS",
    "account_tiers",
    "discounts",
    "history",
    "lifecycle",
    "schemes",
]
