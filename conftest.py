"""Fixtures for every test: guanxi/ and tests/ alike."""

import datetime as dt
import importlib
import os

import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation

from guanxi.pipeline.models import Stage
from guanxi.transactions.partitions import ledger_is_partitioned, ledger_partition
from tests.support import api_client_for, make_cast

# GUANXI_TEST_PARTITIONED_LEDGER=1 with a PostgreSQL DATABASE_URL: every test runs on the
# ledger in monthly partitions (`guanxi partitions --enable`), 2023-01 to 2028-12 and a default
# partition for the rest. CI runs the PostgreSQL suite both ways.
PARTITIONED_LEDGER = os.environ.get("GUANXI_TEST_PARTITIONED_LEDGER") == "1"
TEST_MONTHS = {"as_of": dt.date(2023, 1, 1), "ahead": 71}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if PARTITIONED_LEDGER and connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            ledger_partition(**TEST_MONTHS)
    yield


@pytest.fixture
def partitioned_ledger(db):
    """The ledger in monthly partitions for this test (PostgreSQL; rolled back with the test's
    transaction). Tests that use it are skipped on SQLite, which has no partitions."""
    if connection.vendor != "postgresql":
        pytest.skip("monthly partitions of the ledger are a PostgreSQL feature")
    if not ledger_is_partitioned():
        # Fewer months than the whole-suite run: this runs for every such test.
        ledger_partition(as_of=dt.date(2023, 8, 1), ahead=31)


# The lists that migrations seed as data (built-in stages, lead sources, reasons, selection
# criteria). A transactional test ends by emptying every table, and the tests after it would
# find no pipeline; these migrations' own seed functions put the lists back.
SEED_MIGRATIONS = (
    "guanxi.leads.migrations.0002_builtin_lists",
    "guanxi.leads.migrations.0004_builtin_criteria",
    "guanxi.pipeline.migrations.0002_builtin_lists",
    "guanxi.agreements.migrations.0002_builtin_types",
    "guanxi.loyalty.migrations.0002_seed_rules",
    "guanxi.surveys.migrations.0002_seed_templates",
)


@pytest.fixture(autouse=True)
def _seeded_lists(request, django_db_blocker):
    # Before the test's own database fixture where it can (then the rows stay for the tests
    # after it); inside the test's transaction when a django_db mark opened it first.
    uses_db = request.node.get_closest_marker("django_db") is not None
    if uses_db or "_django_db_helper" in request.fixturenames:
        with django_db_blocker.unblock():
            if not Stage.objects.exists():
                for name in SEED_MIGRATIONS:
                    importlib.import_module(name).seed(apps, None)
    yield


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2 costs ~0.4 s per user; the five-user cast would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def huey_immediate():
    """Jobs run inline in tests, on Huey's in-memory queue. Settings already choose immediate
    mode under pytest, so the SQLite queue file is never opened; this makes sure of it even when
    the environment says HUEY_IMMEDIATE=0."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def english(settings):
    """Serve and assert messages in English (the default UI language is zh-hans)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def as_user(cast):
    """as_user("alice") → an API client authenticated as that member of the cast."""
    return lambda name: api_client_for(getattr(cast, name))
