"""The REST API: /api/, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from guanxi import __version__
from guanxi.core.api_auth import TokenAuth
from guanxi.core.errors import ApplicationError

api = NinjaAPI(
    title="Guanxi API",
    version=__version__,
    description="Key-account CRM. Authenticate with `Authorization: Bearer <token>`; "
    "create a token with `guanxi token USERNAME` or in the admin under API tokens.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def _location(loc: list) -> str:
    # ninja reports ["body", "payload", "amount"]; clients want "amount".
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "filters")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    errors = [
        {"field": _location(e.get("loc", [])), "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid input"}
    return api.create_response(
        request,
        {"message": f"{first['field']}: {first['message']}", "field": first["field"], "errors": errors},
        status=422,
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        return api.create_response(
            request,
            {"message": f"{field}: {messages[0]}", "field": field, "errors": exc.message_dict},
            status=400,
        )
    return api.create_response(request, {"message": "; ".join(exc.messages)}, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"message": "Authentication required: send 'Authorization: Bearer <token>'."}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


def _register_routers() -> None:
    # Each domain app owns its router in <app>/api.py.
    from importlib import import_module

    for app, prefix in (
        ("accounts", "/accounts"),
        ("contacts", "/contacts"),
        ("transactions", "/"),
    ):
        try:
            module = import_module(f"guanxi.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"guanxi.{app}.api":
                raise
            continue
        api.add_router(prefix, module.router)


_register_routers()
