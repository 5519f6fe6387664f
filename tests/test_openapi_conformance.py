"""The API answers as its OpenAPI says: Schemathesis generates requests for every operation from
/api/openapi.json, sends them to the WSGI app in-process, and fails on a 500, a status the
operation does not document, or a body or content type that does not match the schema.

The budget is bounded for CI (the suite runs twice, SQLite and PostgreSQL, on 2 cores): a few
examples per operation, derandomized so a run is repeatable; raise GUANXI_FUZZ_EXAMPLES locally
to look harder (e.g. GUANXI_FUZZ_EXAMPLES=200).
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from guanxi.leads.models import LeadSource
from guanxi.leads.services import lead_create
from guanxi.pipeline.services import opportunity_create
from guanxi.service.services import case_open
from guanxi.wsgi import application
from tests.support import api_client_for, make_contact, make_payment, make_transaction

EXAMPLES = int(os.environ.get("GUANXI_FUZZ_EXAMPLES", "6"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# /api/activities/today: its tier changes and key dates do not match their schema yet; another
# branch of issue 12 fixes those shapes, then this exclusion goes.
schema = schema.exclude(path="/api/activities/today")
# The schema's examples and generated requests; not the coverage phase, which sends every
# boundary and wrong method of every parameter (hundreds of requests an operation).
schema.config.phases.update(phases=["examples", "fuzzing"])

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture
def known(cast):
    """Rows for the requests to find: path ids are swapped for theirs in half the examples, so
    the successful answers are checked too, not only the 404s of random ids."""
    contact = make_contact(account=cast.account)
    source = LeadSource.objects.get_or_create(builtin="bd", defaults={"kind": "bd"})[0]
    lead, _ = lead_create(actor=cast.alice, company="华东会展集团", source=source)
    line = {"kind": "rooms", "quantity": 2, "unit_price": 500}
    deal = opportunity_create(actor=cast.alice, account=cast.account, name="Deal",
                              expected_close=dt.date(2026, 9, 30), contacts=[contact],
                              lines=[line])  # fmt: skip
    return {
        "lead_id": lead.pk,
        "opportunity_id": deal.pk,
        "line_id": deal.lines.get().pk,
        "account_id": cast.account.pk,
        "contact_id": contact.pk,
        "transaction_id": make_transaction(account=cast.account, contact=contact).pk,
        "payment_id": make_payment(account=cast.account).pk,
        "case_id": case_open(
            actor=cast.alice, account=cast.account, kind="complaint", subject="Noisy room"
        ).pk,  # fmt: skip
    }


@pytest.fixture
def keep_the_connection():
    """Schemathesis calls the WSGI app itself: Django's end of request would close the database
    connection, and with it the test's transaction (PostgreSQL). Django's test client unhooks
    the same signal handlers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(cast, keep_the_connection):
    """A manager's token: sees every account."""
    client = api_client_for(cast.mia)
    cache.clear()  # the login throttle counts in the cache
    yield client.defaults["HTTP_AUTHORIZATION"]
    cache.clear()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_responses_match_the_openapi(case, token, known):
    for name, value in (case.path_parameters or {}).items():
        if name in known and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = known[name]
    case.call_and_validate(headers={"Authorization": token}, checks=CHECKS)
