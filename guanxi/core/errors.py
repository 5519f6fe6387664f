"""The one application error. Services raise it; the API and admin turn it into a message."""

from __future__ import annotations

from typing import Any


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
