"""The account list's pieces that keep it fast at 100,000 accounts (see `admin.AccountAdmin`).

- Sorting by a score (CLV, P(alive)) puts unscored accounts last on every database
  (`NullsLast`), and a page is read in two parts (`ScoredFirstPaginator`): the scored accounts
  with the latest run's score rows joined *inner*, so PostgreSQL walks the (run, score) index
  and stops after one page whatever its statistics say about a fresh run; then, only on the
  pages past them, the unscored accounts.
- The filter dropdowns read the visible accounts themselves, not the list's queryset with its
  score join and revenue subqueries (`VisibleRelatedDropdownFilter`, `ProvinceFilter`).
- The columns are the user's choice (`COLUMNS`, remembered per user in
  `core.UserPreference` under `COLUMNS_KEY`); a column not shown costs no query: tier and
  lifecycle badges are prefetched only when their column is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.admin.utils import label_for_field
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import F, OrderBy, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.admin_mixins import RelatedOnlyDropdownFilter
from guanxi.core.selectors import preference

#: The columns a user may choose for the account list (key → the admin's column), in the order
#: they stand; the name always leads and is not in this list.
COLUMNS = {
    "code": "code",
    "tiers": "tiers_display",
    "lifecycle": "lifecycle_display",
    "status": "status",
    "owner": "owner",
    "team": "team",
    "revenue_12m": "revenue_12m_display",
    "last_transaction": "last_transaction_display",
    "segment": "segment_display",
    "abc": "abc_display",
    "clv": "clv_display",
    "p_alive": "p_alive_display",
}
#: What a KAM scans the list for, narrow enough for a 1024 px screen: who the account is to us
#: (tier, owner) and what it is worth (revenue, RFM segment, ABC class, CLV, P(alive)).
DEFAULT_COLUMNS = ("tiers", "owner", "revenue_12m", "segment", "abc", "clv", "p_alive")
COLUMNS_KEY = "accounts.list_columns"


def chosen_columns(user: Any) -> list[str]:
    """The keys of the columns ``user`` chose (in the list's order), else the default ones."""
    saved = preference(user, COLUMNS_KEY)
    keys = saved if isinstance(saved, list) else DEFAULT_COLUMNS
    return [key for key in COLUMNS if key in keys]


def column_choices(model_admin: Any, shown: list[str]) -> list[dict[str, Any]]:
    """The chooser's checkboxes: key, label and whether the column is shown."""
    return [
        {
            "key": key,
            "label": label_for_field(name, model_admin.model, model_admin),
            "shown": key in shown,
        }
        for key, name in COLUMNS.items()
    ]


#: The query parameter of the request that loads the filter panel (`lazy_filters`).
FILTERS_PARAM = "_filters"
#: What the plain list's address may hold besides filters: search, sort order, page.
_NOT_FILTERS = frozenset({"q", "o", "p"})


def lazy_filters(request: HttpRequest) -> bool:
    """Whether this page of the list leaves its filter panel out, to be loaded on demand.

    The panel's twenty dropdowns (and their choices) were a third of the list's time, on every
    page, for a panel that is closed until "Filters" is clicked. A list that is being filtered
    renders it as before; the panel's own request (``_filters=1``) is that list with every
    filter, the parameter taken out so the admin does not read it as a filter. Marks the
    request for `AccountAdmin.get_list_filter`."""
    if FILTERS_PARAM in request.GET:
        request.GET = request.GET.copy()
        request.GET.pop(FILTERS_PARAM)
        return False
    lazy = not (set(request.GET) - _NOT_FILTERS)
    request._guanxi_lazy_filters = lazy
    return lazy


def filters_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    query[FILTERS_PARAM] = "1"
    return f"{request.path}?{query.urlencode()}"


class NullsLast(F):
    """An ordering on an annotation that puts nulls (accounts not scored) last in both
    directions: the admin calls ``asc()``/``desc()`` on it when a column header is clicked."""

    def asc(self, **kwargs: Any) -> OrderBy:
        return super().asc(nulls_last=True)

    def desc(self, **kwargs: Any) -> OrderBy:
        return super().desc(nulls_last=True)


def score_ordering(queryset: QuerySet) -> str | None:
    """The score annotation the list is sorted by first (``score_clv``), or None."""
    order_by = queryset.query.order_by
    first = order_by[0] if order_by else None
    if isinstance(first, OrderBy) and isinstance(first.expression, NullsLast):
        return first.expression.name
    return None


def _plain(queryset: QuerySet) -> QuerySet:
    """The same ordering without NULLS LAST: with the nulls filtered out it is the same order,
    and a plain (run, score) b-tree index serves it."""
    plain = []
    for term in queryset.query.order_by:
        if isinstance(term, OrderBy) and isinstance(term.expression, NullsLast):
            field = F(term.expression.name)
            term = field.desc() if term.descending else field.asc()
        plain.append(term)
    return queryset.order_by(*plain)


class ScoredFirstPaginator(Paginator):
    """Pages of a list sorted by a score: the scored accounts (inner join, index order) first,
    then the unscored ones. Counts as usual; the number of scored accounts is asked only for a
    page that reaches past them."""

    def page(self, number: Any) -> Any:
        field = score_ordering(self.object_list)
        if field is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        scored = _plain(self.object_list.filter(**{f"{field}__isnull": False}))
        rows = list(scored[bottom:top])
        if len(rows) < top - bottom:
            # Past the scored accounts: the unscored ones follow, in the list's other keys.
            skip = max(bottom - scored.count(), 0)
            rest = self.object_list.filter(**{f"{field}__isnull": True})
            rows += list(rest[skip : skip + (top - bottom - len(rows))])
        return self._get_page(rows, number, self)


#: How long a user's filter choices (the owners, teams, tags and provinces of the accounts they
#: see) are kept: they change when an account changes hands or moves, rarely within minutes, and
#: reading them took ~140 ms of every page of a KAM's list at 100,000 accounts.
CHOICES_SECONDS = 300


def cached_choices(request: HttpRequest, name: str, compute: Callable[[], Any]) -> list:
    """``compute()`` as a list, kept per user, language and filter for CHOICES_SECONDS."""
    user = request.user
    key = f"accounts.list.{name}.{user.pk}.{user.date_joined.timestamp()}.{get_language()}"
    value = cache.get(key)
    if value is None:
        value = list(compute())
        cache.set(key, value, CHOICES_SECONDS)
    return value


class VisibleRelatedDropdownFilter(RelatedOnlyDropdownFilter):
    """The owners (teams, tags) of the accounts the user sees, read from the accounts alone."""

    def rows(self, request: HttpRequest, model_admin: Any) -> QuerySet:
        return accounts_visible_to(request.user)

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        compute = super().field_choices
        return cached_choices(
            request, self.field_path, lambda: compute(field, request, model_admin)
        )


class ProvinceFilter(DropdownFilter):
    title = _("province")
    parameter_name = "province"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        values = cached_choices(
            request,
            "province",
            lambda: (
                accounts_visible_to(request.user)
                .exclude(province="")
                .order_by("province")
                .values_list("province", flat=True)
                .distinct()
            ),
        )
        return [(v, v) for v in values]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(province=self.value())
        return queryset
