import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; other tests (and admin requests) may leave zh-hans on.
    with translation.override("en"):
        yield
