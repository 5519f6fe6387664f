"""Reads from a PostgreSQL read replica (DATABASE_REPLICA_URL), for the code paths that opt in.

Why opt in rather than send every read to the replica: a streaming replica lags the primary by
milliseconds (seconds under load), and Django code reads what it has just written in many places
(a form saved, then its redirect; a get-or-create; the session a login has just stored). Routing
every read would break those now and then, depending on timing; routing only reads that tolerate
a moment's staleness cannot. Those are the heavy ones: the list pages (every admin changelist),
the reports and the dashboard (``REPLICA_VIEWS``), and any code wrapped in ``replica_reads()``
(the analysis's ledger read, an export). Even there the primary answers:

- inside ``transaction.atomic`` on the primary: a transaction must see its own writes;
- once anything in the scope has written (read-your-writes), for the rest of the scope;
- for users, groups, sessions, tokens and job records (``PRIMARY_APPS``): small tables that say
  who is logged in and what runs, where a stale row is a wrong answer, not an old one;
- for the browser that has just written: after a request that wrote, a cookie pins it to the
  primary for GUANXI_REPLICA_PIN_SECONDS, so the list a form redirects to shows the change.

Writes always go to the primary (an object read from the replica is saved to the primary too).
Raw SQL through ``django.db.connection`` is on the primary, as it always was. When the replica
cannot be reached, the page that met the error is served again from the primary and the replica
is left alone for REPLICA_RETRY_SECONDS: a lost replica slows the lists down, it does not break
them.
Without DATABASE_REPLICA_URL neither the router nor the middleware is installed.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "gx_primary"
# Apps whose rows are always read on the primary (see the module docstring).
PRIMARY_APPS = frozenset({"core", "auth", "sessions", "contenttypes", "admin"})
# Reports and pages besides the changelists whose GET requests read from the replica.
REPLICA_VIEWS = frozenset(
    {
        "admin:index",  # the dashboard
        "admin:activities_task_today",
        "admin:activities_task_compliance",
        "admin:tiers_tierscheme_attendance",
        "admin:tiers_tierscheme_migration",
        "admin:insights_analysisrun_latest",
    }
)

REPLICA_RETRY_SECONDS = 30
F = TypeVar("F", bound=Callable[..., Any])
logger = logging.getLogger(__name__)
_replica_down_until = 0.0  # monotonic clock; shared by the threads of a process


@dataclasses.dataclass
class _Scope:
    replica: bool = False  # reads may go to the replica
    wrote: bool = False  # something in this scope was written (then reads stay on the primary)


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("gx_replica", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_available() -> bool:
    return time.monotonic() >= _replica_down_until


def replica_failed(error: Exception) -> None:
    """Leave the replica alone for a while: it could not be reached."""
    global _replica_down_until
    _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
    logger.warning("read replica unavailable, reading from the primary: %s", error)
    with contextlib.suppress(Exception):
        connections[REPLICA].close()


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """ORM reads inside go to the replica (when there is one), under the rules above."""
    scope = _scope.get()
    if scope is None:
        token = _scope.set(_Scope(replica=True))
        try:
            yield
        finally:
            _scope.reset(token)
        return
    before = scope.replica
    scope.replica = True
    try:
        yield
    finally:
        scope.replica = before


def reads_from_replica(fn: F) -> F:
    """Decorator form of ``replica_reads()``, for a report selector or a job's read."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def read_alias(model: type) -> str:
    """Where a read of ``model`` goes now: the replica or the primary."""
    scope = _scope.get()
    if (
        scope is None
        or not scope.replica
        or scope.wrote
        or model._meta.app_label in PRIMARY_APPS
        or not replica_configured()
        or not replica_available()
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return DEFAULT_DB_ALIAS
    return REPLICA


class ReplicaRouter:
    """DATABASE_ROUTERS entry, installed with DATABASE_REPLICA_URL."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        # Always an answer, never None: Django would otherwise follow a related object read from
        # the replica (instance._state.db) outside any opted-in scope.
        return read_alias(model)

    def db_for_write(self, model: type, **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: the same database

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # read-only; it receives the primary's schema by streaming


class ReplicaMiddleware:
    """Opts GET requests of the list pages and reports into replica reads, and pins a browser
    that has just written to the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scope = _Scope()
        token = _scope.set(scope)
        try:
            response = self.get_response(request)
        finally:
            _scope.reset(token)
        if scope.wrote:
            pin = settings.GUANXI_REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, "1", max_age=pin, httponly=True, samesite="Lax")
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        scope = _scope.get()
        if scope is not None and replica_view(request):
            scope.replica = True

    def process_exception(self, request: HttpRequest, error: Exception) -> HttpResponse | None:
        """A list page that failed while reading the replica (unreachable, or a query cancelled
        by a conflict with recovery): serve it again from the primary. It is a GET of a
        read-only page, so running it twice is harmless; an error that was not the replica's
        fails again there, as it would have."""
        scope = _scope.get()
        if scope is None or not scope.replica or not isinstance(error, DatabaseError):
            return None
        if not replica_configured():
            return None
        replica = connections[REPLICA]
        if replica.connection is None or not replica.is_usable():
            replica_failed(error)
        scope.replica = False
        match = request.resolver_match
        response = match.func(request, *match.args, **match.kwargs)
        return response.render() if hasattr(response, "render") else response


def replica_view(request: HttpRequest) -> bool:
    """Whether this request's reads may go to the replica: a GET or HEAD of a list page or a
    report, from a browser that has not written in the last few seconds."""
    if request.method not in ("GET", "HEAD") or PIN_COOKIE in request.COOKIES:
        return False
    match = request.resolver_match
    if match is None:
        return False
    name = match.view_name
    return name in REPLICA_VIEWS or (name.startswith("admin:") and name.endswith("_changelist"))
