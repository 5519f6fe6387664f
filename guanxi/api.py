"""The REST API: /api/, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from guanxi import __version__
from guanxi.accounts.api import router as accounts_router
from guanxi.activities.api import router as activities_router
from guanxi.activities.api_today import router as today_router
from guanxi.agreements.api import router as agreements_router
from guanxi.agreements.api_blocks import router as agreement_blocks_router
from guanxi.agreements.api_money import router as agreements_money_router
from guanxi.agreements.api_reviews import router as agreement_reviews_router
from guanxi.assessments.api import router as assessments_router
from guanxi.contacts.api import router as contacts_router
from guanxi.core.api import router as core_router
from guanxi.core.api_auth import TokenAuth
from guanxi.core.error_words import validation_message
from guanxi.core.errors import ApplicationError, InvalidInput
from guanxi.core.schemas import ERRORS, ErrorOut
from guanxi.insights.api import router as insights_router
from guanxi.leads.api import router as leads_router
from guanxi.leads.api_selection import router as selection_router
from guanxi.loyalty.api import lights_router, loyalty_router, referrals_router
from guanxi.merging.api import router as merging_router
from guanxi.pipeline.api import pipeline_router
from guanxi.pipeline.api import router as opportunities_router
from guanxi.pipeline.api_targets import router as targets_router
from guanxi.plans.api import router as plans_router
from guanxi.relationships.api import router as relationships_router
from guanxi.service.api import router as cases_router
from guanxi.surveys.api import router as surveys_router
from guanxi.tiers.api import router as tiers_router
from guanxi.transactions.api import payments_router, transactions_router


class Utf8JSONRenderer(JSONRenderer):
    # Names are Chinese: send 华东会展集团 as UTF-8, not as \uXXXX escapes.
    json_dumps_params = {"ensure_ascii": False}


WRITES = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _error_codes(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer with, from what it takes (the handlers below
    turn every kind of error into one of them). An operation declares any other in its
    `response=` (the token endpoint's 429, the latest analysis run's 404)."""
    signed_in = bool(operation.get("security"))
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    codes = {401} if signed_in else set()
    if "requestBody" in operation:
        codes.add(400)  # a body that is not JSON at all
    if takes_input:
        codes.add(422)  # input that fails the schema or a domain check
        if signed_in:
            codes.add(404)  # an id that does not exist or is out of the user's sight
    if signed_in and method in WRITES:
        codes |= {400, 403, 404, 409}  # a business rule, a role, a clash with existing data
    return codes


class GuanxiAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The OpenAPI with the error responses of every operation and their body."""
        schema = super().get_openapi_schema(**kwargs)
        shape = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(shape.pop("$defs", {}))
        components["ErrorOut"] = shape
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                # One spelling of the status (ninja's keys may be numbers): "404".
                responses = {str(k): v for k, v in operation.get("responses", {}).items()}
                operation["responses"] = responses
                for code in sorted(_error_codes(method, operation)):
                    responses.setdefault(str(code), {"description": ERRORS[code]})
            for operation in operations.values():
                for code, response in operation["responses"].items():
                    if int(code) in ERRORS:
                        response["description"] = ERRORS[int(code)]
                        response["content"] = {"application/json": {"schema": ERROR_REF}}
        return schema


api = GuanxiAPI(
    title="Guanxi API",
    version=__version__,
    description="Key-account CRM. Authenticate with `Authorization: Bearer <token>`; "
    "create a token with `guanxi token USERNAME` or in the admin under API tokens.",
    auth=TokenAuth(),
    renderer=Utf8JSONRenderer(),
    urls_namespace="api",
)


logger = logging.getLogger(__name__)
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^\d+$")


def _location(loc: list) -> str:
    # ninja reports ["body", "payload", "amount"]; clients want "amount". After the field name
    # pydantic may add list indexes or the union branch it tried ("datetime",
    # "str-enum[Industry]"): the top-level field is what a client can act on.
    for p in loc:
        if p in ("body", "query", "path", "payload", "filters"):
            continue
        if _PLAIN.match(str(p)):
            return str(p)
        break
    return str(loc[0]) if loc else ""  # the whole body or query string is at fault


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError):
    errors = [
        {"field": _location(e.get("loc", [])), "message": validation_message(e)} for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": _("invalid input")}
    return api.create_response(
        request,
        {
            "message": f"{first['field']}: {first['message']}",
            "field": first["field"],
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError):
    # A net for Django's own checks: services raise InvalidInput (core.services.validated); this
    # answers in its shape should a model's rule still surface as a ValidationError.
    return on_application_error(request, InvalidInput.from_validation_error(exc))


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError):
    # Services check uniqueness first; this is the race two concurrent writers can still hit.
    logger.warning("integrity error on %s: %s", request.path, exc)
    return api.create_response(
        request,
        {"message": _("The change conflicts with existing data; reload and retry.")},
        status=409,
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError):
    logger.warning("data error on %s: %s", request.path, exc)
    return api.create_response(
        request, {"message": _("A value is out of range for its field.")}, status=422
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, {"message": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {
            "message": _(
                "Missing, unknown or expired API token: send 'Authorization: Bearer <token>'."
            )
        },
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError):
    response = api.create_response(request, {"message": str(exc)}, status=exc.status_code)
    if isinstance(exc, Throttled) and exc.wait:
        response["Retry-After"] = str(max(1, round(exc.wait)))
    return response


# Each domain app owns its router in <app>/api.py.
api.add_router("/", core_router)
api.add_router("/accounts", accounts_router)
api.add_router("/activities", activities_router)
api.add_router("/activities", today_router)
api.add_router("/assessments", assessments_router)
api.add_router("/cases", cases_router)
# Reviews, switching costs, renewal risk and rate: literal paths under /agreements, mounted
# before the CRUD router, whose "/{agreement_id}" would otherwise take "/reviews" as an id.
api.add_router("/agreements", agreement_reviews_router)
api.add_router("/agreements", agreements_router)
# performance, accrual, settlements (agreements.api_money); CRUD is agreements.api
api.add_router("/agreements", agreements_money_router)
api.add_router("/agreements", agreement_blocks_router)
api.add_router("/contacts", contacts_router)
api.add_router("/insights", insights_router)
api.add_router("/leads", leads_router)
api.add_router("/selection", selection_router)
api.add_router("/lights", lights_router)
api.add_router("/loyalty", loyalty_router)
api.add_router("/referrals", referrals_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/pipeline", pipeline_router)
api.add_router("/pipeline", targets_router)
api.add_router("/plans", plans_router)
api.add_router("/relationships", relationships_router)
api.add_router("/surveys", surveys_router)
api.add_router("/tiers", tiers_router)
api.add_router("/transactions", transactions_router)
api.add_router("/payments", payments_router)
api.add_router("/merge", merging_router)
