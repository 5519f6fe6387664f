"""Fixtures of the surveys tests: the seeded templates, a contact of alice's account and a
personal link to each template."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from guanxi.surveys.models import SurveyTemplate
from guanxi.surveys.services import invitation_create
from tests.support import make_contact


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def templates(db):
    return {t.code: t for t in SurveyTemplate.objects.all()}


@pytest.fixture
def contact(cast):
    return make_contact(account=cast.account, name="王经理")


@pytest.fixture
def invite(cast, templates, contact):
    """invite("nps", **options) → a personal link of alice's account, sent by alice."""

    def make(code: str = "nps", **options):
        options.setdefault("contact", contact)
        return invitation_create(
            actor=cast.alice, template=templates[code], account=cast.account, **options
        )

    return make
