"""Every id the API takes is bounded and every date is an ISO string: a huge or negative id, or a
number given as a date, is a 422 naming the field, never a database error or 1970-01-01."""

from __future__ import annotations

import datetime as dt
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel, TypeAdapter, ValidationError

from guanxi.api import api
from guanxi.core.schemas import MAX_ID
from tests.support import JSON, make_contact

pytestmark = pytest.mark.usefixtures("english")

HUGE = 2**70


def _mentions(annotation: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, kinds):
        return True
    return any(_mentions(arg, kinds) for arg in typing.get_args(annotation))


def _input_fields(model: type[BaseModel], where: str) -> Iterator[tuple[str, Any]]:
    """(where, Annotated type) of every field of `model` and of the models inside it."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        for arg in (annotation, *typing.get_args(annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _input_fields(arg, f"{where}.{name}")
        yield f"{where}.{name}", typing.Annotated[annotation, *info.metadata] if info.metadata \
            else annotation  # fmt: skip


def _operation_inputs() -> Iterator[tuple[str, Any]]:
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    yield from _input_fields(model, f"{operation.methods} {prefix}{path}")


def test_no_input_takes_a_number_as_a_date():
    dated = [(w, t) for w, t in _operation_inputs() if _mentions(t, (dt.date,))]
    assert len(dated) > 10  # the walk finds them
    lax = []
    for where, annotation in dated:
        for number in (0, 0.5, "0", "1714521600"):
            try:
                TypeAdapter(annotation).validate_python(number)
            except ValidationError:
                continue
            lax.append(f"{where} takes {number!r}")
    assert lax == []


def _openapi_integers(node: Any, where: str, schemas: dict) -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            yield from _openapi_integers(schemas[name], name, schemas)
            return
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _openapi_integers(value, f"{where}.{key}", schemas)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _openapi_integers(value, f"{where}[{i}]", schemas)


# The service checks this range and says so in its own words (a 400 naming the field).
CHECKED_BY_THE_SERVICE = {"SeatIn.properties.influence"}


def test_every_integer_the_api_takes_is_bounded(client):
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            inputs = [operation.get("parameters", []), operation.get("requestBody", {})]
            for where, node in _openapi_integers(inputs, f"{method} {path}", schemas):
                if where in CHECKED_BY_THE_SERVICE:
                    continue
                if "maximum" not in node or "minimum" not in node:
                    unbounded.append(where)
    assert unbounded == []


@pytest.mark.parametrize("ids", [[HUGE], [-1], [0], [MAX_ID + 1]])
def test_co_owner_ids_out_of_range_are_422(as_user, ids):
    body = {"code": "X1", "name": "X", "account_type": "mice", "co_owners": ids}
    r = as_user("mia").post("/api/accounts", body, content_type=JSON)
    assert r.status_code == 422
    assert r.json()["field"] == "co_owners"


def test_touchpoint_contact_ids_out_of_range_are_422(as_user, cast):
    body = {"account": cast.account.pk, "kind": "visit", "contacts": [HUGE]}
    r = as_user("alice").post("/api/activities/touchpoints", body, content_type=JSON)
    assert r.status_code == 422
    assert r.json()["field"] == "contacts"


@pytest.mark.parametrize("value", [0, 0.5, "0", "1714521600", True])
def test_customer_since_is_a_date_not_a_number(as_user, value):
    body = {"code": "X1", "name": "X", "account_type": "mice", "customer_since": value}
    r = as_user("mia").post("/api/accounts", body, content_type=JSON)
    assert r.status_code == 422
    assert r.json()["field"] == "customer_since"


@pytest.mark.parametrize("query", ["occurred_to=0.5", "occurred_from=0", "occurred_to=1714521600"])
def test_date_filters_are_dates_not_numbers(as_user, query):
    r = as_user("alice").get(f"/api/transactions?{query}")
    assert r.status_code == 422
    assert r.json()["field"] == query.split("=")[0]


def test_date_filters_still_take_days_and_moments(as_user):
    client = as_user("alice")
    for query in ("occurred_to=2026-05-01", "occurred_from=2026-05-01T08:00:00%2B08:00"):
        assert client.get(f"/api/transactions?{query}").status_code == 200


def test_payment_and_key_date_refuse_numbers(as_user, cast):
    client: Client = as_user("alice")
    r = client.post("/api/payments", {"account": cast.account.pk, "received_at": 0,
                                      "amount": "10.00"}, content_type=JSON)  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "received_at")
    contact = make_contact(account=cast.account)
    r = client.post(f"/api/contacts/{contact.pk}/key-dates", {"kind": "wedding", "date": 0},
                    content_type=JSON)  # fmt: skip
    assert (r.status_code, r.json()["field"]) == (422, "date")


def test_every_operation_documents_its_errors_with_the_error_body(client):
    spec = client.get("/api/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert set(spec["components"]["schemas"]["ErrorOut"]["required"]) == {"message"}
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            wanted = {"401"} if operation.get("security") else set()
            if operation.get("parameters") or "requestBody" in operation:
                wanted.add("422")
            if operation.get("security") and method in ("post", "put", "patch", "delete"):
                wanted |= {"400", "403", "404", "409"}
            for code in wanted - set(responses):
                missing.append(f"{method} {path} {code}")
            for code, response in responses.items():
                if code >= "400":
                    assert response["content"]["application/json"]["schema"] == error
    assert missing == []
    assert {"401", "422", "429"} <= set(spec["paths"]["/api/auth/token"]["post"]["responses"])
