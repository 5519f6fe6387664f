"""Shapes every API module shares: the base of every input schema (unknown fields refused, no
NUL characters, plausible years), bounded ids (`Id`), strict dates and moments (`Day`,
`Moment`, `DayOrMoment`), the error body (`ErrorOut`, `ERRORS`), pagination, PATCH schemas, and
the audit history as the API returns it. Domain code (selectors taking filter schemas) may use
these; the endpoints themselves live in each app's api.py."""

import copy
import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.db.models import Model
from ninja import Field, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import BeforeValidator, ConfigDict, create_model, field_validator
from pydantic import Field as PydanticField

# Largest id SQLite and PostgreSQL bigint can hold: bigger ids are a 422, not a database crash.
MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 500
MIN_YEAR, MAX_YEAR = 1800, 2999

# Every id the API takes (path, query, body, inside a list): bounded, so a huge or negative id
# is a 422 naming the field and never reaches the database (SQLite raises OverflowError).
Id = Annotated[int, PydanticField(ge=1, le=MAX_ID)]

# Pydantic's lax mode reads 0, 0.5 or "1714521600" as a Unix time (1970-01-01 …): a client's
# mistake stored as a real date. Dates and moments are taken as ISO 8601 strings only.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}.*)?", re.DOTALL)


def _iso_day(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("must be a date as YYYY-MM-DD")


def _iso_moment(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value.strip()):
        return value.strip()
    raise ValueError("must be an ISO 8601 date and time, e.g. 2024-05-01T09:30:00+08:00")


def _iso_day_or_moment(value: Any) -> Any:
    # "2024-05-01" is a whole day; "2024-05-01T00:00+08:00" is a moment.
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return dt.date.fromisoformat(value.strip())
    return _iso_moment(value)


Day = Annotated[dt.date, BeforeValidator(_iso_day)]
Moment = Annotated[dt.datetime, BeforeValidator(_iso_moment)]
DayOrMoment = Annotated[dt.datetime | dt.date, BeforeValidator(_iso_day_or_moment)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


class InputSchema(Schema):
    """Base of every request body and filter schema. An unknown field is refused (422 naming
    it) rather than silently dropped: a misspelt field would otherwise look saved."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text and the driver raises: refuse it as bad input.
        if _has_nul(value):
            raise ValueError("must not contain NUL (\\x00) characters")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_year(cls, value: Any) -> Any:
        # Year 1 or 9999 overflow when shifted between time zones or by a day in a filter.
        if isinstance(value, dt.date) and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
        return value


# --- Errors ----------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    field: str = Field(description="The input at fault; empty: the request as a whole")
    message: str


class ErrorOut(Schema):
    """Every error the API answers with (`guanxi/api.py`): 400 a business rule, 401 no valid
    token or wrong password, 403 not allowed, 404 missing or out of sight, 409 conflicts with
    existing data, 422 invalid input, 429 too many attempts."""

    message: str
    field: str | None = Field(None, description="The input at fault, when there is one")
    errors: list[FieldErrorOut] | dict[str, list[str]] | None = Field(
        None,
        description="Every invalid input: a list from the schema check, field → messages from "
        "a domain check",
    )
    extra: dict[str, Any] | None = Field(None, description="Details some errors add")


# What each error status means, as the OpenAPI describes it.
ERRORS = {
    400: "A business rule refused the request",
    401: "Missing, unknown or expired API token (or wrong username or password)",
    403: "Your role may not do this",
    404: "Not found, or not visible to you",
    409: "Conflicts with existing data",
    422: "Invalid input: the field at fault is named",
    429: "Too many attempts: wait Retry-After seconds",
}


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=` with the total `count`; at most 500 rows a page."""

    class Input(Schema):
        limit: int = Field(settings.GUANXI_API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_ID)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


def paged_list(
    router: Router, response: type[Schema], summary: str, path: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A GET list endpoint paged by `Pagination`: its page is ``{"items": [response…],
    "count": n}``, the same shape on every list of the API (agreements, deals, cases …)."""

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        return router.get(path, response=list[response], summary=summary)(
            paginate(Pagination)(view)
        )

    return register


def patch_schema(schema_cls: type[Schema], name: str) -> type[Schema]:
    """Every field of `schema_cls`, optional for PATCH.

    Unlike ninja's PatchDict, an omitted field defaults to None *without* widening the type, so
    an explicit `null` for a required field is still a 422 rather than reaching the database.
    Use `.model_dump(exclude_unset=True)` to get the fields the client sent.
    """
    fields: dict[str, Any] = {}
    for field_name, info in schema_cls.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation, optional)
    return create_model(
        name, __base__=InputSchema, __doc__=f"Partial {schema_cls.__name__}.", **fields
    )


# --- Audit history (django-simple-history) -------------------------------------------------


class ChangeOut(Schema):
    field: str
    old: Any = None
    new: Any = None


class HistoryEntryOut(Schema):
    id: int
    at: dt.datetime
    type: str = Field(description="+ created, ~ changed, - deleted")
    action: str
    user_id: int | None = None
    user: str | None = None
    reason: str | None = None
    changes: list[ChangeOut]


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        # many-to-many rows come as {"account": 1, "tag": 3}: the related id is what matters.
        if len(value) == 2:
            others = [v for k, v in value.items() if k not in {"account", "id"}]
            if len(others) == 1:
                return _jsonable(others[0])
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def history_entries(obj: Model) -> list[dict[str, Any]]:
    """The object's audit trail, newest first, with old → new per changed field."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    entries = []
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes: list[dict[str, Any]] = []
        if previous is not None and record.history_type != "-":
            delta = record.diff_against(previous)
            changes = [
                {"field": c.field, "old": _jsonable(c.old), "new": _jsonable(c.new)}
                for c in delta.changes
            ]
        user = record.history_user
        entries.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "type": record.history_type,
                "action": _ACTIONS.get(record.history_type, record.history_type),
                "user_id": user.pk if user else None,
                "user": user.username if user else None,
                "reason": record.history_change_reason,
                "changes": changes,
            }
        )
    return entries
