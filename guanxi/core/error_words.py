"""The API's validation errors in the request's language: pydantic writes English messages, so
each error is worded again from its type and context (`ctx`), like the API's other errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _


def _limit(template: Callable[[], str], key: str) -> Callable[[dict[str, Any]], str]:
    return lambda ctx: template() % {"limit": ctx.get(key, "")}


WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("This field is not accepted here."),
    "string_type": lambda ctx: _("Enter text."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "float_type": lambda ctx: _("Enter a number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "decimal_type": lambda ctx: _("Enter a number."),
    "decimal_parsing": lambda ctx: _("Enter a number."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "date_type": lambda ctx: _("Enter a date like 2026-06-30."),
    "date_parsing": lambda ctx: _("Enter a date like 2026-06-30."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a date like 2026-06-30."),
    "datetime_type": lambda ctx: _("Enter a date and time like 2026-06-30T09:30:00+08:00."),
    "datetime_parsing": lambda ctx: _("Enter a date and time like 2026-06-30T09:30:00+08:00."),
    "datetime_from_date_parsing": lambda ctx: _(
        "Enter a date and time like 2026-06-30T09:30:00+08:00."
    ),
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "literal_error": lambda ctx: (
        _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    ),
    "string_too_short": _limit(lambda: _("Enter at least %(limit)s characters."), "min_length"),
    "string_too_long": _limit(lambda: _("Enter at most %(limit)s characters."), "max_length"),
    "too_short": _limit(lambda: _("Give at least %(limit)s items."), "min_length"),
    "too_long": _limit(lambda: _("Give at most %(limit)s items."), "max_length"),
    "greater_than": _limit(lambda: _("Enter a number greater than %(limit)s."), "gt"),
    "greater_than_equal": _limit(lambda: _("Enter a number of at least %(limit)s."), "ge"),
    "less_than": _limit(lambda: _("Enter a number less than %(limit)s."), "lt"),
    "less_than_equal": _limit(lambda: _("Enter a number of at most %(limit)s."), "le"),
    "decimal_max_digits": _limit(lambda: _("Enter at most %(limit)s digits."), "max_digits"),
    "decimal_max_places": _limit(
        lambda: _("Enter at most %(limit)s decimal places."), "decimal_places"
    ),
    "list_type": lambda ctx: _("Enter a list."),
    "dict_type": lambda ctx: _("Enter an object."),
    "model_attributes_type": lambda ctx: _("Enter an object."),
    "model_type": lambda ctx: _("Enter an object."),
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
    "uuid_parsing": lambda ctx: _("Enter a valid identifier."),
    "url_parsing": lambda ctx: _("Enter a valid URL."),
    "url_type": lambda ctx: _("Enter a valid URL."),
}


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error in the request's language. A check of our own (`value_error`)
    already says why in its message; an unknown type keeps pydantic's words."""
    kind = error.get("type", "")
    if kind in WORDS:
        return WORDS[kind](error.get("ctx") or {})
    message = str(error.get("msg") or _("invalid input"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
