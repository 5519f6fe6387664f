"""Warnings and reasons with a stable code: the analytics speak English to the log, and a page
translates by the code and its parameters (the analytics have no Django, so no gettext)."""

from __future__ import annotations

from typing import Any


class Note(str):
    """An English message that also carries a stable ``code`` and its ``params``; it is a str,
    so it prints, compares and joins like the plain message."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, message: str, **params: Any) -> Note:
        note = super().__new__(cls, message)
        note.code, note.params = code, params
        return note

    def as_dict(self) -> dict[str, Any]:
        """What a run stores: the code, its parameters and the English message."""
        return {"code": self.code, "params": self.params, "message": str(self)}


def note_of(value: object) -> dict[str, Any]:
    """A stored form of a warning or an error: a Note keeps its code; anything else (a model's
    own exception) has the code "other" and its English message."""
    if isinstance(value, Note):
        return value.as_dict()
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Note):
        return value.args[0].as_dict()
    return {"code": "other", "params": {}, "message": str(value)}
