"""The one application error and its kinds. Services raise them (never Django's
ValidationError or a bare ValueError for bad input); the API answers with `as_dict()` and the
status code (guanxi/api.py), admin forms show them on the fields at fault
(`core.admin_mixins.show_service_error`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A business rule was broken. `field` names the input at fault when there is one."""

    status_code = 400

    def __init__(
        self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": str(self.message)}
        if self.field:
            body["field"] = self.field
        if self.extra:
            body["extra"] = self.extra
        return body


class NotFound(ApplicationError):
    """Missing, or not visible to this user: the two are deliberately indistinguishable."""

    status_code = 404


class Conflict(ApplicationError):
    """The write clashes with existing data (duplicate code or external id, dependent rows)."""

    status_code = 409


class PermissionDenied(ApplicationError):
    status_code = 403


class InvalidInput(ApplicationError):
    """Input that passed the schema but that a domain check rejected (422): one field
    (``field=``) or several at once (``errors=``: field → message(s), as a form shows them)."""

    status_code = 422

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        errors: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.errors: dict[str, list[str]] = {
            name: [str(m) for m in (messages if isinstance(messages, list | tuple) else [messages])]
            for name, messages in (errors or {}).items()
        }
        if self.errors and not message:
            field, first = next(iter(self.errors.items()))
            message = first[0]
        super().__init__(message, field=field, extra=extra)

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> InvalidInput:
        """Django's refusal (a model's rule, full_clean) in the one error family."""
        if hasattr(exc, "error_dict"):
            return cls(errors=exc.message_dict)
        return cls("; ".join(exc.messages))

    def field_errors(self) -> dict[str | None, list[str]]:
        """Every message by field (None: the input as a whole)."""
        return self.errors or {self.field: [str(self.message)]}

    def as_dict(self) -> dict[str, Any]:
        if not self.errors:
            return super().as_dict()
        # The shape the API has always given for several fields: the first one named in the
        # message, every one under "errors".
        return {"message": f"{self.field}: {self.message}", "field": self.field,
                "errors": self.errors}  # fmt: skip
