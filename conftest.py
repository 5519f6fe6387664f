"""Fixtures for every test: guanxi/ and tests/ alike."""

import pytest
from django.utils import translation

from tests.support import api_client_for, make_cast


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
